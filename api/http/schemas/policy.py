"""The policy in force (themes, items, limits, parameters) and new policy versions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError

from api.http.schemas.common import Body, IsoDate, Public
from rules.model import Bound, Item, Parameter, Policy, Text, Unit
from rules.money import format_cents

Version = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
MAX_FILES = 1000  # the most MANDAAT_POLICY_MAX_FILES may be
FileName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}\.yaml$")]


class TextPublic(Public):
    nl: str
    en: str | None

    @classmethod
    def of(cls, text: Text) -> TextPublic:
        return cls(nl=text.nl, en=text.en)


class LimitPublic(Public):
    rule: str
    expression: str = Field(description="the limit as written in the rule file")


class ItemPublic(Public):
    key: str
    title: TextPublic
    delegated_when: str = Field(description="as written in the rule file")
    basis: str
    limits: list[LimitPublic]

    @classmethod
    def of(cls, item: Item) -> ItemPublic:
        return cls(
            key=item.key,
            title=TextPublic.of(item.title),
            delegated_when=item.delegated_when_text,
            basis=item.basis,
            limits=[LimitPublic(rule=limit.rule_id, expression=limit.expression) for limit in item.limits],
        )


class ThemePublic(Public):
    key: str
    title: TextPublic
    basis: str
    items: list[ItemPublic]


class DatedValuePublic(Public):
    since: date
    value: str = Field(description='an amount ("60.00") or a number ("1")')


class ParameterPublic(Public):
    name: str
    description: TextPublic
    unit: str
    reference: str
    values: list[DatedValuePublic]

    @classmethod
    def of(cls, parameter: Parameter) -> ParameterPublic:
        return cls(
            name=parameter.name,
            description=TextPublic.of(parameter.description),
            unit=parameter.unit.value,
            reference=parameter.reference,
            values=[
                DatedValuePublic(since=dated.since, value=_value(dated.value, parameter.unit))
                for dated in parameter.values
            ],
        )


class PolicyPublic(Public):
    version: Version
    effective_from: date
    mandate_ceiling: str = Field(description="the caseworkers' ceiling per request: a parameter or an amount")
    themes: list[ThemePublic]
    parameters: list[ParameterPublic]

    @classmethod
    def of(cls, policy: Policy, effective_from: date) -> PolicyPublic:
        return cls(
            version=policy.version,
            effective_from=effective_from,
            mandate_ceiling=_bound(policy.general.mandate_ceiling),
            themes=[
                ThemePublic(
                    key=theme.key,
                    title=TextPublic.of(theme.title),
                    basis=theme.basis,
                    items=[ItemPublic.of(item) for item in theme.items.values()],
                )
                for theme in policy.themes.values()
            ],
            parameters=[ParameterPublic.of(parameter) for parameter in policy.parameters.values()],
        )


class PolicyVersionCreate(Body):
    files: dict[FileName, str] = Field(
        min_length=1,
        description="the rule files: name (e.g. kleding.yaml) → text; at most MANDAAT_POLICY_MAX_FILES "
        "files, MANDAAT_POLICY_MAX_FILE_BYTES each and MANDAAT_POLICY_MAX_BYTES together",
    )
    effective_from: IsoDate = Field(description="the first day it is in force: today or later")

    @field_validator("files", mode="before")
    @classmethod
    def _not_thousands_of_files(cls, files: Any) -> Any:
        """More files than any policy may have (MANDAAT_POLICY_MAX_FILES is at most 1000) are one error, not a
        check of every name; fewer are held to the installation's own limit by the loader."""
        if isinstance(files, dict) and len(files) > MAX_FILES:
            raise PydanticCustomError(
                "too_many_files",
                "{count} files; a policy has at most {max}",
                {"count": len(files), "max": MAX_FILES},
            )
        return files

    expected_version: Version | None = Field(
        default=None, description="the version you tested; refused when the files are another"
    )


class PolicyVersionPublic(Public):
    version: Version
    effective_from: date
    registered_by: str = Field(description="the policy officer who registered it (`system`: the first one)")
    registered_at: datetime


def _value(value: int, unit: Unit) -> str:
    return format_cents(value) if unit is Unit.EUR else str(value)


def _bound(bound: Bound) -> str:
    if bound.parameter is not None:
        return bound.parameter
    return "" if bound.value is None else format_cents(bound.value)
