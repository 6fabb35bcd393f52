"""After booking: cancel, move, the waiting list, attendance. Each command is one transaction."""
from datetime import date, datetime, timedelta

from sqlalchemy import select

from bookings.extensions import db
from bookings.models import (
    HOLDING_STATUSES,
    Actor,
    Booking,
    BookingChange,
    BookingStatus,
    Branch,
    Event,
    Service,
    TimeOff,
    WaitlistEntry,
)
from bookings.services import availability
from bookings.services.errors import Invalid, SlotNotFound, SlotTaken
from bookings.services.invitations import queue_booking_messages
from bookings.services.locking import lock_event, lock_events, lock_volunteer
from bookings.services.manage import issue_manage_token
from bookings.services.slot_ids import AppointmentKey, EventKey, parse_slot_id
from bookings.services.timezones import DEFAULT_ZONE, day_window_utc, utcnow
from bookings.services.transactions import command


@command()
def cancel_booking(*, booking: Booking, actor: Actor, actor_id: int | None = None, reason: str = "",
                   now: datetime | None = None) -> bool:
    """Cancel a booking or leave the waiting list. False when it was already cancelled."""
    return cancel_in_transaction(booking=booking, actor=actor, actor_id=actor_id, reason=reason,
                                 now=now or utcnow())


def cancel_in_transaction(*, booking: Booking, actor: Actor, actor_id: int | None, reason: str,
                          now: datetime) -> bool:
    """cancel_booking inside a transaction that another command owns (flushes, never commits)."""
    _lock_for(booking)
    if booking.status == BookingStatus.CANCELLED:
        return False
    if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED):
        raise Invalid("finished bookings cannot be cancelled", fields={"booking": "finished"})
    if actor == Actor.RESIDENT and booking.starts_at <= now:
        raise Invalid("this appointment has begun", fields={"booking": "begun"})
    held_a_place = booking.status == BookingStatus.CONFIRMED
    _cancel(booking, actor, actor_id, reason, now)
    queue_booking_messages(booking, token=None, change="cancelled")
    if held_a_place and booking.event is not None:
        promote_waiting(booking.event, now=now)
    return True


@command(on_conflict=SlotTaken)
def reschedule_booking(*, booking: Booking, slot_id: str, actor: Actor, actor_id: int | None = None,
                       now: datetime | None = None) -> Booking:
    """Move a booking to another free time of the same service; on any error it stays as it was."""
    now = now or utcnow()
    key = parse_slot_id(slot_id)
    if key is None:
        raise SlotNotFound(f"malformed slot id {slot_id!r}")
    if not can_move(booking, now):
        raise Invalid("this booking cannot be moved", fields={"booking": "not_movable"})
    previous_volunteer = booking.volunteer
    if isinstance(key, AppointmentKey):
        _move_to_appointment(booking, key, now, actor, actor_id)
    else:
        _move_to_event_place(booking, key, now, actor, actor_id)
    token = issue_manage_token(booking) if actor != Actor.RESIDENT else None
    db.session.flush()
    db.session.refresh(booking, ["volunteer"])
    # A move to another volunteer: the old one gets a CANCEL, the new one an invitation.
    queue_booking_messages(booking, token=token, change="moved",
                           previous_volunteer=previous_volunteer if previous_volunteer != booking.volunteer else None)
    return booking


def can_cancel(booking: Booking, now: datetime) -> bool:
    """A resident can cancel a booking or a waiting-list place until it begins."""
    return booking.is_active and booking.starts_at > now


def can_move(booking: Booking, now: datetime) -> bool:
    """Confirmed and still ahead; or cancelled by the library, which owes the resident a new time."""
    if booking.status == BookingStatus.CONFIRMED:
        return booking.starts_at > now
    return booking.status == BookingStatus.CANCELLED and booking.cancelled_by in (Actor.VOLUNTEER, Actor.STAFF)


