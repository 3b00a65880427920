"""De wereld van een scenario via de use cases: elke handeling roept een echte use case op, door de echte
SQL-unit of work en de echte regels-engine; wat bewaard is, wordt gelezen uit de repositories.

Per scenario een eigen installatie: een kopie van een SQLite-bestand dat gemigreerd werd met `upgrade(url)` en
een gebruiker per persoon kreeg (installatie.py), samengesteld met `api.composition.build` en de klok op
`VANDAAG`. Het beleid komt er pas bij in de stap "Gegeven het demobeleid is van kracht".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TypeVar

from installatie import Installatie, instellingen
from wereld import VANDAAG, Geweigerd, Keten, Saldo, Stand, Wereld, uit_use_case

from api.composition import Mandaat, build
from envelopes.domain.dossiers import NewMember
from envelopes.domain.envelopes import ZERO, EntryKind
from envelopes.domain.errors import DomainError
from envelopes.domain.users import Role
from envelopes.services import (
    adjust_envelope,
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
    AdjustEnvelope,
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
from rules.money import Money

T = TypeVar("T")


def _doe(handeling: Callable[[], T]) -> T:
    try:
        return handeling()
    except DomainError as fout:
        raise Geweigerd(uit_use_case(fout)) from fout


class WereldViaUseCases(Wereld):
    def __init__(self, app: Mandaat) -> None:
        super().__init__()
        self.app = app

    @classmethod
    def nieuw(cls, installatie: Installatie, map_: Path) -> WereldViaUseCases:
        """Een kopie van `installatie` (gemigreerd, een gebruiker per persoon, nog geen beleid) in `map_`."""
        assert installatie.beleid is None, "het beleid komt er pas met 'Gegeven het demobeleid is van kracht'"
        url = installatie.kopie(map_)
        return cls(build(instellingen(url), clock=lambda: VANDAAG, decisions=installatie.beslissingen))

    def sluit(self) -> None:
        self.app.close()

    # handelingen

    def beleid_van_kracht(self, map_: Path) -> str:
        bestanden = {pad.name: pad.read_text("utf-8") for pad in sorted(map_.glob("*.yaml"))}
        app = self.app
        installatie = _doe(
            lambda: install_first_policy_version(bestanden, app.uow(), app.decisions, app.clock)
        )
        assert installatie.installed, "er was al een beleid"
        assert installatie.in_force is not None, "het beleid is vandaag niet van kracht"
        return installatie.in_force.version

    def open_budget(self, door: str, thema: str, jaar: int, bedrag: Money) -> str:
        opdracht = OpenEnvelope(door, thema, jaar, bedrag)
        return _doe(lambda: open_envelope(opdracht, self.app.uow(), self.app.clock)).envelope_id

    def pas_aan(self, door: str, budget_id: str, bedrag: Money, reden: str) -> None:
        opdracht = AdjustEnvelope(door, budget_id, bedrag, reden)
        _doe(lambda: adjust_envelope(opdracht, self.app.uow(), self.app.clock))

    def verschuif(self, door: str, van_id: str, naar_id: str, bedrag: Money, reden: str) -> None:
        opdracht = TransferBetweenEnvelopes(door, van_id, naar_id, bedrag, reden)
        _doe(lambda: transfer(opdracht, self.app.uow(), self.app.clock))

    def bevries(self, door: str, budget_id: str, reden: str) -> None:
        opdracht = FreezeEnvelope(door, budget_id, reden)
        _doe(lambda: freeze_envelope(opdracht, self.app.uow(), self.app.clock))

    def ontdooi(self, door: str, budget_id: str, reden: str) -> None:
        opdracht = UnfreezeEnvelope(door, budget_id, reden)
        _doe(lambda: unfreeze_envelope(opdracht, self.app.uow(), self.app.clock))

    def open_dossier(
        self, door: str, referentie: str, leden: Sequence[tuple[date, str]]
    ) -> tuple[str, list[str]]:
        nieuw = tuple(NewMember(geboren, relatie) for geboren, relatie in leden)
        opdracht = CreateDossier(door, referentie, nieuw)
        dossier = _doe(lambda: create_dossier(opdracht, self.app.uow(), self.app.clock))
        return dossier.dossier_id, list(dossier.member_keys)

    def geef_rol(self, door: str, wie: str, rol: Role) -> None:
        _doe(lambda: set_role(SetRole(door, wie, rol), self.app.uow(), self.app.clock))

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
        opdracht = SubmitAidRequest(
            actor_id=door,
            dossier_id=dossier_id,
            beneficiary_key=lid,
            theme=thema,
            item=onderdeel,
            amount=bedrag,
            justification=verantwoording,
            date=dag,
        )
        app = self.app
        return _doe(lambda: submit_aid_request(opdracht, app.uow(), app.decisions, app.clock)).request_id

    def dien_opnieuw_in(self, door: str, aanvraag_id: str, antwoord: str, bedrag: Money | None) -> None:
        opdracht = ResubmitAidRequest(door, aanvraag_id, antwoord, bedrag)
        _doe(lambda: resubmit_aid_request(opdracht, self.app.uow(), self.app.decisions, self.app.clock))

    def trek_in(self, door: str, aanvraag_id: str, reden: str) -> None:
        opdracht = WithdrawAidRequest(door, aanvraag_id, reden)
        _doe(lambda: withdraw_aid_request(opdracht, self.app.uow(), self.app.clock))

    def annuleer(self, door: str, aanvraag_id: str, reden: str) -> None:
        _doe(lambda: cancel_aid(CancelAid(door, aanvraag_id, reden), self.app.uow(), self.app.clock))

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
        opdracht = CommitteeDecision(
            door, aanvraag_id, uitspraak, amount=bedrag, motivation=motivering, question=vraag
        )
        _doe(lambda: committee_decide(opdracht, self.app.uow(), self.app.clock))

    # wat er bewaard is

    def saldo(self, budget_id: str) -> Saldo:
        with self.app.uow() as uow:
            saldo = uow.ledger.balance(budget_id)
        return Saldo(saldo.available, saldo.committed, saldo.held)

    def is_bevroren(self, budget_id: str) -> bool:
        with self.app.uow() as uow:
            envelope = uow.envelopes.get(budget_id)
        assert envelope is not None, f"budget {budget_id} is niet bewaard"
        return envelope.frozen

    def stand(self, aanvraag_id: str) -> Stand:
        with self.app.uow() as uow:
            aanvraag = uow.requests.get(aanvraag_id)
            assert aanvraag is not None, f"aanvraag {aanvraag_id} is niet bewaard"
            regels = [
                r for r in uow.ledger.entries_for(aanvraag.envelope_id) if r.aid_request_id == aanvraag.id
            ]
        vast = sum((r.amount for r in regels if r.kind is EntryKind.HOLD), ZERO)
        vrij = sum(
            (r.amount for r in regels if r.kind is EntryKind.RELEASE and r.releases is EntryKind.HOLD), ZERO
        )
        return Stand(
            status=aanvraag.status,
            goedgekeurd=aanvraag.approved_amount,
            vastgelegd=aanvraag.committed,
            gereserveerd=aanvraag.held,
            gereserveerd_in_grootboek=vast - vrij,
            redenen=tuple(reden.rule for reden in aanvraag.reasons),
        )

    def laatste_logregel(self) -> int:
        with self.app.uow() as uow:
            return uow.log.head().sequence

    def logregels_na(self, volgnummer: int) -> list[str]:
        with self.app.uow() as uow:
            return [regel.action for regel in uow.log.entries(after=volgnummer)]

    def keten(self) -> Keten:
        controle = verify_log(self.app.uow())
        return Keten(controle.ok, controle.checked, controle.first_bad, controle.problem)
