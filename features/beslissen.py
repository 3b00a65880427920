"""Hoe er in de regelscenario's beslist wordt: een aanvraag (een JSON-object) in, een `Beslissing` uit.

Een `Beslisser` krijgt de aanvraag zoals `mandaat decide` en de engine ze ontvangen, en alle budgetten van het
scenario; hij geeft de beslissing terug zoals de JSON van een beslissing ze geeft. Er zijn er twee:

    beslis_met_de_engine  (hier)                    de engine rechtstreeks, met de feiten van het scenario
    beslis_over_http      (beslissen_over_http.py)  de echte app: de feiten worden eerst echte toestand

De fixture `beslisser_voor` in conftest.py kiest, naar de backend van de test.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rules.evaluation import evaluate
from rules.loader import load_policy
from rules.model import Policy
from rules.request import parse_request


@dataclass(frozen=True)
class Reden:
    regel: str
    tekst: str
    basis: str


@dataclass(frozen=True)
class Beslissing:
    uitkomst: str  # "approve" | "escalate"
    redenen: tuple[Reden, ...]
    parameters: Mapping[str, str]
    parameters_volgens: str = "de beslissing"  # waar de gebruikte parameterwaarden vandaan komen

    @classmethod
    def uit_json(cls, data: Mapping[str, Any], **meer: Any) -> Beslissing:
        """Uit de JSON van een beslissing (`Decision.to_json()`, `mandaat decide`, de API)."""
        return cls(
            uitkomst=str(data["outcome"]),
            redenen=tuple(
                Reden(str(r["rule"]), str(r.get("text_nl") or r["text"]), str(r.get("basis", "")))
                for r in data["reasons"]
            ),
            parameters={str(k): str(v) for k, v in data.get("parameters", {}).items()},
            **meer,
        )

    def regels(self) -> list[str]:
        return sorted(reden.regel for reden in self.redenen)

    def uitleg(self) -> str:
        lijst = "\n".join(f"  - {r.regel}: {r.tekst}" for r in self.redenen) or "  (geen redenen)"
        return f"uitkomst {self.uitkomst}, redenen:\n{lijst}"


@dataclass
class Budget:
    beschikbaar: str  # "1200.00"
    bevroren: bool = False


Beslisser = Callable[[dict[str, Any], Mapping[str, Budget]], Beslissing]
"""(de aanvraag, alle budgetten van het scenario per thema) → de beslissing."""


@functools.cache
def beleid_uit(map_: Path) -> Policy:
    """Het beleid van een map, één keer geladen."""
    return load_policy(map_)


def beslis_met_de_engine(map_: Path) -> Beslisser:
    """Beslist rechtstreeks met de engine: aanvraag-JSON in, beslissings-JSON uit. Het budget van het thema
    staat in de aanvraag; de andere budgetten doen niet ter zake."""
    beleid = beleid_uit(map_)

    def beslis(aanvraag: dict[str, Any], budgetten: Mapping[str, Budget]) -> Beslissing:
        als_json = json.loads(json.dumps(aanvraag))  # alleen wat ook over de draad kan
        return Beslissing.uit_json(evaluate(beleid, parse_request(als_json)).to_json("nl"))

    return beslis
