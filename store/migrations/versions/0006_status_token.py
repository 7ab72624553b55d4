"""the status link's secret of each case (`cases.status_token`), and the client address a
web request came from (`messages.origin`)

Revision ID: 0006_status_token
Revises: 0005_dedupe
Create Date: 2026-12-07
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0006_status_token"
down_revision = "0005_dedupe"
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade() -> None:
    # A plain ALTER TABLE ADD COLUMN: other tables point at cases, so no batch rebuild.
    op.add_column(
        "cases", sa.Column("status_token", sa.String(length=32), server_default="", nullable=False)
    )
    # Cases filed before: a token each, so a resent acknowledgement carries a working link.
    cases = sa.table("cases", sa.column("id", sa.Integer), sa.column("status_token", sa.String))
    connection = op.get_bind()
    while ids := connection.scalars(
        sa.select(cases.c.id).where(cases.c.status_token == "").limit(BATCH)
    ).all():
        connection.execute(
            sa.update(cases).where(cases.c.id == sa.bindparam("b_id")),
            [{"b_id": case_id, "status_token": secrets.token_urlsafe(12)} for case_id in ids],
        )

    # Counted per hour for the acknowledgements' limit per address of origin.
    op.add_column(
        "messages", sa.Column("origin", sa.String(length=64), server_default="", nullable=False)
    )
    op.create_index(
        "ix_messages_origin_received_at", "messages", ["origin", "received_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_messages_origin_received_at", table_name="messages")
    op.drop_column("messages", "origin")
    op.drop_column("cases", "status_token")
