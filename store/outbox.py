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

from sqlalchemy import (
    Connection,
    CursorResult,
    bindparam,
    case,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session

from ventanilla.routing.acknowledgements import reply_target
from ventanilla.routing.classify import language_of
from ventanilla.store.audit import AUDIT, audit_rows, trail_rows
from ventanilla.store.engine import dialect_insert
from ventanilla.store.pipeline import CASE_COLUMNS, CASES, MESSAGES, OUTBOX, CaseFacts
from ventanilla.store.schema import utcnow


@dataclass(frozen=True)
class PendingAck:
    """Something to send, with what its text needs to say."""

    outbox_id: int
    channel: str
    recipient: str
    # The case it speaks of (a duplicate notice names the original); None for a command
    # reply or an alert, whose `body` is the text.
    case: CaseFacts | None
    message_channel: str
    # The provider's id of the citizen's message (e-mail Message-ID, Telegram message,
    # tweet): an answer on the same channel threads under it.
    thread_id: str
    sender_name: str
    references: list[str]
    kind: str = "ack"
    body: str = ""
    # What the text says beyond the case's facts: its priority flags, its frequent question.
    flags: tuple[str, ...] = ()
    faq_id: str = ""
    # The foreign language the citizen wrote in ("" for Spanish): one line goes in it.
    language: str = ""


@dataclass(frozen=True)
class Reply:
    """A row to send that answers one message rather than filing a case: a bot command's
    answer (`reply`, text in `body`), a repeated request told its radicado (`duplicate`,
    `case_id` the original case), a notification to staff (`alert`, no message)."""

    kind: str
    channel: str
    recipient: str
    message_id: int | None = None
    case_id: int | None = None
    body: str = ""
    # Only for rows that answer no message (alerts): what makes them once.
    name: str = ""

    @property
    def key(self) -> str:
        if self.message_id is not None:
            return f"message:{self.message_id}:{self.kind}"
        return f"{self.kind}:{self.name}"


def add_replies(
    session: Session, replies: Sequence[Reply], *, claimed: bool, held: bool = False
) -> list[int]:
    """Create the rows once (a repeated call finds them by key); returns the new rows' ids.

    With `claimed`, the caller sends them right after commit (as radicating does). With
    `held`, nobody does yet: the case they name waits for its number (store/filings.py).
    """
    if not replies:
        return []
    now = utcnow()
    rows = [
        {
            "key": reply.key,
            "kind": reply.kind,
            "case_id": reply.case_id,
            "message_id": reply.message_id,
            "channel": reply.channel,
            "recipient": reply.recipient,
            "body": reply.body,
            "status": "held" if held else "sending" if claimed else "pending",
            "created_at": now,
            "updated_at": now,
        }
        for reply in replies
    ]
    statement = dialect_insert(session)(OUTBOX).on_conflict_do_nothing(index_elements=["key"])
    inserted = session.scalars(statement.returning(OUTBOX.c.id), rows)
    return [] if held else sorted(inserted)


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
    """What a claimed row must say: its case (if any) and the message it answers."""
    return load_claimed_many(session, [outbox_id]).get(outbox_id)


def load_claimed_many(session: Session, outbox_ids: Sequence[int]) -> dict[int, PendingAck]:
    """`load_claimed` for several rows in one query (a radicated batch's acknowledgements)."""
    if not outbox_ids:
        return {}
    # The message answered: the row's own (a duplicate, a command), else its case's.
    answered = func.coalesce(OUTBOX.c.message_id, CASES.c.message_id)
    rows = session.execute(
        select(
            OUTBOX.c.id.label("outbox_id"),
            OUTBOX.c.channel,
            OUTBOX.c.recipient,
            OUTBOX.c.kind,
            OUTBOX.c.body,
            *CASE_COLUMNS,
            MESSAGES.c.channel.label("message_channel"),
            MESSAGES.c.flags,
            MESSAGES.c.sender_name,
            MESSAGES.c.references,
            MESSAGES.c.features,
            CASES.c.flags.label("case_flags"),
            CASES.c.faq_id,
        )
        .outerjoin(CASES, CASES.c.id == OUTBOX.c.case_id)
        .outerjoin(MESSAGES, MESSAGES.c.id == answered)
        .where(OUTBOX.c.id.in_(list(outbox_ids)), OUTBOX.c.status == "sending")
    ).all()
    return {row.outbox_id: _pending(row) for row in rows}


def _pending(row: Any) -> PendingAck:
    facts = None
    if row.radicado is not None:
        facts = CaseFacts(
            id=row.id,
            radicado=row.radicado,
            filed_at=row.filed_at,
            due_date=row.due_date,
            type=row.type,
            status_token=row.status_token,
        )
    message_channel = row.message_channel or ""
    return PendingAck(
        row.outbox_id,
        row.channel,
        row.recipient,
        facts,
        message_channel,
        reply_target(message_channel, row.flags or {}),
        row.sender_name or "",
        list(row.references or []),
        row.kind,
        row.body,
        tuple(row.case_flags or ()),
        row.faq_id or "",
        language_of(row.features or ()),
    )


# One row recorded as sent: the statements are built once, so recording each
# acknowledgement before the next is sent costs one short UPDATE and the trail's INSERT.
_SENT_ONE = (
    update(OUTBOX)
    .where(OUTBOX.c.id == bindparam("sent_id"), OUTBOX.c.status == "sending")
    .values(
        status="sent",
        provider_ref=bindparam("sent_ref", type_=OUTBOX.c.provider_ref.type),
        sent_at=bindparam("sent_now", type_=OUTBOX.c.sent_at.type),
        updated_at=bindparam("sent_now", type_=OUTBOX.c.updated_at.type),
        attempts=OUTBOX.c.attempts + 1,
    )
)
_TRAIL_ONE = insert(AUDIT)


def record_one_sent(connection: Connection, outbox_id: int, provider_ref: str) -> bool:
    """One row sent (on a bare connection, `Database.connection`): False if it was no
    longer `sending` (recorded already)."""
    now = utcnow()
    done = connection.execute(
        _SENT_ONE, {"sent_id": outbox_id, "sent_ref": provider_ref, "sent_now": now}
    )
    if not cast(CursorResult[Any], done).rowcount:
        return False
    trail = trail_rows([{"entity": "outbox", "entity_id": outbox_id, "action": "sent"}])
    connection.execute(_TRAIL_ONE, trail)
    return True


def record_sent_many(session: Session, sent: Sequence[tuple[int, str]]) -> list[int]:
    """Rows sent, each with the provider's reference, in one statement; returns the ids
    that were still `sending` (the others were recorded already)."""
    if not sent:
        return []
    done = sorted(session.scalars(_mark_sent(sent, utcnow())))
    audit_rows(session, [{"entity": "outbox", "entity_id": row, "action": "sent"} for row in done])
    return done


def _mark_sent(sent: Sequence[tuple[int, str]], now: datetime) -> Any:
    """The UPDATE that records rows still `sending` as sent, returning their ids."""
    refs = dict(sent)
    return (
        update(OUTBOX)
        .where(OUTBOX.c.id.in_(list(refs)), OUTBOX.c.status == "sending")
        .values(
            status="sent",
            provider_ref=case(refs, value=OUTBOX.c.id),
            sent_at=now,
            updated_at=now,
            attempts=OUTBOX.c.attempts + 1,
        )
        .returning(OUTBOX.c.id)
    )


def record_sent_at_once(connection: Connection, sent: Sequence[tuple[int, str]]) -> list[int]:
    """`record_sent_many` as one PostgreSQL statement in autocommit: the rows and their
    audit entries in a single round trip, where a transaction took four (BEGIN, UPDATE,
    INSERT, COMMIT). Each acknowledgement that reaches a person is recorded before the
    next is sent, so this runs once per acknowledgement."""
    now = utcnow()
    done = _mark_sent(sent, now).cte("done")
    trail = insert(AUDIT).from_select(
        ["at", "entity", "entity_id", "action", "actor", "detail"],
        select(
            literal(now, AUDIT.c.at.type),
            literal("outbox"),
            done.c.id,
            literal("sent"),
            literal("system"),
            literal({}, AUDIT.c.detail.type),
        ),
    )
    return sorted(connection.scalars(trail.returning(AUDIT.c.entity_id)))


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


def acknowledgements_by_origin(
    session: Session, origins: Sequence[str], since: datetime
) -> dict[str, int]:
    """How many messages from each client address (web requests) were answered since
    `since` (rate limit)."""
    if not origins:
        return {}
    rows = session.execute(
        select(MESSAGES.c.origin, func.count(func.distinct(OUTBOX.c.message_id)))
        .join(MESSAGES, MESSAGES.c.id == OUTBOX.c.message_id)
        .where(
            MESSAGES.c.origin.in_(list(origins)),
            MESSAGES.c.received_at >= since,
            OUTBOX.c.created_at >= since,
        )
        .group_by(MESSAGES.c.origin)
    )
    return {origin: int(count) for origin, count in rows}


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
