"""The filings of cases in a remote document system (Orfeo): one row per case, the outbox
of the radicado.

The row is written with the case, before anything is asked of the document system; a
worker claims it (`calling`) and asks outside any transaction; the number is recorded in
one short transaction that also makes it the case's radicado and releases the case's
acknowledgements (held until then: they must carry that number). A lost answer is never
retried blindly: the filing becomes `unknown` (Orfeo is asked for our reference first)
or, without that lookup, `uncertain` until a clerk says what Orfeo holds.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, func, insert, select, update
from sqlalchemy.orm import Session

from ventanilla.errors import InputError, NotFound
from ventanilla.store.audit import audit_rows
from ventanilla.store.pipeline import ATTACHMENTS, CASES, OUTBOX, MessageFacts, load_many
from ventanilla.store.schema import Filing, utcnow

FILINGS = Filing.__table__
# Waiting for a number: the backlog /healthz and /metrics show.
WAITING = ("pending", "calling", "unknown", "uncertain")
# What a worker will still do on its own (a drain waits for these, not for a clerk).
IN_FLIGHT = ("pending", "calling", "unknown")
# Statuses a worker claims: pending calls, unknown looks up first.
CLAIMABLE = ("pending", "unknown")
MAX_REFERENCE = 20


def new_reference(case_id: int) -> str:
    """Letters, digits and '-', at most 20 (Orfeo's RADI_CUENTAI): the case and a random
    part, so two installations (or a test and production) filing into one Orfeo never
    share a reference."""
    reference = f"VT{case_id}-{secrets.token_hex(4).upper()}"
    return reference[:MAX_REFERENCE]


def add_filings(session: Session, case_ids: Sequence[int], backend: str) -> None:
    """The filing rows of newly reserved cases, due now (inside the radicating transaction)."""
    if not case_ids:
        return
    now = utcnow()
    session.execute(
        insert(FILINGS),
        [
            {
                "case_id": case_id,
                "reference": new_reference(case_id),
                "backend": backend,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "last_error": "",
                "number": "",
                "annexes_sent": 0,
                "created_at": now,
                "updated_at": now,
            }
            for case_id in case_ids
        ],
    )


@dataclass(frozen=True)
class Claimed:
    """A filing a worker took: what it was (pending or unknown) and what to send."""

    case_id: int
    reference: str
    was: str
    attempts: int


def claim(session: Session, case_id: int) -> Claimed | None:
    """Take a due filing for this worker (`calling`); None when it is not due, or filed,
    or another worker has it."""
    row = session.execute(
        select(FILINGS.c.status, FILINGS.c.reference, FILINGS.c.attempts).where(
            FILINGS.c.case_id == case_id,
            FILINGS.c.status.in_(CLAIMABLE),
            FILINGS.c.next_attempt_at <= utcnow(),
        )
    ).one_or_none()
    if row is None:
        return None
    result = cast(
        CursorResult[Any],
        session.execute(
            update(FILINGS)
            .where(FILINGS.c.case_id == case_id, FILINGS.c.status == row.status)
            .values(status="calling", attempts=FILINGS.c.attempts + 1, updated_at=utcnow())
        ),
    )
    if result.rowcount != 1:
        return None  # another worker claimed it between the read and the update
    return Claimed(case_id, row.reference, row.status, row.attempts + 1)


@dataclass(frozen=True)
class FilingFacts:
    """What the call needs to know of the case and its message."""

    case_id: int
    reference: str
    number: str
    annexes_sent: int
    type: str
    message: MessageFacts
    # (attachment id, file name, content type, size, sha256), in id order.
    attachments: list[tuple[int, str, str, int, str]]


def load(session: Session, case_id: int) -> FilingFacts:
    row = session.execute(
        select(
            FILINGS.c.reference,
            FILINGS.c.number,
            FILINGS.c.annexes_sent,
            CASES.c.type,
            CASES.c.message_id,
        )
        .join(CASES, CASES.c.id == FILINGS.c.case_id)
        .where(FILINGS.c.case_id == case_id)
    ).one()
    [message] = load_many(session, [row.message_id])
    attachments = session.execute(
        select(
            ATTACHMENTS.c.id,
            ATTACHMENTS.c.filename,
            ATTACHMENTS.c.content_type,
            ATTACHMENTS.c.size,
            ATTACHMENTS.c.sha256,
        )
        .where(ATTACHMENTS.c.message_id == row.message_id)
        .order_by(ATTACHMENTS.c.id)
    ).all()
    return FilingFacts(
        case_id,
        row.reference,
        row.number,
        row.annexes_sent,
        row.type,
        message,
        [tuple(a) for a in attachments],  # type: ignore[misc]
    )


def record_filed(
    session: Session, case_id: int, number: str, *, how: str, actor: str = "system"
) -> list[int]:
    """The number is the case's radicado: the filing is filed, the case renumbered, its
    held acknowledgements claimed for the caller to send after commit (their ids).

    Only from a state that may end so (a worker's call, an unknown or uncertain outcome):
    a filing already filed changes nothing and returns no rows to send.
    """
    now = utcnow()
    result = cast(
        CursorResult[Any],
        session.execute(
            update(FILINGS)
            .where(
                FILINGS.c.case_id == case_id,
                FILINGS.c.status.in_(("calling", "unknown", "uncertain", "pending")),
            )
            .values(status="filed", number=number, filed_at=now, updated_at=now, last_error="")
        ),
    )
    if result.rowcount != 1:
        return []
    year = int(number[:4]) if number[:4].isdigit() else None
    session.execute(
        update(CASES)
        .where(CASES.c.id == case_id)
        .values(radicado=number, **({"year": year} if year else {}))
    )
    released = session.scalars(
        update(OUTBOX)
        .where(OUTBOX.c.case_id == case_id, OUTBOX.c.status == "held")
        .values(status="sending", updated_at=now)
        .returning(OUTBOX.c.id)
    ).all()
    audit_rows(
        session,
        [
            {
                "entity": "case",
                "entity_id": case_id,
                "action": "radicated",
                "actor": actor,
                "detail": {"radicado": number, "filed_in": "orfeo", "how": how},
            }
        ],
    )
    return sorted(released)


def record_outcome(
    session: Session, case_id: int, status: str, error: str, *, wait: timedelta | None = None
) -> None:
    """A call that gave no number: back to `status`, due again after `wait` (if any)."""
    now = utcnow()
    session.execute(
        update(FILINGS)
        .where(FILINGS.c.case_id == case_id, FILINGS.c.status == "calling")
        .values(
            status=status,
            last_error=error[:2000],
            updated_at=now,
            next_attempt_at=now + (wait or timedelta(0)),
        )
    )
    if status in ("uncertain", "refused"):
        audit_rows(
            session,
            [
                {
                    "entity": "case",
                    "entity_id": case_id,
                    "action": f"filing_{status}",
                    "detail": {"error": error[:500]},
                }
            ],
        )


def record_annexes(session: Session, case_id: int, sent: int, error: str = "") -> None:
    values: dict[str, Any] = {"annexes_sent": sent, "updated_at": utcnow()}
    if error:
        values["last_error"] = error[:2000]
    session.execute(update(FILINGS).where(FILINGS.c.case_id == case_id).values(**values))


def due(session: Session, *, stale_after: timedelta, lookup: bool) -> list[int]:
    """Cases whose filing a worker should take now. A call claimed longer than
    `stale_after` ago lost its worker: its outcome is unknown (looked up first) or, without
    a lookup, uncertain (a clerk decides). Never `pending` again: it may have been filed."""
    now = utcnow()
    session.execute(
        update(FILINGS)
        .where(FILINGS.c.status == "calling", FILINGS.c.updated_at <= now - stale_after)
        .values(
            status="unknown" if lookup else "uncertain",
            last_error="the worker filing it stopped during the call: outcome unknown",
            updated_at=now,
            next_attempt_at=now,
        )
    )
    return list(
        session.scalars(
            select(FILINGS.c.case_id)
            .where(FILINGS.c.status.in_(CLAIMABLE), FILINGS.c.next_attempt_at <= now)
            .order_by(FILINGS.c.case_id)
        )
    )


def backlog(session: Session) -> tuple[int, datetime | None]:
    """Filings still waiting for their number, and when the oldest was written."""
    count, oldest = session.execute(
        select(func.count(), func.min(FILINGS.c.created_at)).where(FILINGS.c.status.in_(WAITING))
    ).one()
    return int(count or 0), oldest


def in_flight(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(FILINGS).where(FILINGS.c.status.in_(IN_FLIGHT))
        )
        or 0
    )


def to_decide(session: Session) -> list[dict[str, Any]]:
    """What staff must see: uncertain filings (a clerk decides) and refused ones."""
    rows = session.execute(
        select(
            FILINGS.c.case_id,
            FILINGS.c.reference,
            FILINGS.c.status,
            FILINGS.c.attempts,
            FILINGS.c.last_error,
            FILINGS.c.created_at,
            FILINGS.c.updated_at,
            CASES.c.radicado,
            CASES.c.type,
            CASES.c.channel,
            CASES.c.received_at,
        )
        .join(CASES, CASES.c.id == FILINGS.c.case_id)
        .where(FILINGS.c.status.in_(("uncertain", "refused")))
        .order_by(FILINGS.c.created_at)
    )
    return [dict(row._mapping) for row in rows]


def resolve_uncertain(session: Session, case_id: int, number: str, actor: str) -> list[int]:
    """A clerk's answer for an uncertain filing: the number Orfeo holds (recorded as if
    Orfeo had answered it; returns the acknowledgements to send), or "" for none (filed
    again, now). A refused filing can only be filed again (its cause corrected)."""
    status = session.scalar(select(FILINGS.c.status).where(FILINGS.c.case_id == case_id))
    if status is None:
        raise NotFound(f"no filing for case {case_id}")
    if status != "uncertain" and not (status == "refused" and not number):
        raise InputError("filing", "esta radicación ya no espera una decisión")
    if number:
        taken = session.scalar(select(CASES.c.id).where(CASES.c.radicado == number))
        if taken is not None and taken != case_id:
            raise InputError("numero", f"el radicado {number} ya es de otro caso")
        return record_filed(session, case_id, number, how="clerk", actor=actor)
    now = utcnow()
    session.execute(
        update(FILINGS)
        .where(FILINGS.c.case_id == case_id, FILINGS.c.status == status)
        .values(status="pending", next_attempt_at=now, updated_at=now)
    )
    audit_rows(
        session,
        [
            {
                "entity": "case",
                "entity_id": case_id,
                "action": "filing_none_in_orfeo",
                "actor": actor,
                "detail": {"refile": True},
            }
        ],
    )
    return []
