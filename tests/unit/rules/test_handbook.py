"""The handbook: conditions and limits in plain words, dated values, and well-formed Markdown and HTML."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from types import MappingProxyType

import pytest

from rules.handbook import condition_text, render_handbook
from rules.loader import load_policy
from rules.model import (
    All,
    Always,
    Any,
    Bound,
    Compare,
    Condition,
    Constant,
    DatedValue,
    FactRef,
    FactType,
    General,
    Item,
    Limit,
    Measure,
    Not,
    Parameter,
    ParamRef,
    Policy,
    Scope,
    SourceRef,
    Subject,
    Text,
    Theme,
    Unit,
    Window,
    WindowKind,
)
from rules.policies import DEMO_POLICY

REF = SourceRef("kleding.yaml", 1, 1)


def _parameter(name: str, unit: Unit, *values: tuple[date, int], reference: str = "raad art. 1") -> Parameter:
    dated = tuple(DatedValue(since, value) for since, value in values)
    return Parameter(name, Text(f"Omschrijving {name}", f"Description {name}"), unit, reference, dated, REF)


def _policy(delegated_when: Condition | None = None, item_title: str = "Winterschoenen") -> Policy:
    parameters = {
        "meerderjarigheid": _parameter("meerderjarigheid", Unit.YEARS, (date(2024, 1, 1), 18)),
        "schoenen_max": _parameter(
            "schoenen_max", Unit.EUR, (date(2024, 1, 1), 6000), (date(2027, 1, 1), 6500), reference="a | b"
        ),
        "plafond": _parameter("plafond", Unit.EUR, (date(2024, 1, 1), 25000)),
        "keer": _parameter("keer", Unit.COUNT, (date(2024, 1, 1), 1), (date(2026, 1, 1), 2)),
    }
    limits = (
        Limit(
            "kleding.schoenen.amount_per_request", Measure.AMOUNT, Scope.REQUEST, Bound("schoenen_max"), REF
        ),
        Limit(
            "kleding.schoenen.count_per_beneficiary_winter_season",
            Measure.COUNT,
            Scope.BENEFICIARY,
            Bound(value=1),
            REF,
            window=Window(WindowKind.WINTER_SEASON),
        ),
        Limit(
            "kleding.schoenen.sum_of_theme_per_household_rolling_90_days",
            Measure.SUM,
            Scope.HOUSEHOLD,
            Bound(value=20000),
            REF,
            subject=Subject.THEME,
            window=Window(WindowKind.ROLLING_DAYS, 90),
        ),
        Limit(
            "kleding.schoenen.count_per_dossier_calendar_year",
            Measure.COUNT,
            Scope.DOSSIER,
            Bound("keer"),
            REF,
            window=Window(WindowKind.CALENDAR_YEAR),
        ),
    )
    condition = delegated_when or Compare("<", FactRef("beneficiary.age"), ParamRef("meerderjarigheid"))
    item = Item(
        "kleding", "schoenen", Text(item_title, "Winter shoes"), condition, "", limits, "raad art. 4", REF,
        note=Text("Let op: <b>maat</b>"),
    )  # fmt: skip
    theme = Theme(
        "kleding", Text("Kleding & schoenen", "Clothing"), "raad art. 4", {"schoenen": item}, "kleding.yaml"
    )
    general = General(
        Text("Algemene voorwaarden", "General"), "raad art. 2", Bound("plafond"), "algemeen.yaml"
    )
    return Policy("abc123", general, MappingProxyType({"kleding": theme}), MappingProxyType(parameters))


# --- conditions in plain words ---------------------------------------------------------------------------

AGE = FactRef("beneficiary.age")


@pytest.mark.parametrize(
    ("condition", "nl", "en"),
    [
        (Compare("<", AGE, ParamRef("meerderjarigheid")), "de begunstigde is jonger dan 18 jaar",
         "the beneficiary is under 18"),
        (Compare(">", Constant(18, FactType.INT), AGE), "de begunstigde is jonger dan 18 jaar",
         "the beneficiary is under 18"),
        (Compare(">=", AGE, Constant(65, FactType.INT)), "de begunstigde is minstens 65 jaar",
         "the beneficiary is at least 65"),
        (Not(Compare("<", AGE, Constant(18, FactType.INT))), "de begunstigde is minstens 18 jaar",
         "the beneficiary is at least 18"),
        (Always(True), "altijd", "always"),
        (Always(False), "nooit: altijd naar het comité", "never: always to the committee"),
        (Not(Always(True)), "nooit: altijd naar het comité", "never: always to the committee"),
        (Compare("==", FactRef("beneficiary.relation"), Constant("kind", FactType.TEXT)),
         'de relatie van de begunstigde is "kind"', "the beneficiary's relation is \"kind\""),
        (Compare("<=", FactRef("request.amount"), Constant(25000, FactType.MONEY)),
         "het gevraagde bedrag is hoogstens € 250,00", "the amount requested is at most €250.00"),
        (Compare("<", AGE, ParamRef("keer")),
         "de begunstigde is jonger dan 1 jaar (vanaf 1 januari 2024), 2 jaar (vanaf 1 januari 2026)",
         "the beneficiary is under 1 (from 1 January 2024), 2 (from 1 January 2026)"),
    ],
)  # fmt: skip
def test_conditions_read_as_plain_words(condition: Condition, nl: str, en: str) -> None:
    policy = _policy()
    assert condition_text(condition, policy, "nl") == nl
    assert condition_text(condition, policy, "en") == en


def test_and_or_not_are_grouped_with_parentheses() -> None:
    big = Compare(">=", FactRef("household.size"), Constant(5, FactType.INT))
    young = Compare("<", AGE, Constant(12, FactType.INT))
    condition = Any((All((big, young)), Not(Any((big, young)))))
    assert condition_text(condition, _policy(), "nl") == (
        "(het aantal gezinsleden is minstens 5 en de begunstigde is jonger dan 12 jaar) of "
        "het is niet zo dat (het aantal gezinsleden is minstens 5 of de begunstigde is jonger dan 12 jaar)"
    )


# --- the handbook's content ------------------------------------------------------------------------------


def test_limits_show_every_dated_value_and_their_rule() -> None:
    text = render_handbook(_policy(), "md", "nl")
    assert (
        "**Per aanvraag:** hoogstens € 60,00 (vanaf 1 januari 2024), € 65,00 (vanaf 1 januari 2027)" in text
    )
    assert "hoogstens 1 aanvraag — regel `kleding.schoenen.count_per_beneficiary_winter_season`" in text
    assert "**Per begunstigde per winterseizoen (1 oktober - 31 maart):**" in text
    assert (
        "**Per gezin per 90 dagen, alle hulp binnen het thema Kleding & schoenen:** samen hoogstens € 200,00"
        in text
    )
    assert "hoogstens 1 aanvraag (vanaf 1 januari 2024), 2 aanvragen (vanaf 1 januari 2026)" in text
    assert "parameter `schoenen_max`, regel `kleding.schoenen.amount_per_request`" in text


def test_english_handbook() -> None:
    text = render_handbook(_policy(), "md", "en")
    assert "**Decide alone when:** the beneficiary is under 18" in text
    assert "at most €60.00 (from 1 January 2024), €65.00 (from 1 January 2027)" in text
    assert (
        "**Per household per 90 days, all aid within the theme Clothing:** in total at most €200.00" in text
    )
    assert "\n### Winter shoes\n" in text


def test_general_conditions_and_version_are_shown() -> None:
    text = render_handbook(_policy(), "md", "nl")
    assert text.startswith("# Handboek hulpgelden\n\n**Beleidsversie:** `abc123`")
    assert "een aanvraag van meer dan € 250,00 (vanaf 1 januari 2024) gaat altijd naar het comité" in text
    for rule in ("mandate_ceiling", "envelope_cover", "envelope_frozen", "unknown_item"):
        assert f"`general.{rule}`" in text
    assert text.index("## Kleding") < text.index("## Algemene voorwaarden") < text.index("## Parameters")


def test_parameters_table_escapes_markdown() -> None:
    text = render_handbook(_policy(), "md", "nl")
    assert "| `schoenen_max` | Omschrijving schoenen\\_max | € 60,00 (vanaf 1 januari 2024), " in text
    assert "| a \\| b |" in text
    assert "Let op: \\<b\\>maat\\</b\\>" in text


def test_never_delegated_item_has_no_limits_line() -> None:
    text = render_handbook(_policy(Always(False)), "md", "nl")
    assert "**Zelf beslissen:** nooit: altijd naar het comité — regel `kleding.schoenen.delegation`" in text


def test_unknown_format_or_language_is_refused() -> None:
    with pytest.raises(ValueError, match="pdf"):
        render_handbook(_policy(), "pdf", "nl")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="fr"):
        render_handbook(_policy(), "md", "fr")  # type: ignore[arg-type]


# --- HTML -----------------------------------------------------------------------------------------------


class _Structure(HTMLParser):
    """Checks that tags nest and close, and collects headings, table headers and references."""

    VOID = frozenset({"meta", "br"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.headings: list[int] = []
        self.th_scopes: list[str | None] = []
        self.references: list[str] = []
        self.html_lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.references += [v or "" for k, v in attrs if k in ("href", "src")]
        if tag == "html":
            self.html_lang = values.get("lang")
        if tag in ("h1", "h2", "h3", "h4"):
            self.headings.append(int(tag[1]))
        if tag == "th":
            self.th_scopes.append(values.get("scope"))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1:] == [tag], f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()


def _structure(text: str) -> _Structure:
    parser = _Structure()
    parser.feed(text)
    parser.close()
    assert parser.stack == []
    return parser


def test_html_is_a_standalone_well_formed_page() -> None:
    text = render_handbook(_policy(item_title="Schoenen <script>alert(1)</script> & co"), "html", "nl")
    assert text.startswith('<!DOCTYPE html>\n<html lang="nl">')
    assert "<script>" not in text
    assert "Schoenen &lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in text
    assert "Kleding &amp; schoenen" in text
    structure = _structure(text)
    assert structure.html_lang == "nl"
    assert structure.headings[0] == 1
    assert all(b - a <= 1 for a, b in zip(structure.headings, structure.headings[1:], strict=False))
    assert set(structure.th_scopes) == {"col", "row"}
    assert structure.references
    assert all(ref.startswith("#") for ref in structure.references)
    anchors = {ref[1:] for ref in structure.references}
    assert all(f'id="{anchor}"' in text for anchor in anchors)


# --- the demo policy --------------------------------------------------------------------------------------


def test_demo_handbook_in_dutch() -> None:
    text = render_handbook(load_policy(DEMO_POLICY), "md", "nl")
    assert "### Winterschoenen" in text
    assert "de begunstigde is jonger dan 18 jaar" in text
    assert "€ 60,00 (vanaf 1 januari 2024), € 65,00 (vanaf 1 januari 2027)" in text
    assert (
        "**Zelf beslissen:** nooit: altijd naar het comité — regel `huisvesting.huurwaarborg.delegation`"
        in text
    )
    assert "**Zelf beslissen:** altijd — regel `energie.energiefactuur.delegation`" in text
    assert "**Per begunstigde per schooljaar (1 september - 31 augustus):** samen hoogstens € 150,00" in text
    assert "Een huurwaarborg beslist altijd het Bijzonder Comité." in text


def test_demo_handbook_in_english_html() -> None:
    text = render_handbook(load_policy(DEMO_POLICY), "html", "en")
    _structure(text)
    assert "the beneficiary is under 18" in text
    assert "€60.00 (from 1 January 2024), €65.00 (from 1 January 2027)" in text
    assert "http://" not in text
    assert "https://" not in text
