"""Privacy (GDPR): a person's data and the decisions about them (art. 15), and the pseudonymisation of
client dossiers closed longer than the retention period (art. 5(1)(e)), without breaking the decision log.

**Closed.** A dossier has no "closed" state of its own (yet). For retention it counts as closed on the day of
the last act that names it in the decision log — its creation, a reassignment, any request's submission,
ruling, resubmission, withdrawal or cancellation — provided it has no open request (escalated or returned).
The log is the one place that dates every act, in the transaction of the act, so nothing new is stored.

**Pseudonymised.** The case-file reference is replaced by a random token (`pseudoniem-…`); each household
member keeps an opaque key and only the birth year (stored as 1 January of that year, for reports by age), and
loses the relation; the free texts on the aid requests (the justification, the committee's motivation and
question, a closing reason), which may name people, are replaced by a fixed text. What stays: amounts, items,
dates, statuses, the engine's reasons, who decided — what budget reports and audits need. The log holds no
direct identifiers (derived facts such as an age, sha256 hashes of free texts), so none of its entries
changes and it still verifies; each pseudonymisation adds an entry of its own (`dossier.pseudonymised`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from envelopes.domain.aid_requests import AidRequest, AidStatus
from envelopes.domain.dossiers import ClientDossier
from envelopes.domain.duties import Act, require_assigned
from envelopes.domain.errors import InvalidTransition, NotFound
from envelopes.domain.ids import brussels_date, new_id
from envelopes.domain.log import LogEntry
from envelopes.domain.reasons import reason_to_json
from envelopes.services.common import Clock, acting
from envelopes.services.log import record
from envelopes.services.policies import SYSTEM_ACTOR
from envelopes.unit_of_work import UnitOfWork

PSEUDONYMISED = "dossier.pseudonymised"
PSEUDONYM_PREFIX = "pseudoniem-"
REMOVED = "[verwijderd bij pseudonimisering]"
OPEN_STATUSES = (AidStatus.ESCALATED, AidStatus.RETURNED)
EXPORT_FORMAT = "mandaat.dossier-export/1"


# --- art. 15: what Mandaat holds about a dossier ------------------------------------------------------


def export_dossier(dossier: str, uow: UnitOfWork, *, actor_id: str | None = None) -> dict[str, Any]:
    """Everything about one client dossier (by id, else by case-file reference), as JSON values: the
    dossier, its members, its caseworker; every aid request with the engine's outcome and reasons, the
    committee's ruling and motivation, the amounts and statuses; and every logged act that names it.

    Reads only. `actor_id` None is the operator at the command line, who acts as the system (holding the
    database); a user must be the dossier's caseworker."""
    with uow:
        actor = None if actor_id is None else acting(uow, actor_id, Act.REQUEST_AID)
        found = uow.dossiers.get(dossier) or uow.dossiers.find_by_reference(dossier)
        if found is None:
            raise NotFound(f"there is no client dossier {dossier}", field="dossier")
        if actor is not None:
            require_assigned(actor, found.caseworker_id)
        caseworker = uow.users.get(found.caseworker_id)
        history = [
            _act_json(entry) for entry in uow.log.entries() if entry.subjects.get("dossier") == found.id
        ]
        asked = {act["aid_request"]: act["sequence"] for act in reversed(history) if act["aid_request"]}
        requests = sorted(
            uow.requests.for_dossier(found.id), key=lambda aid: (asked.get(aid.id, 0), aid.date)
        )
    return {
        "format": EXPORT_FORMAT,
        "dossier": {
            "id": found.id,
            "reference": found.reference,
            "caseworker": {
                "id": found.caseworker_id,
                "name": None if caseworker is None else caseworker.name,
            },
            "members": [
                {"key": m.key, "birth_date": m.birth_date.isoformat(), "relation": m.relation}
                for m in found.members
            ],
        },
        "aid_requests": [_request_json(aid) for aid in requests],
        "history": history,
    }


def _request_json(aid: AidRequest) -> dict[str, Any]:
    return {
        "id": aid.id,
        "beneficiary_key": aid.beneficiary_key,
        "date": aid.date.isoformat(),
        "theme": aid.theme,
        "item": aid.item,
        "amount": str(aid.amount),
        "quantity": aid.quantity,
        "justification": aid.justification,
        "requested_by": aid.requested_by,
        "status": aid.status.value,
        "engine": {
            "outcome": aid.outcome.value,
            "reasons": [reason_to_json(reason) for reason in aid.reasons],
            "policy_version": aid.policy_version,
        },
        "approved_amount": None if aid.approved_amount is None else str(aid.approved_amount),
        "held": str(aid.held),
        "committee": {"decided_by": aid.decided_by, "motivation": aid.motivation, "question": aid.question},
        "closing_reason": aid.closing_reason,
    }


