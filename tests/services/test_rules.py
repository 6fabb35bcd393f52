"""A volunteer's rules: no overlaps, no silently stranded bookings, a preview that respects DST."""
import email
import email.policy
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select

from bookings.extensions import db
from bookings.models import AvailabilityRule, BookingStatus, OutboxKind, OutboxMessage, TimeOff
from bookings.services import rules
from bookings.services.errors import Invalid
from bookings.services.rules import RuleInput, RuleOverlap, StrandsBookings
from bookings.services.timezones import DEFAULT_ZONE, local_date, to_local, utcnow, zone
from tests.factories import create_booking, create_branch, create_service, create_volunteer

MONDAY = 0


@pytest.fixture
def world(app):
    branch = create_branch(name="Bibliotheek Amstelveen")
    other_branch = create_branch(name="Bibliotheek Aalsmeer")
    service = create_service(duration_minutes=60)
    sanne = create_volunteer(first_name="Sanne")
    return dict(branch=branch, other_branch=other_branch, service=service, sanne=sanne)


def weekly(world, *, weekday=MONDAY, start=time(19), end=time(21), branch=None, **extra) -> RuleInput:
    return RuleInput(weekly=True, branch_id=(branch or world["branch"]).id, service_ids=[world["service"].id],
                     start_time=start, end_time=end, weekday=weekday, **extra)


def next_weekday(weekday: int, *, at_least: int = 3) -> date:
    day = local_date(utcnow(), DEFAULT_ZONE) + timedelta(days=at_least)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def local_instant(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, zone(DEFAULT_ZONE)).astimezone(timezone.utc)


def booked_monday(world, clock=time(19)):
    day = next_weekday(MONDAY)
    return create_booking(service=world["service"], branch=world["branch"], volunteer=world["sanne"],
                          starts_at=local_instant(day, clock), first_name="Amira", email="amira@example.org")


def test_add_rule_and_refuse_an_overlap_naming_the_rule(world):
    first = rules.add_rule(volunteer=world["sanne"], data=weekly(world))
    # Another branch does not help: a volunteer is in one place at a time.
    with pytest.raises(RuleOverlap) as refused:
        rules.add_rule(volunteer=world["sanne"], data=weekly(world, start=time(20), end=time(22),
                                                             branch=world["other_branch"]))
    assert refused.value.rule.id == first.id and refused.value.fields == {"start_time": "overlap"}
    assert db.session.scalar(select(db.func.count()).select_from(AvailabilityRule)) == 1
    # Touching ends, another weekday, or another volunteer: no overlap.
    rules.add_rule(volunteer=world["sanne"], data=weekly(world, start=time(21), end=time(22)))
    rules.add_rule(volunteer=world["sanne"], data=weekly(world, weekday=1))
    rules.add_rule(volunteer=create_volunteer(), data=weekly(world))


def test_one_off_time_on_a_covered_monday_overlaps(world):
    rules.add_rule(volunteer=world["sanne"], data=weekly(world))
    once = RuleInput(weekly=False, branch_id=world["branch"].id, service_ids=[world["service"].id],
                     start_time=time(20), end_time=time(22), on_date=next_weekday(MONDAY))
    with pytest.raises(RuleOverlap):
        rules.add_rule(volunteer=world["sanne"], data=once)
    rules.add_rule(volunteer=world["sanne"], data=RuleInput(**{**once.__dict__, "on_date": next_weekday(1)}))


def test_alternating_weeks_do_not_overlap_but_the_same_weeks_do(world):
    anchor = next_weekday(MONDAY)
    rules.add_rule(volunteer=world["sanne"], data=weekly(world, every_n_weeks=2, valid_from=anchor))
    rules.add_rule(volunteer=world["sanne"], data=weekly(world, every_n_weeks=2, valid_from=anchor + timedelta(days=7),
                                                         branch=world["other_branch"]))
    with pytest.raises(RuleOverlap):
        rules.add_rule(volunteer=world["sanne"], data=weekly(world, every_n_weeks=4,
                                                             valid_from=anchor + timedelta(days=14)))


def test_an_overlap_that_ended_in_the_past_does_not_count(world):
    today = local_date(utcnow(), DEFAULT_ZONE)
    rules.add_rule(volunteer=world["sanne"], data=weekly(world, valid_from=today - timedelta(days=60),
                                                         valid_until=today - timedelta(days=1)))
    rules.add_rule(volunteer=world["sanne"], data=weekly(world))


def test_invalid_input_gives_field_codes(world):
    bad = RuleInput(weekly=True, branch_id=None, service_ids=[], start_time=time(21), end_time=time(19), weekday=9,
                    every_n_weeks=0)
    with pytest.raises(Invalid) as refused:
        rules.add_rule(volunteer=world["sanne"], data=bad)
    assert refused.value.fields == {"branch": "branch_required", "services": "services_required",
                                    "end_time": "time_order", "weekday": "weekday_required",
                                    "every_n_weeks": "every_n_weeks"}


