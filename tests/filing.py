"""Filing requests through the real pipeline in this process (no worker, no queue hop):
intake, classify, radicate and acknowledge, as `advance` does for a batch."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ventanilla.message import InboundMessage

BOGOTA = ZoneInfo("America/Bogota")
_IDS = itertools.count(1)


def bogota(text: str) -> datetime:
    """`2026-03-02 10:00` as an aware Bogotá time."""
    return datetime.fromisoformat(text).replace(tzinfo=BOGOTA)


def web_request(text: str, received: str, **fields: Any) -> InboundMessage:
    """A web-form request received at `received` (Bogotá time)."""
    return InboundMessage(
        channel=fields.pop("channel", "web"),
        provider_id=f"test-{next(_IDS)}",
        received_at=bogota(received),
        text=text,
        **fields,
    )


def file_requests(app: Any, *messages: InboundMessage) -> list[str]:
    """Store and radicate `messages`; their radicados, in order (None if not a case)."""
    from ventanilla.store.schema import Case, Message
    from ventanilla.workers.intake import accept_batch
    from ventanilla.workers.pipeline import advance_batch

    accepted = accept_batch(list(messages), start_now=False)
    ids = [outcome.message_id for outcome in accepted]
    advance_batch(ids)
    with app.db.read() as session:
        found = dict(
            session.execute(
                select(Message.id, Case.radicado)
                .outerjoin(Case, Case.id == Message.case_id)
                .where(Message.id.in_(ids))
            ).all()
        )
    return [found[message_id] for message_id in ids]
