"""The rules engine as the use cases see it: stored policy versions compiled once, and an evaluator.

The composition root passes `rules_engine()`; unit tests pass a `DecisionEngine` with a small fake evaluator.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

from envelopes.domain.errors import PolicyRejected
from envelopes.domain.policies import PolicyVersion
from envelopes.repositories import PolicyRepository
from rules import evaluate as evaluate_with_rules
from rules import load_policy
from rules.decision import Decision
from rules.errors import LoadError, PolicyError
from rules.model import Policy
from rules.request import DecisionRequest
from rules.sizes import DEFAULT_LIMITS, SizeLimits, too_many_files

Evaluator = Callable[[Policy, DecisionRequest], Decision]
Compiler = Callable[[Mapping[str, str], SizeLimits | None], Policy]
"""Rule files (name -> text) to a policy within the size limits (None: a stored version, admitted already);
raises rules.errors.PolicyError with every problem."""


class PolicyIntegrityError(RuntimeError):
    """Stored rule files no longer hash to the version they are stored under: the store was tampered with."""


class DecisionEngine:
    def __init__(self, compile_files: Compiler, evaluate: Evaluator) -> None:
        self._compile_files = compile_files
        self._evaluate = evaluate
        self._compiled: dict[str, Policy] = {}
        self._lock = threading.Lock()

    def compile(self, files: Mapping[str, str], limits: SizeLimits | None = DEFAULT_LIMITS) -> Policy:
        """Compile rule files (refused with every `file:line:column: message`, also when they are larger
        than `limits`), and keep the result."""
        try:
            policy = self._compile_files(files, limits)
        except PolicyError as error:
            raise PolicyRejected(str(problem) for problem in error.errors) from None
        with self._lock:
            self._compiled.setdefault(policy.version, policy)
        return policy

    def policy(self, version: PolicyVersion) -> Policy:
        """The compiled policy of a stored version (compiled once per process)."""
        with self._lock:
            known = self._compiled.get(version.version)
        if known is not None:
            return known
        policy = self.compile(version.file_map(), None)  # admitted when it was registered
        if policy.version != version.version:
            raise PolicyIntegrityError(
                f"the rule files stored as version {version.version} hash to {policy.version}"
            )
        return policy

    def in_force_on(self, policies: PolicyRepository, day: date) -> Policy | None:
        """The compiled policy of the version in force on `day`. Only the version's hash is read from the
        store, unless this process has not compiled that version yet."""
        version = policies.version_in_force_on(day)
        if version is None:
            return None
        with self._lock:
            known = self._compiled.get(version)
        if known is not None:
            return known
        stored = policies.get(version)
        return None if stored is None else self.policy(stored)

    def evaluate(self, policy: Policy, request: DecisionRequest) -> Decision:
        decision = self._evaluate(policy, request)
        if decision.policy_version != policy.version:
            raise PolicyIntegrityError("the engine decided with another policy version than it was given")
        return decision


def load_policy_files(files: Mapping[str, str], limits: SizeLimits | None) -> Policy:
    """Write the rule files to a private folder and load them with `rules.load_policy` (which hashes them).
    More files than `limits` allow are refused before any is written."""
    with tempfile.TemporaryDirectory(prefix="mandaat-policy-") as folder:
        if limits is not None and len(files) > limits.files:
            raise PolicyError([LoadError(folder, 0, 0, too_many_files(len(files), limits.files))])
        for name, text in files.items():
            (Path(folder) / name).write_bytes(text.encode("utf-8", "surrogatepass"))  # the loader says
        return load_policy(Path(folder), limits)


def rules_engine() -> DecisionEngine:
    """The real engine: `rules.load_policy` and `rules.evaluate`."""
    return DecisionEngine(load_policy_files, evaluate_with_rules)
