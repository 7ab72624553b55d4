"""The store's side of the quarterly report: the cases of a period as plain rows, and the
few writes that give a case the facts the report counts (answer, forwarding, grouping,
priority).

Only reading and writing here: what the figures mean is `ventanilla.reports.figures`.
The staff workspace has its own richer actions; these are the minimal ones, each audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ventanilla.errors import InputError, NotFound
from ventanilla.store.audit import audit_rows, record
from ventanilla.store.pipeline import CASES
from ventanilla.store.schema import PetitionGroup

GROUPS = PetitionGroup.__table__


@dataclass(frozen=True)
class ReportCase:
    """One case as the report reads it (no personal data: the report is published)."""

    radicado: str
    year: int
    number: int
    type: str
    channel: str
    office: str
    status: str
    received_at: datetime
    filed_at: datetime
    due_date: date
    answered_at: datetime | None
    forwarded_to: str
    forwarded_at: datetime | None
    competent_entity: str
    access_denied: bool
    group_id: int | None
    priority: bool
    flags: list[str]
    annul_reason: str


_COLUMNS = [CASES.c[name] for name in ReportCase.__dataclass_fields__]


def cases_received(session: Session, start: datetime, end: datetime) -> list[ReportCase]:
    """Every case received in [start, end), annulled ones included, in radicado order.

    One query: the report is computed from these rows in memory (a quarter of an entity
    is thousands of cases, not millions).
    """
    rows = session.execute(
        select(*_COLUMNS)
        .where(CASES.c.received_at >= start, CASES.c.received_at < end)
        .order_by(CASES.c.year, CASES.c.number)
    )
    return [ReportCase(**{**row._mapping, "flags": list(row.flags or [])}) for row in rows]


def _case_id(session: Session, radicado: str) -> int:
    case_id = session.scalar(
        select(CASES.c.id).where(CASES.c.radicado == radicado).with_for_update()
    )
    if case_id is None:
        raise NotFound(f"radicado {radicado} does not exist")
    return int(case_id)


def record_answer(
    session: Session,
    radicado: str,
    answered_at: datetime,
    *,
    access_denied: bool = False,
    actor: str = "system",
) -> None:
    """The case was answered at `answered_at`; `access_denied` when the answer refused
    access to information (Ley 1712 de 2014 art. 11 h: the report counts them)."""
    case_id = _case_id(session, radicado)
    session.execute(
        update(CASES)
        .where(CASES.c.id == case_id)
        .values(status="respondido", answered_at=answered_at, access_denied=access_denied)
    )
    record(
        session,
        "case",
        case_id,
        "answered",
        actor=actor,
        radicado=radicado,
        access_denied=access_denied,
    )


def record_forwarding(
    session: Session, radicado: str, entity: str, forwarded_at: datetime, *, actor: str = "system"
) -> None:
    """The case was forwarded (trasladado) to the competent `entity` (Ley 1755 art. 21)."""
    if not entity.strip():
        raise InputError("forwarded_to", "name the entity the request was forwarded to")
    case_id = _case_id(session, radicado)
    session.execute(
        update(CASES)
        .where(CASES.c.id == case_id)
        .values(status="trasladado", forwarded_to=entity.strip(), forwarded_at=forwarded_at)
    )
    record(session, "case", case_id, "forwarded", actor=actor, radicado=radicado)


def record_priority(
    session: Session, radicado: str, flags: Sequence[str], *, actor: str = "system"
) -> None:
    """The case gets priority attention (Ley 1755 art. 20, Ley 1098 de 2006) for `flags`."""
    case_id = _case_id(session, radicado)
    session.execute(
        update(CASES).where(CASES.c.id == case_id).values(priority=True, flags=list(flags))
    )
    record(session, "case", case_id, "prioritised", actor=actor, flags=list(flags))


def group_analogous(
    session: Session, radicados: Sequence[str], label: str, *, actor: str = "system"
) -> int:
    """Group analogous petitions for one answer (Ley 1755 art. 22); returns the group id.

    Each petitioner keeps their own radicado; the group only records that they share an
    answer.
    """
    wanted = list(dict.fromkeys(radicados))
    found: dict[str, int] = {
        row.radicado: row.id
        for row in session.execute(
            select(CASES.c.radicado, CASES.c.id).where(CASES.c.radicado.in_(wanted))
        )
    }
    missing = [radicado for radicado in wanted if radicado not in found]
    if missing:
        raise NotFound(f"radicado {missing[0]} does not exist")
    group_id = session.scalar(insert(GROUPS).values(label=label).returning(GROUPS.c.id))
    session.execute(
        update(CASES).where(CASES.c.id.in_(list(found.values()))).values(group_id=group_id)
    )
    audit_rows(
        session,
        [
            {
                "entity": "case",
                "entity_id": case_id,
                "action": "grouped",
                "actor": actor,
                "detail": {"group_id": group_id},
            }
            for case_id in found.values()
        ],
    )
    return int(group_id)
