"""Single-use links that let a person choose a password: a reset, or the first sign-in."""
import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bookings.extensions import db
from bookings.models.people import Volunteer
from bookings.orm import utcnow


class TokenPurpose(enum.StrEnum):
    RESET = "reset"  # "forgot my password": valid for an hour
    INVITE = "invite"  # printed by `create-user`: valid for a week


class AccountToken(db.Model):
    """A secret link, stored only as a hash; used once, then ``used_at`` is set."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(
        Enum(TokenPurpose, native_enum=False, create_constraint=True, name="token_purpose",
             values_callable=lambda members: [m.value for m in members], length=20)
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    volunteer: Mapped[Volunteer] = relationship()
