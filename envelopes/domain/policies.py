"""Policy versions: the rule files' content, its hash (the policy version) and the date it takes effect.

Versions are kept forever, so that any logged decision can be replayed against the version it names. The
version in force on a date is the one with the latest effective date on or before it. A new version takes
effect today or later: registering one never changes what was in force on a day that has passed (except the
first version, which starts the history).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from envelopes.domain.errors import AlreadyExists, InvalidInput

_FILE_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}\.yaml$")
_VERSION = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class PolicyVersion:
    version: str  # the content hash of the rule files, as the rules loader computes it
    effective_from: date
    files: tuple[tuple[str, str], ...]  # (file name in the policy folder, its text), sorted by name
    registered_by: str
    registered_at: datetime

    @classmethod
    def register(
        cls,
        existing: Iterable[PolicyVersion],
        *,
        version: str,
        effective_from: date,
        files: Mapping[str, str],
        today: date,
        by: str,
        at: datetime,
    ) -> PolicyVersion:
        if not _VERSION.fullmatch(version):
            raise ValueError(f"{version!r} is not a policy version (a sha256 in hex)")
        dates = {known.effective_from for known in existing}
        if effective_from in dates:
            raise AlreadyExists(
                f"a policy version already takes effect on {effective_from.isoformat()}",
                field="effective_from",
            )
        if dates and effective_from < today:
            raise InvalidInput(
                f"a new version takes effect today ({today.isoformat()}) or later: what was in force on a "
                "past day never changes",
                field="effective_from",
            )
        return cls(version, effective_from, policy_files(files), by, at)

    def file_map(self) -> dict[str, str]:
        return dict(self.files)


def policy_files(files: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The rule files of a policy folder, checked: plain `*.yaml` names directly in the folder."""
    if not files:
        raise InvalidInput("a policy has at least one rule file", field="files")
    for name in files:
        if not _FILE_NAME.fullmatch(name):
            raise InvalidInput(f'"{name}" is not a rule file name (name.yaml, no folders)', field="files")
    return tuple(sorted(files.items()))


def in_force_on(versions: Iterable[PolicyVersion], day: date) -> PolicyVersion | None:
    """The version with the latest effective date on or before `day`."""
    candidates = [v for v in versions if v.effective_from <= day]
    return max(candidates, key=lambda v: v.effective_from, default=None)
