"""Reminders: one e-mail per confirmed booking, a configurable time before it starts.

Run by cron (``flask reminders send``), possibly twice at once. Each booking is claimed with a
conditional UPDATE (``reminder_queued_at IS NULL``) and its message queued in the same short
transaction: the rowcount tells which run won, and a claim never commits without its message.
"""
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from bookings.extensions import db
from bookings.models import Booking, BookingStatus
from bookings.services.invitations import queue_booking_messages
from bookings.services.manage import issue_manage_token
from bookings.services.timezones import utcnow


def queue_due_reminders(*, now: datetime | None = None, ahead: timedelta | None = None) -> int:
    """Queue the reminders of bookings that start within ``ahead``; returns how many were queued."""
    now = now or utcnow()
    if ahead is None:
        ahead = timedelta(hours=float(current_app.config["REMINDER_HOURS"]))
    due = (Booking.status == BookingStatus.CONFIRMED, Booking.reminder_queued_at.is_(None),
           Booking.email.is_not(None), Booking.starts_at > now, Booking.starts_at <= now + ahead)
    candidates = list(db.session.scalars(select(Booking.id).where(*due).order_by(Booking.starts_at)))
    db.session.rollback()
    queued = 0
    for booking_id in candidates:
        try:
            claimed = db.session.execute(
                update(Booking).where(Booking.id == booking_id, *due)
                # updated_at kept: a reminder changes nothing a calendar or a feed shows.
                .values(reminder_queued_at=now, updated_at=Booking.updated_at)
                .execution_options(synchronize_session=False)
            ).rowcount == 1
            if claimed:
                booking = db.session.get(Booking, booking_id)
                db.session.refresh(booking)
                # The first manage link exists only as a hash: the reminder carries a new one.
                queue_booking_messages(booking, token=issue_manage_token(booking), change="reminder")
                queued += 1
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    return queued
