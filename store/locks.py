"""Transaction-scoped locks on a key, for decisions that must not race.

PostgreSQL takes an advisory lock released at commit; SQLite needs nothing, because every
write transaction already holds the database lock from its first statement.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlalchemy.orm import Session


def lock_key(session: Session, key: str | None) -> None:
    if key is None or session.get_bind().dialect.name != "postgresql":
        return
    number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
    session.execute(text("SELECT pg_advisory_xact_lock(:n)"), {"n": number})
