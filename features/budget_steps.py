"""De stappen achter financien.feature en comite.feature: budgetten, het comité en het beslissingslogboek.

Anders dan de stappen in conftest.py (die de regels los toetsen) draait hier per scenario een volledige
installatie van Mandaat, met het demobeleid als eerste beleidsversie en een gebruiker per persoon (wereld.py).
Elk scenario loopt twee keer (test_budgetten.py): via de use cases, door de echte SQL-unit of work
(wereld_use_cases.py), en over HTTP, door de echte app, als de persoon uit het scenario
(wereld_over_http.py). De stappen kennen alleen `Wereld`; elke "Dan" leest wat er echt bewaard is (het
grootboek van het budget, de aanvraag, het logboek).

Een weigering wordt door een "Als"-stap bewaard en door "Dan wordt dit geweigerd met de melding …" bekeken;
elke andere stap faalt zolang er een weigering is die niemand verwachtte. Een "Gegeven" wordt nooit geweigerd:
dan faalt de stap meteen.

features/conftest.py haalt deze stappen binnen met `from budget_steps import *` (zie `__all__` onderaan).
Ze zijn zo geformuleerd dat ze niet samenvallen met die in conftest.py ("vraagt voor" is daar, "aanvraagt"
hier): bij twee passende stappen kiest pytest-bdd stil de ene.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from installatie import Installatie
from pytest_bdd import given, parsers, then, when
from wereld import IEDEREEN, ROLNAAM, STATUS, Stand, Wereld, euro, persoon
from wereld_over_http import WereldOverHttp
from wereld_use_cases import WereldViaUseCases

from envelopes.domain.aid_requests import AidStatus
from envelopes.services.commands import Ruling
from rules.loader import load_policy
from rules.money import Money
from rules.policies import DEMO_POLICY

FEATURES = ("financien.feature", "comite.feature")
"""De scenario's die deze stappen gebruiken; ze lopen via de use cases en over HTTP (test_budgetten.py)."""

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


def thema(tekst: str) -> str:
    """ "vrije tijd" → "vrije_tijd"."""
    return tekst.strip().replace(" ", "_")


WIE = "(?P<wie>" + "|".join(re.escape(naam) for naam in IEDEREEN) + ")"
ROL = "(?P<rol>" + "|".join(re.escape(naam) for naam in ROLNAAM.values()) + ")"

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


def gebruiker_id(tekst: str) -> str:
    return persoon(tekst).id


# --- De wereld van één scenario ------------------------------------------------------------------------


@pytest.fixture
def wereld(
    backend: str, installaties: Callable[[Path | None], Installatie], tmp_path: Path
) -> Iterator[Wereld]:
    """Een eigen installatie per scenario (een kopie), via de use cases of over HTTP."""
    nieuw: Wereld
    if backend == "use-cases":
        nieuw = WereldViaUseCases.nieuw(installaties(None), tmp_path)
    elif backend == "http":
        nieuw = WereldOverHttp.nieuw(installaties(DEMO_POLICY), tmp_path)
    else:
        raise AssertionError(f"budget_steps.py kent de backends 'use-cases' en 'http', niet {backend!r}")
    try:
        yield nieuw
    finally:
        nieuw.sluit()


# --- Gegeven: het beleid, de budgetten, het dossier --------------------------------------------------------


@given("het demobeleid is van kracht")
def het_demobeleid(wereld: Wereld) -> None:
    """Het gebundelde demobeleid, als eerste beleidsversie van deze installatie."""
    versie = wereld.gegeven(lambda: wereld.beleid_van_kracht(DEMO_POLICY))
    assert versie == load_policy(DEMO_POLICY).version


