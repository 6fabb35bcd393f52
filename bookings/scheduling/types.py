"""Plain data for the slot computation: no Flask, no database.

Instants are timezone-aware datetimes in UTC; rules are in the branch's local wall time.
Intervals are half-open: [start, end).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta


@dataclass(frozen=True, slots=True)
class Rule:
    """When a volunteer is available at one branch, for some services, in local wall time.

    Weekly when ``weekday`` is set (0 = Monday), optionally every N weeks counted from the
    week of ``valid_from``; a one-off extra time when ``on_date`` is set instead.
    """

    volunteer_id: int
    branch_id: int
    service_ids: frozenset[int]
    start: time
    end: time
    weekday: int | None = None
    on_date: date | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    every_n_weeks: int = 1


@dataclass(frozen=True, slots=True)
class Busy:
    """Time a volunteer already gives to someone (a booking, or an event they host)."""

    volunteer_id: int
    start: datetime
    end: datetime
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    # An appointment counts towards the daily maximum; hosting an event only blocks time.
    counts_toward_daily_max: bool = True


@dataclass(frozen=True, slots=True)
class Away:
    """A volunteer's time off (holiday, illness), in UTC."""

    volunteer_id: int
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Closure:
    """A branch closed (public holiday, a closed day), in UTC."""

    branch_id: int
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class ServiceSettings:
    service_id: int
    duration: timedelta
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    # Minutes between possible start times; None means back to back (step = duration).
    step: timedelta | None = None
    min_notice: timedelta = timedelta(0)
    horizon: timedelta = timedelta(weeks=6)
    max_per_volunteer_per_day: int | None = None


@dataclass(frozen=True, slots=True, order=True)
class Slot:
    """A concrete free time: sorted by start, then volunteer, then branch."""

    start: datetime
    end: datetime = field(compare=False)
    volunteer_id: int = 0
    branch_id: int = 0
    service_id: int = field(default=0, compare=False)
