"""One case in full, as staff read it: the message, its classification, what is linked to
it, what was sent, and its audit trail. Only reads; never for citizens (personal data).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from ventanilla.errors import NotFound
from ventanilla.store.schema import Attachment, AuditEntry, Case, Message, Outbox

_MESSAGE_FIELDS = (
    "id",
    "channel",
    "provider_id",
    "received_at",
    "sender",
    "sender_name",
    "subject",
    "text",
    "reply_email",
    "reply_phone",
    "requested_type",
    "status",
    "reason",
    "type",
    "confidence",
    "features",
    "flags",
)
_CASE_FIELDS = (
    "id",
    "radicado",
    "message_id",
    "filed_at",
    "received_at",
    "due_date",
    "type",
    "channel",
    "status",
    "office",
    "review_type",
    "annul_reason",
    "answered_at",
    "flags",
    "priority",
    "competent_entity",
    "forward_due",
    "forwarded_to",
    "forwarded_at",
    "access_denied",
    "group_id",
)


def _values(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in fields}


def case_file(session: Session, radicado: str) -> dict[str, Any]:
    """Everything the case page shows; NotFound for an unknown radicado."""
    original = aliased(Case)
    found = session.execute(
        select(Case, original.radicado)
        .outerjoin(original, original.id == Case.duplicate_of_id)
        .where(Case.radicado == radicado)
    ).one_or_none()
    if found is None:
        raise NotFound(f"radicado {radicado} does not exist")
    case, duplicate_of = found
    opening = session.get_one(Message, case.message_id)
    linked = session.scalars(
        select(Message)
        .where(Message.case_id == case.id, Message.id != case.message_id)
        .order_by(Message.received_at, Message.id)
    ).all()
    message_ids = [opening.id, *(m.id for m in linked)]
    attachments = session.scalars(
        select(Attachment).where(Attachment.message_id.in_(message_ids)).order_by(Attachment.id)
    ).all()
    outbox = session.scalars(
        select(Outbox).where(Outbox.case_id == case.id).order_by(Outbox.id)
    ).all()
    copies = session.scalars(
        select(Case.radicado).where(Case.duplicate_of_id == case.id).order_by(Case.id)
    ).all()
    return {
        "case": _values(case, _CASE_FIELDS) | {"duplicate_of": duplicate_of},
        "message": _values(opening, _MESSAGE_FIELDS),
        "linked": [_values(m, _MESSAGE_FIELDS) for m in linked],
        "duplicated_by": list(copies),
        "attachments": [
            {
                "id": a.id,
                "message_id": a.message_id,
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
            }
            for a in attachments
        ],
        "acknowledgements": [
            {
                "id": row.id,
                "kind": row.kind,
                "channel": row.channel,
                "recipient": row.recipient,
                "status": row.status,
                "attempts": row.attempts,
                "last_error": row.last_error,
                "delivery": row.delivery,
                "delivery_error": row.delivery_error,
                "created_at": row.created_at,
                "sent_at": row.sent_at,
            }
            for row in outbox
        ],
        "trail": trail(session, case.id, message_ids, [row.id for row in outbox]),
    }


def trail(
    session: Session, case_id: int, message_ids: list[int], outbox_ids: list[int]
) -> list[dict[str, Any]]:
    """The audit entries of a case, its messages and its outbox rows, oldest first."""
    wanted = [and_(AuditEntry.entity == "case", AuditEntry.entity_id == case_id)]
    if message_ids:
        wanted.append(and_(AuditEntry.entity == "message", AuditEntry.entity_id.in_(message_ids)))
    if outbox_ids:
        wanted.append(and_(AuditEntry.entity == "outbox", AuditEntry.entity_id.in_(outbox_ids)))
    rows = session.scalars(
        select(AuditEntry).where(or_(*wanted)).order_by(AuditEntry.at, AuditEntry.id)
    ).all()
    return [
        {
            "at": row.at,
            "entity": row.entity,
            "entity_id": row.entity_id,
            "action": row.action,
            "actor": row.actor,
            "detail": dict(row.detail or {}),
        }
        for row in rows
    ]


def message_raw(session: Session, message_id: int) -> bytes:
    """The bytes a channel delivered (the e-mail as received), loaded only when asked."""
    return bytes(session.scalar(select(Message.raw).where(Message.id == message_id)) or b"")


def case_attachment(session: Session, radicado: str, attachment_id: int) -> dict[str, Any]:
    """An attachment of one of the case's messages; NotFound if it is not the case's."""
    row = session.execute(
        select(Attachment.sha256, Attachment.filename, Attachment.content_type)
        .join(Message, Message.id == Attachment.message_id)
        .join(Case, or_(Case.message_id == Message.id, Case.id == Message.case_id))
        .where(Attachment.id == attachment_id, Case.radicado == radicado)
        .limit(1)
    ).one_or_none()
    if row is None:
        raise NotFound(f"attachment {attachment_id} is not one of {radicado}'s")
    return dict(row._mapping)
