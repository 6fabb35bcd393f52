"""What the volunteer portal reads: always with the volunteer in the WHERE clause.

The ``*_query`` functions return statements for ``db.first_or_404``: a row of another volunteer
is simply not found, so every page behind an id answers 404 for it.
"""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import selectinload

from bookings.extensions import db
from bookings.models import (
    HOLDING_STATUSES,
    AvailabilityRule,
    Booking,
    BookingStatus,
    Event,
    TimeOff,
    Volunteer,
)
from bookings.services.rosters import EventCounts, with_counts
from bookings.services.timezones import DEFAULT_ZONE, day_window_utc, local_date, local_midnight_utc


def booking_query(volunteer_id: int, booking_id: int) -> Select:
    """An appointment of the volunteer, or a place in an event they host."""
    hosted = select(Event.id).where(Event.host_id == volunteer_id)
    return select(Booking).where(
        Booking.id == booking_id,
        or_(and_(Booking.event_id.is_(None), Booking.volunteer_id == volunteer_id), Booking.event_id.in_(hosted)))


def event_query(volunteer_id: int, event_id: int) -> Select:
    return select(Event).where(Event.id == event_id, Event.host_id == volunteer_id)


def rule_query(volunteer_id: int, rule_id: int) -> Select:
    return select(AvailabilityRule).where(AvailabilityRule.id == rule_id,
                                          AvailabilityRule.volunteer_id == volunteer_id)


def time_off_query(volunteer_id: int, time_off_id: int) -> Select:
    return select(TimeOff).where(TimeOff.id == time_off_id, TimeOff.volunteer_id == volunteer_id)


@dataclass(frozen=True)
class AgendaDay:
    day: date
    appointments: list[Booking]


def agenda(volunteer: Volunteer, *, now: datetime) -> list[AgendaDay]:
    """Today's and later appointments (held ones, also those already marked), per local day."""
    today_start = local_midnight_utc(local_date(now, DEFAULT_ZONE), DEFAULT_ZONE)
    bookings = db.session.scalars(
        select(Booking).where(Booking.volunteer_id == volunteer.id, Booking.event_id.is_(None),
                              Booking.status.in_(HOLDING_STATUSES), Booking.ends_at > today_start)
        .options(selectinload(Booking.service), selectinload(Booking.branch))
        .order_by(Booking.starts_at, Booking.id))
    days: dict[date, list[Booking]] = {}
    for booking in bookings:
        days.setdefault(local_date(booking.starts_at, booking.branch.timezone), []).append(booking)
    return [AgendaDay(day=day, appointments=items) for day, items in days.items()]


def hosted_events(volunteer: Volunteer, *, now: datetime) -> list[EventCounts]:
    today_start = local_midnight_utc(local_date(now, DEFAULT_ZONE), DEFAULT_ZONE)
    events = list(db.session.scalars(
        select(Event).where(Event.host_id == volunteer.id, Event.cancelled.is_(False), Event.ends_at > today_start)
        .options(selectinload(Event.service), selectinload(Event.branch)).order_by(Event.starts_at, Event.id)))
    return with_counts(events)




def day_overview(volunteer: Volunteer, day: date) -> tuple[list[Booking], list[Event]]:
    """What "cancel my whole day" would cancel: confirmed appointments and hosted events."""
    start, end = day_window_utc(day, day, DEFAULT_ZONE)
    appointments = list(db.session.scalars(
        select(Booking).where(Booking.volunteer_id == volunteer.id, Booking.event_id.is_(None),
                              Booking.status == BookingStatus.CONFIRMED,
                              Booking.starts_at >= start, Booking.starts_at < end).order_by(Booking.starts_at)))
    events = list(db.session.scalars(
        select(Event).where(Event.host_id == volunteer.id, Event.cancelled.is_(False),
                            Event.starts_at >= start, Event.starts_at < end).order_by(Event.starts_at)))
    return appointments, events


def rules_of(volunteer: Volunteer, *, today: date) -> tuple[list[AvailabilityRule], list[AvailabilityRule]]:
    """(weekly rules, one-off times) that still matter: not ended before today."""
    rules = list(db.session.scalars(
        select(AvailabilityRule).where(
            AvailabilityRule.volunteer_id == volunteer.id,
            or_(AvailabilityRule.valid_until.is_(None), AvailabilityRule.valid_until >= today),
            or_(AvailabilityRule.on_date.is_(None), AvailabilityRule.on_date >= today))
        .options(selectinload(AvailabilityRule.services), selectinload(AvailabilityRule.branch))
        .order_by(AvailabilityRule.weekday, AvailabilityRule.on_date, AvailabilityRule.start_time)))
    return [r for r in rules if r.weekday is not None], [r for r in rules if r.weekday is None]


def time_off_of(volunteer: Volunteer, *, now: datetime) -> list[TimeOff]:
    return list(db.session.scalars(
        select(TimeOff).where(TimeOff.volunteer_id == volunteer.id, TimeOff.ends_at > now)
        .order_by(TimeOff.starts_at)))
