"""outbox, reminders

Revision ID: 0002
Revises: 66d502d73c6b
Create Date: 2026-11-26

The e-mail outbox (services.outbox) and the reminder claim on bookings (services.reminders).
Volunteer.feed_token_hash, used by the private feeds, is already in the initial schema.
"""
from alembic import op
import sqlalchemy as sa

import bookings.orm


# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "66d502d73c6b"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.Enum("invitation", "update", "cancellation", "promotion", "reminder",
                                  "password_reset", "other", name="outbox_kind", native_enum=False,
                                  create_constraint=True, length=20), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.Enum("pending", "sent", "failed", name="outbox_status", native_enum=False,
                                    create_constraint=True, length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", bookings.orm.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", bookings.orm.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=120), nullable=True),
        sa.Column("sent_at", bookings.orm.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", bookings.orm.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_outbox_messages_attempts_not_negative")),
        sa.ForeignKeyConstraint(["booking_id"], ["bookings.id"],
                                name=op.f("fk_outbox_messages_booking_id_bookings"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_messages_booking_id"), ["booking_id"], unique=False)
        batch_op.create_index("ix_outbox_messages_status_next_attempt_at", ["status", "next_attempt_at"],
                              unique=False)

    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminder_queued_at", bookings.orm.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_column("reminder_queued_at")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_status_next_attempt_at")
        batch_op.drop_index(batch_op.f("ix_outbox_messages_booking_id"))
    op.drop_table("outbox_messages")
