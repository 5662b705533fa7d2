"""platform channels: leases, channel tokens, reachability and reply window, send start

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 10:04:48.907246
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import casework.db

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade the schema."""
    op.create_table(
        "channel_tokens",
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("access_token", sa.Text(), nullable=False),
        sa.Column("refresh_token", sa.Text(), nullable=False),
        sa.Column("expires_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account", name=op.f("pk_channel_tokens")),
    )
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("expires_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_inbound_ref", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("last_inbound_at", casework.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("unreachable_since", casework.db.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("send_started_at", casework.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("parts_sent", sa.Integer(), server_default="0", nullable=False))
        batch_op.drop_index(batch_op.f("ix_outbox_claim"))
        batch_op.create_index("ix_outbox_claim", ["channel", "status", "priority", "id"], unique=False)
        batch_op.create_index("ix_outbox_chat", ["channel", "chat_ref", "status"], unique=False)


def downgrade() -> None:
    """Downgrade the schema."""
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_chat")
        batch_op.drop_index("ix_outbox_claim")
        batch_op.create_index(batch_op.f("ix_outbox_claim"), ["status", "priority", "id"], unique=False)
        batch_op.drop_column("parts_sent")
        batch_op.drop_column("send_started_at")

    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("unreachable_since")
        batch_op.drop_column("last_inbound_at")
        batch_op.drop_column("last_inbound_ref")

    op.drop_table("leases")
    op.drop_table("channel_tokens")
