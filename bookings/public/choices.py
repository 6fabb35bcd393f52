"""What the day and time pages show: choices with their links, prepared outside the templates."""
from dataclasses import dataclass
from datetime import date
from typing import Callable

from bookings.services.availability import OpenSlot, days_with_slots, distinct_times


@dataclass(frozen=True)
class DayLink:
    day: date
    first: OpenSlot
    count: int
    href: str


@dataclass(frozen=True)
class TimeLink:
    slot: OpenSlot
    href: str


def day_links(slots: list[OpenSlot], href: Callable[[date], str]) -> list[DayLink]:
    return [DayLink(day=c.day, first=c.first, count=c.count, href=href(c.day)) for c in days_with_slots(slots)]


def time_links(slots: list[OpenSlot], href: Callable[[OpenSlot], str]) -> list[TimeLink]:
    return [TimeLink(slot=slot, href=href(slot)) for slot in distinct_times(slots)]
