"""Coaching-week sessions as staff plan and run them: plan a week, change capacity, see who comes."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bookings.extensions import db
from bookings.models import (
    HOLDING_STATUSES,
    Booking,
    Branch,
    Closure,
    Event,
    Service,
    ServiceKind,
    Volunteer,
)
from bookings.services.errors import Invalid
from bookings.services.lifecycle import promote_waiting
from bookings.services.locking import lock_event
from bookings.services.rosters import EventCounts, with_counts
from bookings.services.staff_scope import Scope, audit, scoped
from bookings.services.timezones import local_midnight_utc, utcnow, zone
from bookings.services.transactions import command

MAX_CAPACITY = 200


@dataclass(frozen=True)
class PlanInput:
    service: Service | None
    days: dict[int, date]  # branch id -> local date; branches left out get no session
    start: time | None
    end: time | None
    capacity: int | None
    place_minutes: int | None  # None or 0: untimed places
    host_id: int | None


def _local(day: date, clock: time, zone_name: str) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone(zone_name)).astimezone(zone("UTC"))


@command()
def plan_events(*, data: PlanInput, branches: dict[int, Branch], actor_id: int,
                now: datetime | None = None) -> list[Event]:
    """One session at each chosen branch on its date, all with the same times and places.

    ``branches`` are the ones the planner may use (their scope): a date for any other is refused.
    """
    now = now or utcnow()
    errors: dict[str, str] = {}
    if data.service is None or data.service.kind != ServiceKind.EVENT or not data.service.active:
        errors["service"] = "service_required"
    if not data.days:
        errors["days"] = "days_required"
    if data.start is None:
        errors["start_time"] = "time_required"
    if data.end is None:
        errors["end_time"] = "time_required"
    elif data.start is not None and data.end <= data.start:
        errors["end_time"] = "time_order"
    if data.capacity is None or not 1 <= data.capacity <= MAX_CAPACITY:
        errors["capacity"] = "capacity_range"
    minutes = data.place_minutes or None
    if minutes is not None and not 5 <= minutes <= 240:
        errors["place_minutes"] = "place_minutes_range"
    if (not errors and minutes is not None
            and data.capacity * minutes > _minutes_between(data.start, data.end)):
        errors["place_minutes"] = "places_do_not_fit"
    host = db.session.get(Volunteer, data.host_id) if data.host_id else None
    if data.host_id and (host is None or not host.active):
        errors["host"] = "host_unknown"
    for branch_id, day in data.days.items():
        branch = branches.get(branch_id)
        if branch is None:
            errors["days"] = "days_required"
            continue
        if data.start is not None and _local(day, data.start, branch.timezone) <= now:
            errors[f"day_{branch_id}"] = "date_past"
        elif db.session.scalar(select(Closure.id).where(Closure.branch_id == branch_id, Closure.starts_on <= day,
                                                        Closure.ends_on >= day)):
            errors[f"day_{branch_id}"] = "branch_closed"
    if errors:
        raise Invalid("plan not accepted", fields=errors)
    events = []
    for branch_id, day in sorted(data.days.items(), key=lambda item: (item[1], item[0])):
        branch = branches[branch_id]
        event = Event(service_id=data.service.id, branch_id=branch_id, host_id=host.id if host else None,
                      starts_at=_local(day, data.start, branch.timezone),
                      ends_at=_local(day, data.end, branch.timezone), capacity=data.capacity,
                      place_minutes=minutes, waitlist_enabled=True)
        db.session.add(event)
        db.session.flush()
        audit(actor_id=actor_id, action="event.create", object_type="event", object_id=event.id,
              branch_id=branch_id, summary=f"{day.isoformat()} capacity {data.capacity}")
        events.append(event)
    return events


def _minutes_between(start: time, end: time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


@command()
def change_capacity(*, event: Event, capacity: int | None, actor_id: int,
                    now: datetime | None = None) -> list[Booking]:
    """More or fewer places; never fewer than are booked. More places go to the waiting list first.

    Returns the bookings moved up from the waiting list.
    """
    now = now or utcnow()
    lock_event(event.id)
    db.session.refresh(event)
    if capacity is None or not 1 <= capacity <= MAX_CAPACITY:
        raise Invalid("capacity out of range", fields={"capacity": "capacity_range"})
    held = list(db.session.scalars(select(Booking).where(Booking.event_id == event.id,
                                                         Booking.status.in_(HOLDING_STATUSES))
                                   .order_by(Booking.place_number)))
    if capacity < len(held):
        raise Invalid("below what is booked", fields={"capacity": "below_booked"})
    if event.place_minutes:
        length = (event.ends_at - event.starts_at).total_seconds() // 60
        if capacity * event.place_minutes > length:
            raise Invalid("places do not fit", fields={"capacity": "places_do_not_fit"})
        # A timed place is the resident's time: it cannot be renumbered away.
        if held and max(b.place_number or 0 for b in held) > capacity:
            raise Invalid("a later place is booked", fields={"capacity": "later_place_booked"})
    else:
        # Untimed places are only numbers: close up the gaps above the new capacity.
        taken = {b.place_number for b in held}
        free = iter(n for n in range(1, capacity + 1) if n not in taken)
        for booking in held:
            if booking.place_number and booking.place_number > capacity:
                booking.place_number = next(free)
        db.session.flush()
    old = event.capacity
    event.capacity = capacity
    db.session.flush()
    promoted = promote_waiting(event, now=now) if capacity > old else []
    audit(actor_id=actor_id, action="event.capacity", object_type="event", object_id=event.id,
          branch_id=event.branch_id, summary=f"capacity {old} -> {capacity}")
    return promoted


def upcoming_events(scope: Scope, *, now: datetime, days_back: int = 1) -> list[EventCounts]:
    since = now - timedelta(days=days_back)
    query = (select(Event).where(Event.ends_at > since)
             .options(selectinload(Event.service), selectinload(Event.branch), selectinload(Event.host))
             .order_by(Event.starts_at, Event.id))
    events = list(db.session.scalars(scoped(scope, query, Event.branch_id)))
    return with_counts(events)




def day_schedule(branch: Branch, day: date) -> tuple[list[Booking], list[Event]]:
    """A branch's day: held appointments and event places, and the sessions, in local order."""
    start = local_midnight_utc(day, branch.timezone)
    end = local_midnight_utc(day + timedelta(days=1), branch.timezone)
    bookings = list(db.session.scalars(
        select(Booking).where(Booking.branch_id == branch.id, Booking.status.in_(HOLDING_STATUSES),
                              Booking.starts_at >= start, Booking.starts_at < end)
        .options(selectinload(Booking.service), selectinload(Booking.volunteer))
        .order_by(Booking.starts_at, Booking.id)))
    events = list(db.session.scalars(
        select(Event).where(Event.branch_id == branch.id, Event.starts_at >= start, Event.starts_at < end)
        .order_by(Event.starts_at)))
    return bookings, events


@command()
def promote_by_staff(*, booking: Booking, actor_id: int, now: datetime | None = None) -> Booking:
    """lifecycle.promote_by_hand, with its audit line in the same transaction."""
    from bookings.services.lifecycle import promote_by_hand

    promote_by_hand.__wrapped__(booking=booking, actor_id=actor_id, now=now)
    audit(actor_id=actor_id, action="booking.promote", object_type="booking", object_id=booking.id,
          branch_id=booking.branch_id, summary=booking.reference)
    return booking


@command()
def cancel_by_staff(*, booking: Booking, actor_id: int, reason: str, now: datetime | None = None) -> bool:
    """lifecycle.cancel_booking by staff (a place freed goes to the waiting list), audited."""
    from bookings.models import Actor
    from bookings.services.lifecycle import cancel_in_transaction

    changed = cancel_in_transaction(booking=booking, actor=Actor.STAFF, actor_id=actor_id,
                                    reason=reason.strip()[:255], now=now or utcnow())
    if changed:
        audit(actor_id=actor_id, action="booking.cancel", object_type="booking", object_id=booking.id,
              branch_id=booking.branch_id, summary=booking.reference)
    return changed
