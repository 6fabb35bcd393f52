"""Staff: which branches a coordinator runs, and the audit log of what staff changed."""
from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from bookings.extensions import db
from bookings.orm import utcnow

# A coordinator runs one or more branches; an admin runs all of them and needs no rows here.
coordinator_branches = Table(
    "coordinator_branches",
    db.metadata,
    Column("volunteer_id", ForeignKey("volunteers.id", ondelete="CASCADE"), primary_key=True),
    Column("branch_id", ForeignKey("branches.id", ondelete="CASCADE"), primary_key=True),
)


class AuditEntry(db.Model):
    """One staff action: who, when, what, on which object. The summary holds no personal data."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # SET NULL: the log outlives a deleted login; the action stays on record.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    # The branch the object belongs to (None: library-wide), so coordinators see their own part.
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id", ondelete="SET NULL"), index=True)
    summary: Mapped[str] = mapped_column(String(255), default="")
