"""Client dossiers: a caseworker opens one (assigned to them); reassignment is an explicit, logged act."""

from __future__ import annotations

from envelopes.domain.dossiers import ClientDossier
from envelopes.domain.duties import Act, require_assigned
from envelopes.domain.errors import AlreadyExists, InvalidInput
from envelopes.domain.ids import brussels_date
from envelopes.domain.users import Role
from envelopes.services.answers import DossierAnswer
from envelopes.services.commands import CreateDossier, ReassignDossier
from envelopes.services.common import Clock, acting, existing
from envelopes.services.log import record
from envelopes.unit_of_work import UnitOfWork


def create_dossier(cmd: CreateDossier, uow: UnitOfWork, clock: Clock) -> DossierAnswer:
    with uow:
        actor = acting(uow, cmd.actor_id, Act.OPEN_DOSSIERS)
        dossier = ClientDossier.open(
            reference=cmd.reference,
            caseworker_id=actor.id,
            members=cmd.members,
            today=brussels_date(clock()),
        )
        uow.log.lock_head()  # references are checked for uniqueness and written one at a time
        if uow.dossiers.find_by_reference(dossier.reference) is not None:
            raise AlreadyExists("a dossier with this case-file reference exists", field="reference")
        uow.dossiers.add(dossier)
        record(
            uow,
            clock,
            actor_id=actor.id,
            action="dossier.created",
            subjects={"dossier": dossier.id},  # never the case-file reference
            details={"caseworker": actor.id, "members": str(len(dossier.members))},
        )
        answer = DossierAnswer.of(dossier)
        uow.commit()
    return answer


def reassign_dossier(cmd: ReassignDossier, uow: UnitOfWork, clock: Clock) -> DossierAnswer:
    """The assigned caseworker hands over, or the admin moves the dossier of someone who left."""
    with uow:
        actor = acting(uow, cmd.actor_id, Act.REASSIGN_DOSSIERS)
        dossier = existing(uow.dossiers.get_for_update(cmd.dossier_id), "dossier", cmd.dossier_id)
        require_assigned(actor, dossier.caseworker_id)
        successor = uow.users.get(cmd.caseworker_id)
        if successor is None or successor.role is not Role.CASEWORKER or not successor.active:
            raise InvalidInput(f"{cmd.caseworker_id} is not an active caseworker", field="caseworker_id")
        previous = dossier.caseworker_id
        dossier.reassign(successor.id)
        record(
            uow,
            clock,
            actor_id=actor.id,
            action="dossier.reassigned",
            subjects={"dossier": dossier.id},
            details={"from": previous, "to": successor.id},
        )
        answer = DossierAnswer.of(dossier)
        uow.commit()
    return answer
