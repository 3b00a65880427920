"""Limit sentences, such as `count per beneficiary per winter season <= 1`.

    limit   := measure ["of" subject] "per" scope ["per" window] "<=" bound
    measure := "amount" | "count" | "sum"
    subject := "item" | "theme"
    scope   := "request" | "beneficiary" | "household" | "dossier"
    window  := "calendar year" | "school year" | "winter season" | "rolling" N ("days" | "months")
    bound   := parameter | amount in quotes ("150.00") | integer (for count)

Problems carry the 0-based column in the sentence (see `conditions.ExpressionError`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

from rules.conditions import ExpressionError, Problem
from rules.model import Bound, Measure, Scope, Subject, Unit, Window, WindowKind
from rules.money import MoneyFormatError, parse_cents

MAX_LENGTH = 500
MAX_ROLLING = {"days": 3660, "months": 120}
SUPPORTED_WINDOWS = (
    "calendar year, school year, winter season, rolling N days (1-3660), rolling N months (1-120)"
)

_FIXED_WINDOWS = {
    ("calendar", "year"): WindowKind.CALENDAR_YEAR,
    ("school", "year"): WindowKind.SCHOOL_YEAR,
    ("winter", "season"): WindowKind.WINTER_SEASON,
}
_ROLLING = {"days": WindowKind.ROLLING_DAYS, "months": WindowKind.ROLLING_MONTHS}
_Choice = TypeVar("_Choice", bound=Enum)
_NUMBER = re.compile(r"\d{1,12}(?:\.\d{1,2})?")
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_TOKEN = re.compile(r"""\s*(?:(?P<op>[<>=!]=?)|(?P<quoted>"[^"]*"|'[^']*')|(?P<word>[^\s<>=!"']+))""")


@dataclass(frozen=True, slots=True)
class LimitSentence:
    """The parts of a limit sentence, ready for a `model.Limit`."""

    measure: Measure
    subject: Subject
    scope: Scope
    window: Window | None
    bound: Bound
    default_id: str  # the sentence's words joined by "_", e.g. "count_per_beneficiary_winter_season"


@dataclass(frozen=True, slots=True)
class _Word:
    text: str
    column: int
    kind: str  # "op", "quoted", "word" or "end"


def _tokenize(text: str) -> list[_Word]:
    words: list[_Word] = []
    position = 0
    while text[position:].strip():
        match = _TOKEN.match(text, position)
        if match is None or match.lastgroup is None:
            column = len(text) - len(text[position:].lstrip())
            raise ExpressionError([Problem(column, f"the quote {text[column]} is never closed")])
        words.append(_Word(match.group(match.lastgroup), match.start(match.lastgroup), match.lastgroup))
        position = match.end()
    words.append(_Word("", len(text.rstrip()), "end"))
    return words


class _SentenceParser:
    def __init__(self, text: str, parameter_units: Mapping[str, Unit | None]) -> None:
        self.words = _tokenize(text)
        self.position = 0
        self.parameter_units = parameter_units
        self.problems: list[Problem] = []
        self.id_words: list[str] = []

    def _peek(self) -> _Word:
        return self.words[self.position]

    def _take(self) -> _Word:
        word = self.words[self.position]
        self.position = min(self.position + 1, len(self.words) - 1)
        return word

    def _fail(self, word: _Word, message: str) -> ExpressionError:
        return ExpressionError([*self.problems, Problem(word.column, message)])

    def _expect(self, expected: str, context: str) -> _Word:
        word = self._take()
        if word.text != expected:
            raise self._fail(word, f'expected "{expected}" {context}, found {_show(word)}')
        return word

    def _choose(self, enum: type[_Choice], what: str) -> _Choice:
        word = self._take()
        for member in enum:
            if member.value == word.text:
                self.id_words.append(word.text)
                return member
        choices = ", ".join(str(member.value) for member in enum)
        raise self._fail(word, f"expected a {what} ({choices}), found {_show(word)}")

    def parse(self) -> LimitSentence:
        first = self._peek()
        measure = self._choose(Measure, "measure")
        subject, subject_word = Subject.ITEM, None
        if self._peek().text == "of":
            subject_word = self._take()
            self.id_words.append("of")
            subject = self._choose(Subject, "subject")
        self._expect("per", "after the measure")
        self.id_words.append("per")
        scope_word = self._peek()
        scope = self._choose(Scope, "scope")
        window, window_word = None, None
        if self._peek().text == "per":
            self._take()
            window_word = self._peek()
            window = self._window()
        operator = self._take()
        if operator.text != "<=":
            raise self._fail(operator, f'expected "<=" before the limit, found {_show(operator)}')
        bound = self._bound(measure, self._take())
        if self._peek().kind != "end":
            raise self._fail(self._peek(), f"unexpected {_show(self._peek())} after the limit")
        if measure is Measure.AMOUNT:
            if subject_word is not None:
                self._problem(
                    subject_word, '"amount" is the amount of this request; it has no "of item/theme"'
                )
            if scope is not Scope.REQUEST:
                self._problem(scope_word, 'an "amount" limit is written "amount per request <= …"')
            if window_word is not None:
                self._problem(window_word, '"amount per request" has no window')
        else:
            if scope is Scope.REQUEST:
                self._problem(
                    scope_word, f'"{measure.value}" needs the scope beneficiary, household or dossier'
                )
            if window is None:
                self._problem(first, f'"{measure.value}" needs a window, such as "per calendar year"')
        if self.problems:
            raise ExpressionError(self.problems)
        return LimitSentence(measure, subject, scope, window, bound, "_".join(self.id_words))

    def _problem(self, word: _Word, message: str) -> None:
        self.problems.append(Problem(word.column, message))

    def _window(self) -> Window:
        first = self._take()
        if first.text == "rolling":
            number, unit = self._take(), self._take()
            if not number.text.isdigit() or unit.text not in _ROLLING:
                raise self._fail(first, 'write a rolling window as "rolling 90 days" or "rolling 6 months"')
            length = int(number.text) if len(number.text) <= 6 else 0
            if not 1 <= length <= MAX_ROLLING[unit.text]:
                raise self._fail(number, f"a rolling window is 1 to {MAX_ROLLING[unit.text]} {unit.text}")
            self.id_words.extend(["rolling", str(length), unit.text])
            return Window(_ROLLING[unit.text], length)
        second = self._peek()
        kind = _FIXED_WINDOWS.get((first.text, second.text))
        if kind is None:
            written = [first.text]
            for word in self.words[self.position :]:
                if word.kind != "word":
                    break
                written.append(word.text)
            shown = " ".join(written) or "nothing"
            raise self._fail(first, f'unsupported window "{shown}"; supported: {SUPPORTED_WINDOWS}')
        self._take()
        self.id_words.extend([first.text, second.text])
        return Window(kind)

    def _bound(self, measure: Measure, word: _Word) -> Bound:
        wants = Unit.COUNT if measure is Measure.COUNT else Unit.EUR
        hint = (
            'a whole number such as 1, or a parameter with unit "count"'
            if wants is Unit.COUNT
            else 'an amount in quotes such as "150.00", or a parameter with unit "EUR"'
        )
        if word.kind == "quoted" and wants is Unit.EUR:
            try:
                cents = parse_cents(word.text[1:-1])
            except MoneyFormatError:
                raise self._fail(word, f"{word.text} is not an amount; the limit must be {hint}") from None
            if cents < 0:
                raise self._fail(word, "a limit cannot be negative")
            return Bound(value=cents)
        if word.kind == "word" and word.text.isdigit() and wants is Unit.COUNT:
            if len(word.text) > 9:
                raise self._fail(word, f"the number {word.text} is too large")
            return Bound(value=int(word.text))
        if word.kind == "word" and _NAME.fullmatch(word.text):
            if word.text not in self.parameter_units:
                raise self._fail(word, f'unknown parameter "{word.text}"')
            unit = self.parameter_units[word.text]
            if unit is not None and unit is not wants:
                message = f'parameter "{word.text}" has unit "{unit.value}"; the limit must be {hint}'
                raise self._fail(word, message)
            return Bound(parameter=word.text)
        if wants is Unit.EUR and _NUMBER.fullmatch(word.text):
            whole, _, decimals = word.text.partition(".")
            written = f"{whole}.{decimals.ljust(2, '0')}"
            raise self._fail(word, f'an amount must be written in quotes: "{written}"')
        if word.kind == "end":
            raise self._fail(word, f'expected the limit after "<=": {hint}')
        raise self._fail(word, f"the limit must be {hint}, not {word.text}")


def parse_limit(text: str, parameter_units: Mapping[str, Unit | None]) -> LimitSentence:
    """Parse a limit sentence.

    `parameter_units` maps every parameter of the policy to its unit; None means its unit is broken (already
    reported), so its type is not checked.
    """
    if len(text) > MAX_LENGTH:
        raise ExpressionError([Problem(0, f"the limit is longer than {MAX_LENGTH} characters")])
    if not text.strip():
        raise ExpressionError([Problem(0, 'the limit is empty; write e.g. "amount per request <= max"')])
    return _SentenceParser(text, parameter_units).parse()


def _show(word: _Word) -> str:
    return "the end of the sentence" if word.kind == "end" else f'"{word.text}"'
