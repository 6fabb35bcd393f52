"""The only place that takes locks: once per transaction, just before the availability check.

A lock is a write to the row that loses capacity (the volunteer, or the event). On PostgreSQL
the UPDATE takes a row lock held until commit. On SQLite, pysqlite starts no transaction before
a SELECT, so "SELECT ... FOR UPDATE; count; insert" oversells; the UPDATE takes the database's
write lock instead, and other writers queue behind it. One code path for both databases.
"""
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from bookings.extensions import db
from bookings.models import Event, Volunteer
from bookings.services.errors import NotFound, ServiceBusy


def lock_volunteer(volunteer_id: int) -> None:
    """A booking anywhere blocks this person everywhere: serialise all their bookings."""
    _bump(Volunteer, volunteer_id)


def lock_event(event_id: int) -> None:
    _bump(Event, event_id)


def lock_events(event_ids: list[int]) -> None:
    """Several rows always in key order, so two transactions never wait on each other."""
    for event_id in sorted(set(event_ids)):
        _bump(Event, event_id)


def _bump(model, row_id: int) -> None:
    try:
        result = db.session.execute(
            update(model).where(model.id == row_id).values(lock_version=model.lock_version + 1)
        )
    except OperationalError as error:
        raise ServiceBusy(str(error.orig)) from error
    if result.rowcount != 1:
        raise NotFound(f"{model.__name__} {row_id}")
