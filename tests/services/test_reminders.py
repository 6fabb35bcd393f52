"""Reminders: exactly once per confirmed booking, only within REMINDER_HOURS, safe in parallel."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from bookings.extensions import db
from bookings.models import Booking, BookingStatus, OutboxKind, OutboxMessage
from bookings.services.reminders import queue_due_reminders
from bookings.services.timezones import utcnow
from tests.factories import create_booking, create_branch, create_service, create_volunteer


def reminders() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.REMINDER)))


@pytest.fixture
def make(app):
    """make(hours from now, n, **overrides): a booking of resident n."""
    branch, service, volunteer = create_branch(), create_service(), create_volunteer()

    def booking(hours: float, n: int, **overrides) -> Booking:
        start = (utcnow() + timedelta(hours=hours)).replace(microsecond=0)
        values = dict(service=service, branch=branch, volunteer=volunteer, starts_at=start, token=f"t{n}",
                      email=f"r{n}@example.org")
        values.update(overrides)
        return create_booking(**values)

    return booking


def test_exactly_once_per_booking_and_only_those_due(app, make):
    due = make(5, 1)
    also_due = make(23, 2, language="en")
    make(30, 3)  # beyond 24 hours
    make(-1, 4)  # already begun
    make(6, 5, status=BookingStatus.CANCELLED)
    make(7, 6, email=None)  # no address: nothing to send
    assert queue_due_reminders() == 2
    assert queue_due_reminders() == 0
    assert sorted(m.recipient for m in reminders()) == ["r1@example.org", "r2@example.org"]
    assert {m.booking_id for m in reminders()} == {due.id, also_due.id}
    db.session.refresh(due)
    assert due.reminder_queued_at is not None


def test_reminder_hours_and_the_ahead_argument(app, make):
    make(30, 1)
    app.config["REMINDER_HOURS"] = 48
    assert queue_due_reminders() == 1
    make(50, 2)
    assert queue_due_reminders(ahead=timedelta(hours=12)) == 0
    assert queue_due_reminders(now=utcnow() + timedelta(hours=40), ahead=timedelta(hours=12)) == 1


def test_a_reminder_does_not_touch_what_feeds_show(app, make):
    booking = make(2, 1)
    before = booking.updated_at
    queue_due_reminders()
    db.session.refresh(booking)
    assert booking.updated_at == before and booking.sequence == 0


def test_two_runs_at_once_queue_each_reminder_once(app, make):
    for n in range(12):
        make(1 + n, n)
    counts, errors = [], []
    start = threading.Barrier(3)

    def run():
        try:
            with app.app_context():
                start.wait()
                counts.append(queue_due_reminders())
                db.session.remove()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and sum(counts) == 12
    assert len(reminders()) == 12 and len({m.booking_id for m in reminders()}) == 12


def test_cli_reminders_send(app, runner, make):
    make(3, 1)
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0 and "queued 1" in result.output
    assert "queued 0" in runner.invoke(args=["reminders", "send"]).output
