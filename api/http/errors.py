"""Every error as RFC 9457 problem details (`application/problem+json`), from one place.

- `DomainError` (the one hierarchy: the domain's refusals and the way in's) → its `status`, a stable `type`
  (`urn:mandaat:problem:<code>`), a title, the detail, and for invalid input the field at fault in `errors`
  (named as the API names it: `beneficiary_id`, not the domain's `beneficiary_key`).
- Request validation → 422 `validation-error` with every field at fault, up to `MAX_LISTED_ERRORS` of them
  and how many more there were (`more_errors`): an answer stays small whatever was sent.
- Routing (unknown path, method not allowed) → 404 / 405 problems; anything unexpected → 500 without detail
  (logged once, without its message, by `failures.FailureLog`).

Refusals (401, 403, and a caseworker asking for someone else's dossier, or acting on it) are written to the
access log. Someone else's dossier, or a request on it, is answered as one that does not exist (404), whether
it is read or acted on (`others_hidden`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth.access import Client
from api.auth.errors import NotAuthenticated, RoleNotAllowed, TooManyAttempts
from api.http.failures import unexpected
from api.http.schemas.common import FieldError, Problem
from envelopes.domain.errors import DomainError, InvalidInput, NotAssigned, NotFound, PolicyRejected

PROBLEM_JSON = "application/problem+json"
API_PREFIX = "/api/v1"
_TEMPORARY_FOLDER = re.compile(r"^\S*mandaat-policy-[^/:\s]*(?::0:0)?: ")
TYPE_PREFIX = "urn:mandaat:problem:"

TITLES: Mapping[str, str] = {
    "domain_error": "Refused",
    "not_found": "Not found",
    "forbidden": "Forbidden",
    "role_not_allowed": "Not allowed for this role",
    "not_assigned": "Not your client dossier",
    "own_request": "Your own request",
    "conflict": "Conflict",
    "invalid_input": "Invalid input",
    "control_character": "Control character in a text",
    "already_exists": "Already exists",
    "invalid_transition": "Not possible in this state",
    "insufficient_funds": "Insufficient funds",
    "envelope_frozen": "Envelope frozen",
    "no_envelope": "No envelope",
    "no_policy_in_force": "No policy in force",
    "idempotency_key_reused": "Idempotency key used for another request",
    "policy_rejected": "Rule files rejected",
    "unauthenticated": "Not signed in",
    "invalid_credentials": "Invalid credentials",
    "too_many_attempts": "Too many failed sign-ins",
    "weak_password": "Password too weak",
    "validation_error": "Invalid request",
    "body_too_large": "Request body too large",
    "method_not_allowed": "Method not allowed",
    "internal_error": "Internal error",
}

#: The domain's field names, as the API calls them.
API_FIELDS: Mapping[str, str] = {
    "beneficiary_key": "beneficiary_id",
    "idempotency_key": "Idempotency-Key",
    "allocation": "amount",
    "year": "period",
    "question": "motivation",
}
_HEADER_FIELDS = {"Idempotency-Key"}
MAX_LISTED_ERRORS = 20
"""An error answer lists at most this many fields at fault (or rule-file problems), and says how many more."""


class HiddenDossier(NotFound):
    """A caseworker asked for a dossier (or a request on one) assigned to someone else: answered exactly as
    a dossier that does not exist, and written to the access log as a refusal."""

    def __init__(self, what: str, identifier: str) -> None:
        super().__init__(f"there is no {what} {identifier}")


@contextmanager
def others_hidden(what: str, identifier: str) -> Iterator[None]:
    """A caseworker's act on another caseworker's dossier (or a request on it), which the use case refuses
    (`NotAssigned`), is answered exactly as an act on one that does not exist: no answer may tell that it is
    there. Written to the access log as a refusal, as a read of it is."""
    try:
        yield
    except NotAssigned:
        raise HiddenDossier(what, identifier) from None


def problem_type(code: str) -> str:
    return TYPE_PREFIX + code.replace("_", "-")


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    errors: Sequence[Mapping[str, str]] | None = None,
    more_errors: int = 0,
    figures: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    retry_after: int | None = None,
    oauth_error: str | None = None,
) -> JSONResponse:
    body = Problem(
        type=problem_type(code),
        title=TITLES.get(code, code.replace("_", " ").capitalize()),
        status=status,
        detail=detail,
        code=code,
        errors=None if errors is None else [FieldError(**error) for error in errors],
        more_errors=more_errors or None,
        figures=None if not figures else dict(figures),
        retry_after=retry_after,
        error=oauth_error,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


def client_of(request: Request) -> Client:
    route = request.scope.get("route")
    template = getattr(route, "path", None) or "(no route)"
    if request.url.path.startswith(API_PREFIX) and not template.startswith(API_PREFIX):
        template = API_PREFIX + template  # the route's path within its router
    address = request.client.host if request.client is not None else None
    return Client(address=address, method=request.method, route=template)


def _field_errors(error: DomainError) -> list[dict[str, str]] | None:
    if isinstance(error, PolicyRejected):
        return [
            {"field": "files", "location": "body", "message": _shown(problem)}
            for problem in error.problems[:MAX_LISTED_ERRORS]
        ]
    if error.field is None:
        return None if not isinstance(error, InvalidInput) else []
    field = API_FIELDS.get(error.field, error.field)
    location = "header" if field in _HEADER_FIELDS else "body"
    return [{"field": field, "location": location, "message": error.message}]


def _shown(problem: str) -> str:
    """A rule-file problem as the sender can read it: the files are checked in a private temporary folder,
    whose path means nothing to them (problems about the set as a whole name it, at line 0)."""
    return _TEMPORARY_FOLDER.sub("(the rule files): ", problem)


def _record_refusal(request: Request, status: int, reason: str, user_id: str | None) -> None:
    try:
        request.app.state.mandaat.access.refused(client_of(request), status, reason, user_id)
    except Exception as error:  # the refusal is answered even when the access log cannot be written
        unexpected("could not write a refused access to the access log", error)


def _domain_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    headers: dict[str, str] = {}
    user_id = getattr(request.state, "user_id", None)
    if isinstance(error, NotAuthenticated):
        headers["WWW-Authenticate"] = (
            "Bearer" if error.reason == "missing" else 'Bearer error="invalid_token"'
        )
        _record_refusal(request, error.status, error.reason, user_id or error.user_id)
    elif error.status == 403:
        _record_refusal(request, 403, "role" if isinstance(error, RoleNotAllowed) else error.code, user_id)
    elif isinstance(error, HiddenDossier):
        _record_refusal(request, 404, "not_assigned", user_id)
    retry_after = None
    if isinstance(error, TooManyAttempts):
        retry_after = error.retry_after
        headers["Retry-After"] = str(error.retry_after)
    detail, more = error.message, 0
    if isinstance(error, PolicyRejected):
        listed = [_shown(problem) for problem in error.problems[:MAX_LISTED_ERRORS]]
        more = len(error.problems) - len(listed)
        detail = (
            "the rule files do not load:\n" + "\n".join(listed) + (f"\n… and {more} more" if more else "")
        )
    return problem(
        error.status,
        error.code,
        detail,
        errors=_field_errors(error),
        more_errors=more,
        figures=error.figures,
        headers=headers,
        retry_after=retry_after,
        oauth_error="invalid_grant" if error.code == "invalid_credentials" else None,
    )


def _location(loc: Sequence[int | str]) -> tuple[str, str]:
    """A pydantic error location as (field, where): ('body', 'members', 0, 'birth_date') is
    ('members[0].birth_date', 'body')."""
    where = str(loc[0]) if loc else "body"
    field = ""
    for part in loc[1:]:
        if isinstance(part, int):
            field += f"[{part}]"
        else:
            field += ("." if field else "") + str(part)
    if where == "header":
        field = "-".join(word.capitalize() for word in field.split("-"))
    return field or where, where


def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    found = error.errors()
    errors = []
    for item in found[:MAX_LISTED_ERRORS]:
        field, where = _location(tuple(item.get("loc", ())))
        errors.append({"field": field, "location": where, "message": str(item.get("msg", "invalid"))})
    more = len(found) - len(errors)
    fields = ", ".join(dict.fromkeys(e["field"] for e in errors)) + (f" and {more} more" if more else "")
    detail = f"the request is not valid: {fields}"
    return problem(422, "validation_error", detail, errors=errors, more_errors=more)


def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 405:
        return problem(
            405, "method_not_allowed", f"{request.method} is not allowed here", headers=error.headers
        )
    if error.status_code == 404:
        return problem(404, "not_found", "there is nothing at this address")
    if error.status_code == 400:  # a body that cannot even be parsed: invalid input like any other
        message = f"the body cannot be read: {error.detail}"
        errors = [{"field": "body", "location": "body", "message": message}]
        return problem(422, "validation_error", f"the request is not valid: {message}", errors=errors)
    code = "domain_error" if error.status_code < 500 else "internal_error"
    return problem(error.status_code, code, str(error.detail), headers=error.headers)


def _unexpected(request: Request, error: Exception) -> JSONResponse:
    """The answer to an error nobody expected; Starlette raises it again after, and `FailureLog` logs it."""
    return problem(500, "internal_error", "something went wrong on our side; nothing was changed")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


# --- OpenAPI ------------------------------------------------------------------------------------------------

_DESCRIPTIONS = {
    400: "Bad request (problem details)",
    401: "Not signed in, or the token no longer counts (problem details)",
    403: "Not allowed for this role or this user (problem details)",
    404: "Not found, or not visible to this user (problem details)",
    409: "Not possible in the current state (problem details)",
    413: "The request body is larger than this address takes (problem details)",
    422: "Invalid input, with each field at fault (problem details)",
    429: "Too many failed sign-ins; see Retry-After (problem details)",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The documented error answers of a route: each a Problem, as application/problem+json."""
    return {status: {"model": Problem, "description": _DESCRIPTIONS[status]} for status in statuses}


def problem_media_types(openapi: dict[str, Any]) -> dict[str, Any]:
    """Error answers are application/problem+json (FastAPI writes application/json for every model)."""
    for operations in openapi.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content")
                if status.isdigit() and int(status) >= 400 and content and "application/json" in content:
                    response["content"] = {PROBLEM_JSON: content.pop("application/json")}
    schemas = openapi.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return openapi
