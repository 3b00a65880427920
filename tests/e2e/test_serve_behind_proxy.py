"""`mandaat serve` as a process, asked from 127.0.0.1 with X-Forwarded-For and X-Forwarded-Proto headers:
believed only when MANDAAT_TRUSTED_PROXIES names the peer. (uvicorn on its own trusts 127.0.0.1: a local
process could then pick the address the throttle counts.) What counts is read from the throttle's answers
and from HSTS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.demo import CASEWORKER, DEMO_PASSWORD
from tests.support.served import API, FAST_HASHING_ENV, Served, start

CLIENT_LIMIT = 20  # MANDAAT_LOGIN_CLIENT_FAILURE_LIMIT's default


@pytest.fixture(params=["untrusted", "trusted"])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Served, bool]]:
    trusted = request.param == "trusted"
    env = {**FAST_HASHING_ENV, **({"MANDAAT_TRUSTED_PROXIES": "127.0.0.1"} if trusted else {})}
    server = start(f"sqlite:///{tmp_path / 'mandaat.db'}", tmp_path, demo=True, env=env)
    try:
        yield server, trusted
    finally:
        server.stop()


def test_forwarded_headers_count_from_a_trusted_proxy_only(served: tuple[Served, bool]) -> None:
    server, trusted = served
    with httpx.Client(base_url=server.base_url + API, timeout=30) as client:
        for attempt in range(CLIENT_LIMIT):  # each try "from" another address
            form = {"username": f"guess{attempt}", "password": "wrong password"}
            forwarded = {"X-Forwarded-For": f"198.51.100.{attempt}"}
            assert client.post("/auth/token", data=form, headers=forwarded).status_code == 400

        right = {"username": CASEWORKER.user_id, "password": DEMO_PASSWORD}
        signing_in = client.post("/auth/token", data=right, headers={"X-Forwarded-For": "198.51.100.99"})
        over_https = client.get("/policy/versions", headers={"X-Forwarded-Proto": "https"})

    if trusted:  # twenty clients behind the proxy, one failure each; the connection was https
        assert signing_in.status_code == 200
        assert over_https.headers["strict-transport-security"] == "max-age=31536000"
    else:  # one client, 127.0.0.1, at its limit; and plain http
        assert signing_in.status_code == 429
        assert "strict-transport-security" not in over_https.headers
