"""Persisting inbound messages: the first thing that happens to anything a citizen sends.

DESIGN rule 1: the message (unique on channel + provider id) and the channel's checkpoint
are committed together, before anything is enqueued or marked read at the source.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ventanilla.message import InboundMessage
from ventanilla.store import audit
from ventanilla.store.engine import dialect_insert
from ventanilla.store.schema import Attachment, Checkpoint, Message, utcnow


@dataclass(frozen=True)
class Accepted:
    message_id: int
    created: bool  # False: the same provider id was stored before (a re-delivery)


def store_blob(root: Path, content: bytes, sha256: str) -> Path:
    """Write an attachment once under its hash (content-addressed; rewriting is harmless)."""
    target = root / sha256[:2] / sha256
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(handle, "wb") as out:
        out.write(content)
    os.replace(temporary, target)
    return target


def blob_path(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256


def persist(
    session: Session,
    message: InboundMessage,
    attachments_dir: Path,
    checkpoint: tuple[str, str] | None = None,
) -> Accepted:
    """Store `message` (and move `checkpoint`) in the caller's transaction, exactly once."""
    existing = session.scalar(
        select(Message.id).where(
            Message.channel == message.channel, Message.provider_id == message.provider_id
        )
    )
    if existing is not None:
        if checkpoint:
            save_checkpoint(session, *checkpoint)
        return Accepted(existing, created=False)
    for attachment in message.attachments:
        store_blob(attachments_dir, attachment.content, attachment.sha256)
    row = Message(
        channel=message.channel,
        provider_id=message.provider_id,
        received_at=message.received_at,
        sender=message.sender,
        sender_name=message.sender_name,
        subject=message.subject,
        text=message.text,
        reply_email=message.reply_email,
        reply_phone=message.reply_phone,
        requested_type=message.requested_type,
        references=list(message.references),
        flags=dict(message.flags),
        raw=message.raw,
    )
    session.add(row)
    session.flush()
    session.add_all(
        Attachment(
            message_id=row.id,
            sha256=a.sha256,
            filename=a.filename,
            content_type=a.content_type,
            size=a.size,
        )
        for a in message.attachments
    )
    if checkpoint:
        save_checkpoint(session, *checkpoint)
    audit.record(session, "message", row.id, "received", channel=message.channel)
    return Accepted(row.id, created=True)


def save_checkpoint(session: Session, channel: str, cursor: str) -> None:
    insert = dialect_insert(session)
    statement = insert(Checkpoint).values(channel=channel, cursor=cursor, updated_at=utcnow())
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[Checkpoint.channel],
            set_={"cursor": cursor, "updated_at": utcnow()},
        )
    )


def load_checkpoint(session: Session, channel: str) -> str:
    return session.scalar(select(Checkpoint.cursor).where(Checkpoint.channel == channel)) or ""
