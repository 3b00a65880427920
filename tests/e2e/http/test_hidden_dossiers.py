"""Another caseworker's dossier, or a request on it, is answered exactly as one that does not exist, whatever
a caseworker does with it: no act may tell that it is there. Every act on a dossier or a request, each tried
on the caller's own (it works), on someone else's and on a made-up id; the last two answers are compared
whole. The refusal is in the access log, as a read's is; nothing changes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.e2e.http import world
from tests.e2e.http.conftest import OTHER_CASEWORKER, Api

ME = world.CASEWORKER


@dataclass(frozen=True)
class Act:
    """One act as a call: `path` and `body` made from the id of what it acts on (a dossier or a request)."""

    path: Callable[[str], str]
    body: Callable[[str, dict[str, Any] | None], dict[str, Any]]  # (the id, the dossier if there is one)
    target: Callable[[Api, dict[str, Any]], str]  # the id of what it acts on, in a fresh dossier
    ok: int

    def call(self, api: Api, identifier: str, dossier: dict[str, Any] | None = None) -> httpx.Response:
        return api.post(
            self.path(identifier),
            as_=ME,
            json=self.body(identifier, dossier),
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )


def on_dossier(identifier: str, dossier: dict[str, Any] | None) -> dict[str, Any]:
    """A valid request for aid on dossier `identifier` (the members of `dossier`, or made up)."""
    members = dossier or {"members": [{"id": uuid.uuid4().hex}]}
    return world.aid_body({**members, "id": identifier})


ACTS = {
    "submit": Act(lambda _: "/aid-requests", on_dossier, lambda api, d: str(d["id"]), 201),
    "preview": Act(lambda _: "/aid-requests/preview", on_dossier, lambda api, d: str(d["id"]), 200),
    "reassign": Act(
        lambda id_: f"/dossiers/{id_}/reassign",
        lambda id_, d: {"caseworker_id": OTHER_CASEWORKER},
        lambda api, d: str(d["id"]),
        200,
    ),
    "withdraw": Act(
        lambda id_: f"/aid-requests/{id_}/withdraw",
        lambda id_, d: {"reason": "niet meer nodig"},
        lambda api, d: str(world.escalated_request(api, d)["id"]),
        200,
    ),
    "resubmit": Act(
        lambda id_: f"/aid-requests/{id_}/resubmit",
        lambda id_, d: {"justification": "maat 32"},
        lambda api, d: str(world.returned_request(api, d)["id"]),
        200,
    ),
    "cancel": Act(
        lambda id_: f"/aid-requests/{id_}/cancel",
        lambda id_, d: {"reason": "dubbel ingegeven"},
        lambda api, d: str(world.approved_request(api, d)["id"]),
        200,
    ),
}


def shown(response: httpx.Response, identifier: str) -> tuple[int, str, dict[str, Any]]:
    """The whole answer, with the id it names written as ID."""
    body = response.json()
    body["detail"] = body["detail"].replace(identifier, "ID")
    return response.status_code, response.headers["content-type"], body


@pytest.mark.parametrize("act", list(ACTS))
def test_an_act_on_another_caseworkers_dossier_answers_as_on_none(api: Api, act: str) -> None:
    doing = ACTS[act]
    mine = world.open_dossier(api, ME)
    theirs = world.open_dossier(api, OTHER_CASEWORKER)
    own, other, missing = doing.target(api, mine), doing.target(api, theirs), uuid.uuid4().hex
    log_before = api.log_head()

    hidden = doing.call(api, other, theirs)
    absent = doing.call(api, missing)

    assert shown(hidden, other) == shown(absent, missing)
    assert hidden.status_code == 404
    assert hidden.json()["type"] == "urn:mandaat:problem:not-found"
    assert api.log_head() == log_before  # nothing changed
    with api.mandaat.access._accounts(True) as store:
        refusals = [e for e in store.events(limit=5, event="access.refused") if e.user_id == ME]
    assert [(e.status, e.detail, e.method) for e in refusals] == [(404, "not_assigned", "POST")]
    assert doing.call(api, own, mine).status_code == doing.ok  # the same act on one's own works
