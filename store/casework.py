"""What staff do to a case: correct its type and office, forward it, record the answer.

Each change locks the case row, checks the case's state, writes the change and its audit
entry (the staff member as actor) in the caller's transaction. Messages of InputError are
for staff (Spanish): the workspace shows them beside the field they name. Annulment is the
registry's (`docsys`), because the radicado number is its business.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ventanilla.errors import InputError, NotFound
from ventanilla.routing.types import REQUEST_TYPES
from ventanilla.store import audit
from ventanilla.store.schema import Case, Message, TrainingExample, utcnow

MAX_OFFICE = 120
MAX_ENTITY = 200


def _locked(session: Session, radicado: str) -> Case:
    case = session.scalar(select(Case).where(Case.radicado == radicado).with_for_update())
    if case is None:
        raise NotFound(f"radicado {radicado} does not exist")
    return case


def _one_line(text: str, field: str, limit: int, when_empty: str) -> str:
    """A name typed by staff, on one line with single spaces; InputError if empty or long."""
    text = " ".join(text.split())
    if not text:
        raise InputError(field, when_empty)
    if len(text) > limit:
        raise InputError(field, f"Use máximo {limit} caracteres.")
    return text


def correct_case(
    session: Session,
    radicado: str,
    *,
    request_type: str,
    office: str,
    due_date_for: Callable[[datetime, str], date],
    actor: str,
) -> dict[str, Any]:
    """Set the type and office staff decided; the legal date follows the type.

    A new type is also a labelled example for the classifier (`training_examples`).
    Returns what changed, `{field: [before, after]}` (empty when nothing did).
    """
    case = _locked(session, radicado)
    if case.status == "anulado":
        raise InputError("type", "El caso está anulado: ya no se puede corregir.")
    if request_type not in REQUEST_TYPES:
        raise InputError("type", "Elija un tipo de solicitud de la lista.")
    office = _one_line(office, "office", MAX_OFFICE, "Escriba la dependencia que debe responder.")
    due = due_date_for(case.received_at, request_type)
    changed: dict[str, Any] = {}
    for field, before, after in (
        ("type", case.type, request_type),
        ("office", case.office, office),
        ("due_date", case.due_date.isoformat(), due.isoformat()),
    ):
        if before != after:
            changed[field] = [before, after]
    if "type" in changed:
        text = session.scalar(select(Message.text).where(Message.id == case.message_id)) or ""
        session.execute(
            insert(TrainingExample).values(
                text=text,
                label=request_type,
                source="correction",
                case_id=case.id,
                actor=actor,
                created_at=utcnow(),
            )
        )
    if changed or case.review_type:
        case.type, case.office, case.due_date = request_type, office, due
        case.review_type = False  # a person has looked at it
        audit.record(session, "case", case.id, "corrected", actor=actor, **changed)
    return changed


def mark_forwarded(session: Session, radicado: str, entity: str, *, actor: str) -> None:
    """Trasladado por competencia (Ley 1755 art. 21): sent to the entity that must answer."""
    case = _locked(session, radicado)
    if case.status != "radicado":
        raise InputError("forwarded_to", "Solo se traslada un caso en trámite.")
    entity = _one_line(entity, "forwarded_to", MAX_ENTITY, "Escriba la entidad que recibe el caso.")
    case.status = "trasladado"
    case.forwarded_to = entity
    case.forwarded_at = utcnow()
    audit.record(session, "case", case.id, "forwarded", actor=actor, forwarded_to=entity)


def record_answer(
    session: Session,
    radicado: str,
    answered_at: datetime,
    *,
    access_denied: bool,
    actor: str,
) -> None:
    """The case was answered then; `access_denied` when information was refused (the
    quarterly report counts those, Ley 1712 de 2014)."""
    case = _locked(session, radicado)
    if case.status not in ("radicado", "trasladado"):
        raise InputError("answered_on", "Este caso no está en trámite.")
    if answered_at > utcnow():
        raise InputError("answered_on", "La fecha de respuesta no puede ser futura.")
    if answered_at.date() < case.received_at.astimezone(answered_at.tzinfo).date():
        raise InputError("answered_on", "La fecha es anterior a la llegada de la solicitud.")
    case.status = "respondido"
    case.answered_at = answered_at
    case.access_denied = access_denied
    audit.record(
        session,
        "case",
        case.id,
        "answered",
        actor=actor,
        answered_at=answered_at.isoformat(),
        access_denied=access_denied,
    )