def _open(wereld: Wereld, door: str, naam: str, jaar: str, hoeveel: str) -> None:
    if thema(naam) in wereld.budgetten:
        raise AssertionError(f"dit scenario kent al een budget {naam}; één budget per thema")
    budget_id = wereld.open_budget(gebruiker_id(door), thema(naam), int(jaar), bedrag(hoeveel))
    wereld.budgetten[thema(naam)] = budget_id


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
    leden = [(datum(geboren), relatie) for _, geboren, relatie in rijen]
    mia = gebruiker_id("de maatschappelijk assistent")
    dossier_id, sleutels = wereld.gegeven(lambda: wereld.open_dossier(mia, referentie, leden))
    wereld.dossier_id = dossier_id
    wereld.leden = {rij[0]: sleutel for rij, sleutel in zip(rijen, sleutels, strict=True)}


@given(parsers.re(rf"de beheerder geeft {WIE} de rol {ROL}"))
def een_andere_rol(wereld: Wereld, wie: str, rol: str) -> None:
    nieuw = next(r for r, naam in ROLNAAM.items() if naam == rol)
    ada = gebruiker_id("de beheerder")
    wereld.gegeven(lambda: wereld.geef_rol(ada, gebruiker_id(wie), nieuw))


# --- De financiële dienst ----------------------------------------------------------------------------------


def _aanpassen(wereld: Wereld, door: str, naam: str, hoeveel: Money, reden: str) -> None:
    wereld.pas_aan(gebruiker_id(door), wereld.budget(naam), hoeveel, reden)


@when(parsers.re(rf"{WIE} (?P<hoeveel>{BEDRAG}) bijstort op {HET_BUDGET} {MET_REDEN}"))
def bijstorten(wereld: Wereld, wie: str, hoeveel: str, naam: str, reden: str) -> None:
    wereld.als(lambda: _aanpassen(wereld, wie, naam, bedrag(hoeveel), reden))


@given(parsers.re(rf"{WIE} stort (?P<hoeveel>{BEDRAG}) bij op {HET_BUDGET} {MET_REDEN}"))
def bijgestort(wereld: Wereld, wie: str, hoeveel: str, naam: str, reden: str) -> None:
    wereld.gegeven(lambda: _aanpassen(wereld, wie, naam, bedrag(hoeveel), reden))


@when(parsers.re(rf"{WIE} {HET_BUDGET} met (?P<hoeveel>{BEDRAG}) vermindert {MET_REDEN}"))
def verminderen(wereld: Wereld, wie: str, naam: str, hoeveel: str, reden: str) -> None:
    wereld.als(lambda: _aanpassen(wereld, wie, naam, -bedrag(hoeveel), reden))


@given(parsers.re(rf"{WIE} vermindert {HET_BUDGET} met (?P<hoeveel>{BEDRAG}) {MET_REDEN}"))
def verminderd(wereld: Wereld, wie: str, naam: str, hoeveel: str, reden: str) -> None:
    wereld.gegeven(lambda: _aanpassen(wereld, wie, naam, -bedrag(hoeveel), reden))


@when(
    parsers.re(
        rf"{WIE} (?P<hoeveel>{BEDRAG}) verschuift van {BUDGET.format('van')} naar {BUDGET.format('naar')} "
        rf"{MET_REDEN}"
    )
)
def verschuiven(wereld: Wereld, wie: str, hoeveel: str, van: str, naar: str, reden: str) -> None:
    wereld.als(
        lambda: wereld.verschuif(
            gebruiker_id(wie), wereld.budget(van), wereld.budget(naar), bedrag(hoeveel), reden
        )
    )


@when(parsers.re(rf"{WIE} {HET_BUDGET} bevriest {MET_REDEN}"))
def bevriezen(wereld: Wereld, wie: str, naam: str, reden: str) -> None:
    wereld.als(lambda: wereld.bevries(gebruiker_id(wie), wereld.budget(naam), reden))


@given(parsers.re(rf"{WIE} bevriest {HET_BUDGET} {MET_REDEN}"))
def bevroren(wereld: Wereld, wie: str, naam: str, reden: str) -> None:
    wereld.gegeven(lambda: wereld.bevries(gebruiker_id(wie), wereld.budget(naam), reden))