def _act_json(entry: LogEntry) -> dict[str, Any]:
    """One logged act about the dossier: when, who, what, and the facts and rules of a decision."""
    return {
        "sequence": entry.sequence,
        "recorded_at": entry.recorded_at,
        "actor_id": entry.actor_id,
        "action": entry.action,
        "aid_request": entry.subjects.get("aid_request"),
        "outcome": entry.outcome,
        "facts": None if entry.facts is None else dict(entry.facts),
        "policy_version": entry.policy_version,
        "matched": list(entry.matched),
        "details": dict(entry.details),
    }


# --- retention ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionScan:
    """The dossiers closed before a date, found in one snapshot, and the log head it was read up to."""

    closed_before: date
    dossiers: tuple[str, ...]
    scanned_up_to: int  # a sequence number: acts logged after it are checked again, one dossier at a time


@dataclass(frozen=True)
class PseudonymisedDossier:
    dossier_id: str
    members: int
    aid_requests: int


def closed_dossiers(closed_before: date, uow: UnitOfWork) -> RetentionScan:
    """Dossiers without an open request whose last logged act is dated (in Brussels) before
    `closed_before`, and not pseudonymised yet. Reads the whole log once; use a read-only unit of work."""
    with uow:
        head = uow.log.head()
        last_act, done = _last_acts(uow.log.entries())
        open_dossiers = {aid.dossier_id for s in OPEN_STATUSES for aid in uow.requests.with_status(s)}
    found = sorted(
        dossier
        for dossier, day in last_act.items()
        if day < closed_before and dossier not in done and dossier not in open_dossiers
    )
    return RetentionScan(closed_before, tuple(found), head.sequence)


def pseudonymise_dossier(
    dossier_id: str, scan: RetentionScan, uow: UnitOfWork, clock: Clock
) -> PseudonymisedDossier:
    """Pseudonymise one dossier the scan found, in one transaction with its log entry (actor: the system).
    Refused (InvalidTransition, nothing changed) when it has been acted on since the scan or has an open
    request: it is no longer closed."""
    with uow:
        listed = uow.requests.for_dossier(dossier_id)
        requests = [aid for aid in (uow.requests.get_for_update(a.id) for a in listed) if aid is not None]
        dossier = uow.dossiers.get_for_update(dossier_id)  # lock order: aid requests, then the dossier
        if dossier is None:
            raise NotFound(f"there is no client dossier {dossier_id}", field="dossier")
        acted = any(e.subjects.get("dossier") == dossier_id for e in uow.log.entries(scan.scanned_up_to))
        still_open = any(aid.status in OPEN_STATUSES for aid in uow.requests.for_dossier(dossier_id))
        if acted or still_open or dossier.reference.startswith(PSEUDONYM_PREFIX):
            raise InvalidTransition(f"client dossier {dossier_id} is no longer closed: it was acted on")
        _pseudonymise(dossier, requests)
        record(
            uow,
            clock,
            actor_id=SYSTEM_ACTOR,
            action=PSEUDONYMISED,
            subjects={"dossier": dossier.id},
            details={
                "closed_before": scan.closed_before.isoformat(),
                "members": str(len(dossier.members)),
                "aid_requests": str(len(requests)),
            },
        )
        uow.commit()
    return PseudonymisedDossier(dossier.id, len(dossier.members), len(requests))


def _pseudonymise(dossier: ClientDossier, requests: Iterable[AidRequest]) -> None:
    dossier.reference = PSEUDONYM_PREFIX + new_id()
    dossier.members = tuple(
        replace(member, birth_date=date(member.birth_date.year, 1, 1), relation=None)
        for member in dossier.members
    )
    for aid in requests:
        aid.justification = REMOVED
        aid.motivation = REMOVED if aid.motivation else ""
        aid.question = REMOVED if aid.question else ""
        aid.closing_reason = REMOVED if aid.closing_reason else ""


def _last_acts(entries: Iterable[LogEntry]) -> tuple[dict[str, date], set[str]]:
    """Per dossier the Brussels date of the last logged act naming it; and the pseudonymised ones."""
    last: dict[str, date] = {}
    done: set[str] = set()
    for entry in entries:
        dossier = entry.subjects.get("dossier")
        if dossier is None:
            continue
        last[dossier] = brussels_date(datetime.fromisoformat(entry.recorded_at))
        if entry.action == PSEUDONYMISED:
            done.add(dossier)
    return last, done
