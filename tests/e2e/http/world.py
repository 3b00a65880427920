"""Things the HTTP tests need to exist, made through the API itself as the users who would make them."""

from __future__ import annotations

import uuid
from typing import Any

from envelopes.domain.users import Role
from tests.e2e.http.conftest import USERS, Api

CASEWORKER = USERS[Role.CASEWORKER]
FINANCE = USERS[Role.FINANCE]
COMMITTEE = USERS[Role.COMMITTEE]
POLICY = USERS[Role.POLICY]
AUDITOR = USERS[Role.AUDITOR]
ADMIN = USERS[Role.ADMIN]
CHILD, ADULT = "2018-05-01", "1985-01-01"  # 8 and 41 years old on 23 November 2026


def open_dossier(api: Api, owner: str = CASEWORKER, *, reference: str | None = None) -> dict[str, Any]:
    body = {
        "reference": reference or f"MA-{uuid.uuid4().hex[:10]}",
        "members": [
            {"birth_date": CHILD, "relation": "kind"},
            {"birth_date": ADULT, "relation": "aanvrager"},
        ],
    }
    response = api.post("/dossiers", as_=owner, json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def aid_body(
    dossier: dict[str, Any],
    *,
    item: str = "winterschoenen",
    amount: str = "55.00",
    member: int = 0,
    **extra: Any,
) -> dict[str, Any]:
    theme = {"winterschoenen": "kleding", "kinderkleding": "kleding", "apotheek": "gezondheid"}.get(
        item, "kleding"
    )
    return {
        "dossier_id": dossier["id"],
        "beneficiary_id": dossier["members"][member]["id"],
        "theme": theme,
        "item": item,
        "amount": amount,
        "justification": "geen waterdichte schoenen voor de winter",
        **extra,
    }


def submit(
    api: Api, body: dict[str, Any], *, as_: str = CASEWORKER, key: str | None = None
) -> dict[str, Any]:
    response = api.post(
        "/aid-requests", as_=as_, json=body, headers={"Idempotency-Key": key or uuid.uuid4().hex}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def approved_request(api: Api, dossier: dict[str, Any]) -> dict[str, Any]:
    answer = submit(api, aid_body(dossier), as_=dossier["caseworker_id"])
    assert answer["status"] == "approved", answer
    return answer


def escalated_request(api: Api, dossier: dict[str, Any], amount: str = "75.00") -> dict[str, Any]:
    """Winter shoes above the € 60,00 limit: escalated, held on the envelope."""
    answer = submit(api, aid_body(dossier, amount=amount), as_=dossier["caseworker_id"])
    assert answer["status"] == "escalated", answer
    return answer


def returned_request(api: Api, dossier: dict[str, Any]) -> dict[str, Any]:
    escalated = escalated_request(api, dossier)
    response = api.post(
        f"/escalations/{escalated['id']}/decision",
        as_=COMMITTEE,
        json={"decision": "return", "motivation": "Welke maat heeft het kind?"},
    )
    assert response.status_code == 200, response.text
    return dict(response.json())
