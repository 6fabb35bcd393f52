"""Opaque slot ids: what a resident picked, re-checked in full when they book it.

Appointment: ``a{service}-{branch}-{volunteer}-{YYYYMMDDHHMM}`` (start in UTC).
Event place: ``e{event}-{place}``; a full event (join the waiting list): ``e{event}``.
"""
import re
from dataclasses import dataclass
from datetime import datetime, timezone

_APPOINTMENT = re.compile(r"a(\d{1,9})-(\d{1,9})-(\d{1,9})-(\d{12})")
_EVENT = re.compile(r"e(\d{1,9})(?:-(\d{1,4}))?")


@dataclass(frozen=True)
class AppointmentKey:
    service_id: int
    branch_id: int
    volunteer_id: int
    start: datetime


@dataclass(frozen=True)
class EventKey:
    event_id: int
    place: int | None


def appointment_slot_id(service_id: int, branch_id: int, volunteer_id: int, start: datetime) -> str:
    s = start.astimezone(timezone.utc)
    return f"a{service_id}-{branch_id}-{volunteer_id}-{s.year:04d}{s.month:02d}{s.day:02d}{s.hour:02d}{s.minute:02d}"


def event_slot_id(event_id: int, place: int | None) -> str:
    return f"e{event_id}" if place is None else f"e{event_id}-{place}"


def parse_slot_id(slot_id: object) -> AppointmentKey | EventKey | None:
    """The key behind a slot id, or None when it is not one of ours."""
    if not isinstance(slot_id, str):
        return None
    if match := _APPOINTMENT.fullmatch(slot_id):
        service_id, branch_id, volunteer_id, stamp = match.groups()
        try:
            start = datetime.strptime(stamp, "%Y%m%d%H%M").replace(tzinfo=timezone.utc)
        except ValueError:
            return None
        return AppointmentKey(int(service_id), int(branch_id), int(volunteer_id), start)
    if match := _EVENT.fullmatch(slot_id):
        event_id, place = match.groups()
        return EventKey(int(event_id), int(place) if place else None)
    return None
