"""De wereld van een scenario over HTTP: elke handeling is een verzoek aan de JSON-API van de echte app, door
de persoon uit het scenario, aangemeld met zijn wachtwoord; elke "Dan" leest wat de API over de toestand zegt.

    het beleid                    GET  /policy (de installatie kreeg het demobeleid als eerste versie)
    de financiële dienst          POST /envelopes, /envelopes/{id}/adjustments, /envelope-transfers,
                                       /envelopes/{id}/freeze en /unfreeze
    de maatschappelijk assistent  POST /dossiers, /aid-requests, /aid-requests/{id}/resubmit, …/withdraw,
                                       …/cancel
    het comité                    POST /escalations/{id}/decision, /aid-requests/{id}/cancel
    de cijfers van een budget     GET  /envelopes/{id} en /envelopes/{id}/ledger (Fien)
    een aanvraag                  GET  /aid-requests/{id} (Carla: het comité ziet elk dossier)
    het logboek                   GET  /log en /log/verify (Ines, de interne controle)

Eén handeling heeft geen eindpunt: een rol geven ("de beheerder geeft Mia de rol comité"). Gebruikers en
rollen beheert de beheerder met `mandaat users`; die opdracht roept de use case `set_role` op, en dat doet
deze wereld ook, op dezelfde database. Mia's token blijft gelden: de API leest haar rol bij elk verzoek.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any

from installatie import Installatie
from over_http import App, Gebruiker, Klok, app_op_een_kopie
from wereld import VANDAAG, Geweigerd, Keten, Saldo, Stand, Wereld, persoon, uit_use_case

from envelopes.domain.aid_requests import AidStatus
from envelopes.domain.errors import DomainError
from envelopes.domain.users import Role
from envelopes.services import set_role
from envelopes.services.commands import Ruling, SetRole
from rules.money import Money


class WereldOverHttp(Wereld):
    def __init__(self, app: App, afsluiten: ExitStack) -> None:
        super().__init__()
        self.app = app
        self._afsluiten = afsluiten
        self._gezien = 0  # de laatste logregel die deze wereld al las

    @classmethod
    def nieuw(cls, installatie: Installatie, map_: Path) -> WereldOverHttp:
        """Een app op een kopie van `installatie` in `map_`, met de klok op `VANDAAG`, tot `sluit()`."""
        afsluiten = ExitStack()
        app = afsluiten.enter_context(app_op_een_kopie(installatie, map_, Klok(VANDAAG)))
        return cls(app, afsluiten)

    def sluit(self) -> None:
        self._afsluiten.close()

    def _als(self, wie: str) -> Gebruiker:
        return self.app.als(wie)

    @property
    def _fien(self) -> Gebruiker:
        return self.app.als(persoon("de financiële dienst").id)

    # handelingen

    def beleid_van_kracht(self, map_: Path) -> str:
        installatie = self.app.installatie
        assert map_ == installatie.beleid, f"deze installatie kreeg als eerste beleid {installatie.beleid}"
        beleid = self._als(persoon("de beleidsmedewerker").id).lees("/policy")
        return str(beleid["version"])

    def open_budget(self, door: str, thema: str, jaar: int, bedrag: Money) -> str:
        budget = self._als(door).doe(
            "/envelopes", {"theme": thema, "period": jaar, "amount": str(bedrag)}, 201
        )
        return str(budget["id"])

    def pas_aan(self, door: str, budget_id: str, bedrag: Money, reden: str) -> None:
        pad = f"/envelopes/{budget_id}/adjustments"
        self._als(door).doe(pad, {"amount": str(bedrag), "reason": reden}, 201)

    def verschuif(self, door: str, van_id: str, naar_id: str, bedrag: Money, reden: str) -> None:
        opdracht = {
            "from_envelope_id": van_id,
            "to_envelope_id": naar_id,
            "amount": str(bedrag),
            "reason": reden,
        }
        self._als(door).doe("/envelope-transfers", opdracht, 201)

    def bevries(self, door: str, budget_id: str, reden: str) -> None:
        budget = self._als(door).doe(f"/envelopes/{budget_id}/freeze", {"reason": reden}, 200)
        assert budget["frozen"] is True, budget

    def ontdooi(self, door: str, budget_id: str, reden: str) -> None:
        budget = self._als(door).doe(f"/envelopes/{budget_id}/unfreeze", {"reason": reden}, 200)
        assert budget["frozen"] is False, budget

    def open_dossier(
        self, door: str, referentie: str, leden: Sequence[tuple[date, str]]
    ) -> tuple[str, list[str]]:
        opdracht = {
            "reference": referentie,
            "members": [
                {"birth_date": geboren.isoformat(), "relation": relatie} for geboren, relatie in leden
            ],
        }
        dossier = self._als(door).doe("/dossiers", opdracht, 201)
        geboren = [lid["birth_date"] for lid in dossier["members"]]
        assert geboren == [dag.isoformat() for dag, _ in leden], (
            f"de gezinsleden kwamen anders terug: {dossier}"
        )
        return str(dossier["id"]), [str(lid["id"]) for lid in dossier["members"]]

    def geef_rol(self, door: str, wie: str, rol: Role) -> None:
        """Zonder eindpunt in de API: zoals `mandaat users`, met de use case op dezelfde database."""
        mandaat = self.app.mandaat
        try:
            set_role(SetRole(door, wie, rol), mandaat.uow(), mandaat.clock)
        except DomainError as fout:
            raise Geweigerd(uit_use_case(fout)) from fout

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
        beslissing = self._als(door).vraag_hulp(
            {
                "dossier_id": dossier_id,
                "beneficiary_id": lid,
                "theme": thema,
                "item": onderdeel,
                "amount": str(bedrag),
                "justification": verantwoording,
                "date": dag.isoformat(),
            }
        )
        return str(beslissing["id"])

    def dien_opnieuw_in(self, door: str, aanvraag_id: str, antwoord: str, bedrag: Money | None) -> None:
        opdracht: dict[str, Any] = {"justification": antwoord}
        if bedrag is not None:
            opdracht["amount"] = str(bedrag)
        self._als(door).doe(f"/aid-requests/{aanvraag_id}/resubmit", opdracht, 200)

    def trek_in(self, door: str, aanvraag_id: str, reden: str) -> None:
        self._als(door).doe(f"/aid-requests/{aanvraag_id}/withdraw", {"reason": reden}, 200)

    def annuleer(self, door: str, aanvraag_id: str, reden: str) -> None:
        self._als(door).doe(f"/aid-requests/{aanvraag_id}/cancel", {"reason": reden}, 200)

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
        """De API noemt de vraag bij het terugsturen ook `motivation`; wat leeg is, blijft weg."""
        opdracht: dict[str, Any] = {"decision": uitspraak.value}
        if bedrag is not None:
            opdracht["amount"] = str(bedrag)
        tekst = vraag if uitspraak is Ruling.RETURN else motivering
        if tekst:
            opdracht["motivation"] = tekst
        self._als(door).doe(f"/escalations/{aanvraag_id}/decision", opdracht, 200)

    # wat er bewaard is

    def saldo(self, budget_id: str) -> Saldo:
        budget = self._fien.lees(f"/envelopes/{budget_id}")
        return Saldo(
            Money.parse(budget["available"]), Money.parse(budget["committed"]), Money.parse(budget["held"])
        )

    def is_bevroren(self, budget_id: str) -> bool:
        return bool(self._fien.lees(f"/envelopes/{budget_id}")["frozen"])

    def stand(self, aanvraag_id: str) -> Stand:
        aanvraag = self._als(persoon("het comité").id).lees(f"/aid-requests/{aanvraag_id}")
        grootboek = self._fien.lees(f"/envelopes/{aanvraag['envelope_id']}/ledger")
        van_haar = [regel for regel in grootboek if regel["aid_request_id"] == aanvraag_id]
        goedgekeurd = aanvraag["approved_amount"]
        return Stand(
            status=AidStatus(aanvraag["status"]),
            goedgekeurd=None if goedgekeurd is None else Money.parse(goedgekeurd),
            vastgelegd=_netto(van_haar, "commitment"),
            gereserveerd=Money.parse(aanvraag["held"]),
            gereserveerd_in_grootboek=_netto(van_haar, "hold"),
            redenen=tuple(str(reden["rule"]) for reden in aanvraag["reasons"]),
        )

    def _logregels(self, na: int) -> list[dict[str, Any]]:
        ines = self._als(persoon("de interne controle").id)
        regels: list[dict[str, Any]] = []
        while True:
            pagina = ines.lees(f"/log?after={na}&limit=1000")
            regels += pagina["entries"]
            if pagina["next_after"] is None:
                return regels
            na = int(pagina["next_after"])

    def laatste_logregel(self) -> int:
        nieuw = self._logregels(self._gezien)
        if nieuw:
            self._gezien = int(nieuw[-1]["sequence"])
        return self._gezien

    def logregels_na(self, volgnummer: int) -> list[str]:
        return [str(regel["action"]) for regel in self._logregels(volgnummer)]

    def keten(self) -> Keten:
        controle = self._als(persoon("de interne controle").id).lees("/log/verify")
        return Keten(
            bool(controle["ok"]), int(controle["checked"]), controle["first_bad"], str(controle["problem"])
        )


def _netto(regels: list[dict[str, Any]], soort: str) -> Money:
    """Wat een aanvraag in het grootboek heeft van `soort` (hold, commitment), min wat ervan vrijkwam."""
    erbij = sum((Money.parse(r["amount"]).cents for r in regels if r["kind"] == soort), 0)
    eraf = sum(
        (Money.parse(r["amount"]).cents for r in regels if r["kind"] == "release" and r["releases"] == soort),
        0,
    )
    return Money(erbij - eraf)
