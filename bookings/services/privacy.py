"""Privacy by default: keep personal data only as long as needed, and erase it on request.

What is erased: first name, e-mail, phone and notes of a booking, the reasons typed in its history,
its manage links, and the e-mails sent about it (they hold the same data). What stays: the
anonymous facts reports need (service, branch, time, status, topic, referral) and a keyed hash
of the contact details, which counts unique residents without being readable.
"""
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, delete, or_, select, update

from bookings.extensions import db
from bookings.models import (
    Actor,
    Booking,
    BookingChange,
    BookingStatus,
    ManageToken,
    OutboxMessage,
    OutboxStatus,
    WaitlistEntry,
)
from bookings.services.lifecycle import cancel_in_transaction
from bookings.services.timezones import utcnow
from bookings.services.transactions import command


def resident_hash(email: str | None, phone: str | None) -> str | None:
    """A keyed hash of one way to reach the resident: the same person hashes the same."""
    contact = (email or "").lower() or phone
    if not contact:
        return None
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, contact.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class PurgeReport:
    bookings: int


@command()
def purge_expired(*, now: datetime | None = None, retention_days: int | None = None) -> PurgeReport:
    """Erase what is past its retention; running it again finds nothing more (idempotent)."""
    now = now or utcnow()
    days = current_app.config["RETENTION_DAYS"] if retention_days is None else retention_days
    cutoff = now - timedelta(days=int(days))
    due = select(Booking.id).where(Booking.erased_at.is_(None), or_(
        Booking.ends_at < cutoff,
        # A waiting-list place that never came is of no use once the session is over.
        and_(Booking.status == BookingStatus.WAITLISTED, Booking.ends_at < now),
    ))
    ids = list(db.session.scalars(due))
    _erase(ids, now)
    # Any e-mail older than the retention holds an address (a password reset, say): it goes too.
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.created_at < cutoff,
                                                   OutboxMessage.status != OutboxStatus.PENDING))
    return PurgeReport(bookings=len(ids))


@command()
def erase_now(*, booking: Booking, now: datetime | None = None) -> None:
    """The resident asks: cancel a booking still to come, and erase their data, in one go."""
    now = now or utcnow()
    if booking.is_active and booking.starts_at > now:
        cancel_in_transaction(booking=booking, actor=Actor.RESIDENT, actor_id=None,
                              reason="", now=now)
    db.session.flush()
    _erase([booking.id], now)


def _erase(ids: list[int], now: datetime) -> None:
    # In chunks: SQLite allows a limited number of parameters per statement.
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        db.session.execute(update(Booking).where(Booking.id.in_(chunk)).values(
            first_name=None, email=None, phone=None, notes=None, erased_at=now))
        db.session.execute(update(BookingChange).where(BookingChange.booking_id.in_(chunk)).values(reason=""))
        db.session.execute(update(WaitlistEntry).where(WaitlistEntry.booking_id.in_(chunk),
                                                       WaitlistEntry.left_at.is_(None)).values(left_at=now))
        db.session.execute(delete(ManageToken).where(ManageToken.booking_id.in_(chunk)))
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.booking_id.in_(chunk)))
    db.session.expire_all()
