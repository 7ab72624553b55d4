"""The communications feed: social messages with their class, newest first.

Written in the classify transaction (one row per social message, whatever became of it);
read by `ventanilla mentions list`, the live page `/menciones` and the spike alert.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ventanilla.store.engine import dialect_insert
from ventanilla.store.pipeline import CASES, MESSAGES
from ventanilla.store.schema import Mention, utcnow

MENTIONS = Mention.__table__


@dataclass(frozen=True)
class MentionRow:
    message_id: int
    channel: str
    klass: str
    confidence: float
    author: str
    author_name: str
    url: str
    public: bool
    posted_at: datetime


def record_mentions(session: Session, rows: Sequence[MentionRow]) -> None:
    """Add rows to the feed once per message (a re-run of classify adds nothing)."""
    if not rows:
        return
    now = utcnow()
    values = [row.__dict__ | {"created_at": now} for row in rows]
    statement = dialect_insert(session)(MENTIONS).on_conflict_do_nothing(
        index_elements=["message_id"]
    )
    session.execute(statement, values)


def list_mentions(
    session: Session,
    *,
    klass: str | None = None,
    channel: str | None = None,
    since: datetime | None = None,
    after_id: int = 0,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """The feed, newest first: class, author, channel, link, text, and its case if any."""
    query = (
        select(
            MENTIONS.c.id,
            MENTIONS.c.channel,
            MENTIONS.c.klass,
            MENTIONS.c.confidence,
            MENTIONS.c.author,
            MENTIONS.c.author_name,
            MENTIONS.c.url,
            MENTIONS.c.public,
            MENTIONS.c.posted_at,
            MESSAGES.c.id.label("message_id"),
            MESSAGES.c.text,
            MESSAGES.c.status,
            CASES.c.radicado,
        )
        .join(MESSAGES, MESSAGES.c.id == MENTIONS.c.message_id)
        .outerjoin(CASES, CASES.c.id == MESSAGES.c.case_id)
        .where(MENTIONS.c.id > after_id)
        .order_by(MENTIONS.c.posted_at.desc(), MENTIONS.c.id.desc())
        .limit(limit)
    )
    if klass:
        query = query.where(MENTIONS.c.klass == klass)
    if channel:
        query = query.where(MENTIONS.c.channel == channel)
    if since is not None:
        query = query.where(MENTIONS.c.posted_at >= since)
    return [dict(row._mapping) for row in session.execute(query)]


def count_since(session: Session, since: datetime) -> int:
    """How many social messages were posted since `since` (the spike alert)."""
    count = session.scalar(
        select(func.count()).select_from(MENTIONS).where(MENTIONS.c.posted_at >= since)
    )
    return int(count or 0)
