"""The errors of the rules package. Each carries enough to name what is wrong."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class LoadError:
    """One problem in a rule file, at a 1-based line and column."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


class PolicyError(Exception):
    """A policy folder that cannot be loaded. Holds every error found, in file and line order."""

    def __init__(self, errors: list[LoadError]) -> None:
        self.errors = tuple(sorted(errors))
        super().__init__("\n".join(str(error) for error in self.errors))


class EngineError(RuntimeError):
    """The rule engine did not complete an evaluation. Never a decision: the caller must not go on."""
