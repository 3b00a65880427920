"""The policy: the version in force today (themes, items, limits, parameters), every version, and new
versions from the policy officer. Rule files that do not load are refused with every
`file:line:column: message`, and nothing changes."""

from __future__ import annotations

from fastapi import APIRouter

from api.http.blocking import blocking, long_running
from api.http.deps import CurrentUser, PolicyOfficer, Services
from api.http.errors import problems
from api.http.schemas.policy import PolicyPublic, PolicyVersionCreate, PolicyVersionPublic
from envelopes.domain.errors import NoPolicyInForce
from envelopes.domain.ids import brussels_date
from envelopes.services import register_policy_version
from envelopes.services.commands import RegisterPolicyVersion

router = APIRouter(prefix="/policy", tags=["policy"], responses=problems(401, 403))
VERSIONS_PATH = "/policy/versions"  # takes rule files: a larger body limit (api/http/app.py)


@router.get("", responses=problems(409))
@blocking
def policy_in_force(user: CurrentUser, mandaat: Services) -> PolicyPublic:
    today = brussels_date(mandaat.clock())
    version = mandaat.views.policy_in_force(today)
    if version is None:
        raise NoPolicyInForce(f"no policy version is in force on {today.isoformat()}")
    return PolicyPublic.of(mandaat.decisions.policy(version), version.effective_from)


@router.get("/versions")
@blocking
def policy_versions(user: CurrentUser, mandaat: Services) -> list[PolicyVersionPublic]:
    """Every version ever registered, by the date it takes effect."""
    return [
        PolicyVersionPublic(
            version=row.version,
            effective_from=row.effective_from,
            registered_by=row.registered_by,
            registered_at=row.registered_at,
        )
        for row in mandaat.views.policy_versions()
    ]


@router.post("/versions", status_code=201, responses=problems(409, 413, 422))
@long_running
def register_version(
    body: PolicyVersionCreate, user: PolicyOfficer, mandaat: Services
) -> PolicyVersionPublic:
    """Register rule files, in force from `effective_from` (today or later). A policy holds at most
    `MANDAAT_POLICY_MAX_FILES` files of `MANDAAT_POLICY_MAX_FILE_BYTES` bytes, `MANDAAT_POLICY_MAX_BYTES`
    together and `MANDAAT_POLICY_MAX_ENTRIES` entries; more is refused with every limit named. The answer
    says who registered them, and when."""
    command = RegisterPolicyVersion(user.id, body.files, body.effective_from, body.expected_version)
    limits = mandaat.settings.policy_limits()
    answer = register_policy_version(command, mandaat.uow(), mandaat.decisions, mandaat.clock, limits)
    return PolicyVersionPublic(
        version=answer.version,
        effective_from=answer.effective_from,
        registered_by=answer.registered_by,
        registered_at=answer.registered_at,
    )
