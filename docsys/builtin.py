"""The built-in radicado registry: gap-free per-year numbers in our own store.

Acuerdo 060 de 2001 (AGN): numbers are unique and strictly consecutive each year. The
counter row is locked and moved in the same transaction that inserts the case, so a
rollback returns the number and a retry of the same message finds its case instead of
taking another number.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from ventanilla.docsys.registry import Filable, Filing, Pending, Reservation
from ventanilla.errors import InputError, NotFound
from ventanilla.store import audit
from ventanilla.store.audit import audit_rows
from ventanilla.store.engine import dialect_insert
from ventanilla.store.pipeline import CASE_COLUMNS, CASES, CaseFacts, provisional_radicado
from ventanilla.store.schema import Case, Counter

COUNTERS = Counter.__table__


class BuiltinRegistry:
    remote = False

    def __init__(self, *, number_format: str, office_code: str, kind_digit: str, timezone: str):
        self.number_format = number_format
        self.office_code = office_code
        self.kind_digit = kind_digit
        self.zone = ZoneInfo(timezone)

    def format_number(self, year: int, number: int) -> str:
        return self.number_format.format(
            year=year, office=self.office_code, number=number, kind=self.kind_digit
        )

    def next_numbers(self, session: Session, year: int, count: int = 1) -> range:
        """Move the year's counter by `count` and return the numbers taken.

        The UPDATE takes the row lock that every other radication of the year queues
        behind until the caller commits; the lock is what makes the numbers gap-free. A
        batch takes all its numbers in one statement, late in its transaction, so the
        lock is held for as short a time as possible.
        """
        bump = (
            update(COUNTERS)
            .where(COUNTERS.c.year == year)
            .values(value=COUNTERS.c.value + count)
            .returning(COUNTERS.c.value)
        )
        last = session.execute(bump).scalar_one_or_none()
        if last is None:  # the year's first radicado: create the row, then move it
            insert_counter = dialect_insert(session)(COUNTERS).values(year=year, value=0)
            session.execute(insert_counter.on_conflict_do_nothing())
            last = session.execute(bump).scalar_one()
        return range(int(last) - count + 1, int(last) + 1)

    def radicate(self, session: Session, message: Filable, filing: Filing) -> CaseFacts:
        return self.radicate_many(session, [(message, filing)])[0]

    def radicate_many(
        self, session: Session, items: Sequence[tuple[Filable, Filing]]
    ) -> list[CaseFacts]:
        return self.number(session, self.reserve(session, items))

    def reserve(self, session: Session, items: Sequence[tuple[Filable, Filing]]) -> Reservation:
        """Insert the cases of `items` without their numbers yet (no lock taken).

        A case's provisional radicado and number name its message, so they are unique
        and never look like a real number; `number` gives the real ones, last thing before
        the commit. Everything the caller writes in between (outbox rows, the dedupe index,
        petition groups) happens outside the year's counter lock: that lock serialises
        every radication of the year, and on PostgreSQL it was held for ten round trips.
        """
        if not items:
            return Reservation([], {})
        ids = [message.id for message, _ in items]
        found = {
            row.message_id: CaseFacts(
                **{k: v for k, v in row._mapping.items() if k != "message_id"}
            )
            for row in session.execute(
                select(*CASE_COLUMNS, CASES.c.message_id).where(CASES.c.message_id.in_(ids))
            )
        }
        new = [(m, f) for m, f in items if m.id not in found]
        rows = [
            {
                "radicado": provisional_radicado(message.id),
                "year": filing.filed_at.astimezone(self.zone).year,
                "number": -message.id,
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
                "flags": list(filing.flags),
                "priority": filing.priority,
                "competent_entity": filing.competent_entity,
                "forward_due": filing.forward_due,
                "faq_id": filing.faq_id,
                "status_token": secrets.token_urlsafe(12),
            }
            for message, filing in new
        ]
        pending: dict[int, Pending] = {}
        if rows:
            case_ids = session.scalars(
                insert(CASES).returning(CASES.c.id, sort_by_parameter_order=True), rows
            ).all()
            for case_id, row, (_, filing) in zip(case_ids, rows, new, strict=True):
                found[row["message_id"]] = CaseFacts(
                    id=case_id,
                    radicado=row["radicado"],
                    filed_at=row["filed_at"],
                    due_date=row["due_date"],
                    type=row["type"],
                    status_token=row["status_token"],
                )
                pending[case_id] = Pending(row["year"], row["message_id"], filing.reasons)
        return Reservation([found[message.id] for message, _ in items], pending)

    def number(self, session: Session, reservation: Reservation) -> list[CaseFacts]:
        """Give the reserved cases their numbers: the year's counter, then one UPDATE.

        From the counter's UPDATE to the caller's commit every radication of the year
        waits, so the caller calls this last and nothing but the audit follows it here.
        """
        final = {case.id: case for case in reservation.cases}
        by_year: dict[int, list[int]] = {}
        for case_id, pending in sorted(reservation.pending.items()):
            by_year.setdefault(pending.year, []).append(case_id)
        numbered: list[dict[str, Any]] = []
        for year, case_ids in sorted(by_year.items()):
            numbers = self.next_numbers(session, year, len(case_ids))
            numbered += [
                {
                    "b_id": case_id,
                    "b_number": number,
                    "b_radicado": self.format_number(year, number),
                }
                for number, case_id in zip(numbers, case_ids, strict=True)
            ]
        if not numbered:
            return reservation.cases
        session.execute(
            update(CASES)
            .where(CASES.c.id == bindparam("b_id"))
            .values(number=bindparam("b_number"), radicado=bindparam("b_radicado")),
            numbered,
        )
        for row in numbered:
            final[row["b_id"]] = replace(final[row["b_id"]], radicado=row["b_radicado"])
        audit_rows(session, [self._radicated(row, final, reservation) for row in numbered])
        return [final[case.id] for case in reservation.cases]

    @staticmethod
    def _radicated(
        row: dict[str, Any], final: dict[int, CaseFacts], reservation: Reservation
    ) -> dict[str, Any]:
        """The audit row of a case numbered by `number`."""
        case, pending = final[row["b_id"]], reservation.pending[row["b_id"]]
        detail = {
            "radicado": case.radicado,
            "message_id": pending.message_id,
            "type": case.type,
            "due_date": case.due_date.isoformat(),
        }
        return {
            "entity": "case",
            "entity_id": case.id,
            "action": "radicated",
            "detail": detail | ({"why": pending.reasons} if pending.reasons else {}),
        }

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
