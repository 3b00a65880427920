"""Policy versions: the policy officer registers rule files with the date they take effect; an empty
installation gets its first version from the policy folder it was set up with."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from envelopes.domain.duties import Act
from envelopes.domain.errors import Conflict
from envelopes.domain.ids import brussels_date
from envelopes.domain.policies import PolicyVersion, policy_files
from envelopes.services.answers import PolicyVersionAnswer
from envelopes.services.commands import RegisterPolicyVersion
from envelopes.services.common import Clock, acting
from envelopes.services.engine import DecisionEngine
from envelopes.services.log import record
from envelopes.unit_of_work import UnitOfWork
from rules.sizes import DEFAULT_LIMITS, SizeLimits

SYSTEM_ACTOR = "system"  # reserved: users.RESERVED_IDS
"""The actor of what Mandaat does itself at installation, on the operator's command (`mandaat db upgrade`):
not a user account, so no role is checked; the operator's authority is holding the database."""

FIRST_EFFECTIVE_FROM = date(2000, 1, 1)
"""The first version is in force from this date: early enough for any request a dossier can hold."""


def register_policy_version(
    cmd: RegisterPolicyVersion,
    uow: UnitOfWork,
    engine: DecisionEngine,
    clock: Clock,
    limits: SizeLimits = DEFAULT_LIMITS,
) -> PolicyVersionAnswer:
    """Refused, with every `file:line:column: message`, when the files do not load or are larger than
    `limits` (the installation's, from its settings); nothing changes then."""
    with uow:
        actor = acting(uow, cmd.actor_id, Act.REGISTER_POLICY)
        policy = engine.compile(dict(policy_files(cmd.files)), limits)  # before any lock: it takes a while
        if cmd.expected_version is not None and cmd.expected_version != policy.version:
            raise Conflict(
                f"these rule files are version {policy.version}, not {cmd.expected_version}",
                field="expected_version",
            )
        uow.log.lock_head()  # registrations are checked and written one at a time
        now = clock()
        version = PolicyVersion.register(
            uow.policies.all(),
            version=policy.version,
            effective_from=cmd.effective_from,
            files=cmd.files,
            today=brussels_date(now),
            by=actor.id,
            at=now,
        )
        uow.policies.add(version)
        record(
            uow,
            clock,
            actor_id=actor.id,
            action="policy.registered",
            subjects={"policy_version": version.version},
            policy_version=version.version,
            details={"effective_from": version.effective_from.isoformat()},
        )
        uow.commit()
    return PolicyVersionAnswer.of(version)


@dataclass(frozen=True)
class PolicyInstallation:
    installed: bool  # False: versions were stored already, nothing changed
    in_force: PolicyVersionAnswer | None  # the version in force today (None: every stored one starts later)


def install_first_policy_version(
    files: Mapping[str, str],
    uow: UnitOfWork,
    engine: DecisionEngine,
    clock: Clock,
    limits: SizeLimits = DEFAULT_LIMITS,
) -> PolicyInstallation:
    """Store `files` (a policy folder's rule files) as the first version, in force from 2000-01-01, when the
    database holds no version yet; otherwise change nothing and say which version is in force today.

    Done by the system (`SYSTEM_ACTOR`), not by a user: it is how an installation starts, before anyone can
    log in. Later versions are registered by a policy user (`register_policy_version`), from today on."""
    with uow:
        now = clock()
        today = brussels_date(now)
        if uow.policies.all():
            return _already_installed(uow, today)
        policy = engine.compile(dict(policy_files(files)), limits)  # before the lock: it takes a while
        uow.log.lock_head()  # one installer at a time: a rival's version is visible once this is held
        if uow.policies.all():
            return _already_installed(uow, today)
        version = PolicyVersion.register(
            (),
            version=policy.version,
            effective_from=FIRST_EFFECTIVE_FROM,
            files=files,
            today=today,
            by=SYSTEM_ACTOR,
            at=now,
        )
        uow.policies.add(version)
        record(
            uow,
            clock,
            actor_id=SYSTEM_ACTOR,
            action="policy.registered",
            subjects={"policy_version": version.version},
            policy_version=version.version,
            details={"effective_from": version.effective_from.isoformat(), "bootstrap": "true"},
        )
        uow.commit()
    return PolicyInstallation(True, PolicyVersionAnswer.of(version))


def _already_installed(uow: UnitOfWork, today: date) -> PolicyInstallation:
    current = uow.policies.in_force_on(today)
    in_force = None if current is None else PolicyVersionAnswer.of(current)
    return PolicyInstallation(False, in_force)
