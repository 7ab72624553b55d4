"""Transaction-scoped locks on a key, for decisions that must not race.

PostgreSQL takes an advisory lock released at commit; SQLite needs nothing, because every
write transaction already holds the database lock from its first statement.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.orm import Session


def lock_keys(session: Session, keys: Iterable[str]) -> None:
    """Lock several keys in one round trip, always in the same order (no deadlock between
    two transactions that want overlapping sets)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    numbers = sorted({_number(key) for key in keys})
    if numbers:
        session.execute(
            text("SELECT pg_advisory_xact_lock(n) FROM unnest(CAST(:ns AS bigint[])) AS n"),
            {"ns": numbers},
        )


def _number(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
