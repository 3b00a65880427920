"""Words, money and dates on the pages: Dutch by default, English when the session asks for it.

Texts are written in Dutch in the templates and the code (`_("Mijn dossiers")`); `english.EN` holds their
English. A test checks that every Dutch text has its English. Money and dates are formatted by Babel:
"€ 1.234,50" and "23 november 2026" in Dutch, "€1,234.50" and "23 November 2026" in English.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal

from api.web.english import EN
from envelopes.domain.aid_requests import AidStatus
from envelopes.domain.envelopes import EntryKind
from envelopes.domain.ids import BRUSSELS
from envelopes.domain.users import Role
from rules.money import Money

LOCALES = {"nl": "nl_BE", "en": "en_GB"}

STATUS = {
    AidStatus.APPROVED: "Goedgekeurd",
    AidStatus.ESCALATED: "Bij het comité",
    AidStatus.RETURNED: "Teruggestuurd",
    AidStatus.REFUSED: "Geweigerd",
    AidStatus.WITHDRAWN: "Ingetrokken",
    AidStatus.CANCELLED: "Geannuleerd",
}
ROLES = {
    Role.CASEWORKER: "Maatschappelijk assistent",
    Role.FINANCE: "Financiële dienst",
    Role.COMMITTEE: "Bijzonder Comité",
    Role.POLICY: "Beleidsmedewerker",
    Role.AUDITOR: "Interne controle",
    Role.ADMIN: "Beheerder",
}
ACTIONS = {
    "aid.submitted": "Aanvraag beslist",
    "aid.resubmitted": "Aanvraag opnieuw ingediend",
    "aid.withdrawn": "Aanvraag ingetrokken",
    "aid.cancelled": "Hulp geannuleerd",
    "aid.committee_approved": "Goedgekeurd door het comité",
    "aid.committee_refused": "Geweigerd door het comité",
    "aid.committee_returned": "Teruggestuurd door het comité",
    "dossier.created": "Dossier geopend",
    "dossier.reassigned": "Dossier overgedragen",
    "envelope.opened": "Envelop geopend",
    "envelope.adjusted": "Envelop aangepast",
    "envelope.transferred": "Overdracht tussen enveloppen",
    "envelope.frozen": "Envelop bevroren",
    "envelope.unfrozen": "Envelop vrijgegeven",
    "policy.registered": "Beleidsversie geregistreerd",
    "user.added": "Gebruiker toegevoegd",
    "user.role_changed": "Rol gewijzigd",
    "user.disabled": "Gebruiker uitgeschakeld",
}


OUTCOMES = {"approve": "Goedgekeurd", "escalate": "Naar het comité"}
KINDS = {
    EntryKind.ALLOCATION: "Toewijzing",
    EntryKind.ADJUSTMENT: "Aanpassing",
    EntryKind.TRANSFER_IN: "Overdracht naar deze envelop",
    EntryKind.TRANSFER_OUT: "Overdracht uit deze envelop",
    EntryKind.COMMITMENT: "Vastlegging",
    EntryKind.HOLD: "Reservering",
    EntryKind.RELEASE: "Vrijgave",
}
RELEASES = {
    EntryKind.HOLD: "Vrijgave van een reservering",
    EntryKind.COMMITMENT: "Vrijgave van een vastlegging",
}


class Words:
    """The texts and formats of one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LOCALES else "nl"
        self.locale = LOCALES[self.lang]

    def __call__(self, text: str, **values: object) -> str:
        translated = EN.get(text, text) if self.lang == "en" else text
        return translated.format(**values) if values else translated

    def money(self, amount: Money | int | None) -> str:
        if amount is None:
            return "—"
        cents = amount.cents if isinstance(amount, Money) else amount
        return format_currency(Decimal(cents).scaleb(-2), "EUR", locale=self.locale)

    def plain(self, amount: Money) -> str:
        """An amount as it is typed in a form: "1234,50" in Dutch, "1234.50" in English."""
        text = str(amount)
        return text.replace(".", ",") if self.lang == "nl" else text

    def figure(self, text: str | None) -> str:
        """An edge amount ("55.00") as money; anything else as it is."""
        if text is None:
            return "—"
        try:
            return self.money(Money.parse(text))
        except ValueError:
            return text

    def number(self, value: int) -> str:
        return format_decimal(value, locale=self.locale)

    def day(self, value: date | None) -> str:
        return "—" if value is None else format_date(value, "long", locale=self.locale)

    def moment(self, value: datetime | str | None) -> str:
        """A moment in Brussels time: "23 nov. 2026 10:05"."""
        if value is None:
            return "—"
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        return format_datetime(moment, "d MMM y HH:mm", tzinfo=BRUSSELS, locale=self.locale)

    def status(self, status: AidStatus | str) -> str:
        return self(STATUS[AidStatus(status)])

    def role(self, role: Role | str) -> str:
        return self(ROLES[Role(role)])

    def entry_kind(self, kind: EntryKind, releases: EntryKind | None = None) -> str:
        if kind is EntryKind.RELEASE and releases in RELEASES:
            return self(RELEASES[releases])
        return self(KINDS[kind])

    def outcome(self, outcome: str | None) -> str:
        """A log entry's outcome: the engine's (approve, escalate) or the request's status after the act."""
        if outcome is None:
            return ""
        if outcome in OUTCOMES:
            return self(OUTCOMES[outcome])
        return self.status(outcome) if outcome in {status.value for status in AidStatus} else outcome

    def action(self, action: str) -> str:
        return self(ACTIONS[action]) if action in ACTIONS else action
