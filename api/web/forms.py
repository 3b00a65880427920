"""Reading a posted form: each value checked, each problem kept as plain Dutch next to its field.

    fields = Fields(form, words)
    amount = fields.money("amount")
    reason = fields.text("reason", lines=True)
    if fields.errors: show the form again with fields.errors and fields.values

Amounts are typed as people type them: "55", "55,5", "1.234,50" or "55.00" (a comma is the decimal sign; with
a comma, dots group thousands). Dates come from `<input type="date">` (ISO) or as "23/11/2026". Texts are
read as the API and the domain read them (`envelopes.domain.text`): line breaks made LF (browsers send CR LF),
no control character but TAB, and LF only in a text with lines (`text(name, lines=True)`).
"""

from __future__ import annotations

import re
from datetime import date

from starlette.datastructures import FormData, UploadFile

from api.web.i18n import Words
from envelopes.domain.text import control_character, with_lf
from rules.money import Money, MoneyFormatError

_DUTCH_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ID = re.compile(r"^[0-9a-f]{32}$")
MAX_TEXT = 2000


class Fields:
    def __init__(self, form: FormData, words: Words) -> None:
        self.form = form
        self.words = words
        self.errors: dict[str, str] = {}
        self.values: dict[str, str] = {
            key: with_lf(value)
            for key, value in form.multi_items()
            if isinstance(value, str) and key != "csrf_token"
        }

    def raw(self, name: str) -> str:
        """The value as sent, trimmed, its line breaks LF; unchecked (for choices and comparisons)."""
        value = self.form.get(name)
        return with_lf(value).strip() if isinstance(value, str) else ""

    def fail(self, key: str, text: str, **values: object) -> None:
        self.errors.setdefault(key, self.words(text, **values))

    def text(
        self,
        name: str,
        *,
        lines: bool = False,
        required: bool = True,
        missing: str = "Dit veld is verplicht.",
    ) -> str:
        """A free text: one line, or with `lines` a text with line breaks (a reason, a justification)."""
        value = self.raw(name)
        if not self._readable(name, value, lines=lines):
            return ""
        if required and not value:
            self.fail(name, missing)
        elif len(value) > MAX_TEXT:
            self.fail(name, "Deze tekst is te lang (hoogstens {max} tekens).", max=MAX_TEXT)
        return value

    def secret(self, name: str) -> str:
        """A password as typed (never trimmed): one line without control characters but TAB."""
        value = self.form.get(name)
        text = value if isinstance(value, str) else ""
        return text if self._readable(name, with_lf(text), lines=False) else ""

    def _readable(self, name: str, value: str, *, lines: bool) -> bool:
        found = control_character(value, lines=lines)
        if found is None:
            return True
        position, character = found
        if character == "U+000A":
            self.fail(name, "Dit veld is één regel tekst: laat de regeleinden weg.")
        else:
            self.fail(
                name,
                "Deze tekst bevat een onzichtbaar stuurteken ({character}, teken {position}) dat hier niet "
                "kan: typ de tekst opnieuw.",
                character=character,
                position=position,
            )
        return False

    def money(self, name: str, *, required: bool = True, signed: bool = False) -> Money | None:
        value = self.raw(name)
        if not value:
            if required:
                self.fail(name, "Vul een bedrag in, zoals 55,00.")
            return None
        try:
            amount = parse_money(value)
        except MoneyFormatError:
            self.fail(
                name,
                "Dit is geen bedrag: schrijf euro's met hoogstens twee cijfers na de komma, zoals 55,00.",
            )
            return None
        if amount.cents <= 0 and not signed:
            self.fail(name, "Vul een bedrag in dat groter is dan € 0,00.")
            return None
        return amount

    def day(self, name: str, *, required: bool = False) -> date | None:
        value = self.raw(name)
        if not value:
            if required:
                self.fail(name, "Vul een datum in.")
            return None
        parsed = parse_day(value)
        if parsed is None:
            self.fail(name, "Dit is geen datum: schrijf ze als 23/11/2026.")
        return parsed

    def whole(self, name: str, *, default: int, low: int, high: int) -> int:
        value = self.raw(name)
        if not value:
            return default
        if not value.isdigit() or not low <= int(value) <= high:
            self.fail(name, "Vul een geheel getal in van {low} tot {high}.", low=low, high=high)
            return default
        return int(value)

    def choice(
        self, name: str, choices: dict[str, str] | list[str], *, missing: str = "Maak een keuze."
    ) -> str:
        value = self.raw(name)
        if value not in choices:
            self.fail(name, missing)
            return ""
        return value

    def identifier(self, name: str, *, missing: str = "Maak een keuze.") -> str:
        value = self.raw(name)
        if not _ID.fullmatch(value):
            self.fail(name, missing)
            return ""
        return value

    def uploads(self, name: str) -> list[UploadFile]:
        return [item for item in self.form.getlist(name) if isinstance(item, UploadFile) and item.filename]


def parse_money(text: str) -> Money:
    """ "1.234,50", "55,5", "€ 55", "55.00" → Money; anything else raises MoneyFormatError."""
    cleaned = text.replace("€", "").replace("\u00a0", "").replace(" ", "").strip()
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"-?\d{1,3}(\.\d{3})+", cleaned):
        cleaned = cleaned.replace(".", "")  # "1.234": thousands, as a Dutch reader means it
    return Money.parse(cleaned)


def parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    match = _DUTCH_DATE.match(text)
    if match is None:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None
