"""The policy: the version in force as the handbook (the same blocks as `mandaat rules explain`), every
version with the date it takes effect, and registering a new version from the rule files of a policy folder.
Rule files that do not load are refused with every `path:line:column: message`, and nothing changes.

The upload is held to the installation's limits (`Settings.policy_limits`): the body as a whole before it is
read (api/http/body_limit.py), then the number of files, and each file read no further than its limit."""

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
from rules.sizes import SizeLimits, kib

router = APIRouter(route_class=WebRoute, include_in_schema=False)
UPLOAD_PATH = "/beleid/versies"  # takes rule files: a larger body limit (api/http/app.py)


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


@router.get(UPLOAD_PATH)
def versions(request: Request, user: WebPolicyOfficer) -> Response:
    return _versions_page(request, {}, {})


@router.post(UPLOAD_PATH)
def register(request: Request, user: WebPolicyOfficer, form: CheckedForm) -> Response:
    words = words_of(request)
    fields = Fields(form, words)
    mandaat = web(request).mandaat
    limits = mandaat.settings.policy_limits()
    effective_from = fields.day("effective_from", required=True)
    files = _rule_files(fields, limits)
    if fields.errors or effective_from is None:
        return _versions_page(request, fields.values, fields.errors, status=422)
    command = RegisterPolicyVersion(user.id, files, effective_from)
    try:
        answer = register_policy_version(command, mandaat.uow(), mandaat.decisions, mandaat.clock, limits)
    except DomainError as error:
        found = refusal(error, words)
        errors = {found.field or "_form": found.text}
        return _versions_page(
            request,
            fields.values,
            errors,
            problems=found.problems,
            more_problems=found.more_problems,
            status=error.status,
        )
    day = words.day(answer.effective_from)
    session_of(request).flash(
        words("Versie {version} geregistreerd; ze geldt vanaf {day}.", version=answer.version[:12], day=day)
    )
    return redirect("/beleid/versies")


def _rule_files(fields: Fields, limits: SizeLimits) -> dict[str, str]:
    """The uploaded rule files as texts, each read no further than its limit; every problem on the form."""
    uploads = fields.uploads("files")
    if not uploads:
        fields.fail("files", "Kies de regelbestanden (naam.yaml) van de beleidsmap.")
    elif len(uploads) > limits.files:
        fields.fail(
            "files", "Hoogstens {max} bestanden; u koos er {count}.", max=limits.files, count=len(uploads)
        )
        return {}
    files: dict[str, str] = {}
    total = 0
    for upload in uploads:
        name = PurePath((upload.filename or "").replace("\\", "/")).name
        content = upload.file.read(limits.file_bytes + 1)
        total += len(content)
        if len(content) > limits.file_bytes:
            fields.fail("files", "{name} is groter dan {size}.", name=name, size=kib(limits.file_bytes))
        elif total > limits.total_bytes:
            fields.fail("files", "De bestanden samen zijn groter dan {size}.", size=kib(limits.total_bytes))
            break
        else:
            try:
                files[name] = content.decode("utf-8")
            except UnicodeDecodeError:
                fields.fail("files", "{name} is geen UTF-8-tekst.", name=name)
    return files


def _versions_page(
    request: Request,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    problems: tuple[str, ...] = (),
    more_problems: int = 0,
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
        more_problems=more_problems,
        today=today,
    )
