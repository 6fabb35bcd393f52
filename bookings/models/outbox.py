"""E-mail waiting to be sent: written in the same transaction as the change it tells about."""
import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bookings.extensions import db
from bookings.orm import utcnow


class OutboxKind(enum.StrEnum):
    INVITATION = "invitation"
    UPDATE = "update"
    CANCELLATION = "cancellation"
    PROMOTION = "promotion"
    REMINDER = "reminder"
    PASSWORD_RESET = "password_reset"
    OTHER = "other"


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after MAX_ATTEMPTS or a permanent (5xx) refusal


def _str_enum(enum_cls: type[enum.StrEnum], name: str) -> Enum:
    # A CHECK constraint, not a native enum: adding a value later is a plain migration everywhere.
    return Enum(enum_cls, native_enum=False, create_constraint=True, name=name,
                values_callable=lambda members: [m.value for m in members], length=20)


class OutboxMessage(db.Model):
    """One RFC 5322 message for one recipient, as the bytes that go over the wire."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        # The workers' query: pending messages that are due, oldest first.
        Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    kind: Mapped[OutboxKind] = mapped_column(_str_enum(OutboxKind, "outbox_kind"))
    # SET NULL: erasing a booking must not erase the record that a message was sent.
    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("bookings.id", ondelete="SET NULL"), index=True
    )
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[OutboxStatus] = mapped_column(
        _str_enum(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A worker's lease: while it lies in the future, no other worker takes the message.
    claimed_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.status}>"
