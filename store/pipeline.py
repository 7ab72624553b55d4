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

from sqlalchemy import CursorResult, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from ventanilla.routing.acknowledgements import AckPlan
from ventanilla.routing.classify import Classification
from ventanilla.store.audit import audit_rows
from ventanilla.store.schema import Attachment as AttachmentRow
from ventanilla.store.schema import Case, Message, Outbox, utcnow

MESSAGES = Message.__table__
CASES = Case.__table__
OUTBOX = Outbox.__table__
ATTACHMENTS = AttachmentRow.__table__


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
    features: list[str]
    dedupe_key: str | None


@dataclass(frozen=True)
class CaseFacts:
    id: int
    radicado: str
    filed_at: datetime
    due_date: date
    type: str
    # The secret of the case's status link; "" for a case filed before it existed.
    status_token: str = ""


def provisional_radicado(message_id: int) -> str:
    """A reserved case's radicado until its registry numbers it (docsys/registry.py):
    `~` and the message id, unique and never a real number."""
    return f"~{message_id}"


def is_provisional(radicado: str) -> bool:
    """A case reserved but not yet numbered (a remote registry's is, until filed)."""
    return radicado.startswith("~")


_MESSAGE_COLUMNS = [MESSAGES.c[name] for name in MessageFacts.__dataclass_fields__]
CASE_COLUMNS = [CASES.c[name] for name in CaseFacts.__dataclass_fields__]


def load_many(session: Session, ids: Sequence[int], *, lock: bool = False) -> list[MessageFacts]:
    """Several messages in id order (locked in that order, so two batches cannot deadlock)."""
    if not ids:
        return []
    query = select(*_MESSAGE_COLUMNS).where(MESSAGES.c.id.in_(list(ids))).order_by(MESSAGES.c.id)
    rows = session.execute(query.with_for_update() if lock else query)
    return [MessageFacts(**row._mapping) for row in rows]


def with_attachments(session: Session, ids: Sequence[int]) -> set[int]:
    """Which of these messages carry at least one attachment."""
    if not ids:
        return set()
    return set(
        session.scalars(
            select(ATTACHMENTS.c.message_id)
            .where(ATTACHMENTS.c.message_id.in_(list(ids)))
            .distinct()
        )
    )


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


def _classified(decision: Classification) -> dict[str, Any]:
    return {
        "type": decision.type,
        "confidence": decision.confidence,
        "features": list(decision.features),
    }


