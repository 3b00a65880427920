"""The policy over HTTP: the version in force with its themes, items, limits and parameters; new versions
from the policy officer; a broken set refused with every path:line:column and nothing changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.http import world
from tests.e2e.http.conftest import Api, demo_files

POLICY = world.POLICY
BAD_POLICIES = Path(__file__).resolve().parents[2] / "fixtures" / "bad_policies"


def test_the_policy_in_force_shows_its_themes_items_limits_and_parameters(api: Api) -> None:
    response = api.get("/policy", as_="anna")

    assert response.status_code == 200
    policy = response.json()
    assert len(policy["version"]) == 64
    assert policy["effective_from"] == "2000-01-01"
    kleding = next(theme for theme in policy["themes"] if theme["key"] == "kleding")
    shoes = next(item for item in kleding["items"] if item["key"] == "winterschoenen")
    assert shoes["title"] == {"nl": "Winterschoenen", "en": "Winter shoes"}
    assert shoes["delegated_when"] == "beneficiary.age < meerderjarigheid"
    assert {limit["rule"] for limit in shoes["limits"]} == {
        "kleding.winterschoenen.amount_per_request",
        "kleding.winterschoenen.count_per_beneficiary_winter_season",
    }
    values = {p["name"]: p["values"] for p in policy["parameters"]}
    assert [v["value"] for v in values["winterschoenen_max"]] == ["60.00", "65.00"]


def test_a_new_version_is_registered_from_a_date(api: Api) -> None:
    files = demo_files()

    response = api.post("/policy/versions", as_=POLICY, json={"files": files, "effective_from": "2027-01-01"})

    assert response.status_code == 201
    version = response.json()
    assert version["effective_from"] == "2027-01-01"
    assert (version["registered_by"], version["registered_at"]) == (POLICY, "2026-11-23T09:00:00Z")
    listed = api.get("/policy/versions", as_="anna").json()
    assert listed[-1] == version  # the answer is the version as it is listed
    assert [(v["effective_from"], v["registered_by"]) for v in listed] == [
        ("2000-01-01", "system"),
        ("2027-01-01", POLICY),
    ]
    again = api.post("/policy/versions", as_=POLICY, json={"files": files, "effective_from": "2027-01-01"})
    assert again.status_code == 409
    past = api.post("/policy/versions", as_=POLICY, json={"files": files, "effective_from": "2026-11-22"})
    assert past.status_code == 422
    assert past.json()["errors"][0]["field"] == "effective_from"
    tested = api.post(
        "/policy/versions",
        as_=POLICY,
        json={"files": files, "effective_from": "2027-02-01", "expected_version": "0" * 64},
    )
    assert tested.status_code == 409


@pytest.mark.parametrize(
    "folder", ["yaml_syntax_error", "unknown_key", "limit_unknown_parameter", "no_general_file"]
)
def test_a_broken_set_is_refused_with_every_error_and_changes_nothing(api: Api, folder: str) -> None:
    files = {
        path.name: path.read_text(encoding="utf-8") for path in sorted((BAD_POLICIES / folder).glob("*.yaml"))
    }
    head = api.log_head()

    response = api.post("/policy/versions", as_=POLICY, json={"files": files, "effective_from": "2027-01-01"})

    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "urn:mandaat:problem:policy-rejected"
    assert problem["errors"]
    for error in problem["errors"]:
        assert error["field"] == "files"
        assert "mandaat-policy-" not in error["message"]  # never the server's temporary folder
    located = [e["message"] for e in problem["errors"] if not e["message"].startswith("(the rule files)")]
    assert all(message.split(":")[0].endswith(".yaml") for message in located)
    assert all(message.split(":")[1].isdigit() and message.split(":")[2].isdigit() for message in located)
    assert api.log_head() == head
    assert len(api.get("/policy/versions", as_=POLICY).json()) == 1


def test_rule_files_must_be_named_like_rule_files(api: Api) -> None:
    response = api.post(
        "/policy/versions", as_=POLICY, json={"files": {"../etc/passwd": "x"}, "effective_from": "2027-01-01"}
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].startswith("files")