def _move_to_appointment(booking: Booking, key: AppointmentKey, now: datetime, actor: Actor,
                         actor_id: int | None) -> None:
    service = db.session.get(Service, key.service_id)
    if service is None or service.id != booking.service_id:
        raise Invalid("another service", fields={"slot": "other_service"})
    branch = db.session.get(Branch, key.branch_id)
    if branch is None:
        raise SlotNotFound("no such branch")
    _check_not_too_late(service, key.start, now)
    offered = dict(service=service, start=key.start, end=key.start + timedelta(minutes=1), now=now,
                   branch=branch, volunteer_id=key.volunteer_id)
    if not availability.appointment_slots(**offered, include_bookings=False):
        raise SlotNotFound("this time is not offered")
    lock_volunteer(key.volunteer_id)
    # The booking's own time does not block its move (say, half an hour later).
    if not availability.appointment_slots(**offered, exclude_booking_id=booking.id):
        raise SlotTaken("this time was just taken")
    from_start = booking.starts_at
    booking.volunteer_id, booking.branch_id = key.volunteer_id, branch.id
    booking.starts_at = key.start
    booking.ends_at = key.start + timedelta(minutes=service.duration_minutes)
    _record(booking, BookingStatus.CONFIRMED, actor, actor_id, "moved", now, from_start=from_start)
    booking.cancelled_by = None


def _move_to_event_place(booking: Booking, key: EventKey, now: datetime, actor: Actor,
                         actor_id: int | None) -> None:
    target = db.session.get(Event, key.event_id)
    if target is None or target.cancelled or (key.place is not None and key.place > target.capacity):
        raise SlotNotFound("no such event or place")
    if target.service_id != booking.service_id:
        raise Invalid("another service", fields={"slot": "other_service"})
    _check_not_too_late(target.service, target.starts_at, now)
    old_event = booking.event if booking.status in HOLDING_STATUSES else None
    lock_events([target.id] + ([old_event.id] if old_event else []))
    taken = availability.taken_places([target.id])[target.id]
    if old_event is not None and old_event.id == target.id:
        taken.discard(booking.place_number)
    free = availability.free_places(target, taken)
    place = key.place if key.place is not None else (free[0] if free else None)
    if place is None or place not in free:
        raise SlotTaken("this place was just taken")  # a move never joins a waiting list
    from_start = booking.starts_at
    booking.event, booking.branch_id, booking.volunteer_id = target, target.branch_id, target.host_id
    booking.place_number = place
    booking.starts_at, booking.ends_at = availability.place_times(target, place)
    _record(booking, BookingStatus.CONFIRMED, actor, actor_id, "moved", now, from_start=from_start)
    booking.cancelled_by = None
    db.session.flush()
    if old_event is not None:
        promote_waiting(old_event, now=now)


def promote_waiting(event: Event, *, now: datetime) -> list[Booking]:
    """Give free places to the first in line, in order. Call with the event locked."""
    if event.cancelled or event.starts_at <= now:
        return []
    db.session.flush()
    free = availability.free_places(event, availability.taken_places([event.id])[event.id])
    entries = db.session.scalars(
        select(WaitlistEntry).where(WaitlistEntry.event_id == event.id, WaitlistEntry.left_at.is_(None))
        .order_by(WaitlistEntry.id).limit(len(free))
    ).all()
    promoted = []
    for place, entry in zip(free, entries):
        booking = entry.booking
        booking.place_number = place
        booking.starts_at, booking.ends_at = availability.place_times(event, place)
        _record(booking, BookingStatus.CONFIRMED, Actor.SYSTEM, None, "a place became free", now)
        entry.left_at = now
        db.session.flush()
        # The resident's first link cannot be recovered from its hash: this message carries a new one.
        queue_booking_messages(booking, token=issue_manage_token(booking), change="promoted")
        promoted.append(booking)
    return promoted


@command()
def promote_by_hand(*, booking: Booking, actor_id: int, now: datetime | None = None) -> Booking:
    """Staff move someone up from the waiting list, also ahead of the line."""
    now = now or utcnow()
    event = booking.event
    if event is None or booking.status != BookingStatus.WAITLISTED:
        raise Invalid("not on a waiting list", fields={"booking": "not_waiting"})
    lock_event(event.id)
    db.session.refresh(booking)
    free = availability.free_places(event, availability.taken_places([event.id])[event.id])
    if not free:
        raise SlotTaken("no free place")
    booking.place_number = free[0]
    booking.starts_at, booking.ends_at = availability.place_times(event, free[0])
    _record(booking, BookingStatus.CONFIRMED, Actor.STAFF, actor_id, "moved up by staff", now)
    _leave_waitlist(booking, now)
    queue_booking_messages(booking, token=issue_manage_token(booking), change="promoted")
    return booking