def record_not_a_request(
    session: Session,
    message_id: int,
    decision: Classification | None,
    reason: str = "",
    *,
    status: str = "ignored",
) -> bool:
    """Not radicated: `ignored` (machine mail, a bot command, skipped by its adapter with
    `decision` None), `review` (the text model doubts it is a request: a person decides)
    or `mention` (a public X post that is chatter: the communications feed has it)."""
    if decision is None:
        return _advance(session, message_id, "classify", "done", status=status, reason=reason)
    return _advance(
        session,
        message_id,
        "classify",
        "done",
        status=status,
        reason=reason or f"not a request: {decision.type}",
        **_classified(decision),
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


@dataclass(frozen=True)
class CaseState:
    """A case as its status answer shows it, with the sender of the message that opened it."""

    case: CaseFacts
    status: str
    sender: str


def case_states(session: Session, radicados: Sequence[str]) -> dict[str, CaseState]:
    """The cases among `radicados`, annulled ones too (a bot's `/estado` says so)."""
    if not radicados:
        return {}
    rows = session.execute(
        select(*CASE_COLUMNS, CASES.c.status.label("case_status"), MESSAGES.c.sender)
        .join(MESSAGES, MESSAGES.c.id == CASES.c.message_id)
        .where(CASES.c.radicado.in_(list(radicados)))
    )
    found = {}
    for row in rows:
        mapping = dict(row._mapping)
        status, sender = mapping.pop("case_status"), mapping.pop("sender")
        found[row.radicado] = CaseState(CaseFacts(**mapping), status, sender)
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


def record_onward(
    session: Session, moves: Sequence[tuple[MessageFacts, str | None, Classification | None]]
) -> set[int]:
    """Classify's (and dedupe's) outcome for a batch's messages that go on to be
    radicated (message, dedupe key, its classification if classify ran), in one write:
    which are still at the stage they were read at (locked, in id order), then one UPDATE
    for them all, not a round trip each. Returns the ids that moved on."""
    if not moves:
        return set()
    read_at = {message.id: message.stage for message, _, _ in moves}
    rows = session.execute(
        select(MESSAGES.c.id, MESSAGES.c.stage)
        .where(MESSAGES.c.id.in_(sorted(read_at)))
        .order_by(MESSAGES.c.id)
        .with_for_update()
    )
    still = {row.id for row in rows if read_at[row.id] == row.stage}
    now = utcnow()
    classified = [
        {"b_id": m.id, "b_stage": m.stage, "b_key": key} | _bound(_classified(decision))
        for m, key, decision in moves
        if m.id in still and decision is not None
    ]
    unclassified = [
        {"b_id": m.id, "b_stage": m.stage, "b_key": key}
        for m, key, decision in moves
        if m.id in still and decision is None
    ]
    moving = (
        update(MESSAGES)
        .where(MESSAGES.c.id == bindparam("b_id"), MESSAGES.c.stage == bindparam("b_stage"))
        .values(stage="radicate", updated_at=now, dedupe_key=bindparam("b_key"))
    )
    if classified:
        session.execute(
            moving.values(
                type=bindparam("b_type"),
                confidence=bindparam("b_confidence"),
                features=bindparam("b_features"),
            ),
            classified,
        )
    if unclassified:
        session.execute(moving, unclassified)
    audit_rows(
        session,
        [
            {
                "entity": "message",
                "entity_id": message_id,
                "action": "stage:radicate",
                "detail": {"status": "pending"},
            }
            for message_id in sorted(still)
        ],
    )
    return still


def _bound(values: dict[str, Any]) -> dict[str, Any]:
    return {f"b_{name}": value for name, value in values.items()}


def record_duplicate(
    session: Session,
    message_id: int,
    from_stage: str,
    original: CaseFacts,
    dedupe_key: str | None,
    *,
    why: str = "",
    **values: Any,
) -> bool:
    """The same request as `original`'s: no new radicado, the existing one linked."""
    reason = f"same request as radicado {original.radicado}" + (f" ({why})" if why else "")
    return _advance(
        session,
        message_id,
        from_stage,
        "done",
        status="duplicate",
        case_id=original.id,
        dedupe_key=dedupe_key,
        reason=reason,
        **values,
    )


def ack_key(case_id: int, channel: str, kind: str = "ack") -> str:
    """The outbox key of a case's row: one per case, channel and kind, ever."""
    return f"case:{case_id}:{channel}:{kind}"


def record_radicated(
    session: Session,
    filed: Sequence[tuple[int, CaseFacts, Sequence[AckPlan], str]],
    *,
    held: bool = False,
) -> list[int]:
    """Link each message (id, case, acknowledgement plans, reason for none) to its case
    and create the outbox rows, claimed for the caller to send; returns their ids
    (with `held`, none: the filing step releases them with the number).

    The caller holds the messages' row locks at the radicate stage, so every update
    applies; one statement each for the batch keeps the year's counter lock short.
    """
    if not filed:
        return []
    now = utcnow()
    session.execute(
        update(MESSAGES)
        .where(MESSAGES.c.id == bindparam("b_id"), MESSAGES.c.stage == "radicate")
        .values(
            stage="done",
            status="case",
            case_id=bindparam("b_case"),
            reason=bindparam("b_reason"),
            updated_at=now,
        ),
        [{"b_id": mid, "b_case": case.id, "b_reason": why} for mid, case, _, why in filed],
    )
    audit_rows(
        session,
        [
            {
                "entity": "message",
                "entity_id": message_id,
                "action": "stage:done",
                "detail": {"status": "case"},
            }
            for message_id, _, _, _ in filed
        ],
    )
    rows = [
        {
            "key": ack_key(case.id, plan.channel, plan.kind),
            "kind": plan.kind,
            "case_id": case.id,
            "message_id": message_id,
            "channel": plan.channel,
            "recipient": plan.recipient,
            # Claimed by the worker that radicates: it sends them right after commit.
            # Held while a remote registry has not given the number they must carry.
            "status": "held" if held else "sending",
            "created_at": now,
            "updated_at": now,
        }
        for message_id, case, plans, _ in filed
        for plan in plans
    ]
    if not rows:
        return []
    inserted = session.scalars(
        insert(OUTBOX).returning(OUTBOX.c.id, sort_by_parameter_order=True), rows
    )
    return [] if held else list(inserted)


def quarantine(session: Session, message_id: int, reason: str) -> None:
    stage = session.scalar(select(MESSAGES.c.stage).where(MESSAGES.c.id == message_id))
    if stage is not None and stage != "done":
        _advance(session, message_id, stage, "done", status="quarantined", reason=reason)


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


def touch_messages(session: Session, ids: Sequence[int]) -> None:
    if ids:
        session.execute(update(MESSAGES).where(MESSAGES.c.id.in_(ids)).values(updated_at=utcnow()))


def in_flight(session: Session) -> int:
    """Messages not yet done, acknowledgements not yet sent, filings a worker still has
    to ask the document system for (not those waiting for a clerk)."""
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
    from ventanilla.store.filings import in_flight as filings_in_flight

    return int(messages) + int(pending) + filings_in_flight(session)
