"""Every web page that shows a dossier's household is written to the access log before it is shown: the
dossier page, a caseworker's request form and request page, the committee's escalation page. Who, when,
which dossier (its id, never its reference) and why, read back from the access log. So is every page that
shows aid requests (their texts), one entry per dossier; the list of dossiers (references only) is not."""

from __future__ import annotations

from envelopes.persistence.accounts import AccessEvent, SqlAccounts
from envelopes.persistence.database import make_session_factory
from tests.e2e.http import world
from tests.e2e.http.conftest import OTHER_CASEWORKER, Api
from tests.e2e.web.conftest import CASEWORKER, COMMITTEE, signed_in

READ = "dossier.read"


def reads(api: Api) -> list[AccessEvent]:
    """The dossier reads in the access log, oldest first."""
    with SqlAccounts(make_session_factory(api.mandaat.database), read_only=True) as store:
        return list(reversed(store.events(limit=1000, event=READ)))


def test_the_caseworkers_pages_with_the_household_are_reads(api: Api) -> None:
    dossier = world.open_dossier(api, reference="MA-WEB-GEHEIM")
    aid = world.approved_request(api, dossier)
    browser = signed_in(api, CASEWORKER)  # lands on the list of dossiers: not a read
    assert reads(api) == []

    pages = (f"/dossiers/{dossier['id']}", f"/dossiers/{dossier['id']}/aanvraag", f"/aanvragen/{aid['id']}")
    for path in pages:
        assert browser.get(path).status_code == 200, path

    found = reads(api)
    assert [read.route for read in found] == [
        "/dossiers/{dossier_id}",
        "/dossiers/{dossier_id}/aanvraag",
        "/aanvragen/{request_id}",
    ]
    assert {(read.user_id, read.dossier_id, read.detail, read.purpose) for read in found} == {
        (CASEWORKER, dossier["id"], "case_work", "case work")
    }
    assert {read.at for read in found} == {api.clock()}
    assert all("MA-WEB-GEHEIM" not in repr(read) and world.CHILD not in repr(read) for read in found)


def test_a_form_shown_again_with_its_errors_is_a_read_too(api: Api) -> None:
    dossier = world.open_dossier(api)
    browser = signed_in(api, CASEWORKER)

    page = browser.post(f"/dossiers/{dossier['id']}/aanvraag", {"beneficiary": "", "amount": "x"})

    assert page.status_code == 422
    assert [(read.method, read.dossier_id) for read in reads(api)] == [("POST", dossier["id"])]


def test_the_list_of_dossiers_is_no_read(api: Api) -> None:
    world.escalated_request(api, world.open_dossier(api))

    assert signed_in(api, CASEWORKER).get("/dossiers").status_code == 200

    assert reads(api) == []


def test_the_pages_with_aid_requests_are_reads_of_their_dossiers(api: Api) -> None:
    mine, other = world.open_dossier(api), world.open_dossier(api)
    theirs = world.open_dossier(api, OTHER_CASEWORKER)
    world.escalated_request(api, mine)
    world.escalated_request(api, mine)
    returned = world.returned_request(api, other)
    ruled = world.escalated_request(api, theirs)
    refused = api.post(
        f"/escalations/{ruled['id']}/decision",
        as_=COMMITTEE,
        json={"decision": "refuse", "motivation": "nee"},
    )
    assert refused.status_code == 200
    caseworker, committee = signed_in(api, CASEWORKER), signed_in(api, COMMITTEE)
    shown = [
        (caseworker, "/aanvragen", {mine["id"], other["id"]}),
        (caseworker, f"/aanvragen/{returned['id']}/aanvullen", {other["id"]}),
        (committee, "/comite", {mine["id"], other["id"]}),  # waiting, and returned
        (committee, "/comite/beslist", {other["id"], theirs["id"]}),
    ]
    before = len(reads(api))

    for browser, path, dossiers in shown:
        assert browser.get(path).status_code == 200, path
        found = reads(api)[before:]
        before += len(found)
        assert {read.dossier_id for read in found} == dossiers, path
        assert len(found) == len(dossiers), path  # one entry per dossier, however many requests
        assert {read.purpose for read in found} <= {
            "case work (aid requests)",
            "committee ruling (aid requests)",
        }


def test_the_committees_escalation_page_is_a_read_for_its_ruling(api: Api) -> None:
    dossier = world.open_dossier(api, OTHER_CASEWORKER)
    escalated = world.escalated_request(api, dossier)
    browser = signed_in(api, COMMITTEE)  # lands on the queue: a read of its own (the test above)
    before = len(reads(api))

    page = browser.get(f"/comite/{escalated['id']}")
    ruling = browser.post(f"/comite/{escalated['id']}/beslissing", {"ruling": "approve", "amount": "75,00"})

    assert page.status_code == ruling.status_code == 200  # back on the queue, empty now: no read
    found = reads(api)[before:]
    assert [(read.method, read.route) for read in found] == [
        ("GET", "/comite/{request_id}"),
        ("POST", "/comite/{request_id}/beslissing"),
    ]
    assert {(read.user_id, read.dossier_id, read.detail) for read in found} == {
        (COMMITTEE, dossier["id"], "committee_ruling")
    }


def test_a_page_refused_is_no_read(api: Api) -> None:
    committee = signed_in(api, COMMITTEE)  # before there is a queue to land on (a read)
    theirs = world.open_dossier(api, OTHER_CASEWORKER)
    escalated = world.escalated_request(api, theirs)
    caseworker = signed_in(api, CASEWORKER)

    responses = [
        caseworker.get(f"/dossiers/{theirs['id']}"),
        caseworker.get(f"/aanvragen/{escalated['id']}"),
        caseworker.get(f"/comite/{escalated['id']}"),
        caseworker.get("/comite/0123456789abcdef0123456789abcdef"),
        committee.get("/comite/0123456789abcdef0123456789abcdef"),
    ]

    assert [response.status_code for response in responses] == [404, 404, 403, 403, 404]
    assert reads(api) == []
