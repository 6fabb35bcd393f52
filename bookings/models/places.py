"""Where things happen: library branches and the days they are closed."""
from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bookings.extensions import db


class Branch(db.Model):
    __tablename__ = "branches"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(255))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Amsterdam")
    phone: Mapped[str | None] = mapped_column(String(32))
    opening_hours: Mapped[str | None] = mapped_column(Text)

    closures: Mapped[list["Closure"]] = relationship(
        back_populates="branch", cascade="all, delete-orphan", order_by="Closure.starts_on"
    )

    def __repr__(self) -> str:
        return f"<Branch {self.slug}>"


class Closure(db.Model):
    """A branch closed on a range of local dates (public holiday, a closed day)."""

    __tablename__ = "closures"
    __table_args__ = (CheckConstraint("starts_on <= ends_on", name="date_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]  # inclusive
    reason: Mapped[str] = mapped_column(String(120), default="")

    branch: Mapped[Branch] = relationship(back_populates="closures")
