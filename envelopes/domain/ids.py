"""Identifiers and time: opaque ids, UTC timestamps, calendar dates in Europe/Brussels."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")


def new_id() -> str:
    """An opaque id: 32 hex digits, meaningless outside Mandaat."""
    return uuid.uuid4().hex


def brussels_date(moment: datetime) -> date:
    """The calendar date in Brussels at an (aware) moment."""
    return _aware(moment).astimezone(BRUSSELS).date()


def utc_timestamp(moment: datetime) -> str:
    """An aware moment as UTC ISO 8601 with microseconds: "2026-11-23T10:15:00.000000+00:00"."""
    return _aware(moment).astimezone(UTC).isoformat(timespec="microseconds")


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a moment must carry its time zone; the clock must return aware datetimes")
    return moment
