"""The auditor (and the admin): the decision log filtered on date, actor, action and theme, newest first; one
entry in full; and the check of the hash chain, optionally against a head kept outside Mandaat."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from api.web.catalogue import catalogue
from api.web.deps import WebLogReader
from api.web.errors import WebRoute
from api.web.forms import parse_day
from api.web.pages import page, web, words_of
from envelopes.domain.errors import NotFound
from envelopes.domain.log import Anchor
from envelopes.persistence.web_views import LogFilter, entry_themes
from envelopes.services import verify_log

router = APIRouter(route_class=WebRoute, include_in_schema=False)

PAGE = 50
CHECKPOINT = re.compile(r"^\s*([0-9]{1,18})[: ]([0-9a-f]{64})\s*$")
Text = Annotated[str, Query(max_length=100)]


@router.get("/audit")
def decision_log(
    request: Request,
    user: WebLogReader,
    van: Text = "",
    tot: Text = "",
    actor: Text = "",
    actie: Text = "",
    thema: Text = "",
    voor: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    services = web(request)
    mandaat = services.mandaat
    words = words_of(request)
    errors = {}
    since, until = parse_day(van) if van else None, parse_day(tot) if tot else None
    if van and since is None:
        errors["van"] = words("Dit is geen datum: schrijf ze als 23/11/2026.")
    if tot and until is None:
        errors["tot"] = words("Dit is geen datum: schrijf ze als 23/11/2026.")
    envelopes = {envelope.id: envelope.theme for envelope, _ in mandaat.views.envelopes()}
    wanted = LogFilter(since, until, actor or None, actie or None, thema or None)
    found = services.views.log_page(wanted, before=voor, limit=PAGE, envelope_themes=envelopes)
    known = catalogue(mandaat, words)
    themes = sorted(set(envelopes.values()) | set(known.policy.themes if known.policy else ()))
    query = {"van": van, "tot": tot, "actor": actor, "actie": actie, "thema": thema}
    return page(
        request,
        "audit/log.html",
        entries=found.entries,
        older=found.older,
        query=query,
        older_query={**{k: v for k, v in query.items() if v}, "voor": found.older},
        actors=services.views.log_actors(),
        actions=services.views.log_actions(),
        themes=[(theme, known.theme(theme)) for theme in themes],
        entry_themes={e.sequence: sorted(entry_themes(e, envelopes)) for e in found.entries},
        catalogue=known,
        errors=errors,
        filtered=any(query.values()),
    )


@router.get("/audit/controle")
def verify(
    request: Request,
    user: WebLogReader,
    uitvoeren: Text = "",
    kop: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    words = words_of(request)
    if not uitvoeren:
        return page(request, "audit/verify.html", result=None, checkpoint="", errors={})
    checkpoints: list[Anchor] = []
    if kop.strip():
        match = CHECKPOINT.match(kop)
        if match is None:
            error = words("Schrijf de kop als VOLGNUMMER:HASH (de hash als 64 hexadecimale tekens).")
            return page(
                request, "audit/verify.html", status=422, result=None, checkpoint=kop, errors={"kop": error}
            )
        checkpoints.append(Anchor(int(match.group(1)), match.group(2)))
    mandaat = web(request).mandaat
    result = verify_log(mandaat.read_uow(), checkpoints=checkpoints, actor_id=user.id)
    return page(request, "audit/verify.html", result=result, checkpoint=kop, errors={})


@router.get("/audit/{sequence}")
def log_entry(request: Request, sequence: Annotated[int, Path(ge=1)], user: WebLogReader) -> Response:
    services = web(request)
    entry = services.views.log_entry(sequence)
    if entry is None:
        raise NotFound("there is no such log entry")
    words = words_of(request)
    known = catalogue(services.mandaat, words)
    return page(
        request,
        "audit/entry.html",
        entry=entry,
        pretty=_pretty,
        reasons=[reason.get(f"text_{words.lang}", reason.get("text_nl", "")) for reason in entry.reasons],
        catalogue=known,
    )


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
