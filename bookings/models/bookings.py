"""What residents book: appointments and places in events, their history and the waiting list."""
import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bookings.extensions import db
from bookings.models.catalog import Service
from bookings.models.people import Volunteer
from bookings.models.places import Branch
from bookings.orm import utcnow


def _str_enum(enum_cls: type[enum.StrEnum], name: str) -> Enum:
    return Enum(enum_cls, native_enum=False, create_constraint=True, name=name,
                values_callable=lambda members: [m.value for m in members], length=20)


class BookingStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"


# Statuses that hold a volunteer's time or an event's place.
HOLDING_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.ATTENDED, BookingStatus.NO_SHOW)
# The same condition as SQL text: the partial unique indexes below are built on it, and a query
# that repeats it word for word lets SQLite use them (bound parameters would not match).
HOLDING_SQL = "status IN ('confirmed', 'attended', 'no_show')"


class Actor(enum.StrEnum):
    RESIDENT = "resident"
    VOLUNTEER = "volunteer"
    STAFF = "staff"
    SYSTEM = "system"


class Referral(db.Model):
    """A partner's code (municipality, employer) that marks where a booking came from."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    partner_name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The partner's page of counts (never names) sits behind a secret link; only its hash is kept.
    partner_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)


class Event(db.Model):
    """A dated block with places, e.g. a coaching-week afternoon of a coach at one branch.

    Places are numbered 1..capacity; with ``place_minutes`` set, place n starts
    (n - 1) * place_minutes after the event's start (timed places).
    """

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="time_order"),
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("place_minutes IS NULL OR place_minutes > 0", name="place_minutes_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    host_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    capacity: Mapped[int]
    place_minutes: Mapped[int | None]
    waitlist_enabled: Mapped[bool] = mapped_column(default=True)
    cancelled: Mapped[bool] = mapped_column(default=False)
    lock_version: Mapped[int] = mapped_column(default=0)  # see services.locking

    service: Mapped[Service] = relationship()
    branch: Mapped[Branch] = relationship()
    host: Mapped[Volunteer | None] = relationship()


class Booking(db.Model):
    """A resident's appointment or place. Found by its reference; managed through a secret link."""

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="time_order"),
        CheckConstraint("event_id IS NOT NULL OR volunteer_id IS NOT NULL",
                        name="appointment_has_volunteer"),
        # Backstops behind the locks in services.locking: never two holders of one time or place.
        Index("uq_bookings_volunteer_start_holding", "volunteer_id", "starts_at", unique=True,
              sqlite_where=text(f"event_id IS NULL AND {HOLDING_SQL}"),
              postgresql_where=text(f"event_id IS NULL AND {HOLDING_SQL}")),
        Index("uq_bookings_event_place_holding", "event_id", "place_number", unique=True,
              sqlite_where=text(f"event_id IS NOT NULL AND {HOLDING_SQL}"),
              postgresql_where=text(f"event_id IS NOT NULL AND {HOLDING_SQL}")),
        Index("ix_bookings_volunteer_starts_at", "volunteer_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    place_number: Mapped[int | None]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    status: Mapped[BookingStatus] = mapped_column(_str_enum(BookingStatus, "booking_status"))
    cancelled_by: Mapped[Actor | None] = mapped_column(_str_enum(Actor, "cancelled_by"))
    first_name: Mapped[str | None] = mapped_column(String(80))  # None once erased
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    topic: Mapped[str | None] = mapped_column(String(60))
    notes: Mapped[str | None] = mapped_column(String(500))
    language: Mapped[str] = mapped_column(String(8), default="nl")
    # A keyed hash of the contact details: counts unique residents for reports, and survives erasure.
    resident_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    erased_at: Mapped[datetime | None]  # personal data erased (retention, or the resident asked)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"))
    sequence: Mapped[int] = mapped_column(default=0)  # iCalendar SEQUENCE: up on every change
    # Set when the reminder is queued (services.reminders): never two reminders for one booking.
    reminder_queued_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    service: Mapped[Service] = relationship()
    branch: Mapped[Branch] = relationship()
    volunteer: Mapped[Volunteer | None] = relationship()
    event: Mapped[Event | None] = relationship()
    referral: Mapped[Referral | None] = relationship()
    changes: Mapped[list["BookingChange"]] = relationship(
        back_populates="booking", cascade="all, delete-orphan", order_by="BookingChange.id"
    )
    manage_tokens: Mapped[list["ManageToken"]] = relationship(
        back_populates="booking", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:
        return self.status in (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED)


class ManageToken(db.Model):
    """A secret manage link, stored only as a hash.

    A booking can have several: the first is shown on the confirmation; later messages (a
    promotion from the waiting list, a reminder) each carry a fresh one, because the first
    cannot be recovered from its hash.
    """

    __tablename__ = "manage_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    booking: Mapped[Booking] = relationship(back_populates="manage_tokens")


class BookingChange(db.Model):
    """One line of a booking's history: when, by whom, why."""

    __tablename__ = "booking_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    from_status: Mapped[BookingStatus | None] = mapped_column(_str_enum(BookingStatus, "from_status"))
    to_status: Mapped[BookingStatus] = mapped_column(_str_enum(BookingStatus, "to_status"))
    actor: Mapped[Actor] = mapped_column(_str_enum(Actor, "actor"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id"))
    reason: Mapped[str] = mapped_column(String(255), default="")
    from_starts_at: Mapped[datetime | None]

    booking: Mapped[Booking] = relationship(back_populates="changes")


class WaitlistEntry(db.Model):
    """A place in line for a full event; the position is derived from the order of joining."""

    __tablename__ = "waitlist_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), unique=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None]  # promoted, left or expired

    booking: Mapped[Booking] = relationship()
