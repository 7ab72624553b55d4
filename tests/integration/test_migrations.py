"""The migrations build exactly the schema `store/schema.py` declares, on both backends,
and carry existing rows forward."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from ventanilla.store.engine import Database
from ventanilla.store.schema import Base

pytestmark = pytest.mark.integration


def test_migrations_match_the_declared_schema(store_url: str) -> None:
    database = Database(store_url)
    try:
        database.upgrade()
        with database.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            differences = compare_metadata(context, Base.metadata)
        assert differences == []
    finally:
        database.dispose()


def test_upgrade_keys_existing_acknowledgements_by_case_and_channel(store_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    from ventanilla.store.engine import MIGRATIONS_DIR

    database = Database(store_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    try:
        with database.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0003")
        now = datetime(2026, 11, 30, 15, tzinfo=UTC)
        with database.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO messages (id, channel, provider_id, received_at, created_at,"
                    " updated_at, sender, sender_name, subject, text, reply_email, reply_phone,"
                    ' requested_type, "references", flags, raw, stage, status, reason,'
                    " features) VALUES (1, 'web', 'p1', :now, :now, :now, '', '', '', 'x', '',"
                    " '', '', '[]', '{}', :raw, 'done', 'case', '', '[]')"
                ),
                {"now": now, "raw": b""},
            )
            connection.execute(
                text(
                    "INSERT INTO cases (id, radicado, year, number, message_id, filed_at,"
                    " received_at, due_date, type, channel, status, office, review_type,"
                    " annul_reason) VALUES (7, 'R1', 2026, 1, 1, :now, :now, :due, 'peticion',"
                    " 'web', 'radicado', '', false, '')"
                ),
                {"now": now, "due": date(2026, 12, 21)},
            )
            connection.execute(
                text(
                    "INSERT INTO outbox (case_id, channel, recipient, status, attempts,"
                    " last_error, provider_ref, delivery, delivery_error, created_at,"
                    " updated_at) VALUES (7, 'email', 'a@example.com', 'sent', 1, '', '', '',"
                    " '', :now, :now)"
                ),
                {"now": now},
            )
        with database.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        with database.engine.connect() as connection:
            row = connection.execute(text("SELECT key, kind, status FROM outbox")).one()
            flags = connection.execute(text("SELECT flags FROM cases")).scalar_one()
            token = connection.execute(text("SELECT status_token FROM cases")).scalar_one()
        assert tuple(row) == ("case:7:email:ack", "ack", "sent")
        assert flags in ("[]", [])
        assert len(token) == 16  # a case filed before gets its status link's secret too
    finally:
        database.dispose()
