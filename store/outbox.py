"""The acknowledgement outbox: one row per case and channel, claimed, sent, reported.

A row is `pending` until a worker claims it (`sending`), then `sent` or `failed`; the
provider's later report (delivered, undelivered...) is kept beside it. The claim is what
makes "exactly one acknowledgement" hold when the reconciler re-sends one a worker is
delivering at that moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from ventanilla.routing.acknowledgements import reply_target
from ventanilla.store.audit import audit_rows
from ventanilla.store.pipeline import CASE_COLUMNS, CASES, MESSAGES, OUTBOX, CaseFacts
from ventanilla.store.schema import utcnow


@dataclass(frozen=True)
class PendingAck:
    """An acknowledgement to send, with what its text needs to say."""

    outbox_id: int
    channel: str
    recipient: str
    case: CaseFacts
    message_channel: str
    # The provider's id of the citizen's message (e-mail Message-ID, Telegram message,
    # tweet): an answer on the same channel threads under it.
    thread_id: str
    sender_name: str
    references: list[str]
    kind: str = "ack"


def claim_outbox(session: Session, outbox_id: int) -> bool:
    """Take a pending acknowledgement for sending; False if someone else has it (or had).

    The claim is what makes "exactly once" hold when the reconciler re-sends an
    acknowledgement a worker is delivering at that moment.
    """
    result = session.execute(
        update(OUTBOX)
        .where(OUTBOX.c.id == outbox_id, OUTBOX.c.status == "pending")
        .values(status="sending", updated_at=utcnow())
    )
    return cast(CursorResult[Any], result).rowcount == 1


def load_claimed(session: Session, outbox_id: int) -> PendingAck | None:
    """What a claimed acknowledgement must say."""
    row = session.execute(
        select(
            OUTBOX.c.channel,
            OUTBOX.c.recipient,
            OUTBOX.c.kind,
            *CASE_COLUMNS,
            MESSAGES.c.channel.label("message_channel"),
            MESSAGES.c.flags,
            MESSAGES.c.sender_name,
            MESSAGES.c.references,
        )
        .join(CASES, CASES.c.id == OUTBOX.c.case_id)
        .join(MESSAGES, MESSAGES.c.id == CASES.c.message_id)
        .where(OUTBOX.c.id == outbox_id, OUTBOX.c.status == "sending")
    ).one_or_none()
    if row is None:
        return None
    case = CaseFacts(
        id=row.id,
        radicado=row.radicado,
        filed_at=row.filed_at,
        due_date=row.due_date,
        type=row.type,
    )
    return PendingAck(
        outbox_id,
        row.channel,
        row.recipient,
        case,
        row.message_channel,
        reply_target(row.message_channel, row.flags or {}),
        row.sender_name,
        list(row.references or []),
        row.kind,
    )


def record_sent(session: Session, outbox_id: int, provider_ref: str) -> bool:
    now = utcnow()
    result = session.execute(
        update(OUTBOX)
        .where(OUTBOX.c.id == outbox_id, OUTBOX.c.status == "sending")
        .values(
            status="sent",
            provider_ref=provider_ref,
            sent_at=now,
            updated_at=now,
            attempts=OUTBOX.c.attempts + 1,
        )
    )
    done = cast(CursorResult[Any], result).rowcount == 1
    if done:
        audit_rows(session, [{"entity": "outbox", "entity_id": outbox_id, "action": "sent"}])
    return done


def record_delivery(session: Session, provider_ref: str, delivery: str, error: str) -> bool:
    """The provider's later report on an acknowledgement (a status callback)."""
    outbox_id = session.scalar(select(OUTBOX.c.id).where(OUTBOX.c.provider_ref == provider_ref))
    if outbox_id is None:
        return False
    session.execute(
        update(OUTBOX)
        .where(OUTBOX.c.id == outbox_id)
        .values(delivery=delivery[:16], delivery_error=error[:64], updated_at=utcnow())
    )
    audit_rows(
        session,
        [
            {
                "entity": "outbox",
                "entity_id": outbox_id,
                "action": f"delivery:{delivery[:16]}",
                "detail": {"error": error[:64]} if error else {},
            }
        ],
    )
    return True


def record_send_failure(
    session: Session, outbox_id: int, error: str, *, final: bool, wait: float | None = None
) -> None:
    """A temporary failure hands the acknowledgement back (pending) for the retry to claim.

    `wait`: seconds the provider asked us to wait (a rate limit); the row then counts as
    touched at the end of that wait, so the reconciler does not send it again sooner.
    """
    touched = utcnow() + timedelta(seconds=wait or 0)
    values: dict[str, Any] = {
        "last_error": error[:2000],
        "updated_at": touched,
        "attempts": OUTBOX.c.attempts + 1,
        "status": "failed" if final else "pending",
    }
    session.execute(
        update(OUTBOX)
        .where(OUTBOX.c.id == outbox_id, OUTBOX.c.status.in_(("pending", "sending")))
        .values(**values)
    )
    audit_rows(
        session,
        [
            {
                "entity": "outbox",
                "entity_id": outbox_id,
                "action": "failed" if final else "send_error",
                "detail": {"final": final},
            }
        ],
    )


def stuck_outbox(
    session: Session, older_than: timedelta, sending_older_than: timedelta, limit: int = 1000
) -> list[int]:
    """Acknowledgements to send again: pending ones not moved for `older_than`, and ones
    claimed for sending longer than `sending_older_than` ago (their worker died)."""
    now = utcnow()
    return list(
        session.scalars(
            select(OUTBOX.c.id)
            .where(
                ((OUTBOX.c.status == "pending") & (OUTBOX.c.updated_at <= now - older_than))
                | (
                    (OUTBOX.c.status == "sending")
                    & (OUTBOX.c.updated_at <= now - sending_older_than)
                )
            )
            .order_by(OUTBOX.c.id)
            .limit(limit)
        )
    )


def release_outbox(session: Session, ids: Sequence[int]) -> None:
    """Make acknowledgements claimable again (pending), and look recently touched."""
    if ids:
        session.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id.in_(ids), OUTBOX.c.status.in_(("pending", "sending")))
            .values(status="pending", updated_at=utcnow())
        )


def acknowledgements_since(
    session: Session, recipients: Sequence[str], since: datetime
) -> dict[str, int]:
    """How many messages of each recipient were answered since `since` (rate limit)."""
    if not recipients:
        return {}
    rows = session.execute(
        select(OUTBOX.c.recipient, func.count(func.distinct(OUTBOX.c.message_id)))
        .where(OUTBOX.c.recipient.in_(list(recipients)), OUTBOX.c.created_at >= since)
        .group_by(OUTBOX.c.recipient)
    )
    return {recipient: int(count) for recipient, count in rows}
