"""Bookings: a keyed hash of the resident for reports, and when personal data was erased.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

import bookings.orm

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resident_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("erased_at", bookings.orm.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_bookings_resident_hash"), ["resident_hash"], unique=False)


def downgrade():
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bookings_resident_hash"))
        batch_op.drop_column("erased_at")
        batch_op.drop_column("resident_hash")
