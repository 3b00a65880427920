"""Gather the facts a policy needs into the engine's `DecisionRequest`.

The household is the dossier's members; the history is the dossier's approved aid since the earliest date any
limit of the policy looks at; the envelope figures come from the ledger (read under the envelope's lock); the
caseworker's own ceiling comes from their account. Birth dates go to the engine, which derives ages: only the
derived facts (`Decision.facts`) reach the log.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from envelopes.domain.aid_requests import AidRequest, AidStatus
from envelopes.domain.dossiers import ClientDossier
from envelopes.domain.errors import InvalidInput
from envelopes.domain.users import User
from rules.money import Money
from rules.request import DecisionRequest, RequestError, parse_request


def decision_request(
    *,
    day: date,
    theme: str,
    item: str,
    amount: Money,
    quantity: int,
    dossier: ClientDossier,
    beneficiary_key: str,
    history: Iterable[AidRequest],
    available: Money,
    frozen: bool,
    caseworker: User,
) -> DecisionRequest:
    beneficiary = dossier.member(beneficiary_key)
    if beneficiary.birth_date > day:
        raise InvalidInput("the beneficiary was born after the request date", field="date")
    data: dict[str, Any] = {
        "date": day.isoformat(),
        "theme": theme,
        "item": item,
        "amount": str(amount),
        "quantity": quantity,
        "beneficiary": _person(beneficiary.key, beneficiary.birth_date, beneficiary.relation),
        "household": {
            "id": dossier.id,
            "members": [_person(m.key, m.birth_date, m.relation) for m in dossier.members],
        },
        "history": [_earlier_aid(aid) for aid in history if aid.status is AidStatus.APPROVED],
        "envelope": {"available": str(available), "frozen": frozen},
        "caseworker": (
            None
            if caseworker.mandate_ceiling is None
            else {"mandate_ceiling": str(caseworker.mandate_ceiling)}
        ),
        "dossier_id": dossier.id,
    }
    try:
        return parse_request(data)
    except RequestError as error:
        where, _ = error.problems[0]
        raise InvalidInput(str(error), field=_command_field(where)) from None


def _person(key: str, birth_date: date, relation: str | None) -> dict[str, Any]:
    person: dict[str, Any] = {"id": key, "birth_date": birth_date.isoformat()}
    if relation is not None:
        person["relation"] = relation
    return person


def _earlier_aid(aid: AidRequest) -> dict[str, Any]:
    return {
        "date": aid.date.isoformat(),
        "theme": aid.theme,
        "item": aid.item,
        "amount": str(aid.committed),
        "beneficiary_id": aid.beneficiary_key,
        "dossier_id": aid.dossier_id,
    }


def _command_field(where: str) -> str:
    """The engine's field name as the caller knows it."""
    if where.startswith("beneficiary"):
        return "beneficiary_key"
    return where.split(".")[0].split("[")[0]
