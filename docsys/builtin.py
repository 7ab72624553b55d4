"""The built-in radicado registry: gap-free per-year numbers in our own store.

Acuerdo 060 de 2001 (AGN): numbers are unique and strictly consecutive each year. The
counter row is locked and moved in the same transaction that inserts the case, so a
rollback returns the number and a retry of the same message finds its case instead of
taking another number.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ventanilla.docsys.registry import Filable, Filing
from ventanilla.errors import InputError, NotFound
from ventanilla.store import audit
from ventanilla.store.audit import audit_rows
from ventanilla.store.engine import dialect_insert
from ventanilla.store.pipeline import CASE_COLUMNS, CASES, CaseFacts
from ventanilla.store.schema import Case, Counter

COUNTERS = Counter.__table__


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

    def next_number(self, session: Session, year: int) -> int:
        """Move the year's counter and return the new value.

        The UPDATE takes the row lock that every other radication of the year queues
        behind until the caller commits; the lock is what makes the numbers gap-free.
        """
        bump = (
            update(COUNTERS)
            .where(COUNTERS.c.year == year)
            .values(value=COUNTERS.c.value + 1)
            .returning(COUNTERS.c.value)
        )
        number = session.execute(bump).scalar_one_or_none()
        if number is None:  # the year's first radicado: create the row, then move it
            insert_counter = dialect_insert(session)(COUNTERS).values(year=year, value=0)
            session.execute(insert_counter.on_conflict_do_nothing())
            number = session.execute(bump).scalar_one()
        return int(number)

    def radicate(self, session: Session, message: Filable, filing: Filing) -> CaseFacts:
        existing = session.execute(
            select(*CASE_COLUMNS).where(CASES.c.message_id == message.id)
        ).one_or_none()
        if existing is not None:
            return CaseFacts(**existing._mapping)
        year = filing.filed_at.astimezone(self.zone).year
        # From here to the caller's commit every radication of the year waits: keep it short.
        number = self.next_number(session, year)
        radicado = self.format_number(year, number)
        case_id = session.execute(
            insert(CASES).returning(CASES.c.id),
            {
                "radicado": radicado,
                "year": year,
                "number": number,
                "message_id": message.id,
                "filed_at": filing.filed_at,
                "received_at": message.received_at,
                "due_date": filing.due_date,
                "type": filing.type,
                "channel": message.channel,
                "status": "radicado",
                "office": filing.office,
                "review_type": filing.review_type,
                "annul_reason": "",
            },
        ).scalar_one()
        audit_rows(
            session,
            [
                {
                    "entity": "case",
                    "entity_id": case_id,
                    "action": "radicated",
                    "detail": {
                        "radicado": radicado,
                        "message_id": message.id,
                        "type": filing.type,
                        "due_date": filing.due_date.isoformat(),
                    },
                }
            ],
        )
        return CaseFacts(
            id=case_id,
            radicado=radicado,
            filed_at=filing.filed_at,
            due_date=filing.due_date,
            type=filing.type,
        )

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
