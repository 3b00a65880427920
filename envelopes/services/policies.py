"""Policy versions: the policy officer registers rule files with the date they take effect."""

from __future__ import annotations

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


def register_policy_version(
    cmd: RegisterPolicyVersion, uow: UnitOfWork, engine: DecisionEngine, clock: Clock
) -> PolicyVersionAnswer:
    """Refused, with every `file:line:column: message`, when the files do not load; nothing changes then."""
    with uow:
        actor = acting(uow, cmd.actor_id, Act.REGISTER_POLICY)
        policy = engine.compile(dict(policy_files(cmd.files)))  # before any lock: compiling takes a while
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
    return PolicyVersionAnswer(version.version, version.effective_from)
