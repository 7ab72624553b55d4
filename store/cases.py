"""Reading cases and messages as the CLI, the web pages and the API show them.

The JSON shapes here are the external contract (DESIGN): field names do not change.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from ventanilla.errors import NotFound
from ventanilla.routing.identity import contact_identity, identities_of
from ventanilla.store.pipeline import is_provisional
from ventanilla.store.schema import Case, Message, Outbox, PetitionGroup

BOGOTA = ZoneInfo("America/Bogota")


def local_iso(moment: datetime | None, zone: ZoneInfo = BOGOTA) -> str | None:
    return moment.astimezone(zone).isoformat(timespec="seconds") if moment else None


def ack_status(statuses: list[str]) -> str:
    """One word for the acknowledgements of a case: none, pending, sent, failed or skipped."""
    if not statuses:
        return "none"
    if "sending" in statuses or "held" in statuses:
        # Being sent right now, or waiting for the document system's number: pending.
        statuses = [*statuses, "pending"]
    for word in ("failed", "pending", "skipped"):
        if word in statuses:
            return word
    return "sent"


def ack_delivery(reports: list[str]) -> str | None:
    """The provider's word on a case's acknowledgements: the worst report, None if none."""
    for word in ("failed", "undelivered", "queued", "accepted", "sending", "sent", "read"):
        if word in reports:
            return word
    return "delivered" if "delivered" in reports else None


def _acks_by_case(session: Session, case_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    acks: dict[int, list[tuple[str, str]]] = {}
    if case_ids:
        for case_id, status, delivery in session.execute(
            select(Outbox.case_id, Outbox.status, Outbox.delivery).where(
                Outbox.case_id.in_(case_ids)
            )
        ):
            acks.setdefault(case_id, []).append((status, delivery))
    return acks


def _case_rows(session: Session, *where: Any) -> list[dict[str, Any]]:
    original = aliased(Case)
    rows = session.execute(
        select(Case, original.radicado)
        .outerjoin(original, original.id == Case.duplicate_of_id)
        .where(*where)
        .order_by(Case.year, Case.number)
    ).all()
    acks = _acks_by_case(session, [case.id for case, _ in rows])
    sizes = _group_sizes(session, {case.group_id for case, _ in rows if case.group_id})
    return [
        {
            "radicado": case.radicado,
            "filed_at": local_iso(case.filed_at),
            "received_at": local_iso(case.received_at),
            "due_date": case.due_date.isoformat(),
            "type": case.type,
            "channel": case.channel,
            "status": case.status,
            "office": case.office,
            "duplicate_of": duplicate_of,
            "ack_status": ack_status([status for status, _ in acks.get(case.id, [])]),
            "ack_delivery": ack_delivery([d for _, d in acks.get(case.id, []) if d]),
            "year": case.year,
            "number": case.number,
            "review_type": case.review_type,
            "annul_reason": case.annul_reason or None,
            "flags": list(case.flags or []),
            "priority": case.priority,
            "competent_entity": case.competent_entity or None,
            "forward_due": case.forward_due.isoformat() if case.forward_due else None,
            "faq_id": case.faq_id or None,
            # Art. 22 Ley 1755: the mass petition it belongs to, and how many cases it has.
            "group_id": case.group_id,
            "group_size": sizes.get(case.group_id, 0) if case.group_id else None,
        }
        for case, duplicate_of in rows
    ]


def _group_sizes(session: Session, group_ids: Collection[int]) -> dict[int, int]:
    if not group_ids:
        return {}
    rows = session.execute(
        select(Case.group_id, func.count())
        .where(Case.group_id.in_(sorted(group_ids)))
        .group_by(Case.group_id)
    )
    return {group_id: int(count) for group_id, count in rows}


def list_groups(session: Session) -> list[dict[str, Any]]:
    """Every petition group with its size and its first and last case (oldest first)."""
    rows = session.execute(
        select(
            PetitionGroup.id,
            PetitionGroup.label,
            PetitionGroup.created_at,
            func.count(Case.id).label("size"),
            func.min(Case.radicado).label("first_radicado"),
            func.max(Case.radicado).label("last_radicado"),
            func.max(Case.filed_at).label("last_filed_at"),
        )
        .join(Case, Case.group_id == PetitionGroup.id)
        .group_by(PetitionGroup.id, PetitionGroup.label, PetitionGroup.created_at)
        .order_by(PetitionGroup.id)
    )
    return [
        {
            "group_id": row.id,
            "label": row.label,
            "created_at": local_iso(row.created_at),
            "size": int(row.size),
            "first_radicado": row.first_radicado,
            "last_radicado": row.last_radicado,
            "last_filed_at": local_iso(row.last_filed_at),
        }
        for row in rows
    ]


def list_cases(session: Session) -> list[dict[str, Any]]:
    return _case_rows(session)


def show_case(session: Session, radicado: str) -> dict[str, Any]:
    rows = _case_rows(session, Case.radicado == radicado)
    if not rows:
        raise NotFound(f"radicado {radicado} does not exist")
    return rows[0]


def citizen_case(
    session: Session, radicado: str, *, token: str = "", contact: str = "", region: str = "CO"
) -> dict[str, Any] | None:
    """The case, only for whoever proves it is theirs: the token of the acknowledgement's
    link, or the e-mail or phone it was filed with. None alike for a wrong proof and an
    unknown radicado, so the answer never says whether a number exists."""
    row = session.execute(
        select(
            Case.status_token,
            Message.channel,
            Message.sender,
            Message.reply_email,
            Message.reply_phone,
        )
        .join(Message, Message.id == Case.message_id)
        .where(Case.radicado == radicado)
    ).one_or_none()
    if row is None:
        return None
    by_token = bool(token and row.status_token) and secrets.compare_digest(
        token.encode(), row.status_token.encode()
    )
    wanted = contact_identity(contact, region) if contact else None
    by_contact = wanted is not None and wanted in identities_of(
        row.channel,
        row.sender,
        reply_email=row.reply_email,
        reply_phone=row.reply_phone,
        region=region,
    )
    return show_case(session, radicado) if by_token or by_contact else None


def list_messages(
    session: Session, status: str | None = None, channel: str | None = None
) -> list[dict[str, Any]]:
    query = (
        select(
            Message.id,
            Message.channel,
            Message.received_at,
            Message.status,
            Message.stage,
            Message.reason,
            Message.type,
            Message.subject,
            Case.radicado,
        )
        .outerjoin(Case, Case.id == Message.case_id)
        .order_by(Message.id)
    )
    if status:
        query = query.where(Message.status == status)
    if channel:
        query = query.where(Message.channel == channel)
    return [
        {
            "id": row.id,
            "channel": row.channel,
            "received_at": local_iso(row.received_at),
            "status": row.status,
            "stage": row.stage,
            "reason": row.reason or None,
            "type": row.type,
            "subject": row.subject,
            "radicado": row.radicado,
        }
        for row in session.execute(query)
    ]


_REQUEST_STATE = select(
    Message.id,
    Message.stage,
    Message.status,
    Message.reason,
    Message.type.label("kind"),
    Case.radicado,
    Case.filed_at,
    Case.due_date,
    Case.type,
    Case.status.label("case_status"),
    Case.status_token,
).outerjoin(Case, Case.id == Message.case_id)


def request_state(session: Session, message_id: int) -> dict[str, Any]:
    """Where a submitted request stands, with its case once it has one (one query)."""
    row = session.execute(_REQUEST_STATE.where(Message.id == message_id)).one_or_none()
    if row is None:
        raise NotFound(f"message {message_id} does not exist")
    return _state(row)


def _state(row: Any) -> dict[str, Any]:
    case = None
    if row.radicado and is_provisional(row.radicado):
        # Reserved, still being filed in the document system (Orfeo): no number yet.
        return {
            "id": row.id,
            "stage": row.stage,
            "status": "filing",
            "reason": row.reason or None,
            "type": row.kind,
            "case": None,
        }
    if row.radicado:
        case = {
            "radicado": row.radicado,
            "filed_at": local_iso(row.filed_at),
            "due_date": row.due_date.isoformat(),
            "type": row.type,
            "status": row.case_status,
            # Only the request's own sender is shown this (web pages; never in the JSON).
            "status_token": row.status_token,
        }
    return {
        "id": row.id,
        "stage": row.stage,
        "status": row.status,
        "reason": row.reason or None,
        "type": row.kind,
        "case": case,
    }


def intake_outcomes(session: Session, message_ids: Collection[int]) -> dict[int, dict[str, Any]]:
    """What the senders of web requests are told, for those the pipeline has decided.

    The web app asks this for the requests woken together, so it stays one query.
    """
    done = _REQUEST_STATE.where(Message.id.in_(sorted(message_ids)), Message.stage == "done")
    return {row.id: undisclosed(_state(row)) for row in session.execute(done)}


def web_request_state(session: Session, token: str) -> dict[str, Any]:
    """What the holder of a web submission's receipt token is told about it."""
    return undisclosed(request_state(session, web_request_id(session, token)))


def undisclosed(state: dict[str, Any]) -> dict[str, Any]:
    """A web request's state without the case when it was a duplicate of an earlier one.

    The e-mail or phone typed in the form is unverified: anyone can type another
    citizen's address and the text of their request, and must not learn that citizen's
    radicado from it. The earlier case's own receipt (and the notice sent to the address
    itself) still tells it.
    """
    return state | {"case": None} if state["status"] == "duplicate" else state


def web_request_id(session: Session, token: str) -> int:
    """The message behind a web submission's receipt token (unguessable, unlike the id)."""
    message_id = session.scalar(
        select(Message.id).where(Message.channel == "web", Message.provider_id == token)
    )
    if message_id is None:
        raise NotFound("unknown request")
    return int(message_id)
