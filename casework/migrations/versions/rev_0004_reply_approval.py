"""reply approval: a public reply may wait for a supervisor's approval before it is queued

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 09:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import casework.db

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade the schema."""
    with op.batch_alter_table("ticket_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "approval",
                sa.Enum("pending", "approved", "returned", name="replyapproval", native_enum=False, length=32),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("approval_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("approval_at", casework.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_ticket_events_approval_by_officials"), "officials", ["approval_by"], ["id"]
        )


def downgrade() -> None:
    """Downgrade the schema."""
    with op.batch_alter_table("ticket_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_ticket_events_approval_by_officials"), type_="foreignkey")
        batch_op.drop_column("approval_at")
        batch_op.drop_column("approval_by")
        batch_op.drop_column("approval")
