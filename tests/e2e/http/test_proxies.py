"""Who is asking, behind a reverse proxy (api/http/proxies.py): X-Forwarded-For and X-Forwarded-Proto count
only from a peer in MANDAAT_TRUSTED_PROXIES. Read back from what the throttle counts and what the access log
records (the client's keyed hash), and from the headers of the answer (HSTS over https only)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.http.conftest import API, PASSWORD, Api, Installation, fresh_api

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PROXY = ("10.0.0.5", 4000)
STRANGER = ("203.0.113.7", 4000)
HSTS = "strict-transport-security"


@pytest.fixture
def behind_proxy(installation: Installation, tmp_path: Path) -> Iterator[Api]:
    yield from fresh_api(installation, tmp_path, trusted_proxies=["10.0.0.0/24", "fd00::/8"])


def from_peer(api: Api, peer: tuple[str, int], **options: object) -> TestClient:
    return TestClient(api.client.app, client=peer, **options)  # type: ignore[arg-type]


def sign_in(
    client: TestClient, user: str, forwarded_for: str | None, password: str = "wrong"
) -> httpx.Response:
    headers = {} if forwarded_for is None else {"X-Forwarded-For": forwarded_for}
    return client.post(f"{API}/auth/token", data={"username": user, "password": password}, headers=headers)


def client_keys(api: Api, count: int) -> list[str | None]:
    """The client's keyed hash of the newest `count` sign-ins, oldest first."""
    with api.mandaat.access._accounts(True) as store:
        return [event.client_key for event in reversed(store.events(limit=count))]


def test_forwarded_for_from_an_untrusted_peer_changes_nothing(api: Api) -> None:
    stranger = from_peer(api, STRANGER)
    for attempt in range(20):  # twenty "different" clients, all from one address
        assert sign_in(stranger, f"guess{attempt}", f"198.51.100.{attempt}").status_code == 400

    throttled = sign_in(stranger, "anna", "192.0.2.99", PASSWORD)

    assert throttled.status_code == 429  # the address's limit: the header was not believed
    assert len(set(client_keys(api, 21))) == 1


def test_a_trusted_proxy_names_the_client_and_a_spoofed_one_is_ignored(behind_proxy: Api) -> None:
    api = behind_proxy
    proxy = from_peer(api, PROXY)
    for attempt in range(20):  # one client behind the proxy, naming others in front of its own address
        spoofed = f"6.6.6.{attempt}, 198.51.100.1"
        assert sign_in(proxy, f"guess{attempt}", spoofed).status_code == 400

    again = sign_in(proxy, "anna", "6.6.6.6, 198.51.100.1", PASSWORD)
    other = sign_in(proxy, "bram", "198.51.100.2, 10.0.0.7", PASSWORD)  # through a second proxy of ours

    assert again.status_code == 429  # 198.51.100.1 reached its limit, whatever it wrote before it
    assert other.status_code == 200  # another client behind the same proxies
    keys = client_keys(api, 22)
    assert len(set(keys[:21])) == 1
    assert keys[21] != keys[0]
    assert keys[0] not in client_keys_of_peer(api)


def client_keys_of_peer(api: Api) -> list[str | None]:
    """The keyed hash the proxy's own address gets, from a sign-in without the header."""
    sign_in(from_peer(api, PROXY), "nobody", None)
    return client_keys(api, 1)


def test_hsts_only_over_https(api: Api, behind_proxy: Api) -> None:
    plain = from_peer(api, STRANGER).get(f"{API}/policy/versions")
    direct = from_peer(api, STRANGER, base_url="https://mandaat.example").get(f"{API}/policy/versions")
    claimed = from_peer(api, STRANGER).get(f"{API}/policy/versions", headers={"X-Forwarded-Proto": "https"})
    proxied = from_peer(behind_proxy, PROXY).get(
        f"{API}/policy/versions", headers={"X-Forwarded-Proto": "https"}
    )

    assert HSTS not in plain.headers
    assert direct.headers[HSTS] == "max-age=31536000"
    assert HSTS not in claimed.headers  # a stranger's word for it is not https
    assert proxied.headers[HSTS] == "max-age=31536000"


def test_the_session_cookie_is_secure_when_a_trusted_proxy_says_https(behind_proxy: Api) -> None:
    page = from_peer(behind_proxy, PROXY).get("/aanmelden", headers={"X-Forwarded-Proto": "https"})

    assert page.status_code == 200
    assert "secure" in page.headers["set-cookie"].lower()
    assert page.headers[HSTS] == "max-age=31536000"


@pytest.mark.parametrize("proxies", ["nginx", "10.0.0.0/33", "10.0.0.1,  ,example.org"])
def test_a_trusted_proxy_must_be_an_address_or_a_network(
    proxies: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pydantic import ValidationError

    from api.settings import Settings

    monkeypatch.setenv("MANDAAT_TRUSTED_PROXIES", proxies)

    with pytest.raises(ValidationError, match="trusted_proxies"):
        Settings()
