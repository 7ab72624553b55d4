"""Notifications raised once per key (a mention spike in a period, a daily digest)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ventanilla.store.engine import dialect_insert
from ventanilla.store.schema import Alert, utcnow

ALERTS = Alert.__table__


def raise_alert(session: Session, key: str, kind: str, detail: dict[str, Any]) -> bool:
    """Record the alert; False when `key` was raised before (by this or another process)."""
    statement = (
        dialect_insert(session)(ALERTS)
        .values(key=key, kind=kind, detail=detail, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(ALERTS.c.id)
    )
    return session.scalar(statement) is not None
