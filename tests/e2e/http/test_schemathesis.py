"""Schemathesis against the application's own OpenAPI document, signed in as each role in turn.

Every operation gets schema-conforming requests (positive) and requests that break the schema (negative).
The checks: no server error; the status code, content type and headers documented; the body conforming to
the documented schema; invalid input refused; authentication enforced where it is declared. Schema-conforming
ids would almost never name anything, so positive requests use ids that exist (a dossier of the caseworker's,
an escalated request on it, envelopes). Examples are few and derandomized: quick and reproducible.

(Schemathesis' own pytest plugin needs a pytest internal that pytest 9 removed, so each operation is driven
through its documented Hypothesis strategy, `operation.as_strategy(mode)`.)
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.http.app import create_app
from envelopes.domain.users import Role
from tests.e2e.http import world
from tests.e2e.http.conftest import USERS, Api, Installation, fresh_api, settings_for

MAX_EXAMPLES = 5
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
]
_OPENAPI = create_app(settings_for("sqlite:///never-opened.db")).openapi()
OPERATIONS = [
    (method.upper(), path) for path, operations in _OPENAPI["paths"].items() for method in operations
]
NOTHING_TO_BREAK = {  # no parameter and no body: no request can break the schema
    (method.upper(), path)
    for path, operations in _OPENAPI["paths"].items()
    for method, operation in operations.items()
    if not operation.get("parameters") and "requestBody" not in operation
}
CASES = [
    pytest.param(operation, mode, id=f"{operation[0]} {operation[1]} {mode.value}")
    for operation in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE or operation not in NOTHING_TO_BREAK
]


@dataclass(frozen=True)
class SignedIn:
    api: Api
    headers: dict[str, str]
    schema: Any
    existing: dict[str, str]


@pytest.fixture(scope="module", params=list(Role), ids=lambda role: role.value)
def signed_in(
    request: pytest.FixtureRequest, installation: Installation, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SignedIn]:
    for api in fresh_api(installation, tmp_path_factory.mktemp("schemathesis")):
        dossier = world.open_dossier(api)
        world.approved_request(api, dossier)
        existing = {
            "dossier_id": dossier["id"],
            "beneficiary_id": dossier["members"][0]["id"],
            "request_id": world.escalated_request(api, dossier)["id"],
            "envelope_id": api.envelopes["kleding"],
            "from_envelope_id": api.envelopes["kleding"],
            "to_envelope_id": api.envelopes["energie"],
        }
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
        headers = {"Authorization": f"Bearer {api.tokens[USERS[request.param]]}"}
        yield SignedIn(api, headers, schema, existing)


@pytest.mark.parametrize(("operation", "mode"), CASES)
def test_the_api_keeps_its_own_contract(
    signed_in: SignedIn, operation: tuple[str, str], mode: GenerationMode
) -> None:
    method, path = operation
    api_operation = signed_in.schema[path][method]
    fixed = None
    if mode is GenerationMode.POSITIVE:
        names = [p.name for p in api_operation.path_parameters]
        fixed = {name: signed_in.existing[name] for name in names if name in signed_in.existing} or None

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=api_operation.as_strategy(mode, path_parameters=fixed))
    def exchange(case: Case) -> None:
        if mode is GenerationMode.POSITIVE and isinstance(case.body, dict):
            for name, value in signed_in.existing.items():
                if isinstance(case.body.get(name), str):
                    case.body[name] = value
        case.call_and_validate(headers=signed_in.headers, checks=CHECKS)

    exchange()
