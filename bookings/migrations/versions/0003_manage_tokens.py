"""Manage links as their own rows: a booking can have several secret links.

The first link is shown on the confirmation; messages sent later (a promotion from the waiting
list, a cancelled day) carry a fresh one, since a link cannot be recovered from its hash.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

import bookings.orm

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "manage_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", bookings.orm.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["booking_id"], ["bookings.id"],
                                name=op.f("fk_manage_tokens_booking_id_bookings"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manage_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_manage_tokens_token_hash")),
    )
    with op.batch_alter_table("manage_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_manage_tokens_booking_id"), ["booking_id"], unique=False)
    # Existing links keep working: their hashes move to the new table.
    op.execute("INSERT INTO manage_tokens (booking_id, token_hash, created_at) "
               "SELECT id, token_hash, created_at FROM bookings")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_column("token_hash")


def downgrade():
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("token_hash", sa.String(length=64), nullable=False, server_default=""))
    op.execute("UPDATE bookings SET token_hash = (SELECT min(token_hash) FROM manage_tokens "
               "WHERE manage_tokens.booking_id = bookings.id)")
    with op.batch_alter_table("manage_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_manage_tokens_booking_id"))
    op.drop_table("manage_tokens")
