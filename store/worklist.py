"""Staff's list of cases: filters, search, the order by legal date, pages; and what is due.

Open cases whose legal date is today or past come first, then every case by its legal
date. Only reads; the handlers in `web/staff/` and the digest call these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from ventanilla.store.cases import local_iso
from ventanilla.store.schema import Case, Message

# A case the entity still has to answer: its legal date runs.
OPEN_STATUSES = ("radicado",)
CASE_STATUSES = ("radicado", "respondido", "trasladado", "anulado")
_PHONE_LIKE = re.compile(r"^[+\d\s().-]{7,}$")


@dataclass(frozen=True)
class CaseFilter:
    type: str = ""
    channel: str = ""
    office: str = ""
    status: str = ""
    due_from: date | None = None
    due_to: date | None = None
    review_type: bool = False
    # Radicado, name, e-mail, phone or words of the subject or text.
    search: str = ""


@dataclass(frozen=True)
class CasePage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int


def _conditions(filters: CaseFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    for column, value in (
        (Case.type, filters.type),
        (Case.channel, filters.channel),
        (Case.office, filters.office),
        (Case.status, filters.status),
    ):
        if value:
            where.append(column == value)
    if filters.due_from:
        where.append(Case.due_date >= filters.due_from)
    if filters.due_to:
        where.append(Case.due_date <= filters.due_to)
    if filters.review_type:
        where.append(Case.review_type.is_(True))
    words = filters.search.strip()
    if words:
        found = [
            Case.radicado.startswith(words, autoescape=True),
            Message.sender_name.icontains(words, autoescape=True),
            Message.sender.icontains(words, autoescape=True),
            Message.reply_email.icontains(words, autoescape=True),
            Message.subject.icontains(words, autoescape=True),
            Message.text.icontains(words, autoescape=True),
        ]
        digits = re.sub(r"\D", "", words)
        if _PHONE_LIKE.match(words) and digits:
            # "300 123 4567" finds +573001234567: phones are stored in E.164.
            found += [Message.reply_phone.contains(digits), Message.sender.contains(digits)]
        where.append(or_(*found))
    return where


def find_cases(
    session: Session, filters: CaseFilter, *, today: date, page: int = 1, page_size: int = 25
) -> CasePage:
    """One page of the cases that match, the overdue and due-today open ones first."""
    where = _conditions(filters)
    base = select(Case.id).join(Message, Message.id == Case.message_id).where(*where)
    total = int(session.scalar(select(func.count()).select_from(base.subquery())) or 0)
    pages = max(1, -(-total // page_size))
    page = min(max(page, 1), pages)
    urgent = case(
        (and_(Case.status.in_(OPEN_STATUSES), Case.due_date <= today), 0),
        else_=1,
    )
    rows = session.execute(
        select(
            Case.radicado,
            Case.filed_at,
            Case.due_date,
            Case.type,
            Case.channel,
            Case.status,
            Case.office,
            Case.review_type,
            Case.priority,
            Case.flags,
            Message.sender_name,
            Message.subject,
        )
        .join(Message, Message.id == Case.message_id)
        .where(*where)
        .order_by(urgent, Case.due_date, Case.year, Case.number)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    return CasePage(
        [
            {
                "radicado": row.radicado,
                "filed_at": local_iso(row.filed_at),
                "due_date": row.due_date,
                "type": row.type,
                "channel": row.channel,
                "status": row.status,
                "office": row.office,
                "review_type": row.review_type,
                "priority": row.priority,
                "flags": list(row.flags or []),
                "open": row.status in OPEN_STATUSES,
                "sender_name": row.sender_name,
                "subject": row.subject,
            }
            for row in rows
        ],
        total,
        page,
        pages,
    )


def offices(session: Session) -> list[str]:
    """The offices cases are assigned to, for the filter's choices."""
    return [
        office
        for office in session.scalars(select(Case.office).distinct().order_by(Case.office))
        if office
    ]


def open_cases_due_by(session: Session, last_day: date) -> list[dict[str, Any]]:
    """Open cases whose legal date is `last_day` or earlier, the oldest date first."""
    rows = session.execute(
        select(Case.radicado, Case.due_date, Case.type, Case.office, Case.priority)
        .where(Case.status.in_(OPEN_STATUSES), Case.due_date <= last_day)
        .order_by(Case.due_date, Case.year, Case.number)
    )
    return [dict(row._mapping) for row in rows]