@when(parsers.re(rf"{WIE} {HET_BUDGET} ontdooit {MET_REDEN}"))
def ontdooien(wereld: Wereld, wie: str, naam: str, reden: str) -> None:
    wereld.als(lambda: wereld.ontdooi(gebruiker_id(wie), wereld.budget(naam), reden))


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
    wereld.aanvraag_id = wereld.vraag_aan(
        gebruiker_id("de maatschappelijk assistent"),
        wereld.dossier_id,
        wereld.leden[voor],
        thema_,
        onderdeel,
        bedrag(hoeveel),
        datum(dag),
        VERANTWOORDING,
    )


_AANVRAAG = rf"op (?P<dag>{DATUM}) voor (?P<voor>[A-Z][\w-]*) {WAT} van (?P<hoeveel>{BEDRAG})"


@when(parsers.re(rf"de maatschappelijk assistent {_AANVRAAG} aanvraagt"))
def aanvragen(wereld: Wereld, dag: str, voor: str, wat: str, hoeveel: str) -> None:
    wereld.als(lambda: _aanvragen(wereld, dag, voor, wat, hoeveel))


@given(parsers.re(rf"de maatschappelijk assistent heeft {_AANVRAAG} aangevraagd"))
def aangevraagd(wereld: Wereld, dag: str, voor: str, wat: str, hoeveel: str) -> None:
    wereld.gegeven(lambda: _aanvragen(wereld, dag, voor, wat, hoeveel))


@when(
    parsers.re(
        rf"{WIE} de aanvraag opnieuw indient(?: voor (?P<hoeveel>{BEDRAG}))? met als antwoord {ANTWOORD}"
    )
)
def opnieuw_indienen(wereld: Wereld, wie: str, hoeveel: str | None, antwoord: str) -> None:
    nieuw_bedrag = None if hoeveel is None else bedrag(hoeveel)
    wereld.als(
        lambda: wereld.dien_opnieuw_in(gebruiker_id(wie), wereld.de_aanvraag(), antwoord, nieuw_bedrag)
    )


@when(parsers.re(rf"{WIE} de aanvraag intrekt {MET_REDEN}"))
def intrekken(wereld: Wereld, wie: str, reden: str) -> None:
    wereld.als(lambda: wereld.trek_in(gebruiker_id(wie), wereld.de_aanvraag(), reden))


@when(parsers.re(rf"{WIE} de hulp annuleert {MET_REDEN}"))
def annuleren(wereld: Wereld, wie: str, reden: str) -> None:
    wereld.als(lambda: wereld.annuleer(gebruiker_id(wie), wereld.de_aanvraag(), reden))


# --- Het comité ------------------------------------------------------------------------------------------

_GOEDKEUREN = rf"(?: voor (?P<hoeveel>{BEDRAG}))?(?: met als motivering {TEKST.format('motivering')})?"


def _goedkeuren(wereld: Wereld, wie: str, hoeveel: str | None, motivering: str | None) -> Callable[[], None]:
    return lambda: wereld.beslis(
        gebruiker_id(wie),
        wereld.de_aanvraag(),
        Ruling.APPROVE,
        bedrag=None if hoeveel is None else bedrag(hoeveel),
        motivering=motivering or "",
    )


@when(parsers.re(rf"{WIE} de aanvraag goedkeurt{_GOEDKEUREN}"))
def goedkeuren(wereld: Wereld, wie: str, hoeveel: str | None, motivering: str | None) -> None:
    wereld.als(_goedkeuren(wereld, wie, hoeveel, motivering))


@given(parsers.re(rf"{WIE} keurt de aanvraag goed{_GOEDKEUREN}"))
def goedgekeurd(wereld: Wereld, wie: str, hoeveel: str | None, motivering: str | None) -> None:
    wereld.gegeven(_goedkeuren(wereld, wie, hoeveel, motivering))


