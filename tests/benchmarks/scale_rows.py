"""What `bench_scale.py` times over HTTP: every page and API list of every role, and a decision on a new and
on a long-history dossier, as the users of a served installation see them.

`Visitor` signs in as each role (the seed's logins: the web form for the pages, a token for the API), finds
the ids the rows need through the API (the long-history dossier by the reference the seed reports, one of its
requests, an open escalation, the newest energy envelope), and times one GET or one decision at a time.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx

from tests.support.served import API

PAGE, VERIFY, DECISION = "page", "verify", "decision"
STATUSES = ("approved", "escalated", "returned", "refused", "withdrawn", "cancelled")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
DECISION_BODY = {"theme": "gezondheid", "item": "apotheek", "amount": "20.00", "justification": "Medicatie."}


@dataclass(frozen=True)
class Row:
    name: str
    role: str  # whose sign-in: caseworker, committee, finance, policy, auditor, admin
    path: str  # with {placeholders} that `Visitor.ids` fills in
    target: str = PAGE  # PAGE: ≤ 1.5× small and ≤ 100 ms; VERIFY: entries/s


ROWS = (
    Row("page  dossiers", "caseworker", "/dossiers"),
    Row("page  a dossier", "caseworker", "/dossiers/{typical}"),
    Row("page  dossier with a long history", "caseworker", "/dossiers/{long}"),
    Row("page  new request form", "caseworker", "/dossiers/{long}/aanvraag"),
    Row("page  Mijn aanvragen", "caseworker", "/aanvragen"),
    *(
        Row(f"page  Mijn aanvragen: {status}", "caseworker", f"/aanvragen?status={status}")
        for status in STATUSES
    ),
    Row("page  a request", "caseworker", "/aanvragen/{request}"),
    Row("page  handbook", "caseworker", "/beleid"),
    Row("page  committee queue", "committee", "/comite"),
    Row("page  Beslist", "committee", "/comite/beslist"),
    Row("page  an escalation", "committee", "/comite/{escalation}"),
    Row("page  finance overview", "finance", "/financien"),
    Row("page  finance overview, last year", "finance", "/financien?jaar={last_year}"),
    Row("page  envelope with its ledger", "finance", "/financien/enveloppen/{envelope}"),
    Row("page  envelopes as CSV", "finance", "/financien/export.csv"),
    Row("page  policy versions", "policy", "/beleid/versies"),
    Row("page  audit log", "auditor", "/audit"),
    Row("page  audit log: dates", "auditor", "/audit?van={month_start}&tot={month_end}"),
    Row("page  audit log: actor", "auditor", "/audit?actor={caseworker}"),
    Row("page  audit log: action", "auditor", "/audit?actie=aid.submitted"),
    Row("page  audit log: theme", "auditor", "/audit?thema=kleding"),
    Row("page  audit log: an older page", "auditor", "/audit?voor={middle}"),
    Row("page  audit entry", "auditor", "/audit/{middle}"),
    Row("page  verify form", "auditor", "/audit/controle"),
    Row("page  verify, run", "auditor", "/audit/controle?uitvoeren=1", VERIFY),
    Row("page  users (admin)", "admin", "/beheer"),
    Row("api   GET /dossiers (caseworker)", "caseworker", API + "/dossiers"),
    Row("api   GET /dossiers/{id}", "caseworker", API + "/dossiers/{long}"),
    Row("api   GET /aid-requests (caseworker)", "caseworker", API + "/aid-requests"),
    Row("api   GET /aid-requests?status=escalated", "caseworker", API + "/aid-requests?status=escalated"),
    Row("api   GET /aid-requests?dossier_id=", "caseworker", API + "/aid-requests?dossier_id={long}"),
    Row("api   GET /aid-requests/{id}", "caseworker", API + "/aid-requests/{request}"),
    Row("api   GET /policy", "caseworker", API + "/policy"),
    Row("api   GET /me", "caseworker", API + "/me"),
    Row("api   GET /aid-requests (committee)", "committee", API + "/aid-requests"),
    Row("api   GET /dossiers (committee)", "committee", API + "/dossiers"),
    Row("api   GET /escalations", "committee", API + "/escalations"),
    Row("api   GET /escalations?status=returned", "committee", API + "/escalations?status=returned"),
    Row("api   GET /envelopes", "finance", API + "/envelopes"),
    Row("api   GET /envelopes/{id}", "finance", API + "/envelopes/{envelope}"),
    Row("api   GET /envelopes/{id}/ledger", "finance", API + "/envelopes/{envelope}/ledger"),
    Row("api   GET /policy/versions", "policy", API + "/policy/versions"),
    Row("api   GET /log", "auditor", API + "/log"),
    Row("api   GET /log?after=", "auditor", API + "/log?after={middle}"),
    Row("api   GET /log/verify", "auditor", API + "/log/verify", VERIFY),
)
DECISIONS = (
    Row("decision on a new dossier", "caseworker", "new", DECISION),
    Row("decision on a long-history dossier", "caseworker", "long", DECISION),
)


class Visitor:
    """One served installation, signed in as every role."""

    def __init__(self, base_url: str, summary: dict[str, Any]) -> None:
        self.base_url, self.summary = base_url, summary
        self.logins: dict[str, str] = summary["logins"]
        self.browsers = {role: self._browser(user) for role, user in self.logins.items()}
        self.apis = {role: self._api(user) for role, user in self.logins.items()}
        self.ids = self._discover()

    def close(self) -> None:
        for client in [*self.browsers.values(), *self.apis.values()]:
            client.close()

    def path(self, row: Row) -> str | None:
        """The row's path on this installation; None when it has nothing to show (no open escalation)."""
        try:
            return row.path.format(**self.ids)
        except KeyError:
            return None

    def get_ms(self, row: Row, path: str) -> float:
        client = self.browsers[row.role] if not path.startswith(API) else self.apis[row.role]
        began = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - began) * 1000
        if response.status_code != 200:
            raise RuntimeError(
                f"{row.name}: GET {path} answered {response.status_code}: {response.text[:300]}"
            )
        return elapsed

    def decision_ms(self, row: Row) -> float:
        """One submission (timed) on a new dossier (opened first, not timed) or on the long-history one."""
        api = self.apis["caseworker"]
        if row.path == "new":
            dossier = api.post(
                API + "/dossiers",
                json={
                    "reference": f"BENCH-{uuid.uuid4().hex[:12]}",
                    "members": [{"birth_date": "1984-04-01", "relation": "aanvrager"}],
                },
            )
            dossier.raise_for_status()
            dossier_id, beneficiary = dossier.json()["id"], dossier.json()["members"][0]["id"]
        else:
            dossier_id, beneficiary = self.ids["long"], self.ids["long_applicant"]
        body = {**DECISION_BODY, "dossier_id": dossier_id, "beneficiary_id": beneficiary}
        began = time.perf_counter()
        response = api.post(API + "/aid-requests", json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
        elapsed = (time.perf_counter() - began) * 1000
        if response.status_code != 201:
            raise RuntimeError(f"{row.name}: answered {response.status_code}: {response.text[:300]}")
        return elapsed

    def _browser(self, user: str) -> httpx.Client:
        client = httpx.Client(base_url=self.base_url, timeout=300)
        form = client.get("/aanmelden")
        found = CSRF.search(form.text)
        assert found is not None, "the sign-in page has a CSRF token"
        password = self.summary["password"]
        answer = client.post(
            "/aanmelden", data={"csrf_token": found.group(1), "username": user, "password": password}
        )
        if answer.status_code != 303:
            raise RuntimeError(f"signing in as {user} answered {answer.status_code}")
        return client

    def _api(self, user: str) -> httpx.Client:
        response = httpx.post(
            f"{self.base_url}{API}/auth/token", data={"username": user, "password": self.summary["password"]}
        )
        response.raise_for_status()
        token = response.json()["access_token"]
        return httpx.Client(base_url=self.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=300)

    def _discover(self) -> dict[str, str]:
        caseworker, committee, finance = self.apis["caseworker"], self.apis["committee"], self.apis["finance"]
        reference = self.summary["long_history"]["reference"]
        found = caseworker.post(API + "/dossiers/lookup", json={"reference": reference})
        found.raise_for_status()
        long = found.json()
        last_year = max(self.summary["years"])
        ids = {
            "long": long["id"],
            "long_applicant": long["members"][0]["id"],
            "caseworker": self.logins["caseworker"],
            "last_year": str(last_year - 1),
            "month_start": date(last_year, 11, 1).strftime("%d/%m/%Y"),
            "month_end": date(last_year, 11, 30).strftime("%d/%m/%Y"),
            "middle": str(max(1, self.summary["acts"] // 2)),
        }
        mine = caseworker.get(API + "/dossiers", params={"limit": 3}).json()
        typical = [dossier["id"] for dossier in mine if dossier["id"] != long["id"]]
        if typical:
            ids["typical"] = typical[0]  # the caseworker's next dossier by reference: a usual history
        requests = caseworker.get(API + "/aid-requests", params={"dossier_id": long["id"], "limit": 1}).json()
        if requests:
            ids["request"] = requests[0]["id"]
        escalations = committee.get(API + "/escalations", params={"limit": 1}).json()
        if escalations:
            ids["escalation"] = escalations[0]["id"]
        envelopes = finance.get(API + "/envelopes", params={"period": last_year}).json()
        energy = [envelope["id"] for envelope in envelopes if envelope["theme"] == "energie"]
        if energy:
            ids["envelope"] = energy[0]
        return ids
