"""outbox index for the per-sender acknowledgement limit; checkpoint backlog

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_recipient_created_at", "outbox", ["recipient", "created_at"])
    with op.batch_alter_table("checkpoints") as batch_op:
        batch_op.add_column(sa.Column("backlog", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("checkpoints") as batch_op:
        batch_op.drop_column("backlog")
    op.drop_index("ix_outbox_recipient_created_at", table_name="outbox")