@when(
    parsers.re(
        rf"{WIE} de aanvraag weigert (?:met als motivering {TEKST.format('motivering')}|zonder motivering)"
    )
)
def weigeren(wereld: Wereld, wie: str, motivering: str | None) -> None:
    wereld.als(
        lambda: wereld.beslis(
            gebruiker_id(wie), wereld.de_aanvraag(), Ruling.REFUSE, motivering=motivering or ""
        )
    )


def _terugsturen(wereld: Wereld, wie: str, vraag: str) -> Callable[[], None]:
    return lambda: wereld.beslis(gebruiker_id(wie), wereld.de_aanvraag(), Ruling.RETURN, vraag=vraag)


@when(parsers.re(rf"{WIE} de aanvraag terugstuurt met de vraag {TEKST.format('vraag')}"))
def terugsturen(wereld: Wereld, wie: str, vraag: str) -> None:
    wereld.als(_terugsturen(wereld, wie, vraag))


@given(parsers.re(rf"{WIE} stuurt de aanvraag terug met de vraag {TEKST.format('vraag')}"))
def teruggestuurd(wereld: Wereld, wie: str, vraag: str) -> None:
    wereld.gegeven(_terugsturen(wereld, wie, vraag))


# --- Dan: het budget ---------------------------------------------------------------------------------------


@then(parsers.re(rf"is er nog (?P<hoeveel>{BEDRAG}) beschikbaar in {HET_BUDGET}"))
def beschikbaar(wereld: Wereld, hoeveel: str, naam: str) -> None:
    wereld.geen_open_weigering()
    saldo = wereld.saldo(wereld.budget(naam))
    assert saldo.beschikbaar == bedrag(hoeveel), (
        f"in het budget {naam} is {euro(saldo.beschikbaar)} beschikbaar, niet {hoeveel} ({saldo})"
    )


@then(
    parsers.re(
        rf"is er in {HET_BUDGET} (?P<vast>{BEDRAG}) vastgelegd en (?P<gereserveerd>{BEDRAG}) gereserveerd"
    )
)
def vastgelegd_en_gereserveerd(wereld: Wereld, naam: str, vast: str, gereserveerd: str) -> None:
    wereld.geen_open_weigering()
    saldo = wereld.saldo(wereld.budget(naam))
    verwacht = (euro(bedrag(vast)), euro(bedrag(gereserveerd)))
    assert (euro(saldo.vastgelegd), euro(saldo.gereserveerd)) == verwacht, (
        f"in het budget {naam}: {euro(saldo.vastgelegd)} vastgelegd, {euro(saldo.gereserveerd)} gereserveerd"
    )


@then(parsers.re(rf"is {HET_BUDGET} (?P<niet>niet )?bevroren"))
def is_bevroren(wereld: Wereld, naam: str, niet: str | None) -> None:
    wereld.geen_open_weigering()
    assert wereld.is_bevroren(wereld.budget(naam)) is (niet is None), (
        f"het budget {naam} is {'' if niet else 'niet '}bevroren"
    )


# --- Dan: de aanvraag --------------------------------------------------------------------------------------


def _status(wereld: Wereld, verwacht: AidStatus) -> Stand:
    wereld.geen_open_weigering()
    stand = wereld.stand(wereld.de_aanvraag())
    assert stand.status is verwacht, (
        f"de aanvraag is {STATUS[stand.status]}, niet {STATUS[verwacht]}"
        f"{'' if not stand.redenen else ' (redenen: ' + ', '.join(stand.redenen) + ')'}"
    )
    return stand


@then(parsers.re(rf"is de aanvraag goedgekeurd voor (?P<hoeveel>{BEDRAG})"))
def is_goedgekeurd(wereld: Wereld, hoeveel: str) -> None:
    stand = _status(wereld, AidStatus.APPROVED)
    assert stand.goedgekeurd == bedrag(hoeveel), (
        f"goedgekeurd voor {euro(stand.goedgekeurd or Money(0))}, niet {hoeveel}"
    )
    assert stand.vastgelegd == bedrag(hoeveel), f"vastgelegd: {euro(stand.vastgelegd)}, niet {hoeveel}"


