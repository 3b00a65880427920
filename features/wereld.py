"""Wat de stappen van financien.feature en comite.feature van Mandaat vragen, los van de weg erin.

`Wereld` is één installatie van Mandaat, alleen voor één scenario, en wat het scenario er al van weet. Er zijn
twee wegen erin, en elk scenario loopt ze allebei (zie test_budgetten.py):

    WereldViaUseCases  (wereld_use_cases.py)  elke handeling is een use case, door de echte SQL-unit of work
    WereldOverHttp     (wereld_over_http.py)  elke handeling is een verzoek aan de JSON-API van de echte app,
                                              als de persoon uit het scenario, aangemeld met een wachtwoord

De stappen (budget_steps.py) kennen alleen deze klasse. Een weigering is voor beide een `Weigering`: de
stabiele `code`, het veld en de cijfers, zoals een use case ze geeft (`DomainError`) of de API ze terugstuurt
(`application/problem+json`). `melding` maakt er de Nederlandse zin van die een scherm zou tonen.

De mensen in de scenario's:

    Ada    de beheerder                  admin
    Fien   de financiële dienst          finance
    Mia    de maatschappelijk assistent  caseworker (zij opent de dossiers)
    Carla  het comité                    committee
    Paul   de beleidsmedewerker          policy
    Ines   de interne controle           auditor (over HTTP leest zij het logboek)
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from envelopes.domain.aid_requests import AidStatus
from envelopes.domain.errors import DomainError
from envelopes.domain.ids import BRUSSELS
from envelopes.domain.users import Role
from envelopes.services.commands import Ruling
from rules.money import Money

T = TypeVar("T")

VANDAAG = datetime(2026, 12, 1, 10, 0, tzinfo=BRUSSELS)
"""De klok van elk scenario staat stil op 1 december 2026: aanvragen uit november 2026 zijn voorbij."""


def euro(geld: Money) -> str:
    """Money(125000) → "€ 1.250,00"."""
    return geld.display("nl")


# --- De mensen ----------------------------------------------------------------------------------------------


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
    ("de interne controle", Persoon("ines", "Ines", Role.AUDITOR)),
)
IEDEREEN: Mapping[str, Persoon] = {
    **{rol: persoon for rol, persoon in PERSONEN},
    **{p.naam: p for _, p in PERSONEN},
}


def persoon(wie: str) -> Persoon:
    """Een persoon bij naam ("Mia") of bij wat hij doet ("de maatschappelijk assistent")."""
    return IEDEREEN[wie]


ROLNAAM: Mapping[Role, str] = {
    Role.CASEWORKER: "maatschappelijk assistent",
    Role.FINANCE: "financiële dienst",
    Role.COMMITTEE: "comité",
    Role.POLICY: "beleidsmedewerker",
    Role.AUDITOR: "interne controle",
    Role.ADMIN: "beheerder",
}

STATUS: Mapping[AidStatus, str] = {
    AidStatus.APPROVED: "goedgekeurd",
    AidStatus.ESCALATED: "bij het comité",
    AidStatus.RETURNED: "teruggestuurd",
    AidStatus.REFUSED: "geweigerd",
    AidStatus.WITHDRAWN: "ingetrokken",
    AidStatus.CANCELLED: "geannuleerd",
}

VELD: Mapping[str, str] = {
    "reason": "Een reden",
    "question": "Een vraag",
    "justification": "Een verantwoording",
}


# --- Weigeringen --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Weigering:
    """Wat Mandaat weigerde, zoals beide wegen het zeggen: een stabiele code, een (Engelse) uitleg, het veld
    en de cijfers. `ontbreekt`: het veld was leeg of ontbrak."""

    code: str
    uitleg: str
    veld: str | None = None
    cijfers: Mapping[str, str] = field(default_factory=dict)
    ontbreekt: bool = False

    def __str__(self) -> str:
        cijfers = f" {dict(self.cijfers)}" if self.cijfers else ""
        return f"[{self.code}] {self.uitleg}{cijfers}"


def uit_use_case(fout: DomainError) -> Weigering:
    """Een weigering zoals een use case ze geeft."""
    return Weigering(
        fout.code,
        fout.message,
        fout.field,
        dict(fout.figures),
        ontbreekt=fout.field is not None and fout.message == f"{fout.field} is required",
    )


class Geweigerd(Exception):
    def __init__(self, weigering: Weigering) -> None:
        super().__init__(str(weigering))
        self.weigering = weigering


class OnverwachteWeigering(AssertionError):
    pass


# --- Wat er bewaard is -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Saldo:
    """De cijfers van een budget, opgeteld uit zijn grootboek."""

    beschikbaar: Money
    vastgelegd: Money
    gereserveerd: Money

    def __str__(self) -> str:
        return (
            f"beschikbaar {euro(self.beschikbaar)}, vastgelegd {euro(self.vastgelegd)}, "
            f"gereserveerd {euro(self.gereserveerd)}"
        )


@dataclass(frozen=True)
class Stand:
    """Een aanvraag zoals ze bewaard is, en wat het grootboek van haar budget voor haar bijhoudt."""

    status: AidStatus
    goedgekeurd: Money | None
    vastgelegd: Money
    gereserveerd: Money  # zoals de aanvraag het zegt
    gereserveerd_in_grootboek: Money  # haar holds min wat ervan werd vrijgegeven
    redenen: tuple[str, ...]  # de regels waarom ze naar het comité ging


@dataclass(frozen=True)
class Keten:
    """De controle van de hash-keten van het logboek."""

    heel: bool
    gecontroleerd: int
    eerste_fout: int | None
    probleem: str


# --- De wereld ----------------------------------------------------------------------------------------------


class Wereld(ABC):
    """Eén installatie van Mandaat, alleen voor dit scenario, en wat het scenario al weet.

    Elke handeling gebeurt door de persoon met id `door`; een weigering is `Geweigerd`."""

    def __init__(self) -> None:
        self.budgetten: dict[str, str] = {}  # thema → envelope id
        self.leden: dict[str, str] = {}  # naam in het scenario → id van het gezinslid
        self.dossier_id: str | None = None
        self.aanvraag_id: str | None = None  # "de aanvraag": de laatst ingediende
        self.fout: Weigering | None = None  # de weigering van de laatste "Als", tot een "Dan" ze bekeek
        self.logboek_voor = 0  # het volgnummer van de laatste logregel vóór de laatste handeling

    # handelingen

    @abstractmethod
    def beleid_van_kracht(self, map_: Path) -> str:
        """Het beleid uit `map_` als eerste beleidsversie; de versie die vandaag van kracht is."""

    @abstractmethod
    def open_budget(self, door: str, thema: str, jaar: int, bedrag: Money) -> str:
        """Het id van het nieuwe budget."""

    @abstractmethod
    def pas_aan(self, door: str, budget_id: str, bedrag: Money, reden: str) -> None:
        """Bijstorten (positief) of verminderen (negatief)."""

    @abstractmethod
    def verschuif(self, door: str, van_id: str, naar_id: str, bedrag: Money, reden: str) -> None: ...

    @abstractmethod
    def bevries(self, door: str, budget_id: str, reden: str) -> None: ...

    @abstractmethod
    def ontdooi(self, door: str, budget_id: str, reden: str) -> None: ...

    @abstractmethod
    def open_dossier(
        self, door: str, referentie: str, leden: Sequence[tuple[date, str]]
    ) -> tuple[str, list[str]]:
        """Een dossier met gezinsleden (geboren, relatie): zijn id en de ids van de leden, in volgorde."""

    @abstractmethod
    def geef_rol(self, door: str, wie: str, rol: Role) -> None: ...

    @abstractmethod
    def vraag_aan(
        self,
        door: str,
        dossier_id: str,
        lid: str,
        thema: str,
        onderdeel: str,
        bedrag: Money,
        dag: date,
        verantwoording: str,
    ) -> str:
        """Het id van de nieuwe aanvraag."""

    @abstractmethod
    def dien_opnieuw_in(self, door: str, aanvraag_id: str, antwoord: str, bedrag: Money | None) -> None: ...

    @abstractmethod
    def trek_in(self, door: str, aanvraag_id: str, reden: str) -> None: ...

    @abstractmethod
    def annuleer(self, door: str, aanvraag_id: str, reden: str) -> None: ...

    @abstractmethod
    def beslis(
        self,
        door: str,
        aanvraag_id: str,
        uitspraak: Ruling,
        *,
        bedrag: Money | None = None,
        motivering: str = "",
        vraag: str = "",
    ) -> None:
        """Het comité: goedkeuren (dat bedrag of een ander), weigeren, of terugsturen met een vraag."""

    # wat er bewaard is

    @abstractmethod
    def saldo(self, budget_id: str) -> Saldo: ...

    @abstractmethod
    def is_bevroren(self, budget_id: str) -> bool: ...

    @abstractmethod
    def stand(self, aanvraag_id: str) -> Stand: ...

    @abstractmethod
    def laatste_logregel(self) -> int:
        """Het volgnummer van de laatste regel in het logboek."""

    @abstractmethod
    def logregels_na(self, volgnummer: int) -> list[str]:
        """De handelingen (`action`) van de logregels na `volgnummer`, in volgorde."""

    @abstractmethod
    def keten(self) -> Keten: ...

    @abstractmethod
    def sluit(self) -> None: ...

    # "Gegeven" en "Als"

    def gegeven(self, handeling: Callable[[], T]) -> T:
        """Wat al gebeurd is: een weigering hier is een fout in het scenario."""
        self.geen_open_weigering()
        self.logboek_voor = self.laatste_logregel()
        try:
            return handeling()
        except Geweigerd as fout:
            raise AssertionError(f"deze voorwaarde werd geweigerd: {fout.weigering}") from fout

    def als(self, handeling: Callable[[], object]) -> None:
        """Wat er gebeurt: een weigering wordt bewaard voor "Dan wordt dit geweigerd …"."""
        self.geen_open_weigering()
        self.logboek_voor = self.laatste_logregel()
        try:
            handeling()
        except Geweigerd as fout:
            self.fout = fout.weigering

    def geen_open_weigering(self) -> None:
        if self.fout is not None:
            fout, self.fout = self.fout, None
            raise OnverwachteWeigering(f"geweigerd, en dat stond niet in het scenario: {fout}")

    def weigering(self) -> Weigering:
        fout, self.fout = self.fout, None
        if fout is None:
            raise AssertionError("verwacht: geweigerd; maar het lukte")
        return fout

    # wat het scenario al weet

    def budget(self, naam: str) -> str:
        sleutel = naam.strip().replace(" ", "_")
        if sleutel not in self.budgetten:
            raise AssertionError(f"er is geen budget {naam} in dit scenario ({', '.join(self.budgetten)})")
        return self.budgetten[sleutel]

    def thema_van(self, envelope_id: str) -> str:
        return next((naam for naam, id_ in self.budgetten.items() if id_ == envelope_id), envelope_id)

    def de_aanvraag(self) -> str:
        if self.aanvraag_id is None:
            raise AssertionError("er is nog geen aanvraag in dit scenario")
        return self.aanvraag_id

    def nieuwe_logregels(self) -> list[str]:
        return self.logregels_na(self.logboek_voor)

    # de melding zoals een Nederlandstalig scherm ze zou tonen

    def melding(self, fout: Weigering) -> str:
        """Uit de stabiele `code`, het veld en de cijfers van de weigering (de uitleg zelf is Engels)."""
        cijfers = fout.cijfers
        if fout.code == "insufficient_funds":
            return (
                f"Het budget {self.thema_van(cijfers['envelope_id'])} heeft nog "
                f"{_euro(cijfers['available'])} beschikbaar; er is {_euro(cijfers['required'])} nodig "
                f"({_euro(cijfers['shortfall'])} te weinig)"
            )
        if fout.code == "envelope_frozen":
            naam = self.thema_van(cijfers["envelope_id"])
            return f"Het budget {naam} is bevroren: er gaat geen nieuw geld uit"
        if fout.code == "own_request":
            zelf = re.fullmatch(r"(?P<id>\S+) requested this aid and may not decide on it", fout.uitleg)
            wie = zelf["id"] if zelf is not None else "?"
            naam = next((p.naam for _, p in PERSONEN if p.id == wie), wie)
            return f"{naam} vroeg deze hulp zelf aan en mag er niet over beslissen"
        if fout.code in ("forbidden", "role_not_allowed"):
            if cijfers.get("decided_by") == "committee":
                return "Hulp die het comité toekende, kan alleen het comité annuleren"
            if "role" in cijfers:
                return f"De rol {ROLNAAM[Role(cijfers['role'])]} mag dat niet (scheiding van functies)"
        if fout.code in ("invalid_input", "validation_error"):
            if fout.veld == "motivation":  # weigeren zonder motivering, of minder toekennen zonder
                return "De motivering ontbreekt"
            if fout.veld is not None and fout.veld in VELD and fout.ontbreekt:
                return f"{VELD[fout.veld]} is verplicht"
        if fout.code == "invalid_transition":
            if "status" in cijfers:
                return f"Dat kan niet: de aanvraag is {STATUS[AidStatus(cijfers['status'])]}"
            return "Dat kan niet in deze fase van de aanvraag"
        return str(fout)


def _euro(tekst: str) -> str:
    return euro(Money.parse(tekst))
