"""The one error hierarchy of the budget domain and its use cases.

Every class has a stable `code` (for clients and translations) and the HTTP `status` the API renders it with
(RFC 9457 problem details, rendered in `api/`). Figures are edge strings ("40.00"), never floats.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, ClassVar

from rules.money import Money


class DomainError(Exception):
    """Something a use case refuses. Nothing was written when it is raised."""

    code: ClassVar[str] = "domain_error"
    status: ClassVar[int] = 400

    def __init__(
        self, message: str, *, field: str | None = None, figures: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.figures: Mapping[str, str] = MappingProxyType(dict(figures or {}))

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "status": self.status, "detail": self.message}
        if self.field is not None:
            data["field"] = self.field
        if self.figures:
            data["figures"] = dict(self.figures)
        return data


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Forbidden(DomainError):
    """The actor may not do this: separation of duties, a disabled account, someone else's dossier."""

    code = "forbidden"
    status = 403


class OwnRequest(Forbidden):
    """Nobody decides on, or undoes, aid they requested themselves."""

    code = "own_request"


class NotAssigned(Forbidden):
    """A caseworker acts only on the client dossiers assigned to them."""

    code = "not_assigned"


class Conflict(DomainError):
    """The request is well-formed but the current state does not allow it."""

    code = "conflict"
    status = 409


class InvalidInput(DomainError):
    """A value is malformed or out of range; `field` names it."""

    code = "invalid_input"
    status = 422


class ControlCharacter(InvalidInput):
    """A text holds a control character it may not hold (see `envelopes.domain.text`)."""

    code = "control_character"


class AlreadyExists(Conflict):
    code = "already_exists"


class InvalidTransition(Conflict):
    """An aid request, envelope or dossier is not in a state that allows this act."""

    code = "invalid_transition"


class InsufficientFunds(Conflict):
    """An envelope's available balance would go below zero."""

    code = "insufficient_funds"

    def __init__(self, envelope_id: str, *, available: Money, required: Money) -> None:
        shortfall = required - available
        super().__init__(
            f"envelope {envelope_id} has {available.display('en')} available; "
            f"{required.display('en')} is needed ({shortfall.display('en')} short)",
            figures={
                "envelope_id": envelope_id,
                "available": str(available),
                "required": str(required),
                "shortfall": str(shortfall),
            },
        )


class EnvelopeFrozen(Conflict):
    """A frozen envelope takes no new holds or commitments."""

    code = "envelope_frozen"


class NoEnvelope(Conflict):
    """No envelope exists for the theme and budget year of a request."""

    code = "no_envelope"


class NoPolicyInForce(Conflict):
    code = "no_policy_in_force"


class IdempotencyKeyReused(InvalidInput):
    """The same idempotency key was used before with a different body."""

    code = "idempotency_key_reused"


class PolicyRejected(InvalidInput):
    """Rule files that do not load; `problems` holds every `file:line:column: message`."""

    code = "policy_rejected"

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("the rule files do not load:\n" + "\n".join(self.problems), field="files")


def positive_amount(amount: Money, field: str) -> Money:
    if amount.cents <= 0:
        raise InvalidInput(f"{field} must be more than 0.00, not {amount}", field=field)
    return amount
