"""What a text accepts, wherever it comes in: the API, the web pages, the command line and every use case.

Line breaks are made LF first (browsers send CR LF, old Macs CR). Then a text holds no control character but
TAB, and LF where it has lines (a justification, a reason, a motivation, a question); a single line (a name, a
team, a reference, a login name) holds no LF either. Refused are the C0 controls, DEL and the C1 controls
(U+0080-U+009F): nobody types them, they show as nothing or garble a page, a letter or a terminal (ESC starts
a terminal's escape sequence), PostgreSQL cannot store NUL at all, and C1 controls in a text are the mark of
Windows-1252 bytes read as Latin-1: refusing them says so, where storing them would keep the garbage. An
unpaired surrogate (U+D800-U+DFFF, which JSON can write as "\\ud800") is refused too: it is no character,
and neither database can store it.
"""

from __future__ import annotations

import re

from envelopes.domain.errors import ControlCharacter, InvalidInput

_REFUSED_IN_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")  # every control but TAB, LF
_REFUSED_IN_A_LINE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")  # every control but TAB
LINES_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
"""What a text with lines may hold as it is sent (CR is made LF), as a JSON Schema pattern."""
LINE_PATTERN = r"^[^\x00-\x08\x0a-\x1f\x7f-\x9f]*$"
"""What a single line may hold, as a JSON Schema pattern."""


def with_lf(text: str) -> str:
    """Every line break as LF: CR LF and a lone CR become LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def control_character(text: str, *, lines: bool) -> tuple[int, str] | None:
    """The first character `text` may not hold, as (its position from 1, "U+001B"); None when all is well.
    `text` is taken as it is: make its line breaks LF first."""
    found = (_REFUSED_IN_LINES if lines else _REFUSED_IN_A_LINE).search(text)
    return None if found is None else (found.start() + 1, f"U+{ord(found.group()):04X}")


def refusal_text(position: int, character: str, *, lines: bool) -> str:
    """Why a text with this character is refused (the API's and the domain's message)."""
    if character == "U+000A":
        kind = "a line break"
    elif 0xD800 <= int(character[2:], 16) <= 0xDFFF:
        kind = f"the unpaired surrogate {character} (no character)"
    else:
        kind = f"the control character {character}"
    rule = (
        "only tab and line breaks are allowed, no other control character"
        if lines
        else "this is a single line, with no control character but tab"
    )
    return f"holds {kind} at position {position}: {rule}"


def checked_text(value: str, field: str, *, lines: bool) -> str:
    """`value` with its line breaks made LF; refused (`ControlCharacter`, naming the field) when it holds a
    character a text may not hold."""
    text = with_lf(value)
    found = control_character(text, lines=lines)
    if found is not None:
        raise ControlCharacter(f"{field} {refusal_text(*found, lines=lines)}", field=field)
    return text


def required_text(value: str, field: str, *, lines: bool, max_length: int = 2000) -> str:
    """A non-blank text, checked and stripped; refused with the field named otherwise."""
    text = checked_text(value, field, lines=lines).strip()
    if not text:
        raise InvalidInput(f"{field} is required", field=field)
    if len(text) > max_length:
        raise InvalidInput(f"{field} is longer than {max_length} characters", field=field)
    return text


def optional_text(value: str, field: str, *, lines: bool, max_length: int = 2000) -> str:
    """A text that may be empty, checked and stripped."""
    text = checked_text(value, field, lines=lines).strip()
    if len(text) > max_length:
        raise InvalidInput(f"{field} is longer than {max_length} characters", field=field)
    return text
