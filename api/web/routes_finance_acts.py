"""Finance acts on envelopes: top up, reduce, freeze, unfreeze, and transfer between two envelopes. Each in
three steps: the form (an amount and a reason), the confirmation with the figures before and after, and the
act itself.

The figures "after" come from the domain itself, on a copy of the envelope read a moment ago (`adjust`,
`freeze`, `transfer_to` compute entries without writing them): a refusal (a reduction below what is
available, a transfer the source cannot cover) shows on the form before anything is confirmed. When the
figures changed between the confirmation and the act, the confirmation is shown again with the new ones.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from api.http.schemas.common import ID_PATTERN
from api.web.catalogue import catalogue
from api.web.deps import CheckedForm, WebEnvelopeManager
from api.web.errors import WebRoute
from api.web.forms import Fields
from api.web.messages import refusal
from api.web.pages import page, redirect, session_of, web, words_of
from api.web.routes_finance import envelope_label
from envelopes.domain.envelopes import Balance, Envelope
from envelopes.domain.errors import DomainError, NotFound
from envelopes.services import adjust_envelope, freeze_envelope, transfer, unfreeze_envelope
from envelopes.services.commands import (
    AdjustEnvelope,
    FreezeEnvelope,
    TransferBetweenEnvelopes,
    UnfreezeEnvelope,
)
from envelopes.services.common import Clock
from rules.money import Money

router = APIRouter(route_class=WebRoute, include_in_schema=False)

Id = Annotated[str, Path(pattern=ID_PATTERN)]
ACTS = {
    "bijstorten": ("Bijstorten", "Envelop bijgestort."),
    "verminderen": ("Verminderen", "Envelop verminderd."),
    "bevriezen": ("Bevriezen", "Envelop bevroren: elke nieuwe aanvraag gaat nu naar het comité."),
    "vrijgeven": ("Vrijgeven", "Envelop vrijgegeven."),
}
Act = Annotated[str, Path(pattern="^(bijstorten|verminderen|bevriezen|vrijgeven)$")]


@router.get("/financien/enveloppen/{envelope_id}/{act}")
def act_form(request: Request, envelope_id: Id, act: Act, user: WebEnvelopeManager) -> Response:
    envelope, balance = _envelope(request, envelope_id)
    return _act_page(request, "finance/act_form.html", act, envelope, balance, {}, {})


@router.post("/financien/enveloppen/{envelope_id}/{act}")
def act(request: Request, envelope_id: Id, act: Act, user: WebEnvelopeManager, form: CheckedForm) -> Response:
    envelope, balance = _envelope(request, envelope_id)
    words = words_of(request)
    mandaat = web(request).mandaat
    fields = Fields(form, words)
    amount = fields.money("amount") if act in ("bijstorten", "verminderen") else None
    reason = fields.text("reason", lines=True, missing="Geef een reden op.")
    if fields.errors:
        return _act_page(
            request, "finance/act_form.html", act, envelope, balance, fields.values, fields.errors, 422
        )
    signed = None if amount is None else (amount if act == "bijstorten" else -amount)
    try:
        frozen, after = _dry_run(act, envelope, balance, signed, reason, mandaat.clock)
    except DomainError as error:
        found = refusal(error, words)
        errors = {found.field or "_form": found.text}
        return _act_page(
            request, "finance/act_form.html", act, envelope, balance, fields.values, errors, error.status
        )
    confirmed = fields.raw("step") == "confirm"
    if not confirmed or fields.raw("available_before") != str(balance.available):
        notice = words("De cijfers zijn intussen veranderd: bekijk ze opnieuw.") if confirmed else ""
        return _act_page(
            request,
            "finance/act_confirm.html",
            act,
            envelope,
            balance,
            fields.values,
            {},
            after=after,
            frozen_after=frozen,
            notice=notice,
        )
    try:
        if signed is not None:
            adjust_envelope(
                AdjustEnvelope(user.id, envelope.id, signed, reason), mandaat.uow(), mandaat.clock
            )
        elif act == "bevriezen":
            freeze_envelope(FreezeEnvelope(user.id, envelope.id, reason), mandaat.uow(), mandaat.clock)
        else:
            unfreeze_envelope(UnfreezeEnvelope(user.id, envelope.id, reason), mandaat.uow(), mandaat.clock)
    except DomainError as error:
        errors = {"_form": refusal(error, words).text}
        return _act_page(
            request, "finance/act_form.html", act, envelope, balance, fields.values, errors, error.status
        )
    session_of(request).flash(words(ACTS[act][1]))
    return redirect(f"/financien/enveloppen/{envelope.id}")


@router.get("/financien/overdracht")
def transfer_form(
    request: Request, user: WebEnvelopeManager, van: Annotated[str | None, Query()] = None
) -> Response:
    return _transfer_page(request, "finance/transfer_form.html", {"source": van or ""}, {})


@router.post("/financien/overdracht")
def transfer_between(request: Request, user: WebEnvelopeManager, form: CheckedForm) -> Response:
    words = words_of(request)
    mandaat = web(request).mandaat
    fields = Fields(form, words)
    source_id = fields.identifier("source", missing="Kies de envelop waaruit u overdraagt.")
    target_id = fields.identifier("target", missing="Kies de envelop waarnaar u overdraagt.")
    amount = fields.money("amount")
    reason = fields.text("reason", lines=True, missing="Geef een reden op.")
    source_found = mandaat.views.envelope(source_id) if source_id else None
    target_found = mandaat.views.envelope(target_id) if target_id else None
    for name, key, envelope_found in (
        ("source", source_id, source_found),
        ("target", target_id, target_found),
    ):
        if key and envelope_found is None:
            fields.fail(name, "Kies een envelop uit de lijst.")
    if fields.errors or amount is None or source_found is None or target_found is None:
        return _transfer_page(request, "finance/transfer_form.html", fields.values, fields.errors, status=422)
    (source, source_before), (target, target_before) = source_found, target_found
    try:
        out, into = source.transfer_to(target, amount, reason, source_before, mandaat.clock())
    except DomainError as error:
        problem = refusal(error, words)
        field = {"to_envelope_id": "target"}.get(problem.field or "", problem.field or "_form")
        return _transfer_page(
            request, "finance/transfer_form.html", fields.values, {field: problem.text}, status=error.status
        )
    confirmed = fields.raw("step") == "confirm"
    unchanged = fields.raw("available_before") == f"{source_before.available}/{target_before.available}"
    if not confirmed or not unchanged:
        notice = words("De cijfers zijn intussen veranderd: bekijk ze opnieuw.") if confirmed else ""
        sides = [
            (source, source_before, source_before.after([out])),
            (target, target_before, target_before.after([into])),
        ]
        return _transfer_page(
            request,
            "finance/transfer_confirm.html",
            fields.values,
            {},
            sides=sides,
            notice=notice,
            available_before=f"{source_before.available}/{target_before.available}",
        )
    try:
        transfer(
            TransferBetweenEnvelopes(user.id, source.id, target.id, amount, reason),
            mandaat.uow(),
            mandaat.clock,
        )
    except DomainError as error:
        errors = {"_form": refusal(error, words).text}
        return _transfer_page(
            request, "finance/transfer_form.html", fields.values, errors, status=error.status
        )
    session_of(request).flash(words("{amount} overgedragen.", amount=words.money(amount)))
    return redirect(f"/financien/enveloppen/{source.id}")


def _envelope(request: Request, envelope_id: str) -> tuple[Envelope, Balance]:
    found = web(request).mandaat.views.envelope(envelope_id)
    if found is None:
        raise NotFound("there is no such envelope")
    return found


def _dry_run(
    act: str, envelope: Envelope, balance: Balance, amount: Money | None, reason: str, clock: Clock
) -> tuple[bool, Balance]:
    """What the act would do: the frozen state and the figures after. Raises as the use case would; works on
    a copy of the envelope, so the page still shows it as it is."""
    copy = replace(envelope)
    if amount is not None:
        return copy.frozen, balance.after([copy.adjust(amount, reason, balance, clock())])
    if act == "bevriezen":
        copy.freeze(reason)
    else:
        copy.unfreeze(reason)
    return copy.frozen, balance


def _act_page(
    request: Request,
    template: str,
    act: str,
    envelope: Envelope,
    balance: Balance,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
    **extra: object,
) -> Response:
    words = words_of(request)
    label = envelope_label(envelope, catalogue(web(request).mandaat, words))
    return page(
        request,
        template,
        status=status,
        act=act,
        act_title=words(ACTS[act][0]),
        envelope=envelope,
        balance=balance,
        label=label,
        form=values,
        errors=errors,
        **extra,
    )


def _transfer_page(
    request: Request,
    template: str,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    status: int = 200,
    **extra: object,
) -> Response:
    mandaat = web(request).mandaat
    known = catalogue(mandaat, words_of(request))
    choices = [(e.id, f"{envelope_label(e, known)} {e.year}", b) for e, b in mandaat.views.envelopes()]
    labels = {key: label for key, label, _ in choices}
    return page(
        request, template, status=status, choices=choices, labels=labels, form=values, errors=errors, **extra
    )
