"""De stappen achter financien.feature en comite.feature: budgetten, het comité en het beslissingslogboek.

Anders dan de stappen in conftest.py (die de regels los toetsen) draait hier per scenario een volledige
installatie: een nieuw SQLite-bestand, gemigreerd met `upgrade(url)`, samengesteld met
`api.composition.build`, het demobeleid als eerste beleidsversie en een gebruiker per rol. Elke stap roept
een echte use case op, door de echte SQL-unit of work en de echte regels-engine; elke "Dan" leest wat er
echt bewaard is (het grootboek van het budget, de aanvraag, het logboek).

De mensen in de scenario's:

    Ada    de beheerder                  admin
    Fien   de financiële dienst          finance
    Mia    de maatschappelijk assistent  caseworker (zij opent de dossiers)
    Carla  het comité                    committee
    Paul   de beleidsmedewerker          policy

Een weigering (een `DomainError`) wordt door een "Als"-stap bewaard en door "Dan wordt dit geweigerd met de
melding …" bekeken; elke andere stap faalt zolang er een weigering is die niemand verwachtte. Een "Gegeven"
wordt nooit geweigerd: dan faalt de stap meteen.

features/conftest.py haalt deze stappen binnen met `from budget_steps import *` (zie `__all__` onderaan).
Ze zijn zo geformuleerd dat ze niet samenvallen met die in conftest.py ("vraagt voor" is daar, "aanvraagt"
hier): bij twee passende stappen kiest pytest-bdd stil de ene.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

import pytest
from pytest_bdd import given, parsers, then, when

from api.composition import Mandaat, build
from api.settings import Settings
from envelopes.domain.aid_requests import AidRequest, AidStatus
from envelopes.domain.dossiers import NewMember
from envelopes.domain.envelopes import ZERO, Balance, EntryKind
from envelopes.domain.errors import (
    DomainError,
    EnvelopeFrozen,
    Forbidden,
    InsufficientFunds,
    InvalidInput,
    InvalidTransition,
    OwnRequest,
)
from envelopes.domain.ids import BRUSSELS
from envelopes.domain.log import LogEntry
from envelopes.domain.users import Role
from envelopes.persistence.migrate import upgrade
from envelopes.services import (
    add_user,
    adjust_envelope,
    bootstrap_admin,
    cancel_aid,
    committee_decide,
    create_dossier,
    freeze_envelope,
    install_first_policy_version,
    open_envelope,
    resubmit_aid_request,
    set_role,
    submit_aid_request,
    transfer,
    unfreeze_envelope,
    verify_log,
    withdraw_aid_request,
)
from envelopes.services.commands import (
    AddUser,
    AdjustEnvelope,
    BootstrapAdmin,
    CancelAid,
    CommitteeDecision,
    CreateDossier,
    FreezeEnvelope,
    OpenEnvelope,
    ResubmitAidRequest,
    Ruling,
    SetRole,
    SubmitAidRequest,
    TransferBetweenEnvelopes,
    UnfreezeEnvelope,
    WithdrawAidRequest,
)
from rules.loader import load_policy
from rules.money import Money
from rules.policies import DEMO_POLICY

T = TypeVar("T")

VANDAAG = datetime(2026, 12, 1, 10, 0, tzinfo=BRUSSELS)
"""De klok van elk scenario staat stil op 1 december 2026: aanvragen uit november 2026 zijn voorbij."""

# --- Nederlandse datums, bedragen en namen -----------------------------------------------------------------

MAANDEN = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip
DATUM = rf"\d{{1,2}} (?:{'|'.join(MAANDEN)}) \d{{4}}"
BEDRAG = r"€ ?(?:\d{1,3}(?:\.\d{3})+|\d+),\d{2}"
TEKST = r'"(?P<{}>[^"]*)"'
BUDGET = r"het budget (?P<{}>[a-z][a-z_ ]*?)"
HET_BUDGET = BUDGET.format("naam")
MET_REDEN = "met als reden " + TEKST.format("reden")
ANTWOORD = TEKST.format("antwoord")

_DATUM = re.compile(rf"(?P<dag>\d{{1,2}}) (?P<maand>{'|'.join(MAANDEN)}) (?P<jaar>\d{{4}})")
_BEDRAG = re.compile(r"€ ?(?P<euro>\d{1,3}(?:\.\d{3})+|\d+),(?P<cent>\d{2})")


def datum(tekst: str) -> date:
    """ "12 november 2026" → date(2026, 11, 12)."""
    gevonden = _DATUM.fullmatch(tekst.strip())
    if gevonden is None:
        raise ValueError(f"{tekst!r} is geen datum zoals '12 november 2026'")
    return date(int(gevonden["jaar"]), MAANDEN.index(gevonden["maand"]) + 1, int(gevonden["dag"]))


def bedrag(tekst: str) -> Money:
    """ "€ 1.250,00" → Money(125000): in centen, nooit een float."""
    gevonden = _BEDRAG.fullmatch(tekst.strip())
    if gevonden is None:
        raise ValueError(f"{tekst!r} is geen bedrag zoals '€ 1.250,00'")
    return Money(int(gevonden["euro"].replace(".", "")) * 100 + int(gevonden["cent"]))


def euro(geld: Money) -> str:
    """Money(125000) → "€ 1.250,00"."""
    return geld.display("nl")


def thema(tekst: str) -> str:
    """ "vrije tijd" → "vrije_tijd"."""
    return tekst.strip().replace(" ", "_")


@dataclass(frozen=True)
class Persoon:
    id: str
    naam: str
    rol: Role


PERSONEN: tuple[tuple[str, Persoon], ...] = (
    ("de beheerder", Persoon("ada", "Ada", Role.ADMIN)),
    ("de financiële dienst", Persoon("fien", "Fien", Role.FINANCE)),
    ("de maatschappelijk assistent", Persoon("mia", "Mia", Role.CASEWORKER)),
    ("het comité", Persoon("carla", "Carla", Role.COMMITTEE)),
    ("de beleidsmedewerker", Persoon("paul", "Paul", Role.POLICY)),
)
_IEDEREEN = {**{rol: persoon for rol, persoon in PERSONEN}, **{p.naam: p for _, p in PERSONEN}}
WIE = "(?P<wie>" + "|".join(re.escape(naam) for naam in _IEDEREEN) + ")"

ROLNAAM: dict[Role, str] = {
    Role.CASEWORKER: "maatschappelijk assistent",
    Role.FINANCE: "financiële dienst",
    Role.COMMITTEE: "comité",
    Role.POLICY: "beleidsmedewerker",
    Role.AUDITOR: "interne controle",
    Role.ADMIN: "beheerder",
}
ROL = "(?P<rol>" + "|".join(re.escape(naam) for naam in ROLNAAM.values()) + ")"

STATUS: dict[AidStatus, str] = {
    AidStatus.APPROVED: "goedgekeurd",
    AidStatus.ESCALATED: "bij het comité",
    AidStatus.RETURNED: "teruggestuurd",
    AidStatus.REFUSED: "geweigerd",
    AidStatus.WITHDRAWN: "ingetrokken",
    AidStatus.CANCELLED: "geannuleerd",
}

# De hulp zoals ze in de scenario's heet → (thema, onderdeel) in de regelbestanden van het demobeleid.
HULP: dict[str, tuple[str, str]] = {
    "een energiefactuur": ("energie", "energiefactuur"),
    "winterschoenen": ("kleding", "winterschoenen"),
    "kinderkleding": ("kleding", "kinderkleding"),
    "een schoolreis": ("onderwijs", "schoolreis"),
    "apotheekkosten": ("gezondheid", "apotheek"),
    "een huurwaarborg": ("huisvesting", "huurwaarborg"),
}
WAT = "(?P<wat>" + "|".join(re.escape(naam) for naam in HULP) + ")"

VELD: dict[str, str] = {
    "reason": "Een reden",
    "question": "Een vraag",
    "justification": "Een verantwoording",
}


# --- De wereld van één scenario ------------------------------------------------------------------------


class OnverwachteWeigering(AssertionError):
    pass


@dataclass
class Wereld:
    """Eén installatie van Mandaat, alleen voor dit scenario, en wat het scenario al weet."""

    app: Mandaat
    budgetten: dict[str, str] = field(default_factory=dict)  # thema → envelope id
    leden: dict[str, str] = field(default_factory=dict)  # naam in het scenario → sleutel van het gezinslid
    dossier_id: str | None = None
    aanvraag_id: str | None = None  # "de aanvraag": de laatst ingediende
    fout: DomainError | None = None  # de weigering van de laatste "Als", tot een "Dan" ze bekeek
    logboek_voor: int = 0  # het volgnummer van de laatste logregel vóór de laatste handeling

    # handelingen

    def gegeven(self, handeling: Callable[[], T]) -> T:
        """Wat al gebeurd is: een weigering hier is een fout in het scenario."""
        self.geen_open_weigering()
        self.logboek_voor = self.laatste_logregel()
        try:
            return handeling()
        except DomainError as fout:
            raise AssertionError(f"deze voorwaarde werd geweigerd: [{fout.code}] {fout.message}") from fout

    def als(self, handeling: Callable[[], object]) -> None:
        """Wat er gebeurt: een weigering wordt bewaard voor "Dan wordt dit geweigerd …"."""
        self.geen_open_weigering()
        self.logboek_voor = self.laatste_logregel()
        try:
            handeling()
        except DomainError as fout:
            self.fout = fout

    def geen_open_weigering(self) -> None:
        if self.fout is not None:
            fout, self.fout = self.fout, None
            raise OnverwachteWeigering(
                f"geweigerd, en dat stond niet in het scenario: [{fout.code}] {fout.message}"
                f"{'' if not fout.figures else f' {dict(fout.figures)}'}"
            )

    def weigering(self) -> DomainError:
        fout, self.fout = self.fout, None
        if fout is None:
            raise AssertionError("verwacht: geweigerd; maar het lukte")
        return fout

    # wat er bewaard is

    def budget(self, naam: str) -> str:
        sleutel = thema(naam)
        if sleutel not in self.budgetten:
            raise AssertionError(f"er is geen budget {naam} in dit scenario ({', '.join(self.budgetten)})")
        return self.budgetten[sleutel]

    def thema_van(self, envelope_id: str) -> str:
        return next((naam for naam, id_ in self.budgetten.items() if id_ == envelope_id), envelope_id)

    def saldo(self, naam: str) -> Balance:
        """De cijfers van een budget, opgeteld uit zijn grootboek."""
        with self.app.uow() as uow:
            return uow.ledger.balance(self.budget(naam))

    def is_bevroren(self, naam: str) -> bool:
        with self.app.uow() as uow:
            envelope = uow.envelopes.get(self.budget(naam))
        assert envelope is not None
        return envelope.frozen

    def aanvraag(self) -> AidRequest:
        if self.aanvraag_id is None:
            raise AssertionError("er is nog geen aanvraag in dit scenario")
        with self.app.uow() as uow:
            gevonden = uow.requests.get(self.aanvraag_id)
        assert gevonden is not None, f"aanvraag {self.aanvraag_id} is niet bewaard"
        return gevonden

    def gereserveerd_in_grootboek(self, aanvraag_id: str, envelope_id: str) -> Money:
        """De reservering van één aanvraag: haar holds min wat ervan werd vrijgegeven, uit het grootboek."""
        with self.app.uow() as uow:
            regels = [r for r in uow.ledger.entries_for(envelope_id) if r.aid_request_id == aanvraag_id]
        vast = sum((r.amount for r in regels if r.kind is EntryKind.HOLD), ZERO)
        vrij = sum(
            (r.amount for r in regels if r.kind is EntryKind.RELEASE and r.releases is EntryKind.HOLD), ZERO
        )
        return vast - vrij

    def laatste_logregel(self) -> int:
        with self.app.uow() as uow:
            return uow.log.head().sequence

    def nieuwe_logregels(self) -> list[LogEntry]:
        with self.app.uow() as uow:
            return list(uow.log.entries(after=self.logboek_voor))

    # de melding zoals een Nederlandstalig scherm ze zou tonen

    def melding(self, fout: DomainError) -> str:
        """Uit de stabiele `code`, het `field` en de `figures` van de weigering (de tekst zelf is Engels)."""
        cijfers = fout.figures
        if isinstance(fout, InsufficientFunds):
            return (
                f"Het budget {self.thema_van(cijfers['envelope_id'])} heeft nog "
                f"{euro(Money.parse(cijfers['available']))} beschikbaar; er is "
                f"{euro(Money.parse(cijfers['required']))} nodig "
                f"({euro(Money.parse(cijfers['shortfall']))} te weinig)"
            )
        if isinstance(fout, EnvelopeFrozen):
            naam = self.thema_van(cijfers["envelope_id"])
            return f"Het budget {naam} is bevroren: er gaat geen nieuw geld uit"
        if isinstance(fout, OwnRequest):
            zelf = re.fullmatch(r"(?P<id>\S+) requested this aid and may not decide on it", fout.message)
            wie = zelf["id"] if zelf is not None else "?"
            naam = next((p.naam for _, p in PERSONEN if p.id == wie), wie)
            return f"{naam} vroeg deze hulp zelf aan en mag er niet over beslissen"
        if isinstance(fout, Forbidden):
            if cijfers.get("decided_by") == "committee":
                return "Hulp die het comité toekende, kan alleen het comité annuleren"
            if "role" in cijfers:
                return f"De rol {ROLNAAM[Role(cijfers['role'])]} mag dat niet (scheiding van functies)"
        if isinstance(fout, InvalidInput):
            if fout.field == "motivation":  # weigeren zonder motivering, of minder toekennen zonder
                return "De motivering ontbreekt"
            if fout.field in VELD and fout.message == f"{fout.field} is required":
                return f"{VELD[fout.field]} is verplicht"
        if isinstance(fout, InvalidTransition):
            if "status" in cijfers:
                return f"Dat kan niet: de aanvraag is {STATUS[AidStatus(cijfers['status'])]}"
            return "Dat kan niet in deze fase van de aanvraag"
        return f"[{fout.code}] {fout.message}"


def _klok() -> datetime:
    return VANDAAG


@pytest.fixture
def wereld(tmp_path: Path) -> Iterator[Wereld]:
    """Een nieuwe installatie per scenario: een eigen SQLite-bestand, gemigreerd, een gebruiker per rol."""
    url = f"sqlite:///{tmp_path / 'mandaat.db'}"
    upgrade(url)
    app = dataclasses.replace(build(Settings(database_url=url)), clock=_klok)
    beheerder = _IEDEREEN["de beheerder"]
    bootstrap_admin(BootstrapAdmin(beheerder.id, beheerder.naam), app.uow(), app.clock)
    for _, persoon in PERSONEN:
        if persoon.rol is not Role.ADMIN:
            add_user(AddUser(beheerder.id, persoon.id, persoon.naam, persoon.rol), app.uow(), app.clock)
    try:
        yield Wereld(app)
    finally:
        app.close()


def gebruiker_id(tekst: str) -> str:
    return _IEDEREEN[tekst].id


# --- Gegeven: het beleid, de budgetten, het dossier --------------------------------------------------------


@given("het demobeleid is van kracht")
def het_demobeleid(wereld: Wereld) -> None:
    """Het gebundelde demobeleid, als eerste beleidsversie van deze lege installatie."""
    bestanden = {pad.name: pad.read_text("utf-8") for pad in sorted(DEMO_POLICY.glob("*.yaml"))}
    installatie = wereld.gegeven(
        lambda: install_first_policy_version(
            bestanden, wereld.app.uow(), wereld.app.decisions, wereld.app.clock
        )
    )
    assert installatie.installed
    assert installatie.in_force is not None
    assert installatie.in_force.version == load_policy(DEMO_POLICY).version


def _open(wereld: Wereld, door: str, naam: str, jaar: str, hoeveel: str) -> None:
    if thema(naam) in wereld.budgetten:
        raise AssertionError(f"dit scenario kent al een budget {naam}; één budget per thema")
    antwoord = open_envelope(
        OpenEnvelope(gebruiker_id(door), thema(naam), int(jaar), bedrag(hoeveel)),
        wereld.app.uow(),
        wereld.app.clock,
    )
    wereld.budgetten[thema(naam)] = antwoord.envelope_id


@given(parsers.re(rf"een budget (?P<naam>[a-z][a-z_ ]*?) voor (?P<jaar>\d{{4}}) van (?P<hoeveel>{BEDRAG})"))
def een_budget(wereld: Wereld, naam: str, jaar: str, hoeveel: str) -> None:
    wereld.gegeven(lambda: _open(wereld, "de financiële dienst", naam, jaar, hoeveel))


@when(
    parsers.re(
        rf"{WIE} een budget (?P<naam>[a-z][a-z_ ]*?) voor (?P<jaar>\d{{4}}) opent met (?P<hoeveel>{BEDRAG})"
    )
)
def open_een_budget(wereld: Wereld, wie: str, naam: str, jaar: str, hoeveel: str) -> None:
    wereld.als(lambda: _open(wereld, wie, naam, jaar, hoeveel))


@given(parsers.re(r'de maatschappelijk assistent beheert het dossier "(?P<referentie>[^"]+)" van het gezin:'))
def een_dossier(wereld: Wereld, referentie: str, datatable: list[list[str]]) -> None:
    """Een tabel | naam | geboren | relatie |. Het dossier bewaart geen namen: die blijven in het scenario."""
    kop, *rijen = datatable
    if kop != ["naam", "geboren", "relatie"]:
        raise AssertionError(f"de tabel heeft de kolommen | naam | geboren | relatie |, niet {kop}")
    leden = tuple(NewMember(datum(geboren), relatie) for _, geboren, relatie in rijen)
    mia = _IEDEREEN["de maatschappelijk assistent"]
    dossier = wereld.gegeven(
        lambda: create_dossier(CreateDossier(mia.id, referentie, leden), wereld.app.uow(), wereld.app.clock)
    )
    wereld.dossier_id = dossier.dossier_id
    wereld.leden = {rij[0]: sleutel for rij, sleutel in zip(rijen, dossier.member_keys, strict=True)}


@given(parsers.re(rf"de beheerder geeft {WIE} de rol {ROL}"))
def een_andere_rol(wereld: Wereld, wie: str, rol: str) -> None:
    nieuw = next(r for r, naam in ROLNAAM.items() if naam == rol)
    beheerder = _IEDEREEN["de beheerder"]
    wereld.gegeven(
        lambda: set_role(SetRole(beheerder.id, gebruiker_id(wie), nieuw), wereld.app.uow(), wereld.app.clock)
    )


# --- De financiële dienst ----------------------------------------------------------------------------------


def _aanpassen(wereld: Wereld, door: str, naam: str, hoeveel: Money, reden: str) -> None:
    adjust_envelope(
        AdjustEnvelope(gebruiker_id(door), wereld.budget(naam), hoeveel, reden),
        wereld.app.uow(),
        wereld.app.clock,
    )


@when(parsers.re(rf"{WIE} (?P<hoeveel>{BEDRAG}) bijstort op {HET_BUDGET} {MET_REDEN}"))
def bijstorten(wereld: Wereld, wie: str, hoeveel: str, naam: str, reden: str) -> None:
    wereld.als(lambda: _aanpassen(wereld, wie, naam, bedrag(hoeveel), reden))


@given(parsers.re(rf"{WIE} stort (?P<hoeveel>{BEDRAG}) bij op {HET_BUDGET} {MET_REDEN}"))
def bijgestort(wereld: Wereld, wie: str, hoeveel: str, naam: str, reden: str) -> None:
    wereld.gegeven(lambda: _aanpassen(wereld, wie, naam, bedrag(hoeveel), reden))


@when(parsers.re(rf"{WIE} {HET_BUDGET} met (?P<hoeveel>{BEDRAG}) vermindert {MET_REDEN}"))
def verminderen(wereld: Wereld, wie: str, naam: str, hoeveel: str, reden: str) -> None:
    wereld.als(lambda: _aanpassen(wereld, wie, naam, Money(-bedrag(hoeveel).cents), reden))


@given(parsers.re(rf"{WIE} vermindert {HET_BUDGET} met (?P<hoeveel>{BEDRAG}) {MET_REDEN}"))
def verminderd(wereld: Wereld, wie: str, naam: str, hoeveel: str, reden: str) -> None:
    wereld.gegeven(lambda: _aanpassen(wereld, wie, naam, Money(-bedrag(hoeveel).cents), reden))


@when(
    parsers.re(
        rf"{WIE} (?P<hoeveel>{BEDRAG}) verschuift van {BUDGET.format('van')} naar {BUDGET.format('naar')} "
        rf"{MET_REDEN}"
    )
)
def verschuiven(wereld: Wereld, wie: str, hoeveel: str, van: str, naar: str, reden: str) -> None:
    opdracht = TransferBetweenEnvelopes(
        gebruiker_id(wie), wereld.budget(van), wereld.budget(naar), bedrag(hoeveel), reden
    )
    wereld.als(lambda: transfer(opdracht, wereld.app.uow(), wereld.app.clock))


def _bevriezen(wereld: Wereld, door: str, naam: str, reden: str) -> None:
    freeze_envelope(
        FreezeEnvelope(gebruiker_id(door), wereld.budget(naam), reden), wereld.app.uow(), wereld.app.clock
    )


@when(parsers.re(rf"{WIE} {HET_BUDGET} bevriest {MET_REDEN}"))
def bevriezen(wereld: Wereld, wie: str, naam: str, reden: str) -> None:
    wereld.als(lambda: _bevriezen(wereld, wie, naam, reden))


@given(parsers.re(rf"{WIE} bevriest {HET_BUDGET} {MET_REDEN}"))
def bevroren(wereld: Wereld, wie: str, naam: str, reden: str) -> None:
    wereld.gegeven(lambda: _bevriezen(wereld, wie, naam, reden))


@when(parsers.re(rf"{WIE} {HET_BUDGET} ontdooit {MET_REDEN}"))
def ontdooien(wereld: Wereld, wie: str, naam: str, reden: str) -> None:
    opdracht = UnfreezeEnvelope(gebruiker_id(wie), wereld.budget(naam), reden)
    wereld.als(lambda: unfreeze_envelope(opdracht, wereld.app.uow(), wereld.app.clock))


# --- De maatschappelijk assistent ------------------------------------------------------------------------

VERANTWOORDING = "Achterstallige rekening; het gezin kan ze niet betalen."


def _aanvragen(wereld: Wereld, dag: str, voor: str, wat: str, hoeveel: str) -> None:
    if wereld.dossier_id is None:
        raise AssertionError(
            "er is nog geen dossier: 'Gegeven de maatschappelijk assistent beheert het dossier …'"
        )
    if voor not in wereld.leden:
        raise AssertionError(f"{voor!r} hoort niet bij het gezin ({', '.join(wereld.leden)})")
    thema_, onderdeel = HULP[wat]
    opdracht = SubmitAidRequest(
        actor_id=_IEDEREEN["de maatschappelijk assistent"].id,
        dossier_id=wereld.dossier_id,
        beneficiary_key=wereld.leden[voor],
        theme=thema_,
        item=onderdeel,
        amount=bedrag(hoeveel),
        justification=VERANTWOORDING,
        date=datum(dag),
    )
    antwoord = submit_aid_request(opdracht, wereld.app.uow(), wereld.app.decisions, wereld.app.clock)
    wereld.aanvraag_id = antwoord.request_id


_AANVRAAG = rf"op (?P<dag>{DATUM}) voor (?P<voor>[A-Z][\w-]*) {WAT} van (?P<hoeveel>{BEDRAG})"


@when(parsers.re(rf"de maatschappelijk assistent {_AANVRAAG} aanvraagt"))
def aanvragen(wereld: Wereld, dag: str, voor: str, wat: str, hoeveel: str) -> None:
    wereld.als(lambda: _aanvragen(wereld, dag, voor, wat, hoeveel))


@given(parsers.re(rf"de maatschappelijk assistent heeft {_AANVRAAG} aangevraagd"))
def aangevraagd(wereld: Wereld, dag: str, voor: str, wat: str, hoeveel: str) -> None:
    wereld.gegeven(lambda: _aanvragen(wereld, dag, voor, wat, hoeveel))


def _aanvraag_id(wereld: Wereld) -> str:
    if wereld.aanvraag_id is None:
        raise AssertionError("er is nog geen aanvraag in dit scenario")
    return wereld.aanvraag_id


@when(
    parsers.re(
        rf"{WIE} de aanvraag opnieuw indient(?: voor (?P<hoeveel>{BEDRAG}))? met als antwoord {ANTWOORD}"
    )
)
def opnieuw_indienen(wereld: Wereld, wie: str, hoeveel: str | None, antwoord: str) -> None:
    opdracht = ResubmitAidRequest(
        gebruiker_id(wie), _aanvraag_id(wereld), antwoord, None if hoeveel is None else bedrag(hoeveel)
    )
    wereld.als(
        lambda: resubmit_aid_request(opdracht, wereld.app.uow(), wereld.app.decisions, wereld.app.clock)
    )


@when(parsers.re(rf"{WIE} de aanvraag intrekt {MET_REDEN}"))
def intrekken(wereld: Wereld, wie: str, reden: str) -> None:
    opdracht = WithdrawAidRequest(gebruiker_id(wie), _aanvraag_id(wereld), reden)
    wereld.als(lambda: withdraw_aid_request(opdracht, wereld.app.uow(), wereld.app.clock))


@when(parsers.re(rf"{WIE} de hulp annuleert {MET_REDEN}"))
def annuleren(wereld: Wereld, wie: str, reden: str) -> None:
    opdracht = CancelAid(gebruiker_id(wie), _aanvraag_id(wereld), reden)
    wereld.als(lambda: cancel_aid(opdracht, wereld.app.uow(), wereld.app.clock))


# --- Het comité ------------------------------------------------------------------------------------------


def _beslis(wereld: Wereld, opdracht: CommitteeDecision) -> Callable[[], object]:
    return lambda: committee_decide(opdracht, wereld.app.uow(), wereld.app.clock)


_GOEDKEUREN = rf"(?: voor (?P<hoeveel>{BEDRAG}))?(?: met als motivering {TEKST.format('motivering')})?"


def _goedkeuring(wereld: Wereld, wie: str, hoeveel: str | None, motivering: str | None) -> CommitteeDecision:
    return CommitteeDecision(
        gebruiker_id(wie),
        _aanvraag_id(wereld),
        Ruling.APPROVE,
        amount=None if hoeveel is None else bedrag(hoeveel),
        motivation=motivering or "",
    )


@when(parsers.re(rf"{WIE} de aanvraag goedkeurt{_GOEDKEUREN}"))
def goedkeuren(wereld: Wereld, wie: str, hoeveel: str | None, motivering: str | None) -> None:
    wereld.als(_beslis(wereld, _goedkeuring(wereld, wie, hoeveel, motivering)))


@given(parsers.re(rf"{WIE} keurt de aanvraag goed{_GOEDKEUREN}"))
def goedgekeurd(wereld: Wereld, wie: str, hoeveel: str | None, motivering: str | None) -> None:
    wereld.gegeven(_beslis(wereld, _goedkeuring(wereld, wie, hoeveel, motivering)))


@when(
    parsers.re(
        rf"{WIE} de aanvraag weigert (?:met als motivering {TEKST.format('motivering')}|zonder motivering)"
    )
)
def weigeren(wereld: Wereld, wie: str, motivering: str | None) -> None:
    opdracht = CommitteeDecision(
        gebruiker_id(wie), _aanvraag_id(wereld), Ruling.REFUSE, motivation=motivering or ""
    )
    wereld.als(_beslis(wereld, opdracht))


def _terug(wereld: Wereld, wie: str, vraag: str) -> CommitteeDecision:
    return CommitteeDecision(gebruiker_id(wie), _aanvraag_id(wereld), Ruling.RETURN, question=vraag)


@when(parsers.re(rf"{WIE} de aanvraag terugstuurt met de vraag {TEKST.format('vraag')}"))
def terugsturen(wereld: Wereld, wie: str, vraag: str) -> None:
    wereld.als(_beslis(wereld, _terug(wereld, wie, vraag)))


@given(parsers.re(rf"{WIE} stuurt de aanvraag terug met de vraag {TEKST.format('vraag')}"))
def teruggestuurd(wereld: Wereld, wie: str, vraag: str) -> None:
    wereld.gegeven(_beslis(wereld, _terug(wereld, wie, vraag)))


# --- Dan: het budget ---------------------------------------------------------------------------------------


@then(parsers.re(rf"is er nog (?P<hoeveel>{BEDRAG}) beschikbaar in {HET_BUDGET}"))
def beschikbaar(wereld: Wereld, hoeveel: str, naam: str) -> None:
    wereld.geen_open_weigering()
    saldo = wereld.saldo(naam)
    assert saldo.available == bedrag(hoeveel), (
        f"in het budget {naam} is {euro(saldo.available)} beschikbaar, niet {hoeveel} ({saldo})"
    )


@then(
    parsers.re(
        rf"is er in {HET_BUDGET} (?P<vast>{BEDRAG}) vastgelegd en (?P<gereserveerd>{BEDRAG}) gereserveerd"
    )
)
def vastgelegd_en_gereserveerd(wereld: Wereld, naam: str, vast: str, gereserveerd: str) -> None:
    wereld.geen_open_weigering()
    saldo = wereld.saldo(naam)
    assert (euro(saldo.committed), euro(saldo.held)) == (euro(bedrag(vast)), euro(bedrag(gereserveerd))), (
        f"in het budget {naam}: {euro(saldo.committed)} vastgelegd en {euro(saldo.held)} gereserveerd"
    )


@then(parsers.re(rf"is {HET_BUDGET} (?P<niet>niet )?bevroren"))
def is_bevroren(wereld: Wereld, naam: str, niet: str | None) -> None:
    wereld.geen_open_weigering()
    assert wereld.is_bevroren(naam) is (niet is None), (
        f"het budget {naam} is {'' if niet else 'niet '}bevroren"
    )


# --- Dan: de aanvraag --------------------------------------------------------------------------------------


def _status(wereld: Wereld, verwacht: AidStatus) -> AidRequest:
    wereld.geen_open_weigering()
    aanvraag = wereld.aanvraag()
    assert aanvraag.status is verwacht, (
        f"de aanvraag is {STATUS[aanvraag.status]}, niet {STATUS[verwacht]}"
        f"{'' if not aanvraag.reasons else ' (redenen: ' + ', '.join(r.rule for r in aanvraag.reasons) + ')'}"
    )
    return aanvraag


@then(parsers.re(rf"is de aanvraag goedgekeurd voor (?P<hoeveel>{BEDRAG})"))
def is_goedgekeurd(wereld: Wereld, hoeveel: str) -> None:
    aanvraag = _status(wereld, AidStatus.APPROVED)
    assert aanvraag.approved_amount == bedrag(hoeveel), (
        f"goedgekeurd voor {euro(aanvraag.approved_amount or ZERO)}, niet {hoeveel}"
    )
    assert aanvraag.committed == bedrag(hoeveel)


@then("ligt de aanvraag bij het comité")
def bij_het_comite(wereld: Wereld) -> None:
    aanvraag = _status(wereld, AidStatus.ESCALATED)
    assert aanvraag.reasons, "bij het comité zonder één reden: elke escalatie noemt haar redenen"


@then(parsers.re(r"is de aanvraag (?P<status>geweigerd|teruggestuurd|ingetrokken|geannuleerd)"))
def is_de_aanvraag(wereld: Wereld, status: str) -> None:
    _status(wereld, next(s for s, naam in STATUS.items() if naam == status))


@then(parsers.re(r'het comité krijgt als enige reden "(?P<regel>[^"]+)"'))
def enige_reden(wereld: Wereld, regel: str) -> None:
    wereld.geen_open_weigering()
    regels = [reden.rule for reden in wereld.aanvraag().reasons]
    assert regels == [regel], f"de redenen voor het comité zijn {regels or 'geen'}, niet [{regel!r}]"


@then(parsers.re(rf"er is (?P<hoeveel>{BEDRAG}|niets) gereserveerd voor de aanvraag"))
def gereserveerd(wereld: Wereld, hoeveel: str) -> None:
    wereld.geen_open_weigering()
    verwacht = ZERO if hoeveel == "niets" else bedrag(hoeveel)
    aanvraag = wereld.aanvraag()
    in_grootboek = wereld.gereserveerd_in_grootboek(aanvraag.id, aanvraag.envelope_id)
    assert (euro(aanvraag.held), euro(in_grootboek)) == (euro(verwacht), euro(verwacht)), (
        f"voor de aanvraag is {euro(aanvraag.held)} gereserveerd (grootboek: {euro(in_grootboek)}), "
        f"niet {euro(verwacht)}"
    )


# --- Dan: weigeringen en het logboek -----------------------------------------------------------------------


@then(parsers.re(r'wordt dit geweigerd met de melding "(?P<tekst>.*)"'))
def geweigerd(wereld: Wereld, tekst: str) -> None:
    fout = wereld.weigering()
    assert wereld.melding(fout) == tekst, (
        f"de melding is {wereld.melding(fout)!r} ([{fout.code}] {fout.message})"
    )
    nieuw = wereld.nieuwe_logregels()
    assert not nieuw, f"geweigerd, maar toch in het logboek: {[regel.action for regel in nieuw]}"


@then("het logboek kreeg er geen regel bij")
def geen_logregel(wereld: Wereld) -> None:
    wereld.geen_open_weigering()
    nieuw = wereld.nieuwe_logregels()
    assert not nieuw, f"het logboek kreeg er {len(nieuw)} regel(s) bij: {[regel.action for regel in nieuw]}"


@then(parsers.re(r'het logboek kreeg er één regel bij: "(?P<handeling>[a-z_.]+)"'))
def een_logregel(wereld: Wereld, handeling: str) -> None:
    wereld.geen_open_weigering()
    nieuw = [regel.action for regel in wereld.nieuwe_logregels()]
    assert nieuw == [handeling], f"het logboek kreeg er {nieuw or 'niets'} bij, niet [{handeling!r}]"


@then("de keten van het logboek is heel")
def keten_heel(wereld: Wereld) -> None:
    wereld.geen_open_weigering()
    controle = verify_log(wereld.app.uow())
    assert controle.ok, f"de keten breekt bij regel {controle.first_bad}: {controle.problem}"
    assert controle.checked == wereld.laatste_logregel() > 0


# Wat `from budget_steps import *` in conftest.py meeneemt: de fixture en de stapdefinities (pytest-bdd
# registreert elke stap als een fixture `pytestbdd_stepdef_…` in deze module), niets dat conftest.py zelf
# definieert (datum, bedrag, thema, HULP, …).
__all__ = ["wereld", *(naam for naam in tuple(globals()) if naam.startswith("pytestbdd_"))]
