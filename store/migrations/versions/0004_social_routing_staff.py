"""social channels, routing and the staff workspace: mentions, alerts, identities,
petition groups, training examples, staff users and sessions; case flags and forwarding;
an outbox that sends any kind of message once by its key

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("key", name=op.f("uq_alerts_key")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alerts_created_at"), ["created_at"], unique=False)

    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_attempts_address"), ["address"], unique=False)
        batch_op.create_index("ix_login_attempts_username_at", ["username", "at"], unique=False)

    op.create_table(
        "persons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
    )
    op.create_table(
        "petition_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petition_groups")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_identities_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identities")),
        sa.UniqueConstraint("kind", "value", name="uq_identities_kind_value"),
    )
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identities_person_id"), ["person_id"], unique=False)

    op.create_table(
        "mentions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("klass", sa.String(length=20), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_mentions_message_id_messages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentions")),
        sa.UniqueConstraint("message_id", name=op.f("uq_mentions_message_id")),
    )
    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mentions_klass"), ["klass"], unique=False)
        batch_op.create_index(batch_op.f("ix_mentions_posted_at"), ["posted_at"], unique=False)

    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_staff_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_staff_sessions")),
    )
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_sessions_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_staff_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "training_examples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("label", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_training_examples_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_examples")),
    )
    # Plain ALTER TABLE ADD COLUMN: a batch rebuild of `cases` on SQLite would drop a table
    # its outbox rows point at.
    case_columns: list[sa.Column[Any]] = [
        sa.Column("flags", sa.JSON(), server_default=sa.text("'[]'"), nullable=False),
        sa.Column("priority", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("competent_entity", sa.String(length=200), server_default="", nullable=False),
        sa.Column("forward_due", sa.Date(), nullable=True),
        sa.Column("forwarded_to", sa.String(length=200), server_default="", nullable=False),
        sa.Column("forwarded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("access_denied", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("faq_id", sa.String(length=64), server_default="", nullable=False),
    ]
    for column in case_columns:
        op.add_column("cases", column)
    op.create_index("ix_cases_group_id", "cases", ["group_id"], unique=False)
    op.create_index("ix_cases_person_id", "cases", ["person_id"], unique=False)

    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_messages_person_id"), ["person_id"], unique=False)

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key", sa.String(length=160), nullable=True))
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), server_default="ack", nullable=False)
        )
        batch_op.add_column(sa.Column("message_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("body", sa.Text(), server_default="", nullable=False))
    # Every existing row is a case's acknowledgement on its channel.
    op.execute(
        "UPDATE outbox SET key = 'case:' || CAST(case_id AS VARCHAR) || ':' || channel"
        " || ':' || 'ack'"
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("key", existing_type=sa.String(length=160), nullable=False)
        batch_op.alter_column("case_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.drop_constraint("uq_outbox_case_channel", type_="unique")
        batch_op.create_index(batch_op.f("ix_outbox_message_id"), ["message_id"], unique=False)
        batch_op.create_unique_constraint("uq_outbox_key", ["key"])


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint("uq_outbox_key", type_="unique")
        batch_op.drop_index(batch_op.f("ix_outbox_message_id"))
        batch_op.create_unique_constraint("uq_outbox_case_channel", ["case_id", "channel"])
        batch_op.alter_column("case_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("body")
        batch_op.drop_column("message_id")
        batch_op.drop_column("kind")
        batch_op.drop_column("key")

    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_messages_person_id"))
        batch_op.drop_column("person_id")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_person_id"))
        batch_op.drop_index(batch_op.f("ix_cases_group_id"))
        batch_op.drop_column("faq_id")
        batch_op.drop_column("person_id")
        batch_op.drop_column("group_id")
        batch_op.drop_column("access_denied")
        batch_op.drop_column("forwarded_at")
        batch_op.drop_column("forwarded_to")
        batch_op.drop_column("forward_due")
        batch_op.drop_column("competent_entity")
        batch_op.drop_column("priority")
        batch_op.drop_column("flags")

    op.drop_table("training_examples")
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_sessions_user_id"))
        batch_op.drop_index(batch_op.f("ix_staff_sessions_expires_at"))

    op.drop_table("staff_sessions")
    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mentions_posted_at"))
        batch_op.drop_index(batch_op.f("ix_mentions_klass"))

    op.drop_table("mentions")
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identities_person_id"))

    op.drop_table("identities")
    op.drop_table("users")
    op.drop_table("petition_groups")
    op.drop_table("persons")
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempts_username_at")
        batch_op.drop_index(batch_op.f("ix_login_attempts_address"))

    op.drop_table("login_attempts")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alerts_created_at"))

    op.drop_table("alerts")