@then("ligt de aanvraag bij het comité")
def bij_het_comite(wereld: Wereld) -> None:
    stand = _status(wereld, AidStatus.ESCALATED)
    assert stand.redenen, "bij het comité zonder één reden: elke escalatie noemt haar redenen"


@then(parsers.re(r"is de aanvraag (?P<status>geweigerd|teruggestuurd|ingetrokken|geannuleerd)"))
def is_de_aanvraag(wereld: Wereld, status: str) -> None:
    _status(wereld, next(s for s, naam in STATUS.items() if naam == status))


@then(parsers.re(r'het comité krijgt als enige reden "(?P<regel>[^"]+)"'))
def enige_reden(wereld: Wereld, regel: str) -> None:
    wereld.geen_open_weigering()
    regels = list(wereld.stand(wereld.de_aanvraag()).redenen)
    assert regels == [regel], f"de redenen voor het comité zijn {regels or 'geen'}, niet [{regel!r}]"


@then(parsers.re(rf"er is (?P<hoeveel>{BEDRAG}|niets) gereserveerd voor de aanvraag"))
def gereserveerd(wereld: Wereld, hoeveel: str) -> None:
    wereld.geen_open_weigering()
    verwacht = euro(Money(0) if hoeveel == "niets" else bedrag(hoeveel))
    stand = wereld.stand(wereld.de_aanvraag())
    assert (euro(stand.gereserveerd), euro(stand.gereserveerd_in_grootboek)) == (verwacht, verwacht), (
        f"voor de aanvraag is {euro(stand.gereserveerd)} gereserveerd "
        f"(grootboek: {euro(stand.gereserveerd_in_grootboek)}), niet {verwacht}"
    )


# --- Dan: weigeringen en het logboek -----------------------------------------------------------------------


@then(parsers.re(r'wordt dit geweigerd met de melding "(?P<tekst>.*)"'))
def geweigerd(wereld: Wereld, tekst: str) -> None:
    fout = wereld.weigering()
    assert wereld.melding(fout) == tekst, f"de melding is {wereld.melding(fout)!r} ({fout})"
    nieuw = wereld.nieuwe_logregels()
    assert not nieuw, f"geweigerd, maar toch in het logboek: {nieuw}"


@then("het logboek kreeg er geen regel bij")
def geen_logregel(wereld: Wereld) -> None:
    wereld.geen_open_weigering()
    nieuw = wereld.nieuwe_logregels()
    assert not nieuw, f"het logboek kreeg er {len(nieuw)} regel(s) bij: {nieuw}"


@then(parsers.re(r'het logboek kreeg er één regel bij: "(?P<handeling>[a-z_.]+)"'))
def een_logregel(wereld: Wereld, handeling: str) -> None:
    wereld.geen_open_weigering()
    nieuw = wereld.nieuwe_logregels()
    assert nieuw == [handeling], f"het logboek kreeg er {nieuw or 'niets'} bij, niet [{handeling!r}]"


@then("de keten van het logboek is heel")
def keten_heel(wereld: Wereld) -> None:
    wereld.geen_open_weigering()
    controle = wereld.keten()
    assert controle.heel, f"de keten breekt bij regel {controle.eerste_fout}: {controle.probleem}"
    assert controle.gecontroleerd == wereld.laatste_logregel() > 0


# Wat `from budget_steps import *` in conftest.py meeneemt: de fixture en de stapdefinities (pytest-bdd
# registreert elke stap als een fixture `pytestbdd_stepdef_…` in deze module), niets dat conftest.py zelf
# definieert (datum, bedrag, thema, HULP, …).
__all__ = ["wereld", *(naam for naam in tuple(globals()) if naam.startswith("pytestbdd_"))]
