"""the filings of cases in a remote document system (`filings`): a reference written
before the call, the call's outcome, the number Orfeo gave

Revision ID: 0008_filings
Revises: 0007_petition_pending
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_filings"
down_revision = "0007_petition_pending"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "filings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("backend", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("annexes_sent", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_filings_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filings")),
        sa.UniqueConstraint("case_id", name=op.f("uq_filings_case_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_filings_reference")),
    )
    op.create_index(op.f("ix_filings_status"), "filings", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_filings_status"), table_name="filings")
    op.drop_table("filings")
