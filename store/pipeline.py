"""The pipeline's state changes: each stage's outcome written once, audited.

Reads happen in read sessions; writes are short transactions whose UPDATE is conditional
on the stage the actor read (`WHERE stage = ...`), so a re-delivered or concurrent actor
message changes nothing. Core statements, not the ORM unit of work: this is the hot path,
and on SQLite every write transaction holds the database lock for its whole length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, func, insert, select, update
from sqlalchemy.orm import Session

from ventanilla.routing.acknowledgements import AckPlan
from ventanilla.routing.classify import Classification
from ventanilla.store.audit import audit_rows
from ventanilla.store.schema import Case, Message, Outbox, utcnow

MESSAGES = Message.__table__
CASES = Case.__table__
OUTBOX = Outbox.__table__


@dataclass(frozen=True)
class MessageFacts:
    """What the stages read of a message (never the raw bytes)."""

    id: int
    channel: str
    provider_id: str
    stage: str
    received_at: datetime
    sender: str
    sender_name: str
    reply_email: str
    reply_phone: str
    subject: str
    text: str
    requested_type: str
    flags: dict[str, Any]
    references: list[str]
    type: str | None
    confidence: float | None
    dedupe_key: str | None


@dataclass(frozen=True)
class CaseFacts:
    id: int
    radicado: str
    filed_at: datetime
    due_date: date
    type: str


_MESSAGE_COLUMNS = [MESSAGES.c[name] for name in MessageFacts.__dataclass_fields__]
CASE_COLUMNS = [CASES.c[name] for name in CaseFacts.__dataclass_fields__]


def load_many(session: Session, ids: Sequence[int], *, lock: bool = False) -> list[MessageFacts]:
    """Several messages in id order (locked in that order, so two batches cannot deadlock)."""
    if not ids:
        return []
    query = select(*_MESSAGE_COLUMNS).where(MESSAGES.c.id.in_(list(ids))).order_by(MESSAGES.c.id)
    rows = session.execute(query.with_for_update() if lock else query)
    return [MessageFacts(**row._mapping) for row in rows]


def _advance(
    session: Session, message_id: int, from_stage: str, to_stage: str, **values: Any
) -> bool:
    """Move a message on from `from_stage`; False if it was no longer there."""
    result = session.execute(
        update(MESSAGES)
        .where(MESSAGES.c.id == message_id, MESSAGES.c.stage == from_stage)
        .values(stage=to_stage, updated_at=utcnow(), **values)
    )
    moved = cast(CursorResult[Any], result).rowcount == 1
    if moved:
        audit_rows(
            session,
            [
                {
                    "entity": "message",
                    "entity_id": message_id,
                    "action": f"stage:{to_stage}",
                    "detail": {"status": values.get("status", "pending")},
                }
            ],
        )
    return moved


def record_classification(
    session: Session, message_id: int, decision: Classification, is_request: bool, reason: str = ""
) -> bool:
    values: dict[str, Any] = {
        "type": decision.type,
        "confidence": decision.confidence,
        "features": list(decision.features),
    }
    if is_request:
        return _advance(session, message_id, "classify", "dedupe", **values)
    return _advance(
        session,
        message_id,
        "classify",
        "done",
        status="ignored",
        reason=reason or f"not a request: {decision.type}",
        **values,
    )


def cases_by_radicado(
    session: Session, radicados: Sequence[str]
) -> dict[str, tuple[CaseFacts, str]]:
    """The live cases among `radicados`, each with the sender of the message that opened it."""
    if not radicados:
        return {}
    rows = session.execute(
        select(*CASE_COLUMNS, MESSAGES.c.sender)
        .join(MESSAGES, MESSAGES.c.id == CASES.c.message_id)
        .where(CASES.c.radicado.in_(list(radicados)), CASES.c.status != "anulado")
    )
    found = {}
    for row in rows:
        mapping = dict(row._mapping)
        sender = mapping.pop("sender")
        found[row.radicado] = (CaseFacts(**mapping), sender)
    return found


def record_follow_up(session: Session, message_id: int, case: CaseFacts, why: str) -> bool:
    """Attach a message to an existing case (a reply, or one that quotes its radicado)."""
    moved = _advance(
        session,
        message_id,
        "classify",
        "done",
        status="follow_up",
        case_id=case.id,
        reason=f"follow-up of radicado {case.radicado} ({why})",
    )
    if moved:
        audit_rows(
            session,
            [
                {
                    "entity": "case",
                    "entity_id": case.id,
                    "action": "follow_up",
                    "detail": {"message_id": message_id},
                }
            ],
        )
    return moved


def find_duplicates(
    session: Session, keys: Sequence[str | None], since: datetime
) -> dict[str, CaseFacts]:
    """For each key, the first live case opened since `since` by a message with that key."""
    wanted = sorted({key for key in keys if key})
    if not wanted:
        return {}
    rows = session.execute(
        select(*CASE_COLUMNS, MESSAGES.c.dedupe_key)
        .join(MESSAGES, MESSAGES.c.id == CASES.c.message_id)
        .where(
            MESSAGES.c.dedupe_key.in_(wanted),
            CASES.c.filed_at >= since,
            CASES.c.status != "anulado",
        )
        .order_by(CASES.c.id)
    )
    found: dict[str, CaseFacts] = {}
    for row in rows:
        mapping = dict(row._mapping)
        key = mapping.pop("dedupe_key")
        found.setdefault(key, CaseFacts(**mapping))
    return found


def record_dedupe(
    session: Session,
    message: MessageFacts,
    key: str | None,
    original: CaseFacts | None,
    decision: Classification | None = None,
) -> bool:
    """Dedupe's outcome, with classify's when both ran in one go (one write, not two)."""
    values: dict[str, Any] = {"dedupe_key": key}
    if decision is not None:
        values |= {
            "type": decision.type,
            "confidence": decision.confidence,
            "features": list(decision.features),
        }
    if original is None:
        return _advance(session, message.id, message.stage, "radicate", **values)
    return _advance(
        session,
        message.id,
        message.stage,
        "done",
        status="duplicate",
        case_id=original.id,
        reason=f"same request as radicado {original.radicado}",
        **values,
    )


def record_duplicate(
    session: Session, message_id: int, from_stage: str, original: CaseFacts, key: str | None
) -> bool:
    return _advance(
        session,
        message_id,
        from_stage,
        "done",
        status="duplicate",
        case_id=original.id,
        dedupe_key=key,
        reason=f"same request as radicado {original.radicado}",
    )


def record_radicated(
    session: Session, message_id: int, case: CaseFacts, plans: Sequence[AckPlan], no_ack_reason: str
) -> list[int] | None:
    """Link the case and create its outbox rows; returns the outbox ids to send.

    None when the message had already left the stage: the caller must roll back.
    """
    if not _advance(
        session,
        message_id,
        "radicate",
        "done",
        status="case",
        case_id=case.id,
        reason=no_ack_reason,
    ):
        return None
    if not plans:
        return []
    now = utcnow()
    rows = session.execute(
        insert(OUTBOX).returning(OUTBOX.c.id),
        [
            {
                "case_id": case.id,
                "channel": plan.channel,
                "recipient": plan.recipient,
                # Claimed by the worker that radicates: it sends them right after commit.
                "status": "sending",
                "created_at": now,
                "updated_at": now,
            }
            for plan in plans
        ],
    )
    return [row.id for row in rows]


def acknowledgements_since(
    session: Session, recipients: Sequence[str], since: datetime
) -> dict[str, int]:
    """How many acknowledgements each recipient was given since `since` (rate limit)."""
    if not recipients:
        return {}
    rows = session.execute(
        select(OUTBOX.c.recipient, func.count())
        .where(OUTBOX.c.recipient.in_(list(recipients)), OUTBOX.c.created_at >= since)
        .group_by(OUTBOX.c.recipient)
    )
    return {recipient: int(count) for recipient, count in rows}


def quarantine(session: Session, message_id: int, reason: str) -> None:
    stage = session.scalar(select(MESSAGES.c.stage).where(MESSAGES.c.id == message_id))
    if stage is not None and stage != "done":
        _advance(session, message_id, stage, "done", status="quarantined", reason=reason)


@dataclass(frozen=True)
class PendingAck:
    """An acknowledgement to send, with what its text needs to say."""

    outbox_id: int
    channel: str
    recipient: str
    case: CaseFacts
    message_channel: str
    # The citizen's own Message-ID when the request came by e-mail: the reply threads to it.
    thread_id: str
    sender_name: str
    references: list[str]


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
        str((row.flags or {}).get("message_id", "")),
        row.sender_name,
        list(row.references or []),
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


def record_send_failure(session: Session, outbox_id: int, error: str, *, final: bool) -> None:
    # A temporary failure hands the acknowledgement back (pending) for the retry to claim.
    values: dict[str, Any] = {
        "last_error": error[:2000],
        "updated_at": utcnow(),
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


def stuck_messages(
    session: Session,
    older_than: timedelta,
    limit: int = 1000,
) -> list[tuple[int, str]]:
    """Messages whose stage has not moved for `older_than` (lost from the queue)."""
    cutoff = utcnow() - older_than
    rows = session.execute(
        select(MESSAGES.c.id, MESSAGES.c.stage)
        .where(MESSAGES.c.stage != "done", MESSAGES.c.updated_at <= cutoff)
        .order_by(MESSAGES.c.id)
        .limit(limit)
    )
    return [(row.id, row.stage) for row in rows]


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


def touch_messages(session: Session, ids: Sequence[int]) -> None:
    if ids:
        session.execute(update(MESSAGES).where(MESSAGES.c.id.in_(ids)).values(updated_at=utcnow()))


def in_flight(session: Session) -> int:
    """Messages not yet done plus acknowledgements not yet sent."""
    messages = (
        session.scalar(select(func.count()).select_from(MESSAGES).where(MESSAGES.c.stage != "done"))
        or 0
    )
    pending = (
        session.scalar(
            select(func.count())
            .select_from(OUTBOX)
            .where(OUTBOX.c.status.in_(("pending", "sending")))
        )
        or 0
    )
    return int(messages) + int(pending)
