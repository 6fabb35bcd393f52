"""Cancel, move, the waiting list and a volunteer's cancelled day, through the service functions."""
from datetime import time, timedelta

import pytest
from sqlalchemy import select

from bookings.extensions import db
from bookings.models import Actor, Booking, BookingStatus, TimeOff, WaitlistEntry
from bookings.services import availability
from bookings.services.booking import ResidentDetails, book_slot, waitlist_position
from bookings.services.errors import Invalid, SlotTaken
from bookings.services.lifecycle import (
    cancel_booking,
    cancel_volunteer_day,
    mark_attendance,
    promote_by_hand,
    reschedule_booking,
)
from bookings.services.slot_ids import appointment_slot_id, event_slot_id
from bookings.services.timezones import local_date, utcnow
from tests.factories import (
    create_branch,
    create_event,
    create_every_day_rules,
    create_service,
    create_volunteer,
    soon,
)

AMIRA = ResidentDetails(first_name="Amira", email="amira@example.org")


@pytest.fixture
def setting(app):
    branch = create_branch()
    service = create_service(duration_minutes=60)
    volunteer = create_volunteer(first_name="Henk")
    create_every_day_rules(volunteer=volunteer, branch=branch, services=[service], start=time(9), end=time(17))
    return branch, service, volunteer


def slot_at(setting, days: int, hour_local: int) -> str:
    branch, service, volunteer = setting
    day = local_date(utcnow(), branch.timezone) + timedelta(days=days)
    slots = availability.list_slots(service, branch=branch, first_day=day, last_day=day)
    return next(s.id for s in slots if availability.to_local(s.start, branch.timezone).hour == hour_local)


def test_cancel_frees_the_time_and_keeps_the_history(setting):
    slot_id = slot_at(setting, 3, 10)
    booking = book_slot(slot_id=slot_id, details=AMIRA).booking
    assert availability.find_slot(slot_id) is None
    assert cancel_booking(booking=booking, actor=Actor.RESIDENT) is True
    assert booking.status == BookingStatus.CANCELLED and booking.cancelled_by == Actor.RESIDENT
    assert booking.sequence == 1
    assert [(c.from_status, c.to_status, c.actor) for c in booking.changes] == [
        (None, BookingStatus.CONFIRMED, Actor.RESIDENT),
        (BookingStatus.CONFIRMED, BookingStatus.CANCELLED, Actor.RESIDENT)]
    assert availability.find_slot(slot_id) is not None


def test_cancelling_twice_is_harmless_and_says_so(setting):
    booking = book_slot(slot_id=slot_at(setting, 3, 10), details=AMIRA).booking
    assert cancel_booking(booking=booking, actor=Actor.RESIDENT) is True
    assert cancel_booking(booking=booking, actor=Actor.RESIDENT) is False
    assert len(booking.changes) == 2 and booking.sequence == 1


def test_a_past_appointment_cannot_be_cancelled_by_the_resident(setting):
    booking = book_slot(slot_id=slot_at(setting, 3, 10), details=AMIRA).booking
    with pytest.raises(Invalid):
        cancel_booking(booking=booking, actor=Actor.RESIDENT, now=booking.starts_at + timedelta(minutes=5))
    assert db.session.get(Booking, booking.id).status == BookingStatus.CONFIRMED


def test_move_keeps_the_reference_and_frees_the_old_time(setting):
    old_slot, new_slot = slot_at(setting, 3, 10), slot_at(setting, 4, 14)
    booking = book_slot(slot_id=old_slot, details=AMIRA).booking
    reference, old_start = booking.reference, booking.starts_at
    reschedule_booking(booking=booking, slot_id=new_slot, actor=Actor.RESIDENT)
    assert booking.reference == reference and booking.status == BookingStatus.CONFIRMED
    assert booking.starts_at != old_start and booking.sequence == 1
    assert booking.changes[-1].from_starts_at == old_start
    assert availability.find_slot(old_slot) is not None and availability.find_slot(new_slot) is None


def test_move_to_an_overlapping_later_time_is_not_blocked_by_itself(app):
    branch, service = create_branch(), create_service(duration_minutes=60, step_minutes=30)
    volunteer = create_volunteer()
    create_every_day_rules(volunteer=volunteer, branch=branch, services=[service])
    day = local_date(utcnow(), branch.timezone) + timedelta(days=3)
    slots = availability.list_slots(service, branch=branch, first_day=day, last_day=day)
    booking = book_slot(slot_id=slots[0].id, details=AMIRA).booking
    half_hour_later = appointment_slot_id(service.id, branch.id, volunteer.id, slots[0].start + timedelta(minutes=30))
    reschedule_booking(booking=booking, slot_id=half_hour_later, actor=Actor.RESIDENT)
    assert booking.starts_at == slots[0].start + timedelta(minutes=30)


def test_moving_to_a_time_just_taken_keeps_the_original(setting):
    mine, theirs = slot_at(setting, 3, 10), slot_at(setting, 4, 14)
    booking = book_slot(slot_id=mine, details=AMIRA).booking
    book_slot(slot_id=theirs, details=ResidentDetails(first_name="Bram", phone="+31612345678"))
    before = (booking.starts_at, booking.sequence, len(booking.changes))
    with pytest.raises(SlotTaken):
        reschedule_booking(booking=booking, slot_id=theirs, actor=Actor.RESIDENT)
    db.session.expire_all()
    booking = db.session.get(Booking, booking.id)
    assert (booking.starts_at, booking.sequence, len(booking.changes)) == before


