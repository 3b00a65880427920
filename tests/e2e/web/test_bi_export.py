"""The finance CSV export (for the municipality's BI tool) holds no direct identifiers: after dossiers with
birth dates, a reference written like a national register number and a justification naming one, the export
holds none of them — the same scan as the decision log's export (tests/e2e/test_privacy_cli.py)."""

from __future__ import annotations

from datetime import date

from tests.e2e.http import world
from tests.e2e.http.conftest import Api
from tests.e2e.test_privacy_cli import findings
from tests.e2e.web.conftest import FINANCE, signed_in

REFERENCE = "RR-85.06.15-123.45"


def test_the_bi_export_holds_no_birth_dates_references_or_national_numbers(api: Api) -> None:
    dossier = world.open_dossier(api, reference=REFERENCE)
    body = world.aid_body(dossier, amount="75.00", justification="Rijksregisternummer 18.05.01-123.45")
    world.submit(api, body)
    world.approved_request(api, dossier)
    births = [date.fromisoformat(world.CHILD), date.fromisoformat(world.ADULT)]

    export = signed_in(api, FINANCE).get("/financien/export.csv")

    assert export.status_code == 200
    assert len(export.text.splitlines()) == 7  # a header and an envelope per theme: the scan has a text
    assert findings(export.text, births, [REFERENCE]) == []
    person = api.get(f"/dossiers/{dossier['id']}", as_=world.CASEWORKER).text  # the scan finds what it seeks
    assert {kind.split()[0] for kind in findings(person, births, [REFERENCE])} == {
        "birth",
        "reference",
        "number",
    }
