"""What a text accepts (envelopes/domain/text.py), and the domain refusing the rest wherever text comes in:
the command line and every use case reach it, whatever the API and the pages already refused."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from envelopes.domain.dossiers import ClientDossier, NewMember
from envelopes.domain.envelopes import Envelope
from envelopes.domain.errors import ControlCharacter, InvalidInput
from envelopes.domain.text import checked_text, control_character, optional_text, required_text, with_lf
from envelopes.domain.users import Role, User
from rules.money import Money

REFUSED = ["\x00", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x80", "\x85", "\x9b", "\x9f"]
REFUSED += ["\ud800", "\udfff"]  # unpaired surrogates: JSON can send them, no database stores them
ACCEPTED = ["\t", " ", "~", "\xa0", "é", "€", "\u2028", "😀"]


def test_line_breaks_are_made_lf() -> None:
    assert with_lf("een\r\ntwee\rdrie\nvier") == "een\ntwee\ndrie\nvier"
    assert with_lf("\r\r\n") == "\n\n"


@pytest.mark.parametrize("character", REFUSED, ids=lambda c: f"U+{ord(c):04X}")
def test_every_control_character_but_tab_and_lf_is_refused(character: str) -> None:
    assert control_character(f"ab{character}c", lines=True) == (3, f"U+{ord(character):04X}")
    assert control_character(f"ab{character}c", lines=False) == (3, f"U+{ord(character):04X}")


@pytest.mark.parametrize("character", ACCEPTED, ids=lambda c: f"U+{ord(c):04X}")
def test_what_people_type_is_accepted(character: str) -> None:
    assert control_character(f"a{character}b", lines=False) is None


def test_lf_only_in_a_text_with_lines() -> None:
    assert control_character("een\ntwee", lines=True) is None
    assert control_character("een\ntwee", lines=False) == (4, "U+000A")


def test_a_refusal_names_the_field_and_the_character() -> None:
    with pytest.raises(ControlCharacter) as refused:
        checked_text("ja\x00nee", "reason", lines=True)
    assert refused.value.field == "reason"
    assert refused.value.status == 422
    assert refused.value.message == (
        "reason holds the control character U+0000 at position 3: only tab and line breaks are allowed, "
        "no other control character"
    )
    with pytest.raises(
        ControlCharacter, match="team holds a line break at position 4: this is a single line"
    ):
        checked_text("een\r\ntwee", "team", lines=False)


def test_required_and_optional_texts_are_checked_stripped_and_lf() -> None:
    assert required_text("  een\r\ntwee  ", "reason", lines=True) == "een\ntwee"
    assert optional_text("  ", "reason", lines=True) == ""
    with pytest.raises(InvalidInput, match="reason is required"):
        required_text(" \r\n ", "reason", lines=True)
    with pytest.raises(ControlCharacter):
        optional_text("\x1b[2J", "reason", lines=True)


def test_the_domain_refuses_control_characters_wherever_text_comes_in() -> None:
    at = datetime(2026, 11, 23, tzinfo=UTC)
    cases = [
        ("name", lambda: User.new("bob", "Bob\x1b", Role.CASEWORKER)),
        ("team", lambda: User.new("bob", "Bob", Role.CASEWORKER, team="noord\nzuid")),
        ("team", lambda: Envelope.open(theme="kleding", year=2026, team="a\x00", allocation=Money(1), at=at)),
        ("caseworker_id", lambda: ClientDossier.open(
            reference="R-1", caseworker_id="carla\x00", members=[NewMember(date(2018, 1, 1))], today=at.date()
        )),
    ]  # fmt: skip
    for field, act in cases:
        with pytest.raises(ControlCharacter) as refused:
            act()
        assert refused.value.field == field


def test_ids_and_names_match_whole_not_up_to_a_trailing_line_break() -> None:
    at = datetime(2026, 11, 23, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="is not a user id"):
        User.new("bob\n", "Bob", Role.CASEWORKER)
    with pytest.raises(InvalidInput, match="is not a theme id"):
        Envelope.open(theme="kleding\n", year=2026, team=None, allocation=Money(1), at=at)