def full_event(capacity=2, waiting=3):
    branch = create_branch()
    service = create_service(kind="event", duration_minutes=30)
    event = create_event(service=service, branch=branch, starts_at=soon(days=6, hour=12),
                         capacity=capacity, place_minutes=30)
    holders = [book_slot(slot_id=event_slot_id(event.id, None),
                         details=ResidentDetails(first_name=f"Holder{i}", email=f"h{i}@example.org")).booking
               for i in range(capacity)]
    waiters = [book_slot(slot_id=event_slot_id(event.id, None),
                         details=ResidentDetails(first_name=f"Waiter{i}", email=f"w{i}@example.org")).booking
               for i in range(waiting)]
    return event, holders, waiters


def test_full_event_puts_people_on_the_waiting_list_in_order(app):
    event, holders, waiters = full_event()
    assert [b.status for b in holders] == [BookingStatus.CONFIRMED] * 2
    assert [b.status for b in waiters] == [BookingStatus.WAITLISTED] * 3
    assert [waitlist_position(b) for b in waiters] == [1, 2, 3]


def test_a_cancelled_place_goes_to_the_first_in_line_exactly_once(app):
    event, holders, waiters = full_event()
    freed_place = holders[1].place_number
    cancel_booking(booking=holders[1], actor=Actor.RESIDENT)
    assert waiters[0].status == BookingStatus.CONFIRMED and waiters[0].place_number == freed_place
    assert waiters[0].changes[-1].actor == Actor.SYSTEM and waiters[0].sequence == 1
    assert len(waiters[0].manage_tokens) == 2  # a new link travels with the promotion message
    assert [b.status for b in waiters[1:]] == [BookingStatus.WAITLISTED] * 2
    assert [waitlist_position(b) for b in waiters[1:]] == [1, 2]


def test_leaving_the_waiting_list_moves_the_others_up(app):
    event, holders, waiters = full_event()
    cancel_booking(booking=waiters[0], actor=Actor.RESIDENT)
    assert waiters[0].status == BookingStatus.CANCELLED
    assert [waitlist_position(b) for b in waiters[1:]] == [1, 2]
    assert [b.status for b in holders] == [BookingStatus.CONFIRMED] * 2  # nobody promoted


def test_staff_can_move_someone_up_when_a_place_is_free(app):
    event, holders, waiters = full_event()
    event.capacity = 3
    db.session.commit()
    staff = create_volunteer(role="coordinator")
    promote_by_hand(booking=waiters[2], actor_id=staff.id)
    assert waiters[2].status == BookingStatus.CONFIRMED and waiters[2].place_number == 3
    with pytest.raises(SlotTaken):
        promote_by_hand(booking=waiters[0], actor_id=staff.id)


def test_a_volunteer_who_falls_ill_cancels_the_day_and_residents_can_pick_a_new_time(setting):
    branch, service, volunteer = setting
    first, second, other_day = slot_at(setting, 3, 10), slot_at(setting, 3, 14), slot_at(setting, 4, 10)
    bookings = [book_slot(slot_id=s, details=AMIRA).booking for s in (first, second, other_day)]
    day = local_date(bookings[0].starts_at, branch.timezone)
    cancelled = cancel_volunteer_day(volunteer_id=volunteer.id, day=day, reason="ziek")
    assert {b.id for b in cancelled} == {bookings[0].id, bookings[1].id}
    assert all(b.status == BookingStatus.CANCELLED and b.cancelled_by == Actor.VOLUNTEER for b in cancelled)
    assert bookings[2].status == BookingStatus.CONFIRMED
    assert db.session.scalar(select(TimeOff).where(TimeOff.volunteer_id == volunteer.id)) is not None
    assert availability.list_slots(service, branch=branch, first_day=day, last_day=day) == []
    # The resident is offered another time and takes it: same reference, confirmed again.
    reschedule_booking(booking=bookings[0], slot_id=slot_at(setting, 5, 11), actor=Actor.RESIDENT)
    assert bookings[0].status == BookingStatus.CONFIRMED and bookings[0].cancelled_by is None


def test_a_cancelled_day_also_cancels_the_sessions_the_volunteer_hosts(app):
    event, holders, waiters = full_event()
    host = create_volunteer()
    event.host = host
    db.session.commit()
    affected = cancel_volunteer_day(volunteer_id=host.id, day=local_date(event.starts_at, "Europe/Amsterdam"))
    assert event.cancelled
    assert {b.id for b in affected} == {b.id for b in holders + waiters}
    assert db.session.scalars(select(WaitlistEntry).where(WaitlistEntry.left_at.is_(None))).all() == []


def test_attendance_is_marked_after_the_appointment(setting):
    booking = book_slot(slot_id=slot_at(setting, 3, 10), details=AMIRA).booking
    with pytest.raises(Invalid):
        mark_attendance(booking=booking, attended=True, actor=Actor.VOLUNTEER, actor_id=None)
    later = booking.starts_at + timedelta(hours=2)
    mark_attendance(booking=booking, attended=False, actor=Actor.VOLUNTEER, actor_id=None, now=later)
    assert booking.status == BookingStatus.NO_SHOW
    mark_attendance(booking=booking, attended=True, actor=Actor.VOLUNTEER, actor_id=None, now=later)
    assert booking.status == BookingStatus.ATTENDED
