"""The composition root: the one place where adapters are chosen and wired. Nothing happens at import time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from api.settings import Settings
from envelopes.persistence.database import make_engine, make_session_factory
from envelopes.persistence.unit_of_work import SqlUnitOfWork
from envelopes.services import DecisionEngine, rules_engine
from envelopes.services.common import utc_now
from envelopes.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Mandaat:
    """Everything a use case needs, wired for one process."""

    settings: Settings
    database: Engine
    uow: Callable[[], UnitOfWork]  # a new unit of work per use case
    decisions: DecisionEngine
    clock: Callable[[], datetime]

    def close(self) -> None:
        self.database.dispose()


def build(settings: Settings) -> Mandaat:
    database = make_engine(settings.database_url)
    sessions = make_session_factory(database)
    return Mandaat(
        settings=settings,
        database=database,
        uow=lambda: SqlUnitOfWork(sessions),
        decisions=rules_engine(),
        clock=utc_now,
    )
