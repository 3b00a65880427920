"""The demo installation of `mandaat serve --demo`: a user of every role with a known password, client
dossiers for the caseworker, an envelope per theme for the current budget year, and one request waiting for
the committee.

Everything is made through the use cases, as an operator and the users themselves would make it: each act is
one transaction and one entry in the decision log (passwords, which are not part of the domain, go to the
access log). Seeding happens only on a database without users, so a restart changes nothing; a database that
stopped halfway through seeding is best deleted and started again.

The dossiers hold no real personal data: opaque references (DEMO-0001, …) and birth dates counted back from
today, so that the children are the same age in every year the demo is run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from api.auth.access import Client
from api.composition import Mandaat
from envelopes import services as use
from envelopes.domain.dossiers import NewMember
from envelopes.domain.errors import Conflict
from envelopes.domain.ids import brussels_date
from envelopes.domain.users import Role
from envelopes.services import commands as cmd
from rules.model import Policy
from rules.money import Money

logger = logging.getLogger("mandaat.demo")

DEMO_PASSWORD = "demo-wachtwoord"  # noqa: S105 (printed for everyone to use: it is a demo)


@dataclass(frozen=True)
class DemoLogin:
    role: Role
    user_id: str
    name: str
    role_nl: str  # the role as the Flemish social service calls it


DEMO_LOGINS = (
    DemoLogin(Role.CASEWORKER, "maatschappelijk.assistent", "Mia Assistent", "maatschappelijk assistent"),
    DemoLogin(Role.FINANCE, "finance", "Frank Financiën", "financiële dienst"),
    DemoLogin(Role.COMMITTEE, "comite", "Carla Comité", "Bijzonder Comité"),
    DemoLogin(Role.POLICY, "beleid", "Bart Beleid", "beleidsmedewerker"),
    DemoLogin(Role.AUDITOR, "audit", "Ann Audit", "interne controle"),
    DemoLogin(Role.ADMIN, "beheer", "Ben Beheer", "beheerder"),
)
ADMIN = next(login for login in DEMO_LOGINS if login.role is Role.ADMIN)
CASEWORKER = next(login for login in DEMO_LOGINS if login.role is Role.CASEWORKER)
FINANCE = next(login for login in DEMO_LOGINS if login.role is Role.FINANCE)

#: The council's allocation per theme of the demo kader for a budget year (a mid-sized OCMW).
ALLOCATIONS = {
    "kleding": "12000.00",
    "energie": "40000.00",
    "onderwijs": "15000.00",
    "gezondheid": "20000.00",
    "vrije_tijd": "8000.00",
    "huisvesting": "25000.00",
}
OTHER_THEME_ALLOCATION = "10000.00"  # a theme of another policy folder

#: Households as (relation, age in years, and months) per member: children of every age the rules tell apart.
HOUSEHOLDS: tuple[tuple[tuple[str, int, int], ...], ...] = (
    (("aanvrager", 36, 2), ("kind", 8, 4), ("kind", 12, 7)),
    (("aanvrager", 27, 9), ("kind", 2, 5)),
    (("aanvrager", 44, 1), ("partner", 46, 6), ("kind", 15, 3), ("kind", 17, 10), ("kind", 18, 2)),
    (("aanvrager", 68, 4),),
    (("aanvrager", 33, 11), ("partner", 35, 0), ("kind", 5, 8), ("kind", 10, 1), ("kind", 13, 5)),
)
#: One request the rules always leave to the committee, so that its queue is not empty.
FOR_THE_COMMITTEE = ("huisvesting", "huurwaarborg", "1150.00", 3)  # theme, item, amount, household index


@dataclass(frozen=True)
class DemoInstallation:
    seeded: bool  # False: the database had users already, nothing was added
    demo_users: bool  # whether the demo logins exist (made now or on an earlier start)
    year: int
    users: int = 0
    dossiers: int = 0
    envelopes: tuple[str, ...] = ()  # the themes that got an envelope
    escalated: int = 0

    def summary(self) -> str:
        if not self.seeded:
            return "demo: the database has users already; nothing was added"
        return (
            f"demo: {self.users} users, {self.dossiers} dossiers, {len(self.envelopes)} envelopes for "
            f"{self.year} ({', '.join(self.envelopes)}) and {self.escalated} request for the committee; "
            "each made by its use case, in its own transaction and decision-log entry"
        )


def seed_demo(mandaat: Mandaat, *, password: str = DEMO_PASSWORD) -> DemoInstallation:
    """Fill an installation without users with the demo; on any other, change nothing."""
    today = brussels_date(mandaat.clock())
    accounts = mandaat.views.accounts()
    if accounts:
        demo_users = {login.user_id for login in DEMO_LOGINS} <= {account.user.id for account in accounts}
        return DemoInstallation(seeded=False, demo_users=demo_users, year=today.year)
    try:
        use.bootstrap_admin(cmd.BootstrapAdmin(ADMIN.user_id, ADMIN.name), mandaat.uow(), mandaat.clock)
    except Conflict:  # another process seeded it at the same moment
        return DemoInstallation(seeded=False, demo_users=True, year=today.year)
    _users(mandaat, password)
    themes = _envelopes(mandaat, _policy_in_force(mandaat, today), today.year)
    dossiers = _dossiers(mandaat, today)
    escalated = _for_the_committee(mandaat, dossiers, themes)
    return DemoInstallation(
        seeded=True,
        demo_users=True,
        year=today.year,
        users=len(DEMO_LOGINS),
        dossiers=len(dossiers),
        envelopes=themes,
        escalated=escalated,
    )


def login_table(password: str = DEMO_PASSWORD) -> list[str]:
    """The demo logins, in Dutch and English, one line each."""
    rows = [("rol", "role", "gebruiker / user", "wachtwoord / password")]
    rows += [(login.role_nl, login.role.value, login.user_id, password) for login in DEMO_LOGINS]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    return [
        "  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]


# --- the acts ---------------------------------------------------------------------------------------------


def _users(mandaat: Mandaat, password: str) -> None:
    setup = Client(address=None, method="CLI", route="mandaat serve --demo")
    for login in DEMO_LOGINS:
        if login.role is not Role.ADMIN:
            command = cmd.AddUser(ADMIN.user_id, login.user_id, login.name, login.role)
            use.add_user(command, mandaat.uow(), mandaat.clock)
        mandaat.access.set_password(login.user_id, password, setup)
        logger.info("demo: user %s (%s)", login.user_id, login.role.value)


def _policy_in_force(mandaat: Mandaat, today: date) -> Policy | None:
    version = mandaat.views.policy_in_force(today)
    return None if version is None else mandaat.decisions.policy(version)


def _envelopes(mandaat: Mandaat, policy: Policy | None, year: int) -> tuple[str, ...]:
    """An envelope for every theme of the policy in force (the demo's themes when none is in force)."""
    themes = tuple(policy.themes) if policy is not None else tuple(ALLOCATIONS)
    for theme in themes:
        amount = Money.parse(ALLOCATIONS.get(theme, OTHER_THEME_ALLOCATION))
        use.open_envelope(
            cmd.OpenEnvelope(FINANCE.user_id, theme, year, amount), mandaat.uow(), mandaat.clock
        )
        logger.info("demo: envelope %s %s of %s", theme, year, amount.display())
    return themes


def _dossiers(mandaat: Mandaat, today: date) -> list[tuple[str, ...]]:
    """The demo households, opened by the caseworker; per dossier its id and its members' keys."""
    opened = []
    for number, household in enumerate(HOUSEHOLDS, start=1):
        members = tuple(
            NewMember(born(today, years, months), relation) for relation, years, months in household
        )
        command = cmd.CreateDossier(CASEWORKER.user_id, f"DEMO-{number:04d}", members)
        answer = use.create_dossier(command, mandaat.uow(), mandaat.clock)
        opened.append((answer.dossier_id, *answer.member_keys))
        logger.info("demo: dossier DEMO-%04d with %d members", number, len(members))
    return opened


def _for_the_committee(mandaat: Mandaat, dossiers: list[tuple[str, ...]], themes: tuple[str, ...]) -> int:
    theme, item, amount, household = FOR_THE_COMMITTEE
    if theme not in themes:
        return 0
    dossier_id, applicant, *_ = dossiers[household]
    command = cmd.SubmitAidRequest(
        actor_id=CASEWORKER.user_id,
        dossier_id=dossier_id,
        beneficiary_key=applicant,
        theme=theme,
        item=item,
        amount=Money.parse(amount),
        justification="Huurwaarborg voor een aangepaste woning op het gelijkvloers.",
        idempotency_key="demo-huurwaarborg",
    )
    answer = use.submit_aid_request(command, mandaat.uow(), mandaat.decisions, mandaat.clock)
    logger.info("demo: request %s %s %s", item, amount, answer.status)
    return 1 if answer.status == "escalated" else 0


def born(today: date, years: int, months: int) -> date:
    """A birth date `years` years and `months` months before `today` (the day capped at 28)."""
    total = today.year * 12 + (today.month - 1) - years * 12 - months
    return date(total // 12, total % 12 + 1, min(today.day, 28))
