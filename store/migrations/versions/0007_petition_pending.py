"""the cases still to compare for a mass petition (`petition_pending`): grouping runs in
its own transaction after the case is committed

Revision ID: 0007_petition_pending
Revises: 0006_status_token
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_petition_pending"
down_revision = "0006_status_token"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "petition_pending",
        sa.Column("case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_petition_pending_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_petition_pending")),
    )


def downgrade() -> None:
    op.drop_table("petition_pending")
