"""Mandaat over HTTP, voor de scenario's: de echte FastAPI-app op een kopie van een installatie
(installatie.py), met echte accounts.

Elk scenario krijgt een eigen app, `create_app(settings, services=build(settings, clock=…))`, met een klok die
stilstaat op een dag die het scenario kiest. De app draait helemaal (lifespan, authenticatie, JSON-schema's,
problem+json) in een starlette-TestClient; de mensen melden zich aan via POST /api/v1/auth/token (het
OAuth2-wachtwoordformulier) en sturen daarna hun token mee.
"""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from installatie import WACHTWOORD, Installatie, instellingen
from wereld import Geweigerd, Weigering

from api.composition import Mandaat, build
from api.http.app import create_app

with warnings.catch_warnings():  # starlette raadt httpx2 aan; de TestClient werkt zoals hij is
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

API = "/api/v1"

# Hoe pydantic zegt dat een veld leeg is of ontbreekt.
_ONTBREEKT = {"Field required", "String should have at least 1 character"}


class Klok:
    """De klok van de app in een scenario: ze staat stil."""

    def __init__(self, nu: datetime) -> None:
        self.nu = nu

    def __call__(self) -> datetime:
        return self.nu


@dataclass(frozen=True)
class Gebruiker:
    """Iemand die zich aanmeldde: elk verzoek draagt zijn token."""

    id: str
    client: TestClient
    token: str

    def vraag(self, methode: str, pad: str, json: Any = None, **opties: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}", **opties.pop("headers", {})}
        url = API + pad
        verzoek: httpx.Response = self.client.request(methode, url, json=json, headers=headers, **opties)
        return verzoek

    def lees(self, pad: str) -> Any:
        """Een GET die moet lukken: het JSON-antwoord."""
        return antwoord(self.vraag("GET", pad), 200)

    def doe(self, pad: str, json: Any, status: int, **opties: Any) -> Any:
        """Een POST: het JSON-antwoord als het `status` is, `Geweigerd` als Mandaat weigerde."""
        return antwoord(self.vraag("POST", pad, json, **opties), status)

    def vraag_hulp(self, aanvraag: dict[str, Any]) -> Any:
        """POST /aid-requests, met een nieuwe Idempotency-Key."""
        return self.doe("/aid-requests", aanvraag, 201, headers={"Idempotency-Key": uuid.uuid4().hex})


@dataclass
class App:
    """Eén app op een eigen kopie van een installatie."""

    client: TestClient
    mandaat: Mandaat  # dezelfde database, voor wat de API niet kan (zie wereld_over_http.py)
    installatie: Installatie
    _aangemeld: dict[str, Gebruiker] = field(default_factory=dict)

    def als(self, wie: str) -> Gebruiker:
        """De gebruiker met id `wie`, aangemeld bij zijn eerste verzoek."""
        if wie not in self._aangemeld:
            self._aangemeld[wie] = self.meld_aan(wie)
        return self._aangemeld[wie]

    def meld_aan(self, wie: str) -> Gebruiker:
        """POST /auth/token met het wachtwoordformulier van OAuth2."""
        gegeven = {"username": wie, "password": WACHTWOORD}
        token = antwoord(self.client.post(f"{API}/auth/token", data=gegeven), 200)
        assert token["token_type"].lower() == "bearer", token
        return Gebruiker(wie, self.client, str(token["access_token"]))


@contextmanager
def app_op_een_kopie(installatie: Installatie, map_: Path, klok: Klok) -> Iterator[App]:
    """Een kopie van de installatie in `map_` en een app erop met `klok`, tot het einde van het blok."""
    settings = instellingen(installatie.kopie(map_))
    mandaat = build(settings, clock=klok, decisions=installatie.beslissingen)
    try:
        with TestClient(create_app(settings, services=mandaat)) as client:
            yield App(client, mandaat, installatie)
    finally:
        mandaat.close()


def antwoord(verzoek: httpx.Response, status: int) -> Any:
    """Het JSON-antwoord als de status `status` is; `Geweigerd` voor een weigering (4xx, als problem+json);
    een AssertionError voor al de rest."""
    if verzoek.status_code == status:
        return verzoek.json()
    soort = verzoek.headers.get("content-type", "")
    if 400 <= verzoek.status_code < 500:
        assert soort.startswith("application/problem+json"), (
            f"{verzoek.request.method} {verzoek.request.url.path}: een weigering ({verzoek.status_code}) "
            f"hoort application/problem+json te zijn, niet {soort!r}: {verzoek.text}"
        )
        raise Geweigerd(uit_probleem(verzoek.json()))
    raise AssertionError(
        f"{verzoek.request.method} {verzoek.request.url.path}: verwacht {status}, "
        f"kreeg {verzoek.status_code}: {verzoek.text}"
    )


def uit_probleem(probleem: dict[str, Any]) -> Weigering:
    """Een weigering zoals de API ze terugstuurt (RFC 9457): het eerste veld in `errors` is het veld."""
    fouten = probleem.get("errors") or []
    veld = str(fouten[0]["field"]) if fouten else None
    bericht = str(fouten[0]["message"]) if fouten else ""
    return Weigering(
        str(probleem["code"]),
        str(probleem["detail"]),
        veld,
        {str(k): str(v) for k, v in (probleem.get("figures") or {}).items()},
        ontbreekt=bericht in _ONTBREEKT or bericht == f"{veld} is required",
    )
