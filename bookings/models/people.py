"""The people who give appointments or run the programme, and when they are available."""
import enum
import hashlib
from datetime import date, datetime, time

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Column, Enum, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bookings.extensions import db
from bookings.models.catalog import Service
from bookings.models.places import Branch
from bookings.orm import utcnow


def password_stamp(password_hash: str | None) -> str:
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


class Role(enum.StrEnum):
    VOLUNTEER = "volunteer"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class Volunteer(UserMixin, db.Model):
    """A person with a login: a volunteer or coach, or staff (coordinator, admin)."""

    __tablename__ = "volunteers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80), default="")
    phone: Mapped[str | None] = mapped_column(String(32))
    languages: Mapped[str] = mapped_column(String(120), default="nl")  # e.g. "nl, en, ar"
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, create_constraint=True, name="role",
             values_callable=lambda roles: [r.value for r in roles], length=20),
        default=Role.VOLUNTEER,
    )
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Bumped by services.locking to serialise bookings of this person (see that module).
    lock_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    rules: Mapped[list["AvailabilityRule"]] = relationship(
        back_populates="volunteer", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login: deactivated people cannot sign in
        return self.active

    def get_id(self) -> str:
        # Flask-Login keeps this in the session and the "remember me" cookie. With a stamp of the
        # password hash in it, a new password signs out every other browser (bookings.auth).
        return f"{self.id}.{password_stamp(self.password_hash)}"

    def __repr__(self) -> str:
        return f"<Volunteer {self.id}>"


rule_services = Table(
    "rule_services",
    db.metadata,
    Column("rule_id", ForeignKey("availability_rules.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
)


class AvailabilityRule(db.Model):
    """Weekly ("every Monday 19:00-21:00") or one-off availability, in the branch's wall time."""

    __tablename__ = "availability_rules"
    __table_args__ = (
        CheckConstraint("start_time < end_time", name="time_order"),
        CheckConstraint("(weekday IS NULL) <> (on_date IS NULL)", name="weekly_or_once"),
        CheckConstraint("weekday IS NULL OR (weekday >= 0 AND weekday <= 6)", name="weekday_range"),
        CheckConstraint("every_n_weeks >= 1", name="every_n_weeks_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int | None]  # 0 = Monday
    on_date: Mapped[date | None]
    start_time: Mapped[time]
    end_time: Mapped[time]
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None]
    every_n_weeks: Mapped[int] = mapped_column(default=1)

    volunteer: Mapped[Volunteer] = relationship(back_populates="rules")
    branch: Mapped[Branch] = relationship()
    services: Mapped[list[Service]] = relationship(secondary=rule_services)


class TimeOff(db.Model):
    """A volunteer away (holiday, illness), as UTC instants."""

    __tablename__ = "time_off"
    __table_args__ = (CheckConstraint("starts_at < ends_at", name="time_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(120), default="")
