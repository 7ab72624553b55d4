"""outbox: the provider's delivery report (Twilio status callbacks)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.add_column(
            sa.Column("delivery", sa.String(length=16), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("delivery_error", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.create_index("ix_outbox_provider_ref", ["provider_ref"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_index("ix_outbox_provider_ref")
        batch_op.drop_column("delivery_error")
        batch_op.drop_column("delivery")
