"""The engine's reasons as plain JSON, for the log, the stored request and stored answers."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from rules.decision import Reason


def reason_to_json(reason: Reason) -> dict[str, Any]:
    return {
        "rule": reason.rule,
        "text_nl": reason.text_nl,
        "text_en": reason.text_en,
        "basis": reason.basis,
        "figures": dict(sorted(reason.figures.items())),
    }


def reason_from_json(data: Mapping[str, Any]) -> Reason:
    return Reason(
        rule=str(data["rule"]),
        text_nl=str(data["text_nl"]),
        text_en=str(data["text_en"]),
        basis=str(data["basis"]),
        figures=MappingProxyType({str(k): str(v) for k, v in data["figures"].items()}),
    )
