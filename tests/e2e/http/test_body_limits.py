"""Request bodies over their limit (api/http/body_limit.py): refused with 413 before they are read, parsed or
their sender authenticated; and error answers that list at most 20 fields at fault, whatever was sent."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.types import Message, Receive, Scope, Send

from api.http.body_limit import BodyLimit, BodyLimits
from api.http.errors import MAX_LISTED_ERRORS
from tests.e2e.http import world
from tests.e2e.http.conftest import API, Api, Installation, fresh_api

MiB = 1024 * 1024
UNKNOWN_KEYS = json.dumps({f"k{number}": 1 for number in range(700_000)}, separators=(",", ":")).encode()


@pytest.fixture
def small(installation: Installation, tmp_path: Path) -> Iterator[Api]:
    """An application whose ordinary limit is 64 KiB (and its rule files' 3 × 1 MiB + 64 KiB)."""
    yield from fresh_api(installation, tmp_path, max_body_bytes=64 * 1024, policy_max_bytes=MiB)


def test_an_8_mb_body_of_700_000_unknown_keys_is_refused_before_authentication(api: Api) -> None:
    assert len(UNKNOWN_KEYS) > 8_000_000

    response = api.client.post(
        f"{API}/dossiers", content=UNKNOWN_KEYS, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 413  # not 401: nobody was authenticated, nothing was parsed
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["connection"] == "close"
    assert response.headers["x-content-type-options"] == "nosniff"  # the security headers, as everywhere
    problem = response.json()
    assert problem["type"] == "urn:mandaat:problem:body-too-large"
    assert problem["figures"] == {"limit": str(MiB)}
    assert "larger than 1048576 bytes (1 MiB)" in problem["detail"]
    assert len(response.content) < 400


def test_a_chunked_body_over_the_limit_is_refused_too(api: Api) -> None:
    def chunks() -> Iterator[bytes]:
        for start in range(0, len(UNKNOWN_KEYS), 64 * 1024):
            yield UNKNOWN_KEYS[start : start + 64 * 1024]

    response = api.client.post(
        f"{API}/dossiers", content=chunks(), headers={"Content-Type": "application/json"}
    )

    assert "content-length" not in response.request.headers  # sent chunked
    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"


def test_a_page_gets_a_readable_answer(api: Api) -> None:
    response = api.client.post("/dossiers/nieuw", data={"reference": "x" * (2 * MiB)})

    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "Wat u verstuurde is groter dan 1 MiB" in response.text
    assert "What you sent is larger than 1 MiB" in response.text


def test_the_limit_is_a_setting_and_rule_files_have_a_larger_one(small: Api) -> None:
    body = {"files": {"algemeen.yaml": "#" * (200 * 1024)}, "effective_from": "2026-12-01"}

    ordinary = small.post("/dossiers", as_=world.CASEWORKER, json={"reference": "x" * (70 * 1024)})
    rule_files = small.post("/policy/versions", as_=world.POLICY, json=body)

    assert ordinary.status_code == 413
    assert ordinary.json()["figures"] == {"limit": str(64 * 1024)}
    assert rule_files.status_code == 422  # read and refused by the loader: the file is not a policy
    assert rule_files.json()["code"] == "policy_rejected"


def test_a_body_within_the_limit_is_served_as_before(small: Api) -> None:
    assert len(json.dumps(world.aid_body(world.open_dossier(small)))) < 64 * 1024
    assert small.get("/me", as_=world.CASEWORKER).status_code == 200  # no body at all


def test_an_answer_lists_at_most_20_fields_at_fault_and_how_many_more(api: Api) -> None:
    body = {f"unknown_{number}": "x" for number in range(5000)}
    assert len(json.dumps(body)) < MiB

    response = api.post("/dossiers", as_=world.CASEWORKER, json=body)

    assert response.status_code == 422
    problem = response.json()
    assert len(problem["errors"]) == MAX_LISTED_ERRORS == 20
    assert problem["more_errors"] == 5000 + 2 - 20  # every unknown key, and reference and members missing
    assert problem["detail"].endswith(" and 4982 more")
    assert len(response.content) < 4000


def test_an_answer_with_few_errors_says_nothing_of_more(api: Api) -> None:
    problem = api.post("/dossiers", as_=world.CASEWORKER, json={"members": []}).json()

    assert "more_errors" not in problem
    assert [error["field"] for error in problem["errors"]] == ["reference", "members"]


# --- the middleware itself: what it reads, and what it hands on --------------------------------------------


class Recorder:
    """An ASGI application that records the body it was given; and a client sending `parts`."""

    def __init__(self, parts: list[bytes], *, announced: int | None = None) -> None:
        self.parts = list(parts)
        self.announced = announced
        self.read = 0  # bytes the middleware took from the client
        self.called = False
        self.body = b""
        self.sent: list[Message] = []

    def scope(self, path: str = "/api/v1/dossiers") -> Scope:
        headers = [] if self.announced is None else [(b"content-length", str(self.announced).encode())]
        return {"type": "http", "method": "POST", "path": path, "headers": headers}

    async def receive(self) -> Message:
        if not self.parts:
            return {"type": "http.disconnect"}
        part = self.parts.pop(0)
        self.read += len(part)
        return {"type": "http.request", "body": part, "more_body": bool(self.parts)}

    async def send(self, message: Message) -> None:
        self.sent.append(message)

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.called = True
        while True:
            message = await receive()
            self.body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        assert (await receive())["type"] == "http.disconnect"  # what comes after the body passes through
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    def status(self) -> int:
        return int(self.sent[0]["status"])

    def through(self, limits: BodyLimits, path: str = "/api/v1/dossiers") -> Recorder:
        asyncio.run(BodyLimit(self.app, limits)(self.scope(path), self.receive, self.send))
        return self


LIMITS = BodyLimits(100, {("POST", "/api/v1/policy/versions"): 1000})


def test_an_announced_body_over_the_limit_is_not_read_at_all() -> None:
    client = Recorder([b"x" * 200], announced=200).through(LIMITS)

    assert (client.status(), client.read, client.called) == (413, 0, False)


def test_a_chunked_body_is_read_no_further_than_past_its_limit() -> None:
    client = Recorder([b"x" * 60] * 100).through(LIMITS)

    assert (client.status(), client.read, client.called) == (413, 120, False)


def test_a_chunked_body_within_the_limit_is_handed_on_whole() -> None:
    client = Recorder([b"a" * 40, b"b" * 40, b"c" * 20]).through(LIMITS)

    assert (client.status(), client.body) == (204, b"a" * 40 + b"b" * 40 + b"c" * 20)


def test_the_larger_limit_holds_only_where_it_is_given() -> None:
    policy = Recorder([b"x" * 900], announced=900).through(LIMITS, "/api/v1/policy/versions")
    other = Recorder([b"x" * 900], announced=900).through(LIMITS, "/api/v1/policy")

    assert (policy.status(), len(policy.body)) == (204, 900)
    assert other.status() == 413


def test_a_body_of_many_thousands_of_unknown_fields_is_one_error(api: Api) -> None:
    body = {f"k{number}": 1 for number in range(90_000)}
    assert len(json.dumps(body, separators=(",", ":"))) < MiB

    response = api.post("/dossiers", as_=world.CASEWORKER, json=body)

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "body",
            "location": "body",
            "message": "90000 fields this request does not take, such as k0, k1, k2",
        }
    ]


def test_thousands_of_rule_files_are_one_error(api: Api) -> None:
    files = {f"{number}": "" for number in range(5000)}

    response = api.post(
        "/policy/versions", as_=world.POLICY, json={"files": files, "effective_from": "2026-12-01"}
    )

    assert response.status_code == 422
    assert [error["message"] for error in response.json()["errors"]] == [
        "5000 files; a policy has at most 1000"
    ]
