"""Persisting inbound messages: the first thing that happens to anything a citizen sends.

DESIGN rule 1: the message (unique on channel + provider id) and the channel's checkpoint
are committed together, before anything is enqueued or marked read at the source.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ventanilla.message import InboundMessage
from ventanilla.store.audit import audit_rows
from ventanilla.store.engine import dialect_insert
from ventanilla.store.pipeline import ATTACHMENTS, MESSAGES
from ventanilla.store.schema import Checkpoint, utcnow


@dataclass(frozen=True)
class Accepted:
    message_id: int
    created: bool  # False: the same provider id was stored before (a re-delivery)


def store_blob(root: Path, content: bytes, sha256: str) -> Path:
    """Write an attachment once under its hash (content-addressed; rewriting is harmless)."""
    target = root / sha256[:2] / sha256
    if target.exists():
        # Fresh again: the orphan sweep must not take a file a new row is about to name.
        os.utime(target)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(handle, "wb") as out:
        out.write(content)
    os.replace(temporary, target)
    return target


def blob_path(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256


def sweep_orphan_blobs(session: Session, root: Path, older_than: float) -> int:
    """Remove attachment files no row points at, written more than `older_than` seconds
    ago: what a batch the store refused, or a crash before its commit, left behind (files
    are written before the rows that name them, so a file is never missing for a row).
    Returns how many were removed."""
    if not root.is_dir():
        return 0
    cutoff = time.time() - older_than
    removed = 0
    for folder in root.iterdir():
        if not folder.is_dir():
            continue
        candidates = {
            path.name: path
            for path in folder.iterdir()
            if path.is_file() and path.stat().st_mtime < cutoff
        }
        if not candidates:
            continue
        known = set(
            session.scalars(
                select(ATTACHMENTS.c.sha256).where(ATTACHMENTS.c.sha256.in_(list(candidates)))
            )
        )
        for name, path in candidates.items():
            if name not in known:  # a leftover temporary file too (".tmp-…")
                path.unlink(missing_ok=True)
                removed += 1
    return removed


def persist(
    session: Session,
    message: InboundMessage,
    attachments_dir: Path,
    checkpoint: tuple[str, str] | None = None,
) -> Accepted:
    """Store `message` (and move `checkpoint`) in the caller's transaction, exactly once."""
    [accepted] = persist_many(session, [message], attachments_dir)
    if checkpoint:
        save_checkpoint(session, *checkpoint)
    return accepted


def persist_many(
    session: Session, messages: Sequence[InboundMessage], attachments_dir: Path
) -> list[Accepted]:
    """Store each message once, in the caller's transaction: one statement per table for
    the whole batch. A provider id already stored, or twice in the batch, is not stored
    again; its outcome says so (`created` false) with the id it has."""
    if not messages:
        return []
    wanted = {(m.channel, m.provider_id) for m in messages}
    known: dict[tuple[str, str], int] = {}
    for channel in {channel for channel, _ in wanted}:
        ids = [pid for ch, pid in wanted if ch == channel]
        for row in session.execute(
            select(MESSAGES.c.id, MESSAGES.c.provider_id).where(
                MESSAGES.c.channel == channel, MESSAGES.c.provider_id.in_(ids)
            )
        ):
            known[(channel, row.provider_id)] = row.id
    fresh: dict[tuple[str, str], InboundMessage] = {}
    for message in messages:
        key = (message.channel, message.provider_id)
        if key not in known:
            fresh.setdefault(key, message)
    if fresh:
        now = utcnow()
        for message in fresh.values():
            for attachment in message.attachments:
                store_blob(attachments_dir, attachment.content, attachment.sha256)
        new_ids = session.scalars(
            insert(MESSAGES).returning(MESSAGES.c.id, sort_by_parameter_order=True),
            [_row(message, now) for message in fresh.values()],
        ).all()
        known.update(zip(fresh, new_ids, strict=True))
        attachments = [
            {
                "message_id": known[key],
                "sha256": a.sha256,
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
            }
            for key, message in fresh.items()
            for a in message.attachments
        ]
        if attachments:
            session.execute(insert(ATTACHMENTS), attachments)
        audit_rows(
            session,
            [
                {
                    "entity": "message",
                    "entity_id": known[key],
                    "action": "received",
                    "detail": {"channel": key[0]},
                }
                for key in fresh
            ],
        )
    outcomes = []
    for message in messages:
        key = (message.channel, message.provider_id)
        outcomes.append(Accepted(known[key], created=fresh.pop(key, None) is not None))
    return outcomes


def _row(message: InboundMessage, now: datetime) -> dict[str, Any]:
    return {
        "channel": message.channel,
        "provider_id": message.provider_id,
        "received_at": message.received_at,
        "created_at": now,
        "updated_at": now,
        "sender": message.sender,
        "sender_name": message.sender_name,
        "subject": message.subject,
        "text": message.text,
        "reply_email": message.reply_email,
        "reply_phone": message.reply_phone,
        "requested_type": message.requested_type,
        "references": list(message.references),
        "flags": dict(message.flags),
        "origin": str(message.flags.get("origin") or "")[:64],
        "raw": message.raw,
        "stage": "classify",
        "status": "pending",
        "reason": "",
        "features": [],
    }


def record_transcription(session: Session, channel: str, provider_id: str, text: str) -> int | None:
    """Put a voice mail's transcription in its message, if the pipeline has not taken it yet.

    Returns the message id when the text was stored (the caller starts its pipeline).
    """
    row = session.execute(
        select(MESSAGES.c.id, MESSAGES.c.flags).where(
            MESSAGES.c.channel == channel,
            MESSAGES.c.provider_id == provider_id,
            MESSAGES.c.stage == "classify",
        )
    ).one_or_none()
    if row is None or not (row.flags or {}).get("awaiting_transcription"):
        return None
    flags = {k: v for k, v in (row.flags or {}).items() if k != "awaiting_transcription"}
    session.execute(
        update(MESSAGES)
        .where(MESSAGES.c.id == row.id, MESSAGES.c.stage == "classify")
        .values(text=text, flags=flags, updated_at=utcnow())
    )
    return int(row.id)


def save_checkpoint(session: Session, channel: str, cursor: str, backlog: int = 0) -> None:
    """Where `channel`'s intake stopped, and how many messages still wait at the source."""
    insert = dialect_insert(session)
    values = {"cursor": cursor, "backlog": backlog, "updated_at": utcnow()}
    statement = insert(Checkpoint).values(channel=channel, **values)
    session.execute(
        statement.on_conflict_do_update(index_elements=[Checkpoint.channel], set_=values)
    )


def load_checkpoint(session: Session, channel: str) -> str:
    return session.scalar(select(Checkpoint.cursor).where(Checkpoint.channel == channel)) or ""
