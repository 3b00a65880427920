"""Dutch by default, English available: every Dutch text has its English; money and dates through Babel;
amounts and dates typed as people type them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from api.web.english import EN
from api.web.forms import parse_day, parse_money
from api.web.i18n import Words
from rules.money import Money, MoneyFormatError
from tests.e2e.http.conftest import Api
from tests.e2e.web.conftest import FINANCE, signed_in
from tests.e2e.web.dutch_texts import every_text


def test_every_dutch_text_has_its_english() -> None:
    texts = every_text()
    assert len(texts) > 300  # the scan finds them
    assert {text: where for text, where in texts.items() if text not in EN} == {}


def test_translations_keep_their_placeholders() -> None:
    for dutch, english in EN.items():
        assert set(re.findall(r"\{\w+\}", dutch)) == set(re.findall(r"\{\w+\}", english)), dutch


def test_money_and_dates_as_people_read_them() -> None:
    dutch, english = Words("nl"), Words("en")
    assert dutch.money(Money(123450)) == "€\xa01.234,50"
    assert english.money(Money(123450)) == "€1,234.50"
    assert dutch.money(-350) == "€\xa0-3,50"
    assert dutch.day(date(2026, 11, 23)) == "23 november 2026"
    assert english.day(date(2026, 11, 23)) == "23 November 2026"
    assert dutch.moment(datetime(2026, 11, 23, 9, 5, tzinfo=UTC)) == "23 nov 2026 10:05"  # Brussels time
    assert dutch.figure("55.00") == "€\xa055,00"
    assert Words("fr").lang == "nl"


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("55", 5500),
        ("55,5", 5550),
        ("55,00", 5500),
        ("€ 1.234,50", 123450),
        ("1.234", 123400),
        ("55.00", 5500),
        ("-10,00", -1000),
    ],
)
def test_amounts_as_people_type_them(typed: str, cents: int) -> None:
    assert parse_money(typed).cents == cents


@pytest.mark.parametrize("typed", ["", "abc", "12,345", "1,2,3", "55.5.5", "1e3"])
def test_what_is_not_an_amount(typed: str) -> None:
    with pytest.raises(MoneyFormatError):
        parse_money(typed)


def test_dates_as_people_type_them() -> None:
    assert parse_day("2026-11-23") == date(2026, 11, 23)
    assert parse_day("23/11/2026") == date(2026, 11, 23)
    assert parse_day("3-1-2027") == date(2027, 1, 3)
    assert parse_day("31/02/2026") is None
    assert parse_day("morgen") is None


def test_the_language_is_kept_in_the_session(api: Api) -> None:
    browser = signed_in(api, FINANCE)
    assert "€\xa05.000,00" in browser.get("/financien").text

    browser.post("/taal", {"lang": "en", "back": "/financien"})
    english = browser.get("/financien").text
    browser.post("/taal", {"lang": "xx", "back": "https://evil.example"})

    assert '<html lang="en">' in english
    assert "<h1>Envelopes 2026</h1>" in english
    assert "€5,000.00" in english
    assert '<html lang="en">' in browser.get("/financien").text  # an unknown language changes nothing
