"""Account tokens: single-use links to choose a password (reset, or the first sign-in).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa

import bookings.orm

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "account_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.Enum("reset", "invite", name="token_purpose", native_enum=False,
                                     create_constraint=True, length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", bookings.orm.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", bookings.orm.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", bookings.orm.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["volunteer_id"], ["volunteers.id"],
                                name=op.f("fk_account_tokens_volunteer_id_volunteers"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_tokens_token_hash")),
    )
    with op.batch_alter_table("account_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_tokens_volunteer_id"), ["volunteer_id"], unique=False)


def downgrade():
    with op.batch_alter_table("account_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_tokens_volunteer_id"))
    op.drop_table("account_tokens")
