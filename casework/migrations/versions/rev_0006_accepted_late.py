"""accepted late: a case accepted (thụ lý) after its deadline to accept never counts as settled on time

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 19:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade the schema."""
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accepted_late", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    """Downgrade the schema."""
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("accepted_late")
