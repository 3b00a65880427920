"""De stappen achter de regelscenario's in features/*.feature, in het Nederlands.

De scenario's zijn geschreven voor een beleidsmedewerker: bedragen zoals mensen ze schrijven ("€ 1.200,00"),
datums voluit ("23 november 2026"), hulp in woorden ("winterschoenen", "een energiefactuur"). Deze module
vertaalt dat naar een aanvraag zoals `mandaat decide` en de API ze ontvangen (JSON), en bekijkt het antwoord.

Elk scenario loopt langs twee wegen, de `backend` van de test (test_regels.py en test_budgetten.py kiezen ze;
de naam staat in de test-id, bv. `test_winterschoenen_binnen_de_grens[http]`):

    engine     de regelscenario's: de engine rechtstreeks, met de feiten zoals het scenario ze geeft
    use-cases  financien.feature en comite.feature: elke stap een use case (budget_steps.py)
    http       allemaal: de echte FastAPI-app over HTTP, als de mensen uit het scenario, aangemeld met een
               wachtwoord; de feiten van een regelscenario worden eerst echte toestand
               (beslissen_over_http.py, wereld_over_http.py)

Hoe er in een regelscenario beslist wordt, zit op één plaats: de fixture `beslisser_voor`. Ze krijgt een
beleidsmap en geeft een functie terug die een aanvraag (een JSON-object) en de budgetten van het scenario
omzet in een `Beslissing`, gelezen uit de JSON van een beslissing (beslissen.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from beslissen import Beslisser, Beslissing, Budget, Reden, beslis_met_de_engine
from beslissen_over_http import beslis_over_http
from budget_steps import *  # noqa: F403  de stappen van financien.feature en comite.feature
from installatie import Installatie, installeer
from pytest_bdd import given, parsers, then, when

from envelopes.services import rules_engine
from rules.policies import DEMO_POLICY

# --- Nederlandse datums en bedragen -------------------------------------------------------------------------

MAANDEN = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip
DATUM = rf"\d{{1,2}} (?:{'|'.join(MAANDEN)}) \d{{4}}"
BEDRAG = r"€ ?\d{1,3}(?:\.\d{3})*,\d{2}|€ ?\d+,\d{2}"
NAAM = r'"?[A-ZÀ-Ý][\w-]*"?'

_DATUM = re.compile(rf"(?P<dag>\d{{1,2}}) (?P<maand>{'|'.join(MAANDEN)}) (?P<jaar>\d{{4}})")
_BEDRAG = re.compile(r"€ ?(?P<euro>\d{1,3}(?:\.\d{3})*|\d+),(?P<cent>\d{2})")


def datum(tekst: str) -> date:
    """ "23 november 2026" → date(2026, 11, 23)."""
    gevonden = _DATUM.fullmatch(tekst.strip())
    if gevonden is None:
        raise ValueError(f"{tekst!r} is geen datum zoals '23 november 2026'")
    return date(int(gevonden["jaar"]), MAANDEN.index(gevonden["maand"]) + 1, int(gevonden["dag"]))


def bedrag(tekst: str) -> str:
    """ "€ 1.200,00" → "1200.00", het bedrag zoals de aanvraag het verwacht (nooit een float)."""
    gevonden = _BEDRAG.fullmatch(tekst.strip())
    if gevonden is None:
        raise ValueError(f"{tekst!r} is geen bedrag zoals '€ 1.200,00'")
    return f"{int(gevonden['euro'].replace('.', ''))}.{gevonden['cent']}"


def thema(tekst: str) -> str:
    """ "vrije tijd" → "vrije_tijd": het thema zoals de regelbestanden het noemen."""
    return tekst.strip().replace(" ", "_")


# De hulp zoals een beleidsmedewerker ze noemt → (thema, onderdeel) in de regelbestanden.
HULP: Mapping[str, tuple[str, str]] = {
    "winterschoenen": ("kleding", "winterschoenen"),
    "een paar winterschoenen": ("kleding", "winterschoenen"),
    "kinderkleding": ("kleding", "kinderkleding"),
    "een energiefactuur": ("energie", "energiefactuur"),
    "een schoolreis": ("onderwijs", "schoolreis"),
    "apotheekkosten": ("gezondheid", "apotheek"),
    "een vrijetijdsbijdrage": ("vrije_tijd", "vrijetijdsbijdrage"),
    "een huurwaarborg": ("huisvesting", "huurwaarborg"),
}
# Alle andere hulp, met het budget erbij: "een fiets uit het budget kleding".
_ANDERE_HULP = re.compile(
    r"(?:een |de |het )?(?P<onderdeel>[a-z][a-z0-9_]*) uit het budget (?P<thema>[a-z][a-z_ ]*)"
)


def hulp(tekst: str) -> tuple[str, str]:
    tekst = tekst.strip()
    if tekst in HULP:
        return HULP[tekst]
    gevonden = _ANDERE_HULP.fullmatch(tekst)
    if gevonden is None:
        bekend = ", ".join(f'"{naam}"' for naam in HULP)
        raise ValueError(
            f"onbekende hulp {tekst!r}: gebruik {bekend} of '<onderdeel> uit het budget <thema>'"
        )
    return thema(gevonden["thema"]), gevonden["onderdeel"]


# --- De weg naar Mandaat ------------------------------------------------------------------------------------

BACKENDS = ("engine", "use-cases", "http")


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """De weg waarlangs dit scenario Mandaat aanspreekt; een testbestand kiest er per scenario twee."""
    gekozen = getattr(request, "param", None)
    if gekozen not in BACKENDS:
        raise AssertionError(
            f"elk testbestand in features/ parametriseert `backend` met {BACKENDS}, niet {gekozen!r}"
        )
    return str(gekozen)


@pytest.fixture(scope="session")
def installaties(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path | None], Installatie]:
    """Per beleidsmap (of zonder beleid: None) één installatie per testrun (installatie.py), gemaakt bij het
    eerste scenario dat ze nodig heeft; elk scenario werkt op een kopie. Alle apps delen één engine: een
    beleidsversie die ze gebruiken, wordt maar één keer gecompileerd."""
    gemaakt: dict[Path | None, Installatie] = {}
    beslissingen = rules_engine()

    def voor(map_: Path | None) -> Installatie:
        if map_ not in gemaakt:
            bestand = tmp_path_factory.mktemp("installatie") / "mandaat.db"
            gemaakt[map_] = installeer(map_, bestand, beslissingen)
        return gemaakt[map_]

    return voor


@pytest.fixture
def beslisser_voor(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Callable[[Path], Beslisser]:
    """De enige plaats die weet hoe er in een regelscenario beslist wordt."""
    if backend == "engine":
        return beslis_met_de_engine
    if backend == "http":
        installaties: Callable[[Path | None], Installatie] = request.getfixturevalue("installaties")
        return lambda map_: beslis_over_http(installaties(map_), tmp_path)
    raise AssertionError(f"de regelscenario's lopen op de engine of over HTTP, niet via {backend!r}")


# --- Het dossier waarover een scenario gaat ---------------------------------------------------------------


@dataclass
class Lid:
    id: str
    naam: str
    geboren: date


@dataclass
class Dossier:
    beslis: Beslisser | None = None
    leden: dict[str, Lid] = field(default_factory=dict)
    budgetten: dict[str, Budget] = field(default_factory=dict)  # thema → wat erin zit
    geschiedenis: list[dict[str, str]] = field(default_factory=list)
    beslissing: Beslissing | None = None

    def lid(self, wie: str) -> Lid:
        """Een gezinslid bij naam; "het gezin" is het eerst genoemde lid (de aanvrager)."""
        wie = wie.strip().strip('"')
        if not self.leden:
            raise AssertionError(
                "er is nog geen gezin: begin met 'een gezin met een kind \"Lena\" geboren op …'"
            )
        if wie == "het gezin":
            return next(iter(self.leden.values()))
        if wie not in self.leden:
            raise AssertionError(f"{wie!r} hoort niet bij het gezin ({', '.join(self.leden)})")
        return self.leden[wie]

    def voeg_toe(self, naam: str, geboren: date) -> None:
        naam = naam.strip('"')
        if naam in self.leden:
            raise AssertionError(f"{naam!r} hoort al bij het gezin")
        self.leden[naam] = Lid(f"lid-{len(self.leden) + 1}", naam, geboren)

    def aanvraag(self, dag: date, thema_: str, onderdeel: str, bedrag_: str, wie: str) -> dict[str, Any]:
        """De aanvraag als JSON-object, zoals `mandaat decide` en de API ze ontvangen."""
        begunstigde = self.lid(wie)
        budget = self.budgetten.get(thema_)
        if budget is None:
            raise AssertionError(
                f"er is geen budget {thema_}: voeg 'een budget {thema_} met nog € … beschikbaar' toe"
            )
        return {
            "date": dag.isoformat(),
            "theme": thema_,
            "item": onderdeel,
            "amount": bedrag_,
            "beneficiary": {"id": begunstigde.id, "birth_date": begunstigde.geboren.isoformat()},
            "household": {
                "id": "gezin-1",
                "members": [
                    {"id": lid.id, "birth_date": lid.geboren.isoformat()} for lid in self.leden.values()
                ],
            },
            "history": list(self.geschiedenis),
            "envelope": {"available": budget.beschikbaar, "frozen": budget.bevroren},
        }

    def antwoord(self) -> Beslissing:
        if self.beslissing is None:
            raise AssertionError(
                "er werd nog niets gevraagd: een 'Als de maatschappelijk assistent …' ontbreekt"
            )
        return self.beslissing


@pytest.fixture
def dossier() -> Dossier:
    return Dossier()


# --- Gegeven ------------------------------------------------------------------------------------------------


@given("het demobeleid")
def het_demobeleid(dossier: Dossier, beslisser_voor: Callable[[Path], Beslisser]) -> None:
    dossier.beslis = beslisser_voor(DEMO_POLICY)


@given(parsers.re(rf"een gezin met een (?:kind|volwassene) (?P<naam>{NAAM}) geboren op (?P<geboren>{DATUM})"))
def een_gezin(dossier: Dossier, naam: str, geboren: str) -> None:
    """ "kind" of "volwassene" is uitleg voor de lezer: de leeftijd volgt uit de geboortedatum."""
    if dossier.leden:
        raise AssertionError("er is al een gezin; gebruik 'het gezin telt ook …'")
    dossier.voeg_toe(naam, datum(geboren))


@given(
    parsers.re(
        rf"het gezin telt ook een (?:kind|volwassene) (?P<naam>{NAAM}) geboren op (?P<geboren>{DATUM})"
    )
)
def nog_een_gezinslid(dossier: Dossier, naam: str, geboren: str) -> None:
    if not dossier.leden:
        raise AssertionError("er is nog geen gezin: begin met 'een gezin met …'")
    dossier.voeg_toe(naam, datum(geboren))


@given(parsers.re(rf"een budget (?P<naam>[a-z][a-z_ ]*?) met nog (?P<beschikbaar>{BEDRAG}) beschikbaar"))
def een_budget(dossier: Dossier, naam: str, beschikbaar: str) -> None:
    dossier.budgetten[thema(naam)] = Budget(bedrag(beschikbaar))


@given(parsers.re(r"het budget (?P<naam>[a-z][a-z_ ]*?) is bevroren"))
def een_bevroren_budget(dossier: Dossier, naam: str) -> None:
    if thema(naam) not in dossier.budgetten:
        raise AssertionError(f"er is geen budget {naam}")
    dossier.budgetten[thema(naam)].bevroren = True


@given(
    parsers.re(
        rf"(?P<wie>het gezin|{NAAM}) kreeg op (?P<dag>{DATUM}) (?:al )?(?P<wat>.+?) van (?P<hoeveel>{BEDRAG})"
    )
)
def eerdere_hulp(dossier: Dossier, wie: str, dag: str, wat: str, hoeveel: str) -> None:
    thema_, onderdeel = hulp(wat)
    dossier.geschiedenis.append(
        {
            "date": datum(dag).isoformat(),
            "theme": thema_,
            "item": onderdeel,
            "amount": bedrag(hoeveel),
            "beneficiary_id": dossier.lid(wie).id,
        }
    )


# --- Als ------------------------------------------------------------------------------------------------


@when(
    parsers.re(
        rf"de maatschappelijk assistent op (?P<dag>{DATUM}) (?P<wat>.+?) van (?P<hoeveel>{BEDRAG}) "
        rf"vraagt voor (?P<wie>het gezin|{NAAM})"
    )
)
def de_aanvraag(dossier: Dossier, dag: str, wat: str, hoeveel: str, wie: str) -> None:
    if dossier.beslis is None:
        raise AssertionError("welk beleid? begin met 'Gegeven het demobeleid'")
    thema_, onderdeel = hulp(wat)
    aanvraag = dossier.aanvraag(datum(dag), thema_, onderdeel, bedrag(hoeveel), wie)
    dossier.beslissing = dossier.beslis(aanvraag, dossier.budgetten)


# --- Dan ------------------------------------------------------------------------------------------------


def _goedgekeurd(beslissing: Beslissing) -> None:
    assert beslissing.uitkomst == "approve", f"verwacht: goedgekeurd; kreeg {beslissing.uitleg()}"
    assert not beslissing.redenen, f"goedgekeurd, maar met redenen: {beslissing.uitleg()}"


def _naar_het_comite(beslissing: Beslissing) -> None:
    assert beslissing.uitkomst == "escalate", f"verwacht: naar het comité; kreeg {beslissing.uitleg()}"
    assert beslissing.redenen, "naar het comité zonder één reden: elke escalatie moet haar redenen noemen"


@then("wordt de aanvraag goedgekeurd")
def goedgekeurd(dossier: Dossier) -> None:
    _goedgekeurd(dossier.antwoord())


@then("gaat de aanvraag naar het comité")
def naar_het_comite(dossier: Dossier) -> None:
    _naar_het_comite(dossier.antwoord())


@then(parsers.re(r"wordt de aanvraag (?P<uitkomst>goedgekeurd|voorgelegd aan het comité)"))
def uitkomst(dossier: Dossier, uitkomst: str) -> None:
    if uitkomst == "goedgekeurd":
        _goedgekeurd(dossier.antwoord())
    else:
        _naar_het_comite(dossier.antwoord())


def _reden(beslissing: Beslissing, regel: str) -> Reden:
    gevonden = [reden for reden in beslissing.redenen if reden.regel == regel]
    assert gevonden, f"geen reden {regel!r}; {beslissing.uitleg()}"
    assert len(gevonden) == 1, f"reden {regel!r} staat er {len(gevonden)} keer; {beslissing.uitleg()}"
    return gevonden[0]


@then(parsers.re(r'de reden "(?P<regel>[^"]+)" luidt "(?P<tekst>.*)"'))
def de_reden_luidt(dossier: Dossier, regel: str, tekst: str) -> None:
    assert _reden(dossier.antwoord(), regel).tekst == tekst


@then(parsers.re(r'de reden "(?P<regel>[^"]+)" verwijst naar "(?P<basis>.*)"'))
def de_reden_verwijst_naar(dossier: Dossier, regel: str, basis: str) -> None:
    assert _reden(dossier.antwoord(), regel).basis == basis


@then(parsers.re(r'de enige reden is "(?P<regel>[^"]+)"'))
def de_enige_reden(dossier: Dossier, regel: str) -> None:
    beslissing = dossier.antwoord()
    assert beslissing.regels() == [regel], f"verwacht alleen {regel!r}; {beslissing.uitleg()}"


@then(parsers.re(r'de reden "(?P<regel>[^"]+)" staat er niet bij'))
def niet_de_reden(dossier: Dossier, regel: str) -> None:
    beslissing = dossier.antwoord()
    assert regel not in beslissing.regels(), f"{regel!r} hoort er niet bij; {beslissing.uitleg()}"


@then("zijn de redenen:")
@then("de redenen zijn:")
def de_redenen(dossier: Dossier, datatable: list[list[str]]) -> None:
    """Een tabel met de kolom `regel` en eventueel `tekst`: precies deze redenen, elk één keer."""
    beslissing = dossier.antwoord()
    kop, *rijen = datatable
    if kop[0] != "regel" or kop[1:] not in ([], ["tekst"]):
        raise AssertionError(f"de tabel heeft de kolommen | regel | of | regel | tekst |, niet {kop}")
    verwacht = sorted(rij[0] for rij in rijen)
    assert beslissing.regels() == verwacht, f"verwacht {verwacht}; {beslissing.uitleg()}"
    if kop[1:] == ["tekst"]:
        for regel, tekst in rijen:
            assert _reden(beslissing, regel).tekst == tekst


@then(parsers.re(r"de redenen voor het comité zijn: (?P<regels>.+)"))
def de_redenen_op_een_regel(dossier: Dossier, regels: str) -> None:
    """Voor een tabel met voorbeelden: de regels, gescheiden door komma's, of "geen"."""
    beslissing = dossier.antwoord()
    verwacht = [] if regels.strip() == "geen" else sorted(regel.strip() for regel in regels.split(","))
    assert beslissing.regels() == verwacht, f"verwacht {verwacht or 'geen redenen'}; {beslissing.uitleg()}"


@then(parsers.re(rf'de gebruikte waarde van "(?P<naam>[a-z][a-z0-9_]*)" is (?P<waarde>{BEDRAG}|\d+)'))
def de_gebruikte_waarde(dossier: Dossier, naam: str, waarde: str) -> None:
    beslissing = dossier.antwoord()
    verwacht = waarde if waarde.isdigit() else bedrag(waarde)
    gebruikt = beslissing.parameters.get(naam)
    assert gebruikt == verwacht, (
        f"{naam}: verwacht {verwacht}, gebruikt {gebruikt} (volgens {beslissing.parameters_volgens})"
    )
