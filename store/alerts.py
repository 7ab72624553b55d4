"""Notifications raised once per key (a daily digest, a mention spike): the unique key in
`alerts` is what makes "once" hold with two pollers running.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ventanilla.store.engine import dialect_insert
from ventanilla.store.schema import Alert, utcnow

ALERTS = Alert.__table__


def raised(session: Session, key: str) -> bool:
    return session.scalar(select(ALERTS.c.id).where(ALERTS.c.key == key)) is not None


def raise_once(session: Session, key: str, kind: str, **detail: Any) -> bool:
    """Record the alert `key`; False if it was already raised (by this or another process)."""
    inserted = session.execute(
        dialect_insert(session)(ALERTS)
        .values(key=key, kind=kind, created_at=utcnow(), detail=detail)
        .on_conflict_do_nothing()
        .returning(ALERTS.c.id)
    ).scalar_one_or_none()
    return inserted is not None


def withdraw(session: Session, key: str) -> None:
    """Forget an alert whose notification could not be sent, so it is tried again."""
    session.execute(delete(ALERTS).where(ALERTS.c.key == key))