def test_a_change_that_strands_a_booking_is_refused_then_cancels_it_when_confirmed(world):
    rule = rules.add_rule(volunteer=world["sanne"], data=weekly(world))
    booking = booked_monday(world)
    later = weekly(world, start=time(20), end=time(21))
    with pytest.raises(StrandsBookings) as refused:
        rules.change_rule(volunteer=world["sanne"], rule=rule, data=later)
    assert refused.value.booking_ids == [booking.id]
    db.session.refresh(rule)
    assert rule.start_time == time(19) and booking.status == BookingStatus.CONFIRMED
    assert db.session.scalar(select(OutboxMessage)) is None

    cancelled = rules.change_rule(volunteer=world["sanne"], rule=rule, data=later, confirm=True)
    assert [b.id for b in cancelled] == [booking.id]
    assert rule.start_time == time(20) and booking.status == BookingStatus.CANCELLED
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "amira@example.org"))
    assert message.kind == OutboxKind.CANCELLATION and calendar_method(message) == "CANCEL"


def calendar_method(message: OutboxMessage) -> str | None:
    parsed = email.message_from_bytes(message.raw, policy=email.policy.default)
    parts = [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]
    return parts[0].get_param("method") if parts else None


def test_a_change_that_keeps_the_booking_covered_goes_through(world):
    rule = rules.add_rule(volunteer=world["sanne"], data=weekly(world))
    booking = booked_monday(world)
    assert rules.change_rule(volunteer=world["sanne"], rule=rule, data=weekly(world, start=time(18))) == []
    assert booking.status == BookingStatus.CONFIRMED


def test_deleting_a_rule_and_adding_time_off_strand_bookings_too(world):
    rule = rules.add_rule(volunteer=world["sanne"], data=weekly(world))
    booking = booked_monday(world)
    day = to_local(booking.starts_at, DEFAULT_ZONE).date()
    with pytest.raises(StrandsBookings):
        rules.delete_rule(volunteer=world["sanne"], rule=rule)
    with pytest.raises(StrandsBookings):
        rules.add_time_off(volunteer=world["sanne"], first_day=day, start_time=time(19, 30), end_time=time(20))
    assert db.session.scalar(select(TimeOff)) is None
    # Time off that misses the booking is fine.
    assert rules.add_time_off(volunteer=world["sanne"], first_day=day, start_time=time(20), end_time=time(21)) == []
    assert len(rules.add_time_off(volunteer=world["sanne"], first_day=day, last_day=day + timedelta(days=2),
                                  confirm=True)) == 1
    assert booking.status == BookingStatus.CANCELLED


def test_a_booking_that_was_never_covered_does_not_block_a_change(world):
    rule = rules.add_rule(volunteer=world["sanne"], data=weekly(world))
    booked_monday(world, clock=time(10))  # made by staff, outside any rule
    assert rules.delete_rule(volunteer=world["sanne"], rule=rule) == []


def test_time_off_checks_its_input(world):
    with pytest.raises(Invalid) as refused:
        rules.add_time_off(volunteer=world["sanne"], first_day=date(2020, 1, 1))
    assert refused.value.fields == {"first_day": "date_past"}
    day = next_weekday(2)
    with pytest.raises(Invalid) as refused:
        rules.add_time_off(volunteer=world["sanne"], first_day=day, last_day=day + timedelta(days=1),
                           start_time=time(13), end_time=time(12))
    assert refused.value.fields == {"end_time": "time_order", "last_day": "hours_one_day"}


@pytest.mark.parametrize("first_day", [date(2026, 3, 23), date(2026, 10, 19)], ids=["spring", "autumn"])
def test_preview_shows_monday_19_00_on_both_sides_of_a_dst_change(world, first_day):
    rules.add_rule(volunteer=world["sanne"], data=weekly(world), now=datetime(2026, 1, 1, tzinfo=timezone.utc))
    now = local_instant(first_day, time(0)) - timedelta(days=1)
    days = rules.preview(world["sanne"], first_day=first_day, days=14, now=now)
    assert [d.day for d in days] == [first_day, first_day + timedelta(days=7)]
    for preview_day in days:
        (line,) = preview_day.lines
        assert [to_local(t.start, DEFAULT_ZONE).strftime("%H:%M") for t in line.times] == ["19:00", "20:00"]
    offsets = {to_local(d.lines[0].times[0].start, DEFAULT_ZONE).utcoffset() for d in days}
    assert len(offsets) == 2  # really on both sides of the change


def test_preview_marks_booked_times(world):
    rules.add_rule(volunteer=world["sanne"], data=weekly(world))
    booking = booked_monday(world)
    day = to_local(booking.starts_at, DEFAULT_ZONE).date()
    days = rules.preview(world["sanne"], first_day=day, days=1)
    assert [(t.start, t.booked) for t in days[0].lines[0].times] == [
        (booking.starts_at, True), (booking.starts_at + timedelta(hours=1), False)]
