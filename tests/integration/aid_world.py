"""A seeded installation for the database tests that go through the real use cases and the real rules engine
with the bundled demo policy: users, the demo policy in force since 2024, energie and kleding envelopes for
this year, and client dossiers of one adult each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, text

from envelopes.domain.dossiers import NewMember
from envelopes.domain.ids import brussels_date
from envelopes.domain.users import Role
from envelopes.services import (
    DecisionEngine,
    add_user,
    bootstrap_admin,
    create_dossier,
    open_envelope,
    register_policy_version,
    rules_engine,
)
from envelopes.services.commands import (
    AddUser,
    BootstrapAdmin,
    CreateDossier,
    OpenEnvelope,
    RegisterPolicyVersion,
    SubmitAidRequest,
)
from envelopes.services.common import utc_now
from rules.loader import load_policy
from rules.money import Money
from rules.policies import DEMO_POLICY
from tests.integration.conftest import UowFactory

FINANCE = "fien"


@dataclass(frozen=True)
class Household:
    caseworker: str
    dossier_id: str
    member_key: str


@dataclass(frozen=True)
class AidWorld:
    engine: DecisionEngine
    year: int
    energie: str  # envelope ids
    kleding: str
    households: tuple[Household, ...]

    def energy_bill(self, household: Household, amount: Money, key: str | None = None) -> SubmitAidRequest:
        return SubmitAidRequest(
            actor_id=household.caseworker,
            dossier_id=household.dossier_id,
            beneficiary_key=household.member_key,
            theme="energie",
            item="energiefactuur",
            amount=amount,
            justification="Achterstallige energiefactuur; afsluiting dreigt.",
            idempotency_key=key,
        )


def demo_policy_files() -> dict[str, str]:
    return {path.name: path.read_text("utf-8") for path in sorted(DEMO_POLICY.glob("*.yaml"))}


def seed(
    new_uow: UowFactory, *, caseworkers: list[str], dossiers_each: int, energie: Money, kleding: Money
) -> AidWorld:
    clock = utc_now
    engine = rules_engine()
    bootstrap_admin(BootstrapAdmin("ada", "Ada Beheer"), new_uow(), clock)
    for user_id, role in [(FINANCE, Role.FINANCE), ("paul", Role.POLICY)]:
        add_user(AddUser("ada", user_id, user_id.title(), role), new_uow(), clock)
    for caseworker in caseworkers:
        add_user(AddUser("ada", caseworker, caseworker.title(), Role.CASEWORKER), new_uow(), clock)
    files = demo_policy_files()
    registered = register_policy_version(
        RegisterPolicyVersion("paul", files, date(2024, 1, 1)), new_uow(), engine, clock
    )
    assert registered.version == load_policy(DEMO_POLICY).version  # the bundled demo policy, as loaded
    year = brussels_date(clock()).year
    envelopes = {
        theme: open_envelope(OpenEnvelope(FINANCE, theme, year, amount), new_uow(), clock).envelope_id
        for theme, amount in [("energie", energie), ("kleding", kleding)]
    }
    households = []
    for caseworker in caseworkers:
        for number in range(dossiers_each):
            dossier = create_dossier(
                CreateDossier(
                    caseworker, f"OCMW-{caseworker}-{number}", (NewMember(date(1980, 1, 1), "aanvrager"),)
                ),
                new_uow(),
                clock,
            )
            households.append(Household(caseworker, dossier.dossier_id, dossier.member_keys[0]))
    return AidWorld(engine, year, envelopes["energie"], envelopes["kleding"], tuple(households))


@dataclass(frozen=True)
class LedgerFigures:
    """An envelope's figures summed by plain SQL over its ledger entries, apart from any repository code."""

    funded: int  # allocation ± adjustments + transfers in − transfers out, in cents
    committed: int  # commitments − released commitments
    held: int  # holds − released holds
    available: int
    lowest_running_available: int  # the lowest available after any entry, in the order they were written


def ledger_figures(engine: Engine, envelope_id: str) -> LedgerFigures:
    sums = text(
        """
        SELECT
          COALESCE(SUM(CASE WHEN kind IN ('allocation', 'adjustment', 'transfer_in') THEN amount
                            WHEN kind = 'transfer_out' THEN -amount ELSE 0 END), 0) AS funded,
          COALESCE(SUM(CASE WHEN kind = 'commitment' THEN amount
                            WHEN kind = 'release' AND releases = 'commitment' THEN -amount ELSE 0 END), 0)
            AS committed,
          COALESCE(SUM(CASE WHEN kind = 'hold' THEN amount
                            WHEN kind = 'release' AND releases = 'hold' THEN -amount ELSE 0 END), 0) AS held,
          COALESCE(SUM(CASE WHEN kind IN ('allocation', 'adjustment', 'transfer_in', 'release') THEN amount
                            ELSE -amount END), 0) AS available
        FROM ledger_entries WHERE envelope_id = :envelope
        """
    )
    running = text(
        """
        SELECT CASE WHEN kind IN ('allocation', 'adjustment', 'transfer_in', 'release') THEN amount
                    ELSE -amount END
        FROM ledger_entries WHERE envelope_id = :envelope ORDER BY number
        """
    )
    with engine.connect() as connection:
        row = connection.execute(sums, {"envelope": envelope_id}).one()
        total, lowest = 0, 0
        for (change,) in connection.execute(running, {"envelope": envelope_id}):
            total += int(change)
            lowest = min(lowest, total)
    return LedgerFigures(int(row.funded), int(row.committed), int(row.held), int(row.available), lowest)


def count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
