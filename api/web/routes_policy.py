"""The policy: the version in force as the handbook (the same blocks as `mandaat rules explain`), every
version with the date it takes effect, and registering a new version from the rule files of a policy folder.
Rule files that do not load are refused with every `path:line:column: message`, and nothing changes."""

from __future__ import annotations

from pathlib import PurePath

from fastapi import APIRouter, Request, Response

from api.web.deps import CheckedForm, SignedIn, WebPolicyOfficer
from api.web.errors import WebRoute
from api.web.forms import Fields
from api.web.messages import refusal
from api.web.pages import page, redirect, session_of, web, words_of
from envelopes.domain.errors import DomainError
from envelopes.domain.ids import brussels_date
from envelopes.services import register_policy_version
from envelopes.services.commands import RegisterPolicyVersion
from rules.handbook import handbook_blocks

router = APIRouter(route_class=WebRoute, include_in_schema=False)

MAX_FILES, MAX_FILE_BYTES = 100, 1_000_000


@router.get("/beleid")
def handbook(request: Request, user: SignedIn) -> Response:
    mandaat = web(request).mandaat
    words = words_of(request)
    version = mandaat.views.policy_in_force(brussels_date(mandaat.clock()))
    if version is None:
        return page(request, "policy/handbook.html", blocks=[], version=None)
    policy = mandaat.decisions.policy(version)
    blocks = handbook_blocks(policy, "en" if words.lang == "en" else "nl")
    return page(request, "policy/handbook.html", blocks=blocks, version=version)


@router.get("/beleid/versies")
def versions(request: Request, user: WebPolicyOfficer) -> Response:
    return _versions_page(request, {}, {})


@router.post("/beleid/versies")
def register(request: Request, user: WebPolicyOfficer, form: CheckedForm) -> Response:
    words = words_of(request)
    fields = Fields(form, words)
    effective_from = fields.day("effective_from", required=True)
    files: dict[str, str] = {}
    uploads = fields.uploads("files")
    if not uploads:
        fields.fail("files", "Kies de regelbestanden (naam.yaml) van de beleidsmap.")
    elif len(uploads) > MAX_FILES:
        fields.fail("files", "Hoogstens {max} bestanden.", max=MAX_FILES)
    for upload in uploads[:MAX_FILES]:
        name = PurePath((upload.filename or "").replace("\\", "/")).name
        content = upload.file.read(MAX_FILE_BYTES + 1)
        if len(content) > MAX_FILE_BYTES:
            fields.fail("files", "{name} is groter dan 1 MB.", name=name)
            continue
        try:
            files[name] = content.decode("utf-8")
        except UnicodeDecodeError:
            fields.fail("files", "{name} is geen UTF-8-tekst.", name=name)
    if fields.errors or effective_from is None:
        return _versions_page(request, fields.values, fields.errors, status=422)
    mandaat = web(request).mandaat
    command = RegisterPolicyVersion(user.id, files, effective_from)
    try:
        answer = register_policy_version(command, mandaat.uow(), mandaat.decisions, mandaat.clock)
    except DomainError as error:
        found = refusal(error, words)
        errors = {found.field or "_form": found.text}
        return _versions_page(request, fields.values, errors, problems=found.problems, status=error.status)
    day = words.day(answer.effective_from)
    session_of(request).flash(
        words("Versie {version} geregistreerd; ze geldt vanaf {day}.", version=answer.version[:12], day=day)
    )
    return redirect("/beleid/versies")


def _versions_page(
    request: Request,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    problems: tuple[str, ...] = (),
    status: int = 200,
) -> Response:
    mandaat = web(request).mandaat
    today = brussels_date(mandaat.clock())
    in_force = mandaat.views.policy_in_force(today)
    values = {"effective_from": today.isoformat(), **values}
    return page(
        request,
        "policy/versions.html",
        status=status,
        versions=list(reversed(mandaat.views.policy_versions())),
        in_force=None if in_force is None else in_force.effective_from,
        form=values,
        errors=errors,
        problems=problems,
        today=today,
    )
