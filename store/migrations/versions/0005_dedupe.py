"""near-duplicate index (MinHash signatures and LSH band keys of each case) and merged
persons

Revision ID: 0005_dedupe
Revises: 0004
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_dedupe"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dedupe_signatures",
        sa.Column("case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_dedupe_signatures_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_dedupe_signatures")),
    )
    op.create_table(
        "dedupe_bands",
        sa.Column("band", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("band", "case_id", name=op.f("pk_dedupe_bands")),
        sqlite_with_rowid=False,
    )
    # A plain ALTER TABLE ADD COLUMN: identities point at persons, so no batch rebuild.
    op.add_column("persons", sa.Column("merged_into_id", sa.Integer(), nullable=True))
    op.create_index("ix_persons_merged_into_id", "persons", ["merged_into_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_persons_merged_into_id", table_name="persons")
    op.drop_column("persons", "merged_into_id")
    op.drop_table("dedupe_bands")
    op.drop_table("dedupe_signatures")
