"""The pipeline's state changes: each stage's outcome written once, audited.

Every function runs inside the caller's transaction and is idempotent: a message that is
no longer at the stage is left as it is, so a re-delivered actor message does nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from ventanilla.routing.acknowledgements import AckPlan
from ventanilla.routing.classify import Classification
from ventanilla.store import audit
from ventanilla.store.schema import Case, Message, Outbox, utcnow


def claim(session: Session, message_id: int, stage: str) -> Message | None:
    """The message, locked, if it is still waiting for `stage`; otherwise None."""
    message = session.get(Message, message_id, with_for_update=True)
    if message is None or message.stage != stage:
        return None
    return message


def _move(
    session: Session,
    message: Message,
    stage: str,
    status: str | None = None,
    reason: str | None = None,
) -> None:
    message.stage = stage
    if status is not None:
        message.status = status
    if reason is not None:
        message.reason = reason
    message.updated_at = utcnow()
    audit.record(session, "message", message.id, f"stage:{stage}", status=message.status)


def record_classification(
    session: Session, message: Message, decision: Classification, is_request: bool
) -> None:
    message.type = decision.type
    message.confidence = decision.confidence
    message.features = list(decision.features)
    if is_request:
        _move(session, message, "dedupe")
    else:
        _move(session, message, "done", "ignored", f"not a request: {decision.type}")


def find_duplicate(
    session: Session, key: str | None, since: datetime, exclude_message_id: int
) -> Case | None:
    """A live case opened from the same sender with the same text since `since`."""
    if key is None:
        return None
    return session.scalar(
        select(Case)
        .join(Message, Message.id == Case.message_id)
        .where(
            Message.dedupe_key == key,
            Message.id != exclude_message_id,
            Case.filed_at >= since,
            Case.status != "anulado",
        )
        .order_by(Case.id)
        .limit(1)
    )


def record_duplicate(session: Session, message: Message, original: Case) -> None:
    message.case_id = original.id
    _move(session, message, "done", "duplicate", f"same request as radicado {original.radicado}")


def record_dedupe(session: Session, message: Message, key: str | None) -> None:
    message.dedupe_key = key
    _move(session, message, "radicate")


def record_radicated(
    session: Session, message: Message, case: Case, plans: Sequence[AckPlan], no_ack_reason: str
) -> list[int]:
    """Link the case and create its outbox rows; returns the outbox ids to send."""
    message.case_id = case.id
    _move(session, message, "done", "case", no_ack_reason)
    rows = [Outbox(case_id=case.id, channel=p.channel, recipient=p.recipient) for p in plans]
    session.add_all(rows)
    session.flush()
    return [row.id for row in rows]


def quarantine(session: Session, message_id: int, reason: str) -> None:
    message = session.get(Message, message_id, with_for_update=True)
    if message is None or message.stage == "done":
        return
    _move(session, message, "done", "quarantined", reason)


def claim_outbox(session: Session, outbox_id: int) -> tuple[Outbox, Case, Message] | None:
    row = session.get(Outbox, outbox_id)
    if row is None or row.status != "pending":
        return None
    case = session.get(Case, row.case_id)
    assert case is not None  # the foreign key guarantees it
    message = session.get(Message, case.message_id)
    assert message is not None
    return row, case, message


def record_sent(session: Session, outbox_id: int, provider_ref: str) -> bool:
    result = session.execute(
        update(Outbox)
        .where(Outbox.id == outbox_id, Outbox.status == "pending")
        .values(
            status="sent",
            provider_ref=provider_ref,
            sent_at=utcnow(),
            updated_at=utcnow(),
            attempts=Outbox.attempts + 1,
        )
    )
    done = cast(CursorResult[Any], result).rowcount
    if done:
        audit.record(session, "outbox", outbox_id, "sent")
    return bool(done)


def record_send_failure(session: Session, outbox_id: int, error: str, *, final: bool) -> None:
    values: dict[str, object] = {
        "last_error": error[:2000],
        "updated_at": utcnow(),
        "attempts": Outbox.attempts + 1,
    }
    if final:
        values["status"] = "failed"
    session.execute(
        update(Outbox).where(Outbox.id == outbox_id, Outbox.status == "pending").values(**values)
    )
    audit.record(session, "outbox", outbox_id, "failed" if final else "send_error", final=final)


def stuck_messages(
    session: Session,
    older_than: timedelta,
    limit: int = 1000,
) -> list[tuple[int, str]]:
    """Messages whose stage has not moved for `older_than` (lost from the queue)."""
    cutoff = utcnow() - older_than
    rows = session.execute(
        select(Message.id, Message.stage)
        .where(Message.stage != "done", Message.updated_at <= cutoff)
        .order_by(Message.id)
        .limit(limit)
    )
    return [(row.id, row.stage) for row in rows]


def stuck_outbox(session: Session, older_than: timedelta, limit: int = 1000) -> list[int]:
    cutoff = utcnow() - older_than
    return list(
        session.scalars(
            select(Outbox.id)
            .where(Outbox.status == "pending", Outbox.updated_at <= cutoff)
            .order_by(Outbox.id)
            .limit(limit)
        )
    )


def touch_outbox(session: Session, ids: Sequence[int]) -> None:
    if ids:
        session.execute(update(Outbox).where(Outbox.id.in_(ids)).values(updated_at=utcnow()))


def touch_messages(session: Session, ids: Sequence[int]) -> None:
    if ids:
        session.execute(update(Message).where(Message.id.in_(ids)).values(updated_at=utcnow()))


def in_flight(session: Session) -> int:
    """Messages not yet done plus acknowledgements not yet sent."""
    messages = (
        session.scalar(select(func.count()).select_from(Message).where(Message.stage != "done"))
        or 0
    )
    pending = (
        session.scalar(select(func.count()).select_from(Outbox).where(Outbox.status == "pending"))
        or 0
    )
    return int(messages) + int(pending)
