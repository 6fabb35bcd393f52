"""Who holds a place in an event and who waits: shared by the volunteer portal and the staff pages."""
from dataclasses import dataclass

from sqlalchemy import func, select

from bookings.extensions import db
from bookings.models import HOLDING_STATUSES, Booking, Event, WaitlistEntry


@dataclass(frozen=True)
class EventCounts:
    event: Event
    taken: int
    waiting: int


def with_counts(events: list[Event]) -> list[EventCounts]:
    """Places taken and people waiting per event, in two grouped queries for the whole list."""
    ids = [event.id for event in events]
    if not ids:
        return []
    taken = dict(db.session.execute(
        select(Booking.event_id, func.count()).where(Booking.event_id.in_(ids), Booking.status.in_(HOLDING_STATUSES))
        .group_by(Booking.event_id)).all())
    waiting = dict(db.session.execute(
        select(WaitlistEntry.event_id, func.count()).where(WaitlistEntry.event_id.in_(ids),
                                                           WaitlistEntry.left_at.is_(None))
        .group_by(WaitlistEntry.event_id)).all())
    return [EventCounts(event=e, taken=taken.get(e.id, 0), waiting=waiting.get(e.id, 0)) for e in events]


def event_places(event: Event) -> list[Booking]:
    return list(db.session.scalars(
        select(Booking).where(Booking.event_id == event.id, Booking.status.in_(HOLDING_STATUSES))
        .order_by(Booking.place_number, Booking.id)))


def event_waiting_list(event: Event) -> list[Booking]:
    """In line order: first come, first served."""
    return list(db.session.scalars(
        select(Booking).join(WaitlistEntry, WaitlistEntry.booking_id == Booking.id)
        .where(WaitlistEntry.event_id == event.id, WaitlistEntry.left_at.is_(None))
        .order_by(WaitlistEntry.id)))
