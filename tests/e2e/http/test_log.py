"""The decision log over HTTP, for the auditor: entries in sequence, in pages, without personal data; the
chain verified, tampering named."""

from __future__ import annotations

from sqlalchemy import update

from envelopes.persistence import tables
from tests.e2e.http import world
from tests.e2e.http.conftest import Api

AUDITOR = world.AUDITOR


def test_the_log_is_read_in_sequence_and_in_pages(api: Api) -> None:
    dossier = world.open_dossier(api, reference="MA-SECRET-REF")
    world.approved_request(api, dossier)
    head = api.log_head()

    first = api.get("/log?limit=3", as_=AUDITOR).json()
    rest = api.get(f"/log?after={first['next_after']}&limit=1000", as_=AUDITOR).json()

    entries = first["entries"] + rest["entries"]
    assert [e["sequence"] for e in entries] == list(range(1, head + 1))
    assert first["next_after"] == 3
    assert rest["next_after"] is None
    last = entries[-1]
    assert (last["action"], last["actor_id"], last["outcome"]) == ("aid.submitted", "anna", "approve")
    assert last["facts"]["beneficiary_age"] == 8
    assert last["balances"][api.envelopes["kleding"]] == {"before": "5000.00", "after": "4945.00"}
    assert last["previous_hash"] == entries[-2]["hash"]
    text = str(entries)
    assert "MA-SECRET-REF" not in text
    assert "2018-05-01" not in text
    assert "waterdichte" not in text


def test_the_chain_verifies_and_names_the_first_tampered_entry(api: Api) -> None:
    world.approved_request(api, world.open_dossier(api))
    good = api.get("/log/verify", as_=AUDITOR).json()
    assert good["ok"] is True
    assert good["checked"] == good["head"]["sequence"] == api.log_head()
    assert good["first_bad"] is None
    checkpoint = f"{good['head']['sequence']}:{good['head']['hash']}"
    assert api.get(f"/log/verify?checkpoint={checkpoint}", as_=AUDITOR).json()["ok"] is True

    with api.mandaat.database.begin() as connection:
        connection.execute(
            update(tables.log_entries).where(tables.log_entries.c.sequence == 3).values(actor_id="x")
        )
    bad = api.get("/log/verify", as_="admin").json()

    assert bad["ok"] is False
    assert bad["first_bad"] == 3
    assert bad["problem"]


def test_a_malformed_checkpoint_is_refused(api: Api) -> None:
    response = api.get("/log/verify?checkpoint=12-abc", as_=AUDITOR)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "checkpoint"
