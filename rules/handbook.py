"""The policy as a handbook for caseworkers and the committee, in Markdown or as one standalone HTML page.

Per theme and item: what a caseworker may decide alone (the delegation condition in plain words), up to which
amounts and how often (every limit with its parameter's dated values), on what legal basis; then the general
conditions and the parameters with their references. Texts in Dutch or English; the numbers as people read
them ("€ 60,00", "1 januari 2027").

The content is built once as a few plain blocks (headings, paragraphs, bullets, a table) and then written out
in either format, so both formats always say the same thing.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

from rules import wording
from rules.formatting import format_date
from rules.model import (
    Always,
    Bound,
    Condition,
    Item,
    Limit,
    Measure,
    Parameter,
    Policy,
    Scope,
    Subject,
    Theme,
)
from rules.money import format_eur

Format = Literal["md", "html"]
Lang = Literal["nl", "en"]

# --- the words (Dutch, English) ---------------------------------------------------------------------------

_WORDS: dict[str, tuple[str, str]] = {
    "title": ("Handboek hulpgelden", "Handbook of aid rules"),
    "version": ("Beleidsversie", "Policy version"),
    "intro": (
        "Wat een maatschappelijk assistent zelf mag beslissen, tot welke bedragen en hoe vaak. Al de rest "
        "gaat naar het comité, met alle redenen. De regels keuren goed of sturen door; ze weigeren nooit: "
        "een weigering is altijd een beslissing van het comité, met motivering. De algemene voorwaarden "
        "(onderaan) gelden voor elke aanvraag.",
        "What a caseworker may decide alone, up to which amounts and how often. Everything else goes to the "
        "committee, with every reason. The rules approve or escalate; they never refuse: a refusal is always "
        "a decision of the committee, with its motivation. The general conditions (below) apply to every "
        "request.",
    ),
    "basis": ("Rechtsgrond", "Legal basis"),
    "file": ("Bestand", "File"),
    "rule": ("regel", "rule"),
    "parameter": ("parameter", "parameter"),
    "alone": ("Zelf beslissen", "Decide alone"),
    "alone_when": ("Zelf beslissen wanneer", "Decide alone when"),
    "no_limits": (
        "geen eigen grenzen; de algemene voorwaarden gelden",
        "none of its own; the general conditions apply",
    ),
    "limits": ("Grenzen", "Limits"),
    "note": ("Opmerking", "Note"),
    "at_most": ("hoogstens", "at most"),
    "in_total": ("samen hoogstens", "in total at most"),
    "since": ("vanaf", "from"),
    "request": ("aanvraag", "request"),
    "requests": ("aanvragen", "requests"),
    "theme_subject": ("alle hulp binnen het thema", "all aid within the theme"),
    "ceiling": ("Mandaatplafond", "Mandate ceiling"),
    "ceiling_text": (
        "een aanvraag van meer dan {max} gaat altijd naar het comité. Heeft een maatschappelijk assistent "
        "een lager persoonlijk plafond, dan geldt dat plafond.",
        "a request of more than {max} always goes to the committee. A caseworker with a lower personal "
        "ceiling keeps to that ceiling.",
    ),
    "cover": ("Envelop", "Envelope"),
    "cover_text": (
        "het budget (de envelop) van het thema moet het hele bedrag nog kunnen dragen; anders gaat de "
        "aanvraag naar het comité.",
        "the theme's budget (envelope) must still cover the whole amount; otherwise the request goes to the "
        "committee.",
    ),
    "frozen": ("Bevroren envelop", "Frozen envelope"),
    "frozen_text": (
        "is de envelop van het thema bevroren, dan gaat elke aanvraag naar het comité.",
        "when the theme's envelope is frozen, every request goes to the committee.",
    ),
    "unknown": ("Onbekende hulpvorm", "Unknown item"),
    "unknown_text": (
        "een hulpvorm die in geen enkel regelbestand staat, gaat altijd naar het comité.",
        "an item that no rule file names always goes to the committee.",
    ),
    "parameters": ("Parameters", "Parameters"),
    "parameter_head": ("Parameter", "Parameter"),
    "description": ("Omschrijving", "Description"),
    "values": ("Waarden", "Values"),
    "reference": ("Referentie", "Reference"),
}

_SCOPES: dict[Scope, tuple[str, str]] = {
    Scope.REQUEST: ("per aanvraag", "per request"),
    Scope.BENEFICIARY: ("per begunstigde", "per beneficiary"),
    Scope.HOUSEHOLD: ("per gezin", "per household"),
    Scope.DOSSIER: ("per dossier", "per client file"),
}


def _w(key: str, lang: Lang) -> str:
    return _WORDS[key][1 if lang == "en" else 0]


def _pick(words: tuple[str, str], lang: Lang) -> str:
    return words[1 if lang == "en" else 0]


# --- the blocks a handbook is made of ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Span:
    """Marked-up text: bold, code (a name or an id), or a link to an anchor in the same handbook."""

    kind: Literal["strong", "code", "link"]
    text: str
    anchor: str = ""


Inline: TypeAlias = str | Span
Line: TypeAlias = tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str
    anchor: str = ""


@dataclass(frozen=True, slots=True)
class Paragraph:
    line: Line


@dataclass(frozen=True, slots=True)
class Bullets:
    lines: tuple[Line, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """The first cell of each row is its header (`<th scope="row">`), with an anchor."""

    caption: str
    head: tuple[str, ...]
    rows: tuple[tuple[str, tuple[Line, ...]], ...]  # (anchor, cells)


Block: TypeAlias = Heading | Paragraph | Bullets | Table


# --- the content --------------------------------------------------------------------------------------------


def render_handbook(policy: Policy, fmt: Format = "md", lang: Lang = "nl") -> str:
    """The policy as a readable handbook, as Markdown (`md`) or a standalone HTML page (`html`)."""
    if fmt not in ("md", "html"):
        raise ValueError(f'unknown format "{fmt}": use md or html')
    if lang not in ("nl", "en"):
        raise ValueError(f'unknown language "{lang}": use nl or en')
    blocks = handbook_blocks(policy, lang)
    return _to_html(blocks, lang) if fmt == "html" else _to_markdown(blocks)


def handbook_blocks(policy: Policy, lang: Lang) -> list[Block]:
    blocks: list[Block] = [
        Heading(1, _w("title", lang)),
        Paragraph((*_field(_w("version", lang), ""), Span("code", policy.version))),
        Paragraph((_w("intro", lang),)),
    ]
    for theme in policy.themes.values():
        blocks.extend(_theme_blocks(policy, theme, lang))
    blocks.extend(_general_blocks(policy, lang))
    blocks.extend(_parameter_blocks(policy, lang))
    return blocks


def _theme_blocks(policy: Policy, theme: Theme, lang: Lang) -> list[Block]:
    blocks: list[Block] = [
        Heading(2, theme.title.get(lang), f"thema-{theme.key}"),
        _source(theme.basis, theme.path, lang),
    ]
    for item in theme.items.values():
        blocks.append(Heading(3, item.title.get(lang), f"{theme.key}-{item.key}"))
        blocks.append(Bullets(tuple(_item_lines(policy, theme, item, lang))))
        if item.note is not None:
            blocks.append(Paragraph(_field(_w("note", lang), item.note.get(lang))))
    return blocks


def _item_lines(policy: Policy, theme: Theme, item: Item, lang: Lang) -> list[Line]:
    condition = item.delegated_when
    label = "alone" if isinstance(condition, Always) else "alone_when"
    text = condition_text(condition, policy, lang)
    lines = [_field(_w(label, lang), text, _rule_tag(item.delegation_rule_id, lang))]
    lines.extend(_limit_line(policy, theme, limit, lang) for limit in item.limits)
    if not item.limits and condition != Always(False):
        lines.append(_field(_w("limits", lang), _w("no_limits", lang)))
    lines.append(_field(_w("basis", lang), item.basis))
    return lines


def _field(label: str, text: str, tag: Line = ()) -> Line:
    """ "**Label:** text — tag"."""
    return (Span("strong", label + ":"), " " + text, *tag)


def _source(basis: str, path: str, lang: Lang) -> Paragraph:
    return Paragraph(
        (*_field(_w("basis", lang), basis + ". "), *_field(_w("file", lang), ""), Span("code", path))
    )


def _rule_tag(rule_id: str, lang: Lang, parameter: str | None = None) -> Line:
    tag: Line = (" — ",)
    if parameter is not None:
        tag += (_w("parameter", lang) + " ", Span("link", parameter, _anchor(parameter)), ", ")
    return (*tag, _w("rule", lang) + " ", Span("code", rule_id))


def _anchor(parameter: str) -> str:
    return f"parameter-{parameter}"


def _limit_line(policy: Policy, theme: Theme, limit: Limit, lang: Lang) -> Line:
    label = _pick(_SCOPES[limit.scope], lang)
    if limit.window is not None:
        label += " " + limit.window.describe().get(lang)
    if limit.subject is Subject.THEME and limit.measure is not Measure.AMOUNT:
        label += f", {_w('theme_subject', lang)} {theme.title.get(lang)}"
    label = label[:1].upper() + label[1:]
    value = (
        _euros(lang)
        if limit.measure is not Measure.COUNT
        else (lambda n: f"{n} {_w('request' if n == 1 else 'requests', lang)}")
    )
    prefix = _w("in_total" if limit.measure is Measure.SUM else "at_most", lang)
    text = f"{prefix} {_bound_text(policy, limit.bound, value, lang)}"
    return _field(label, text, _rule_tag(limit.rule_id, lang, limit.bound.parameter))


def _euros(lang: Lang) -> Callable[[int], str]:
    return lambda cents: format_eur(cents, lang)


def _bound_text(policy: Policy, bound: Bound, value: Callable[[int], str], lang: Lang) -> str:
    if bound.parameter is not None and bound.parameter in policy.parameters:
        return dated_values(policy.parameters[bound.parameter], lang, value, always_dated=True)
    return value(bound.value or 0)


def dated_values(
    parameter: Parameter, lang: Lang, value: Callable[[int], str] | None = None, *, always_dated: bool = False
) -> str:
    """ "€ 60,00 (vanaf 1 januari 2024), € 65,00 (vanaf 1 januari 2027)"; a single value without its date
    unless `always_dated`."""
    show = value or (lambda number: wording.unit_value(number, parameter.unit, lang))
    if len(parameter.values) == 1 and not always_dated:
        return show(parameter.values[0].value)
    since = _w("since", lang)
    return ", ".join(f"{show(v.value)} ({since} {format_date(v.since, lang)})" for v in parameter.values)


# --- conditions in plain words ----------------------------------------------------------------------------


def condition_text(condition: Condition, policy: Policy, lang: Lang) -> str:
    """`beneficiary.age < meerderjarigheid` → "de begunstigde is jonger dan 18 jaar", with every dated
    value of a parameter."""
    return wording.condition_text(
        condition, policy, lang, lambda parameter, show: dated_values(parameter, lang, show)
    )


# --- general conditions and parameters --------------------------------------------------------------------


def _general_blocks(policy: Policy, lang: Lang) -> list[Block]:
    general = policy.general
    ceiling = general.mandate_ceiling
    ceiling_text = _w("ceiling_text", lang).format(max=_bound_text(policy, ceiling, _euros(lang), lang))
    lines = [
        _field(
            _w("ceiling", lang), ceiling_text, _rule_tag("general.mandate_ceiling", lang, ceiling.parameter)
        )
    ]
    for key, rule in (
        ("cover", "envelope_cover"),
        ("frozen", "envelope_frozen"),
        ("unknown", "unknown_item"),
    ):
        lines.append(_field(_w(key, lang), _w(f"{key}_text", lang), _rule_tag(f"general.{rule}", lang)))
    return [
        Heading(2, general.title.get(lang), "algemeen"),
        _source(general.basis, general.path, lang),
        Bullets(tuple(lines)),
    ]


def _parameter_blocks(policy: Policy, lang: Lang) -> list[Block]:
    rows = tuple(
        (
            _anchor(name),
            (
                (Span("code", name),),
                (parameter.description.get(lang),),
                (dated_values(parameter, lang, always_dated=True),),
                (parameter.reference,),
            ),
        )
        for name, parameter in sorted(policy.parameters.items())
    )
    head = tuple(_w(key, lang) for key in ("parameter_head", "description", "values", "reference"))
    return [Heading(2, _w("parameters", lang), "parameters"), Table(_w("parameters", lang), head, rows)]


# --- Markdown -----------------------------------------------------------------------------------------------

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|"})


def _md_inline(line: Sequence[Inline]) -> str:
    parts: list[str] = []
    for part in line:
        if isinstance(part, str):
            parts.append(part.translate(_MD_SPECIAL))
        elif part.kind == "strong":
            parts.append(f"**{part.text.translate(_MD_SPECIAL)}**")
        else:  # code, and a link as the name it points to
            parts.append(f"`{part.text.replace('`', '')}`")
    return "".join(parts).replace("\n", " ")


def _to_markdown(blocks: Sequence[Block]) -> str:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append(f"{'#' * block.level} {_md_inline((block.text,))}")
        elif isinstance(block, Paragraph):
            out.append(_md_inline(block.line))
        elif isinstance(block, Bullets):
            out.append("\n".join(f"- {_md_inline(line)}" for line in block.lines))
        else:
            rows = [f"| {' | '.join(_md_inline((cell,)) for cell in block.head)} |",
                    "|" + "---|" * len(block.head)]  # fmt: skip
            rows.extend(f"| {' | '.join(_md_inline(cell) for cell in cells)} |" for _, cells in block.rows)
            out.append("\n".join(rows))
    return "\n\n".join(out) + "\n"


# --- HTML ---------------------------------------------------------------------------------------------------

_STYLE = """
body { font-family: system-ui, sans-serif; line-height: 1.5; margin: 2rem auto; max-width: 52rem;
       padding: 0 1rem; color: #1a1a1a; }
h1, h2, h3 { line-height: 1.25; } h2 { border-bottom: 1px solid #ccc; margin-top: 2.5rem; }
code { font-size: 0.9em; background: #f3f3f3; padding: 0 0.2em; }
table { border-collapse: collapse; width: 100%; } caption { text-align: left; font-weight: bold; }
th, td { border: 1px solid #bbb; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
thead th { background: #eee; }
""".strip()


def _html_inline(line: Sequence[Inline]) -> str:
    parts: list[str] = []
    for part in line:
        if isinstance(part, str):
            parts.append(html.escape(part))
        elif part.kind == "strong":
            parts.append(f"<strong>{html.escape(part.text)}</strong>")
        elif part.kind == "code":
            parts.append(f"<code>{html.escape(part.text)}</code>")
        else:
            parts.append(f'<a href="#{html.escape(part.anchor)}"><code>{html.escape(part.text)}</code></a>')
    return "".join(parts)


def _html_block(block: Block) -> str:
    if isinstance(block, Heading):
        anchor = f' id="{html.escape(block.anchor)}"' if block.anchor else ""
        return f"<h{block.level}{anchor}>{html.escape(block.text)}</h{block.level}>"
    if isinstance(block, Paragraph):
        return f"<p>{_html_inline(block.line)}</p>"
    if isinstance(block, Bullets):
        return "<ul>\n" + "".join(f"<li>{_html_inline(line)}</li>\n" for line in block.lines) + "</ul>"
    head = "".join(f'<th scope="col">{html.escape(cell)}</th>' for cell in block.head)
    rows = []
    for anchor, (first, *rest) in block.rows:
        cells = "".join(f"<td>{_html_inline(cell)}</td>" for cell in rest)
        rows.append(
            f'<tr><th scope="row" id="{html.escape(anchor)}">{_html_inline(first)}</th>{cells}</tr>\n'
        )
    return (
        f"<table>\n<caption>{html.escape(block.caption)}</caption>\n<thead><tr>{head}</tr></thead>\n"
        f"<tbody>\n{''.join(rows)}</tbody>\n</table>"
    )


def _to_html(blocks: Sequence[Block], lang: Lang) -> str:
    title = next((b.text for b in blocks if isinstance(b, Heading)), "")
    body = "\n".join(_html_block(block) for block in blocks)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{_STYLE}\n</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )
