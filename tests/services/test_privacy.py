"""Retention: after `privacy purge` no personal data of old bookings is left anywhere in the database."""
from datetime import time, timedelta

import pytest
from sqlalchemy import String, Text, select

from bookings.extensions import db
from bookings.models import Actor, Booking
from bookings.services import availability
from bookings.services.booking import ResidentDetails, book_slot
from bookings.services.lifecycle import cancel_booking, mark_attendance
from bookings.services.privacy import erase_now, purge_expired
from bookings.services.reports import reach_report
from bookings.services.timezones import local_date, utcnow
from tests.factories import create_branch, create_every_day_rules, create_service, create_volunteer

PEOPLE = [
    ResidentDetails(first_name="Zeynep", email="zeynep.private@example.org", notes="Ik heb een tolk nodig"),
    ResidentDetails(first_name="Грицько", phone="+31687654321"),
    ResidentDetails(first_name="Zeynep", email="zeynep.private@example.org"),  # the same person again
]


@pytest.fixture
def old_and_new_bookings(app):
    branch, service = create_branch(), create_service(duration_minutes=60)
    create_every_day_rules(volunteer=create_volunteer(), branch=branch, services=[service],
                           start=time(9), end=time(17))
    long_ago = utcnow() - timedelta(days=60)
    day = local_date(long_ago, branch.timezone) + timedelta(days=2)
    slots = availability.list_slots(service, branch=branch, first_day=day, last_day=day, now=long_ago)
    old = [book_slot(slot_id=slots[i].id, details=person, now=long_ago).booking for i, person in enumerate(PEOPLE)]
    mark_attendance(booking=old[0], attended=True, actor=Actor.VOLUNTEER, actor_id=None)
    mark_attendance(booking=old[1], attended=False, actor=Actor.VOLUNTEER, actor_id=None)
    cancel_booking(booking=old[2], actor=Actor.STAFF, now=long_ago)
    soon_day = local_date(utcnow(), branch.timezone) + timedelta(days=3)
    new_slot = availability.list_slots(service, branch=branch, first_day=soon_day, last_day=soon_day)[0]
    new = book_slot(slot_id=new_slot.id, details=ResidentDetails(first_name="Keep", email="keep@example.org")).booking
    return old, new, local_date(long_ago, branch.timezone)


def all_text_in_the_database() -> str:
    """Every text and binary column of every table, as one string."""
    parts = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, Text)) or c.type.python_type is bytes]
        if columns:
            for row in db.session.execute(select(*columns)):
                parts += [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in row if v]
    return "\n".join(parts)


def test_purge_leaves_no_name_email_or_phone_and_keeps_the_figures(old_and_new_bookings):
    old, new, day = old_and_new_bookings
    before = reach_report(first_day=day - timedelta(days=5), last_day=day + timedelta(days=5))
    text = all_text_in_the_database()
    assert "zeynep.private@example.org" in text and "Грицько" in text  # the test can see them

    report = purge_expired()
    assert report.bookings == 3
    text = all_text_in_the_database()
    for secret in ("Zeynep", "zeynep.private", "Грицько", "687654321", "tolk"):
        assert secret not in text, secret
    assert "keep@example.org" in text  # a booking still to come keeps its data
    assert reach_report(first_day=day - timedelta(days=5), last_day=day + timedelta(days=5)) == before
    figures = before[0].figures
    assert figures["bookings"] == 3 and figures["unique_residents"] == 2
    assert (figures["attended"], figures["no_shows"], figures["cancellations"]) == (1, 1, 1)


def test_purge_is_idempotent(old_and_new_bookings):
    assert purge_expired().bookings == 3
    assert purge_expired().bookings == 0


def test_old_manage_links_stop_working_after_purge(client, old_and_new_bookings):
    old, _new, _day = old_and_new_bookings
    reference = old[0].reference
    purge_expired()
    assert db.session.scalar(select(Booking).where(Booking.reference == reference)).manage_tokens == []


def test_a_resident_can_erase_a_future_booking_now(old_and_new_bookings):
    _old, new, _day = old_and_new_bookings
    erase_now(booking=new)
    booking = db.session.get(Booking, new.id)
    assert booking.status == "cancelled" and booking.first_name is None and booking.email is None
    assert "keep@example.org" not in all_text_in_the_database()
