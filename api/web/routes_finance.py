"""Finance: the envelopes of a budget year at a glance (a chart and a table), spending per month per theme, an
envelope with its ledger, and the figures as CSV. Finance and the auditor read these pages; only finance acts
(routes_finance_acts.py)."""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from api.http.schemas.common import ID_PATTERN
from api.spreadsheet import cells
from api.web.catalogue import Catalogue, catalogue
from api.web.charts import budget, budget_bars, spending_bars
from api.web.deps import WebLedgerReader
from api.web.errors import WebRoute
from api.web.pages import page, web, words_of
from envelopes.domain.duties import ALLOWED, Act
from envelopes.domain.envelopes import Envelope
from envelopes.domain.errors import NotFound
from envelopes.domain.ids import brussels_date

router = APIRouter(route_class=WebRoute, include_in_schema=False)

Year = Annotated[int | None, Query(ge=2000, le=2100)]
EXPORT_COLUMNS = (
    "theme",
    "team",
    "year",
    "allocated",
    "adjusted",
    "transferred_in",
    "transferred_out",
    "committed",
    "held",
    "available",
    "frozen",
)
MONTHS_NL = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def envelope_label(envelope: Envelope, known: Catalogue) -> str:
    title = known.theme(envelope.theme)
    return title if envelope.team is None else f"{title} · {known.words('team')} {envelope.team}"


@router.get("/financien")
def overview(request: Request, user: WebLedgerReader, jaar: Year = None) -> Response:
    services = web(request)
    mandaat = services.mandaat
    words = words_of(request)
    known = catalogue(mandaat, words)
    every = mandaat.views.envelopes()
    years = sorted({envelope.year for envelope, _ in every}, reverse=True)
    current = brussels_date(mandaat.clock()).year
    year = jaar or (current if current in years or not years else years[0])
    rows = [(envelope, balance) for envelope, balance in every if envelope.year == year]
    rows.sort(key=lambda row: envelope_label(row[0], known))
    chart = budget_bars([(envelope_label(envelope, known), balance) for envelope, balance in rows])
    themes = {envelope.theme: known.theme(envelope.theme) for envelope, _ in rows}
    spending, largest = spending_bars(services.views.monthly_spending(year), themes)
    totals = {
        key: sum(getattr(balance, key).cents for _, balance in rows)
        for key in ("allocated", "adjusted", "committed", "held", "available")
    }
    return page(
        request,
        "finance/overview.html",
        year=year,
        years=years or [year],
        rows=[(envelope, balance, envelope_label(envelope, known)) for envelope, balance in rows],
        chart=chart,
        spending=spending,
        largest=largest,
        months=[words(month) for month in MONTHS_NL],
        totals=totals,
        budget=budget,
    )


@router.get("/financien/enveloppen/{envelope_id}")
def envelope_page(
    request: Request, envelope_id: Annotated[str, Path(pattern=ID_PATTERN)], user: WebLedgerReader
) -> Response:
    mandaat = web(request).mandaat
    found = mandaat.views.envelope(envelope_id)
    if found is None:
        raise NotFound("there is no such envelope")
    envelope, balance = found
    words = words_of(request)
    ledger = mandaat.views.ledger(envelope_id, limit=1000)
    return page(
        request,
        "finance/envelope.html",
        envelope=envelope,
        balance=balance,
        label=envelope_label(envelope, catalogue(mandaat, words)),
        ledger=ledger,
        may_act=user.role in ALLOWED[Act.MANAGE_ENVELOPES],
    )


@router.get("/financien/export.csv")
def export(request: Request, user: WebLedgerReader, jaar: Year = None) -> Response:
    """The envelopes of a budget year as CSV (amounts as "1234.50", for a spreadsheet or the BI tool). A team
    is free text: one a spreadsheet would run as a formula is written as text (api/spreadsheet.py)."""
    mandaat = web(request).mandaat
    year = jaar or brussels_date(mandaat.clock()).year
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for envelope, balance in mandaat.views.envelopes(year=year):
        writer.writerow(
            cells(
                [
                    envelope.theme,
                    envelope.team or "",
                    envelope.year,
                    balance.allocated,
                    balance.adjusted,
                    balance.transferred_in,
                    balance.transferred_out,
                    balance.committed,
                    balance.held,
                    balance.available,
                    "yes" if envelope.frozen else "no",
                ]
            )
        )
    headers = {"Content-Disposition": f'attachment; filename="mandaat-enveloppen-{year}.csv"'}
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
