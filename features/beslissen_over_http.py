"""De regelscenario's over HTTP: wat een scenario als feit geeft, wordt eerst echte toestand in de echte app.

Een regelscenario geeft de feiten rechtstreeks: leeftijden (via geboortedata), het gezin, de hulp die eerder
werd toegekend, wat er nog in een budget zit en of het bevroren is, de datum van de aanvraag. In Mandaat zijn
dat geen invoer maar toestand. `beslis_over_http` bouwt die toestand op zoals de mensen ze zouden maken, in
een eigen app op een kopie van de installatie (over_http.py), met de klok op de dag van de aanvraag:

1. Mia (maatschappelijk assistent) opent een dossier met de gezinsleden en hun geboortedatum: POST /dossiers.
2. Fien (financiële dienst) opent per thema en begrotingsjaar een budget: POST /envelopes, met wat het
   scenario beschikbaar zegt plus de eerdere hulp van dat thema en jaar (een budget voor een vorig jaar
   krijgt precies die eerdere hulp).
3. De eerdere hulp wordt echt aangevraagd, op haar eigen datum: POST /aid-requests. Wat naar het comité
   gaat (hulp voor een volwassene, boven het mandaatplafond, …), keurt Carla (comité) goed:
   POST /escalations/{id}/decision. Zo is ze toegekend, zoals het scenario zegt, en zit het budget precies
   op wat het scenario beschikbaar zegt.
4. Fien bevriest wat bevroren is: POST /envelopes/{id}/freeze.
5. Mia vraagt een voorbeeld (POST /aid-requests/preview) en dient de aanvraag in (POST /aid-requests).
   Het voorbeeld moet dezelfde feiten tonen als die de engine uit het scenario afleidt (leeftijd, gezin,
   wat eerder werd gebruikt, het budget): anders is de opgebouwde toestand niet die van het scenario. Het
   voorbeeld en de aanvraag moeten hetzelfde beslissen; de `Beslissing` is die van de aanvraag.

Welke parameterwaarden een beslissing gebruikte, zegt de API niet (`Decision.parameters` zit niet in het
antwoord). Voor "de gebruikte waarde van …" leest deze backend ze daarom uit GET /policy: de waarde op de dag
van de aanvraag, in de beleidsversie waarmee beslist werd, van de parameters die de regels van die hulp
noemen.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from beslissen import Beslisser, Beslissing, Budget, beleid_uit
from installatie import Installatie
from over_http import App, Gebruiker, Klok, app_op_een_kopie
from wereld import persoon

from envelopes.domain.ids import BRUSSELS
from rules.evaluation import derive_facts
from rules.money import Money
from rules.request import parse_request

VERANTWOORDING = "De aanvraag uit het scenario."
EERDER = "Eerdere hulp uit het scenario."


def beslis_over_http(installatie: Installatie, map_: Path) -> Beslisser:
    """Beslist over HTTP; elke aanvraag in een eigen app op een kopie van `installatie` (in `map_`)."""

    def beslis(aanvraag: dict[str, Any], budgetten: Mapping[str, Budget]) -> Beslissing:
        dag = date.fromisoformat(aanvraag["date"])
        laatste = max([dag, *(date.fromisoformat(eerder["date"]) for eerder in aanvraag["history"])])
        klok = Klok(datetime.combine(laatste, time(10, 0), tzinfo=BRUSSELS))
        with app_op_een_kopie(installatie, map_, klok) as app:
            return Aanvraag(app, aanvraag, budgetten).beslis()

    return beslis


class Aanvraag:
    """Eén aanvraag uit een regelscenario, over HTTP."""

    def __init__(self, app: App, aanvraag: dict[str, Any], budgetten: Mapping[str, Budget]) -> None:
        self.app = app
        self.aanvraag = aanvraag
        self.budgetten = budgetten
        self.dag = date.fromisoformat(aanvraag["date"])
        self.dossier_id = ""
        self.leden: dict[str, str] = {}  # id in het scenario → id in het dossier

    @property
    def mia(self) -> Gebruiker:
        return self.app.als(persoon("de maatschappelijk assistent").id)

    @property
    def fien(self) -> Gebruiker:
        return self.app.als(persoon("de financiële dienst").id)

    @property
    def carla(self) -> Gebruiker:
        return self.app.als(persoon("het comité").id)

    def beslis(self) -> Beslissing:
        self.open_dossier()
        budget_ids = self.open_budgetten()
        for eerder in sorted(self.aanvraag["history"], key=lambda hulp: str(hulp["date"])):
            self.ken_toe(eerder)
        for naam, budget in self.budgetten.items():
            if budget.bevroren:
                pad = f"/envelopes/{budget_ids[naam, self.dag.year]}/freeze"
                self.fien.doe(pad, {"reason": "Het budget is bevroren in het scenario."}, 200)
        vraag = self.body(self.aanvraag, VERANTWOORDING)
        voorbeeld = self.mia.doe("/aid-requests/preview", vraag, 200)
        self.zelfde_feiten(voorbeeld["facts"])
        antwoord = self.mia.vraag_hulp(vraag)
        gevraagd = (antwoord["outcome"], antwoord["reasons"])
        assert (voorbeeld["outcome"], voorbeeld["reasons"]) == gevraagd, (
            f"het voorbeeld beslist anders dan de aanvraag: {voorbeeld} — {antwoord}"
        )
        status = "approved" if antwoord["outcome"] == "approve" else "escalated"
        assert antwoord["status"] == status, f"uitkomst {antwoord['outcome']}, status {antwoord['status']}"
        return dataclasses.replace(
            Beslissing.uit_json(antwoord),
            parameters=self.parameters(str(antwoord["policy_version"])),
            parameters_volgens="GET /api/v1/policy op de dag van de aanvraag (de API geeft ze niet terug)",
        )

    def open_dossier(self) -> None:
        """Het gezin, met de geboortedata uit het scenario; "kind" of "volwassene" volgt daaruit."""
        leden = self.aanvraag["household"]["members"]
        opdracht = {
            "reference": "OCMW-SCENARIO-0001",
            "members": [{"birth_date": lid["birth_date"]} for lid in leden],
        }
        dossier = self.mia.doe("/dossiers", opdracht, 201)
        echt = dossier["members"]
        assert [lid["birth_date"] for lid in echt] == [lid["birth_date"] for lid in leden], dossier
        self.dossier_id = str(dossier["id"])
        self.leden = {str(lid["id"]): str(nieuw["id"]) for lid, nieuw in zip(leden, echt, strict=True)}

    def open_budgetten(self) -> dict[tuple[str, int], str]:
        """Per (thema, jaar): wat beschikbaar moet blijven, plus de eerdere hulp die eruit betaald wordt."""
        bedragen: dict[tuple[str, int], int] = defaultdict(int)
        for naam, budget in self.budgetten.items():
            bedragen[naam, self.dag.year] += Money.parse(budget.beschikbaar).cents
        for eerder in self.aanvraag["history"]:
            jaar = date.fromisoformat(eerder["date"]).year
            bedragen[str(eerder["theme"]), jaar] += Money.parse(eerder["amount"]).cents
        ids = {}
        for (naam, jaar), centen in sorted(bedragen.items()):
            opdracht = {"theme": naam, "period": jaar, "amount": str(Money(centen))}
            ids[naam, jaar] = str(self.fien.doe("/envelopes", opdracht, 201)["id"])
        return ids

    def ken_toe(self, eerder: Mapping[str, Any]) -> None:
        """Eerdere hulp, echt toegekend: door Mia binnen haar mandaat, of anders door het comité."""
        beslissing = self.mia.vraag_hulp(self.body(eerder, EERDER, lid=eerder["beneficiary_id"]))
        if beslissing["status"] == "escalated":
            pad = f"/escalations/{beslissing['id']}/decision"
            beslissing = self.carla.doe(pad, {"decision": "approve"}, 200)
        assert (beslissing["status"], beslissing["approved_amount"]) == ("approved", eerder["amount"]), (
            f"de eerdere hulp {dict(eerder)} werd niet toegekend: {beslissing}"
        )

    def body(self, hulp: Mapping[str, Any], verantwoording: str, *, lid: str | None = None) -> dict[str, Any]:
        begunstigde = lid if lid is not None else hulp["beneficiary"]["id"]
        return {
            "dossier_id": self.dossier_id,
            "beneficiary_id": self.leden[begunstigde],
            "theme": hulp["theme"],
            "item": hulp["item"],
            "amount": hulp["amount"],
            "justification": verantwoording,
            "date": hulp["date"],
        }

    def zelfde_feiten(self, feiten: Mapping[str, Any]) -> None:
        """De feiten die de app uit haar toestand afleidde, zijn die van het scenario."""
        beleid = beleid_uit(self.app.installatie.beleid)
        verwacht = derive_facts(beleid, parse_request(self.aanvraag)).to_json()
        verschil = {
            sleutel: (feiten.get(sleutel), waarde)
            for sleutel, waarde in verwacht.items()
            if feiten.get(sleutel) != waarde
        }
        assert not verschil, f"de app ziet andere feiten dan het scenario (app, scenario): {verschil}"

    def parameters(self, versie: str) -> dict[str, str]:
        """De waarde op de dag van de aanvraag van elke parameter die de regels van deze hulp noemen."""
        beleid = self.mia.lees("/policy")
        assert beleid["version"] == versie, f"beslist met {versie}, van kracht is {beleid['version']}"
        teksten = [str(beleid["mandate_ceiling"])]
        for thema_ in beleid["themes"]:
            for onderdeel in thema_["items"]:
                if (thema_["key"], onderdeel["key"]) == (self.aanvraag["theme"], self.aanvraag["item"]):
                    teksten.append(str(onderdeel["delegated_when"]))
                    teksten += [str(grens["expression"]) for grens in onderdeel["limits"]]
        woorden = set(re.findall(r"[a-z_][a-z0-9_]*", " ".join(teksten)))
        gebruikt = {}
        for parameter in beleid["parameters"]:
            waarden = [w for w in parameter["values"] if date.fromisoformat(w["since"]) <= self.dag]
            if parameter["name"] in woorden and waarden:
                gebruikt[str(parameter["name"])] = str(max(waarden, key=lambda w: str(w["since"]))["value"])
        return gebruikt
