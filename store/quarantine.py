"""Dead letters as staff see them: quarantined messages, and putting one back in the pipeline.

A retry is a conditional update (only a message still quarantined moves), audited with
the staff member as actor; the caller enqueues the pipeline after the commit.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from ventanilla.errors import InputError, NotFound
from ventanilla.store import audit
from ventanilla.store.pipeline import MESSAGES
from ventanilla.store.schema import utcnow


def quarantined_messages(session: Session, limit: int = 500) -> list[dict[str, Any]]:
    """The quarantined messages, newest first, with why (never their text)."""
    rows = session.execute(
        select(
            MESSAGES.c.id,
            MESSAGES.c.channel,
            MESSAGES.c.received_at,
            MESSAGES.c.updated_at,
            MESSAGES.c.reason,
            MESSAGES.c.flags,
        )
        .where(MESSAGES.c.status == "quarantined")
        .order_by(MESSAGES.c.received_at.desc(), MESSAGES.c.id.desc())
        .limit(limit)
    )
    return [
        {
            "id": row.id,
            "channel": row.channel,
            "received_at": row.received_at,
            "quarantined_at": row.updated_at,
            "reason": row.reason,
            # Kept raw by its adapter because it could not be read: a retry reads the
            # same bytes the same way, so it is not offered.
            "retryable": not (row.flags or {}).get("quarantine"),
        }
        for row in rows
    ]


def release(session: Session, message_id: int, *, actor: str) -> None:
    """Put a quarantined message back at the start of the pipeline (stage classify)."""
    result = session.execute(
        update(MESSAGES)
        .where(MESSAGES.c.id == message_id, MESSAGES.c.status == "quarantined")
        .values(stage="classify", status="pending", reason="", updated_at=utcnow())
    )
    if cast(CursorResult[Any], result).rowcount != 1:
        status = session.scalar(select(MESSAGES.c.status).where(MESSAGES.c.id == message_id))
        if status is None:
            raise NotFound(f"message {message_id} does not exist")
        raise InputError("message", f"message {message_id} is not quarantined (it is {status})")
    audit.record(session, "message", message_id, "retried", actor=actor)
