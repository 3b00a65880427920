"""Generated policies (as rule files) and requests, for the differential tests and the benchmarks."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

INT_FACTS = (
    "beneficiary.age",
    "household.size",
    "household.children",
    "household.adults",
    "request.quantity",
)
TEXT_FACTS = {
    "beneficiary.relation": ("kind", "partner", "zelf"),
    "household.income_band": ("laag", "midden"),
}
OPS = ("<", "<=", ">", ">=", "==", "!=")
WINDOWS = ("calendar year", "school year", "winter season", "rolling 90 days", "rolling 3 months")
SCOPES = ("beneficiary", "household", "dossier")

GENERAL = """general:
  title: {nl: Algemene voorwaarden}
  basis: "Raad, art. 1"
  mandate_ceiling: plafond
parameters:
  plafond:
    description: {nl: Mandaatplafond}
    unit: EUR
    reference: "Raad, art. 1"
    values:
      2024-01-01: "250.00"
      2026-07-01: "300.00"
  leeftijd:
    description: {nl: Leeftijdsgrens}
    unit: years
    reference: "Raad, art. 2"
    values:
      2024-01-01: 18
      2027-01-01: 21
"""


def _money(rng: random.Random, low: int = 1000, high: int = 40000) -> str:
    cents = rng.randrange(low, high, 50)
    return f"{cents // 100}.{cents % 100:02d}"


def _comparison(rng: random.Random, params: list[str]) -> str:
    kind = rng.random()
    if kind < 0.45:
        fact = rng.choice(INT_FACTS)
        right = "leeftijd" if fact == "beneficiary.age" and rng.random() < 0.5 else str(rng.randrange(0, 25))
        return f"{fact} {rng.choice(OPS)} {right}"
    if kind < 0.7:
        fact, values = rng.choice(sorted(TEXT_FACTS.items()))
        return f'{fact} {rng.choice(("==", "!="))} "{rng.choice(values)}"'
    right = rng.choice(params) if params and rng.random() < 0.5 else f'"{_money(rng)}"'
    return f"request.amount {rng.choice(OPS)} {right}"


def condition(rng: random.Random, params: list[str], depth: int = 0) -> str:
    roll = rng.random()
    if depth == 0 and roll < 0.08:
        return rng.choice(("always", "never"))
    if depth >= 2 or roll < 0.4:
        return _comparison(rng, params)
    if roll < 0.55:
        return f"not ({condition(rng, params, depth + 1)})"
    joiner = rng.choice((" and ", " or "))
    parts = [condition(rng, params, depth + 1) for _ in range(rng.randrange(2, 4))]
    return joiner.join(f"({part})" for part in parts)


def _limit(rng: random.Random, params: list[str], used: set[str]) -> str | None:
    roll = rng.random()
    if roll < 0.3:
        sentence = f"amount per request <= {rng.choice(params) if rng.random() < 0.5 else repr(_money(rng))}"
    else:
        scope, window = rng.choice(SCOPES), rng.choice(WINDOWS)
        subject = " of theme" if rng.random() < 0.25 else ""
        if roll < 0.6:
            sentence = f"count{subject} per {scope} per {window} <= {rng.randrange(1, 4)}"
        else:
            bound = rng.choice(params) if rng.random() < 0.5 else repr(_money(rng, 5000, 80000))
            sentence = f"sum{subject} per {scope} per {window} <= {bound}"
    key = sentence.split(" <=")[0]
    if key in used:
        return None
    used.add(key)
    return sentence.replace("'", '"')


def write_policy(folder: Path, items: int, seed: int = 1, themes: int = 10, templates: int = 40) -> Path:
    """Write a policy of `items` items over `themes` theme files. Conditions come from `templates`
    differently built conditions (real policies reuse a few), with their own numbers per item."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "algemeen.yaml").write_text(GENERAL, encoding="utf-8")
    shapes = [condition(rng, ["t_max"]) for _ in range(templates)]
    per_theme = [items // themes + (1 if t < items % themes else 0) for t in range(themes)]
    for t, count in enumerate(per_theme):
        if count == 0:
            continue
        lines = [
            f"theme: t{t}",
            f"title: {{nl: Thema {t}, en: Theme {t}}}",
            f'basis: "Raad, art. {t + 10}"',
            "parameters:",
            f"  t{t}_max:",
            f"    description: {{nl: Maximum thema {t}}}",
            "    unit: EUR",
            f'    reference: "Raad, art. {t + 10}.1"',
            "    values:",
            f'      2024-01-01: "{_money(rng, 5000, 20000)}"',
            f'      2026-09-01: "{_money(rng, 5000, 20000)}"',
            "items:",
        ]
        for i in range(count):
            shape = rng.choice(shapes).replace("t_max", f"t{t}_max")
            shape = _renumber(rng, shape)
            lines += [
                f"  i{i}:",
                f"    title: {{nl: Item {t}-{i}, en: Item {t}-{i}}}",
                f"    delegated_when: '{shape}'",
            ]
            used: set[str] = set()
            limits = [s for s in (_limit(rng, [f"t{t}_max"], used) for _ in range(rng.randrange(0, 4))) if s]
            if limits:
                lines.append("    limits:")
                lines += [f"      - '{sentence}'" for sentence in limits]
        (folder / f"t{t}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _renumber(rng: random.Random, text: str) -> str:
    """Give an item its own numbers within a shared shape."""
    out = []
    for word in text.split(" "):
        stripped = word.rstrip(")")
        if stripped.isdigit():
            word = str(rng.randrange(0, 25)) + word[len(stripped) :]
        out.append(word)
    return " ".join(out)


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def random_request(rng: random.Random, items: list[tuple[str, str]]) -> dict[str, Any]:
    """A valid decide request for one of `items` (sometimes for an item no file names)."""
    day = _day(rng, date(2023, 10, 1), date(2028, 12, 31))
    members = []
    for m in range(rng.randrange(1, 6)):
        born = _day(rng, date(1950, 1, 1), day)
        member: dict[str, Any] = {"id": f"m{m}", "birth_date": born.isoformat()}
        if rng.random() < 0.7:
            member["relation"] = rng.choice(TEXT_FACTS["beneficiary.relation"])
        members.append(member)
    beneficiary = rng.choice(members)
    theme, item = rng.choice(items) if rng.random() < 0.95 else ("t0", "onbekend")
    history = []
    for _ in range(rng.randrange(0, 7)):
        h_theme, h_item = (theme, item) if rng.random() < 0.6 else rng.choice(items)
        history.append(
            {
                "date": _day(rng, day - timedelta(days=500), day).isoformat(),
                "theme": h_theme,
                "item": h_item,
                "amount": _money(rng, 500, 20000),
                "quantity": rng.choice((1, 1, 1, 2)),
                "beneficiary_id": rng.choice(members)["id"],
                "dossier_id": rng.choice(("d1", "d2")),
            }
        )
    request: dict[str, Any] = {
        "date": day.isoformat(),
        "theme": theme,
        "item": item,
        "amount": _money(rng, 100, 40000),
        "quantity": rng.randrange(1, 4),
        "beneficiary": beneficiary,
        "household": {"id": "h1", "members": members},
        "history": history,
        "envelope": {"available": _money(rng, 0, 200000), "frozen": rng.random() < 0.05},
        "dossier_id": "d1",
    }
    if rng.random() < 0.5:
        request["household"]["income_band"] = rng.choice(TEXT_FACTS["household.income_band"])
    if rng.random() < 0.2:
        request["caseworker"] = {"mandate_ceiling": _money(rng, 5000, 30000)}
    return request


def everyday_request(rng: random.Random, items: list[tuple[str, str]]) -> dict[str, Any]:
    """A request as caseworkers mostly make them: mostly children, mostly modest amounts, a short history of
    earlier small aid, an envelope with room, rarely frozen, rarely an unknown item. `random_request` is the
    adversarial mix (most requests escalate, often for several reasons); this one is the everyday mix."""
    day = _day(rng, date(2026, 1, 1), date(2027, 12, 31))
    members = []
    for m in range(rng.randrange(1, 6)):
        child = m > 0 or rng.random() < 0.8
        born = day - timedelta(days=rng.randrange(365 * (2 if child else 19), 365 * (17 if child else 70)))
        members.append(
            {"id": f"m{m}", "birth_date": born.isoformat(), "relation": "kind" if child else "zelf"}
        )
    beneficiary = members[0]
    theme, item = rng.choice(items) if rng.random() < 0.99 else ("t0", "onbekend")
    roll = rng.random()
    amount = (
        _money(rng, 500, 5000)
        if roll < 0.7
        else _money(rng, 5000, 15000)
        if roll < 0.95
        else _money(rng, 15000, 40000)
    )
    history = [
        {
            "date": _day(rng, day - timedelta(days=400), day).isoformat(),
            "theme": theme,
            "item": item if rng.random() < 0.5 else rng.choice(items)[1],
            "amount": _money(rng, 500, 4000),
            "beneficiary_id": rng.choice(members)["id"],
            "dossier_id": "d1",
        }
        for _ in range(rng.randrange(0, 3))
    ]
    return {
        "date": day.isoformat(),
        "theme": theme,
        "item": item,
        "amount": amount,
        "beneficiary": beneficiary,
        "household": {"id": "h1", "members": members},
        "history": history,
        "envelope": {"available": _money(rng, 50000, 2000000), "frozen": rng.random() < 0.01},
        "dossier_id": "d1",
    }


def plain_theme(theme: str, items: int) -> str:
    """A theme file of `items` items, each always delegated with one limit: 2 entries an item, as small as
    an item is written (for the tests of a policy's size limits, rules/sizes.py)."""
    lines = [f"theme: {theme}", "title: {nl: Thema}", 'basis: "Raad, art. 1"', "items:"]
    for number in range(items):
        lines += [
            f"  item_{number}:",
            "    title: {nl: Hulp}",
            "    delegated_when: always",
            "    limits:",
            '      - amount per request <= "10.00"',
        ]
    return "\n".join(lines) + "\n"
