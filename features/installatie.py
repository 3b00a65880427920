"""De installatie waarvan elk scenario een kopie krijgt: gemaakt zoals een beheerder het doet, één keer per
testrun (de fixture `installaties` in conftest.py).

Een SQLite-bestand, gemigreerd met `upgrade(url)`; eventueel de regels van een beleidsmap als eerste
beleidsversie (zoals `mandaat db upgrade`); een account per persoon uit wereld.py, met een wachtwoord (zoals
`mandaat users`). Elk scenario krijgt een kopie (SQLite's backup-API): wat het verandert, blijft van hem.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from wereld import PERSONEN

from api.auth.access import Client
from api.composition import build
from api.settings import Settings
from envelopes.domain.ids import BRUSSELS
from envelopes.persistence.migrate import upgrade
from envelopes.services import add_user, bootstrap_admin, install_first_policy_version
from envelopes.services.commands import AddUser, BootstrapAdmin
from envelopes.services.engine import DecisionEngine

SNEL_HASHEN: dict[str, Any] = {"argon2_time_cost": 1, "argon2_memory_kib": 1024, "argon2_parallelism": 1}
"""Goedkope argon2-parameters (zoals FAST_HASHING in tests/benchmarks/bench_http.py): elke app maakt bij het
starten een hash, en elke aanmelding controleert er een."""

GEHEIM = "features-" + "geheim-" * 6
"""De sleutel die de toegangstokens ondertekent (minstens 32 tekens)."""

WACHTWOORD = "een lang wachtwoord voor elk scenario"
GEINSTALLEERD = datetime(2025, 1, 1, 9, 0, tzinfo=BRUSSELS)
"""Wanneer de installatie gemaakt werd: vóór elke datum in de scenario's."""


def instellingen(url: str) -> Settings:
    """De instellingen van een installatie voor één scenario."""
    return Settings(database_url=url, secret_key=GEHEIM, **SNEL_HASHEN)


@dataclass(frozen=True)
class Installatie:
    bestand: Path  # het SQLite-bestand om te kopiëren
    beleid: Path | None  # de beleidsmap van de eerste beleidsversie; None: nog geen beleid
    beslissingen: DecisionEngine  # gedeeld: elk beleid wordt één keer per testrun gecompileerd

    def kopie(self, map_: Path) -> str:
        """Een kopie in `map_`: haar database-URL."""
        kopie = map_ / f"mandaat-{uuid.uuid4().hex[:8]}.db"
        with sqlite3.connect(self.bestand) as bron, sqlite3.connect(kopie) as doel:
            bron.backup(doel)
        return f"sqlite:///{kopie}"


def installeer(beleid: Path | None, bestand: Path, beslissingen: DecisionEngine) -> Installatie:
    url = f"sqlite:///{bestand}"
    upgrade(url)
    mandaat = build(instellingen(url), clock=lambda: GEINSTALLEERD, decisions=beslissingen)
    try:
        if beleid is not None:
            bestanden = {pad.name: pad.read_text("utf-8") for pad in sorted(beleid.glob("*.yaml"))}
            install_first_policy_version(bestanden, mandaat.uow(), beslissingen, mandaat.clock)
        (_, beheerder), *anderen = PERSONEN
        bootstrap_admin(BootstrapAdmin(beheerder.id, beheerder.naam), mandaat.uow(), mandaat.clock)
        for _, persoon in anderen:
            commando = AddUser(beheerder.id, persoon.id, persoon.naam, persoon.rol)
            add_user(commando, mandaat.uow(), mandaat.clock)
        opdrachtregel = Client(None, "CLI", "mandaat users set-password")
        for _, persoon in PERSONEN:
            mandaat.access.set_password(persoon.id, WACHTWOORD, opdrachtregel)
    finally:
        mandaat.close()
    return Installatie(bestand, beleid, beslissingen)
