"""User management: the admin adds users, sets their one role, disables them. No other powers."""

from __future__ import annotations

from envelopes.domain.duties import Act
from envelopes.domain.errors import AlreadyExists, Conflict, Forbidden
from envelopes.domain.users import Role, User
from envelopes.services.answers import UserAnswer
from envelopes.services.commands import AddUser, BootstrapAdmin, DisableUser, SetRole
from envelopes.services.common import Clock, acting, existing
from envelopes.services.log import record
from envelopes.unit_of_work import UnitOfWork


def bootstrap_admin(cmd: BootstrapAdmin, uow: UnitOfWork, clock: Clock) -> UserAnswer:
    """The first user of an empty installation, an admin; refused once any user exists."""
    with uow:
        uow.log.lock_head()  # serialize with any other first user
        if uow.users.count() > 0:
            raise Conflict("this installation already has users; an admin adds the others")
        user = User.new(cmd.user_id, cmd.name, Role.ADMIN)
        uow.users.add(user)
        record(
            uow,
            clock,
            actor_id=user.id,
            action="user.added",
            subjects={"user": user.id},
            details={"role": user.role.value, "bootstrap": "true"},
        )
        answer = UserAnswer.of(user)
        uow.commit()
    return answer


def add_user(cmd: AddUser, uow: UnitOfWork, clock: Clock) -> UserAnswer:
    with uow:
        actor = acting(uow, cmd.actor_id, Act.MANAGE_USERS)
        user = User.new(cmd.user_id, cmd.name, cmd.role, team=cmd.team, mandate_ceiling=cmd.mandate_ceiling)
        uow.log.lock_head()  # user ids are checked and written one transaction at a time
        if uow.users.get(user.id) is not None:
            raise AlreadyExists(f"there is already a user {user.id}", field="user_id")
        uow.users.add(user)
        details = {"role": user.role.value, "team": user.team or ""}
        if user.mandate_ceiling is not None:
            details["mandate_ceiling"] = str(user.mandate_ceiling)
        record(
            uow, clock, actor_id=actor.id, action="user.added", subjects={"user": user.id}, details=details
        )
        answer = UserAnswer.of(user)
        uow.commit()
    return answer


def set_role(cmd: SetRole, uow: UnitOfWork, clock: Clock) -> UserAnswer:
    """One role per user. An admin cannot change their own role (that would give them aid powers)."""
    with uow:
        actor = acting(uow, cmd.actor_id, Act.MANAGE_USERS)
        if cmd.user_id == actor.id:
            raise Forbidden("an admin cannot change their own role")
        user = existing(uow.users.get(cmd.user_id), "user", cmd.user_id)
        previous = user.role
        user.change_role(cmd.role)
        record(
            uow,
            clock,
            actor_id=actor.id,
            action="user.role_changed",
            subjects={"user": user.id},
            details={"from": previous.value, "to": user.role.value},
        )
        answer = UserAnswer.of(user)
        uow.commit()
    return answer


def disable_user(cmd: DisableUser, uow: UnitOfWork, clock: Clock) -> UserAnswer:
    """Users are disabled, never deleted: the log names them."""
    with uow:
        actor = acting(uow, cmd.actor_id, Act.MANAGE_USERS)
        if cmd.user_id == actor.id:
            raise Forbidden("an admin cannot disable their own account")
        user = existing(uow.users.get(cmd.user_id), "user", cmd.user_id)
        user.disable()
        record(uow, clock, actor_id=actor.id, action="user.disabled", subjects={"user": user.id})
        answer = UserAnswer.of(user)
        uow.commit()
    return answer
