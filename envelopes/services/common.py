"""What every use case shares: the clock and the actor."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from envelopes.domain.duties import Act, authorize
from envelopes.domain.errors import Forbidden, NotFound
from envelopes.domain.users import User
from envelopes.unit_of_work import UnitOfWork

T = TypeVar("T")

Clock = Callable[[], datetime]
"""Returns the current moment, time-zone aware. The composition root passes `utc_now`; tests a fixed clock."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def acting(uow: UnitOfWork, actor_id: str, act: Act) -> User:
    """The actor, if their account exists, is active and their role may do `act`."""
    user = uow.users.get(actor_id)
    if user is None:
        raise Forbidden(f"{actor_id} is not a user")
    authorize(user, act)
    return user


def existing(found: T | None, what: str, identifier: str) -> T:
    if found is None:
        raise NotFound(f"there is no {what} {identifier}")
    return found
