"""The themes and items of the policy in force, with their titles in the session's language; and how a
household member is shown (relation and age, never a name: the dossier holds none)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from api.composition import Mandaat
from api.web.i18n import Words
from envelopes.domain.dossiers import HouseholdMember
from envelopes.domain.ids import brussels_date
from rules.model import Measure, Policy

RELATIONS = {
    "aanvrager": "aanvrager",
    "partner": "partner",
    "kind": "kind",
    "ouder": "ouder",
    "grootouder": "grootouder",
    "broer_zus": "broer of zus",
    "ander": "ander gezinslid",
}


@dataclass(frozen=True)
class Catalogue:
    policy: Policy | None
    words: Words

    def theme(self, key: str) -> str:
        theme = None if self.policy is None else self.policy.themes.get(key)
        return key if theme is None else theme.title.get(self.words.lang)

    def item(self, theme: str, key: str) -> str:
        item = None if self.policy is None else self.policy.item(theme, key)
        return key if item is None else item.title.get(self.words.lang)

    def choices(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Per theme (its title), the items as ("theme/item", title)."""
        if self.policy is None:
            return []
        lang = self.words.lang
        return [
            (
                theme.title.get(lang),
                [(f"{theme.key}/{item.key}", item.title.get(lang)) for item in theme.items.values()],
            )
            for theme in self.policy.themes.values()
        ]

    def usage(self, rule_id: str, value: int) -> str:
        """What a limit counted before a request: money for sums and amounts, a number for counts."""
        for item in () if self.policy is None else self.policy.items():
            for limit in item.limits:
                if limit.rule_id == rule_id:
                    return str(value) if limit.measure is Measure.COUNT else self.words.money(value)
        return str(value)


def catalogue(mandaat: Mandaat, words: Words) -> Catalogue:
    version = mandaat.views.policy_in_force(brussels_date(mandaat.clock()))
    return Catalogue(None if version is None else mandaat.decisions.policy(version), words)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def member_label(member: HouseholdMember, number: int, today: date, words: Words) -> str:
    """ "Lid 2: kind, 8 jaar"."""
    relation = words(RELATIONS.get(member.relation or "", member.relation or "gezinslid"))
    return words(
        "Lid {number}: {relation}, {age} jaar",
        number=number,
        relation=relation,
        age=age_on(member.birth_date, today),
    )