@command()
def cancel_volunteer_day(*, volunteer_id: int, day: date, reason: str = "",
                         now: datetime | None = None) -> list[Booking]:
    """A volunteer falls ill: cancel their day, tell every resident, and offer them new times."""
    now = now or utcnow()
    start, end = day_window_utc(day, day, DEFAULT_ZONE)
    lock_volunteer(volunteer_id)
    db.session.add(TimeOff(volunteer_id=volunteer_id, starts_at=start, ends_at=end,
                           reason=reason or "cancelled day"))
    appointments = db.session.scalars(
        select(Booking).where(Booking.volunteer_id == volunteer_id, Booking.event_id.is_(None),
                              Booking.status == BookingStatus.CONFIRMED,
                              Booking.starts_at >= start, Booking.starts_at < end)
    ).all()
    events = db.session.scalars(
        select(Event).where(Event.host_id == volunteer_id, Event.cancelled.is_(False),
                            Event.starts_at >= start, Event.starts_at < end)
    ).all()
    affected = list(appointments)
    for event in events:
        lock_event(event.id)
        event.cancelled = True
        affected += db.session.scalars(
            select(Booking).where(Booking.event_id == event.id,
                                  Booking.status.in_([BookingStatus.CONFIRMED, BookingStatus.WAITLISTED]))
        ).all()
    for booking in affected:
        _cancel(booking, Actor.VOLUNTEER, volunteer_id, reason, now)
        # The message links to the manage page, where other free times are offered.
        queue_booking_messages(booking, token=issue_manage_token(booking), change="cancelled")
    return affected


@command()
def mark_attendance(*, booking: Booking, attended: bool, actor: Actor, actor_id: int | None,
                    now: datetime | None = None) -> None:
    """After the appointment: did the resident come?"""
    now = now or utcnow()
    if booking.status not in HOLDING_STATUSES:
        raise Invalid("not a held booking", fields={"booking": "not_held"})
    if booking.starts_at > now:
        raise Invalid("not started yet", fields={"booking": "not_started"})
    status = BookingStatus.ATTENDED if attended else BookingStatus.NO_SHOW
    if booking.status != status:
        _record(booking, status, actor, actor_id, "", now, bump_sequence=False)


def _cancel(booking: Booking, actor: Actor, actor_id: int | None, reason: str, now: datetime) -> None:
    _record(booking, BookingStatus.CANCELLED, actor, actor_id, reason, now)
    booking.cancelled_by = actor
    _leave_waitlist(booking, now)


def _leave_waitlist(booking: Booking, now: datetime) -> None:
    entry = db.session.scalar(select(WaitlistEntry).where(WaitlistEntry.booking_id == booking.id,
                                                          WaitlistEntry.left_at.is_(None)))
    if entry is not None:
        entry.left_at = now


def _record(booking: Booking, status: BookingStatus, actor: Actor, actor_id: int | None, reason: str,
            now: datetime, *, from_start: datetime | None = None, bump_sequence: bool = True) -> None:
    """Change the status and keep the history; every change a calendar sees bumps SEQUENCE."""
    booking.changes.append(BookingChange(at=now, from_status=booking.status, to_status=status, actor=actor,
                                         actor_id=actor_id, reason=reason[:255], from_starts_at=from_start))
    booking.status = status
    booking.updated_at = now
    if bump_sequence:
        booking.sequence += 1


def _lock_for(booking: Booking) -> None:
    """Lock what the booking holds, then read it again: another request may have changed it."""
    if booking.event_id is not None:
        lock_event(booking.event_id)
    elif booking.volunteer_id is not None:
        lock_volunteer(booking.volunteer_id)
    db.session.refresh(booking)


def _check_not_too_late(service: Service, start: datetime, now: datetime) -> None:
    if start <= now:
        raise Invalid("this time has passed", fields={"slot": "past"})
    if start < now + timedelta(minutes=service.min_notice_minutes):
        raise Invalid("too close to book", fields={"slot": "too_soon"})


def cancel_by_library(*, booking: Booking, actor: Actor, actor_id: int | None, reason: str,
                      now: datetime) -> None:
    """Cancel an appointment inside the caller's transaction (which holds the volunteer's lock).

    For changes that cancel as a side effect (a volunteer's availability shrank): the resident gets
    the CANCEL message with a new manage link to choose another time. Flushes, never commits.
    """
    _cancel(booking, actor, actor_id, reason, now)
    db.session.flush()
    queue_booking_messages(booking, token=issue_manage_token(booking), change="cancelled")
