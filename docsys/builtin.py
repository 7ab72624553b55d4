"""The built-in radicado registry: gap-free per-year numbers in our own store.

Acuerdo 060 de 2001 (AGN): numbers are unique and strictly consecutive each year. The
counter row is locked and moved in the same transaction that inserts the case, so a
rollback returns the number and a retry of the same message finds its case instead of
taking another number.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ventanilla.docsys.registry import Filing
from ventanilla.errors import InputError, NotFound
from ventanilla.store import audit
from ventanilla.store.engine import dialect_insert
from ventanilla.store.schema import Case, Counter, Message


class BuiltinRegistry:
    def __init__(self, *, number_format: str, office_code: str, kind_digit: str, timezone: str):
        self.number_format = number_format
        self.office_code = office_code
        self.kind_digit = kind_digit
        self.zone = ZoneInfo(timezone)

    def format_number(self, year: int, number: int) -> str:
        return self.number_format.format(
            year=year, office=self.office_code, number=number, kind=self.kind_digit
        )

    def lock_year(self, session: Session, year: int) -> None:
        """Take the year's counter lock; every radication of that year queues behind it."""
        insert = dialect_insert(session)
        session.execute(insert(Counter).values(year=year, value=0).on_conflict_do_nothing())
        session.execute(select(Counter.value).where(Counter.year == year).with_for_update())

    def radicate(self, session: Session, message: Message, filing: Filing) -> Case:
        existing = session.scalar(select(Case).where(Case.message_id == message.id))
        if existing is not None:
            return existing
        year = filing.filed_at.astimezone(self.zone).year
        self.lock_year(session, year)
        number = session.execute(
            update(Counter)
            .where(Counter.year == year)
            .values(value=Counter.value + 1)
            .returning(Counter.value)
        ).scalar_one()
        case = Case(
            radicado=self.format_number(year, number),
            year=year,
            number=number,
            message_id=message.id,
            filed_at=filing.filed_at,
            received_at=message.received_at,
            due_date=filing.due_date,
            type=filing.type,
            channel=message.channel,
            office=filing.office,
            review_type=filing.review_type,
        )
        session.add(case)
        session.flush()
        audit.record(
            session,
            "case",
            case.id,
            "radicated",
            radicado=case.radicado,
            message_id=message.id,
            type=case.type,
            due_date=case.due_date.isoformat(),
        )
        return case

    def annul(self, session: Session, radicado: str, reason: str, actor: str) -> Case:
        if not reason.strip():
            raise InputError("reason", "an annulment needs a reason")
        case = session.scalar(select(Case).where(Case.radicado == radicado).with_for_update())
        if case is None:
            raise NotFound(f"radicado {radicado} does not exist")
        if case.status == "anulado":
            raise InputError("radicado", f"{radicado} is already annulled")
        case.status = "anulado"
        case.annul_reason = reason.strip()
        audit.record(session, "case", case.id, "annulled", actor=actor, reason=case.annul_reason)
        return case
