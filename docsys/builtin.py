"""The built-in radicado registry: gap-free per-year numbers in our own store.

Acuerdo 060 de 2001 (AGN): numbers are unique and strictly consecutive each year. The
counter row is locked and moved in the same transaction that inserts the case, so a
rollback returns the number and a retry of the same message finds its case instead of
taking another number.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
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
        if not items:
            return []
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
        by_year: dict[int, list[tuple[Filable, Filing]]] = {}
        for message, filing in new:
            by_year.setdefault(filing.filed_at.astimezone(self.zone).year, []).append(
                (message, filing)
            )
        for year, group in sorted(by_year.items()):
            # From here to the caller's commit every radication of the year waits.
            numbers = self.next_numbers(session, year, len(group))
            rows = [
                {
                    "radicado": self.format_number(year, number),
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
                    "flags": list(filing.flags),
                    "priority": filing.priority,
                    "competent_entity": filing.competent_entity,
                    "forward_due": filing.forward_due,
                    "faq_id": filing.faq_id,
                    "status_token": secrets.token_urlsafe(12),
                }
                for number, (message, filing) in zip(numbers, group, strict=True)
            ]
            reasons = [filing.reasons for _, filing in group]
            case_ids = session.scalars(
                insert(CASES).returning(CASES.c.id, sort_by_parameter_order=True), rows
            ).all()
            audit_rows(
                session,
                [
                    {
                        "entity": "case",
                        "entity_id": case_id,
                        "action": "radicated",
                        "detail": {
                            "radicado": row["radicado"],
                            "message_id": row["message_id"],
                            "type": row["type"],
                            "due_date": row["due_date"].isoformat(),
                        }
                        | ({"why": why} if why else {}),
                    }
                    for case_id, row, why in zip(case_ids, rows, reasons, strict=True)
                ],
            )
            for case_id, row in zip(case_ids, rows, strict=True):
                found[row["message_id"]] = CaseFacts(
                    id=case_id,
                    radicado=row["radicado"],
                    filed_at=row["filed_at"],
                    due_date=row["due_date"],
                    type=row["type"],
                    status_token=row["status_token"],
                )
        return [found[message.id] for message, _ in items]

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
