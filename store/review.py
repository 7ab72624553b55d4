"""The review list: messages the text model doubted were requests, waiting for a person.

Nothing here is decided by a machine: staff file a message as a case (it goes back to the
radicate stage with the type they chose; the legal term counts from when it was received)
or confirm it is not a request (`dismissed`). Both are conditional updates (only a message
still waiting moves) and audited with the staff member as actor; the caller enqueues the
pipeline after the commit.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from ventanilla.errors import InputError, NotFound
from ventanilla.routing.dedupe import dedupe_key
from ventanilla.routing.types import REQUEST_TYPES
from ventanilla.store import audit
from ventanilla.store.pipeline import MESSAGES
from ventanilla.store.schema import utcnow

# What the page shows of each text: enough to decide, the whole text is one click away.
EXCERPT_CHARACTERS = 600


def waiting_count(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(MESSAGES).where(MESSAGES.c.status == "review")
        )
        or 0
    )


def waiting_messages(session: Session, limit: int = 500) -> list[dict[str, Any]]:
    """The messages waiting for review, oldest first (the oldest term runs first)."""
    rows = session.execute(
        select(
            MESSAGES.c.id,
            MESSAGES.c.channel,
            MESSAGES.c.received_at,
            MESSAGES.c.sender_name,
            MESSAGES.c.subject,
            func.substr(MESSAGES.c.text, 1, EXCERPT_CHARACTERS).label("excerpt"),
            func.length(MESSAGES.c.text).label("length"),
            MESSAGES.c.type,
            MESSAGES.c.confidence,
            MESSAGES.c.features,
            MESSAGES.c.reason,
        )
        .where(MESSAGES.c.status == "review")
        .order_by(MESSAGES.c.received_at, MESSAGES.c.id)
        .limit(limit)
    )
    return [
        dict(row._mapping) | {"truncated": (row.length or 0) > EXCERPT_CHARACTERS} for row in rows
    ]


def file_as_case(session: Session, message_id: int, request_type: str, *, actor: str) -> None:
    """Send a reviewed message on to be radicated as `request_type`."""
    if request_type not in REQUEST_TYPES:
        raise InputError(
            "type", f"{request_type!r} is not a request type ({', '.join(REQUEST_TYPES)})"
        )
    row = session.execute(
        select(
            MESSAGES.c.sender,
            MESSAGES.c.reply_email,
            MESSAGES.c.reply_phone,
            MESSAGES.c.text,
            MESSAGES.c.features,
        ).where(MESSAGES.c.id == message_id, MESSAGES.c.status == "review")
    ).one_or_none()
    if row is None:
        _not_waiting(session, message_id)
    assert row is not None
    features = [*(row.features or []), f"staff:filed:{request_type}"]
    _move(
        session,
        message_id,
        stage="radicate",
        status="pending",
        reason="",
        type=request_type,
        confidence=1.0,
        features=features,
        dedupe_key=dedupe_key(row.sender or row.reply_email or row.reply_phone, row.text),
    )
    audit.record(
        session, "message", message_id, "filed_from_review", actor=actor, type=request_type
    )


def dismiss(session: Session, message_id: int, *, actor: str) -> None:
    """A person confirmed it is not a request: kept, never radicated."""
    _move(
        session,
        message_id,
        stage="done",
        status="dismissed",
        reason=f"revisado por {actor}: no es una solicitud",
    )
    audit.record(session, "message", message_id, "dismissed_after_review", actor=actor)


def _move(session: Session, message_id: int, **values: Any) -> None:
    result = session.execute(
        update(MESSAGES)
        .where(MESSAGES.c.id == message_id, MESSAGES.c.status == "review")
        .values(updated_at=utcnow(), **values)
    )
    if cast(CursorResult[Any], result).rowcount != 1:
        _not_waiting(session, message_id)


def _not_waiting(session: Session, message_id: int) -> None:
    status = session.scalar(select(MESSAGES.c.status).where(MESSAGES.c.id == message_id))
    if status is None:
        raise NotFound(f"message {message_id} does not exist")
    raise InputError("message", f"message {message_id} is not waiting for review (it is {status})")
