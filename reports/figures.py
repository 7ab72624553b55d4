"""The figures of the quarterly PQRSDF report, computed from the quarter's cases.

Pure: plain rows in (`store.report.ReportCase`), a `QuarterReport` out; no I/O, no
settings. What each figure means, and the law that asks for it, is in the README
("Quarterly report"). Every request received falls in exactly one outcome:

* `answered`: it has an answer; on time when the answer's local date is on or before the
  due date;
* `forwarded`: forwarded to the competent entity without an answer of ours (art. 21);
  on time when forwarded within 5 business days of receipt;
* `open`: neither yet; within term while the report date is on or before the due date.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ventanilla.message import CHANNELS
from ventanilla.reports.quarter import Quarter
from ventanilla.routing.terms import BusinessCalendar
from ventanilla.routing.types import REQUEST_TYPES
from ventanilla.store.report import ReportCase

# Response time in business days: upper bound of each bucket (None: no bound).
BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("0-5", 5),
    ("6-10", 10),
    ("11-15", 15),
    ("16-30", 30),
    (">30", None),
)
OUTCOMES = ("answered", "forwarded", "open")
NO_OFFICE = "Sin dependencia asignada"
NO_ENTITY = "Entidad no registrada"


@dataclass(frozen=True)
class RequestRow:
    """One line of the detail table Decreto 1081 de 2015 asks for (art. 2.1.1.6.2)."""

    radicado: str
    type: str
    channel: str
    office: str
    received_at: datetime
    due_date: date
    outcome: str  # answered, forwarded or open
    answered_on: date | None
    forwarded_on: date | None
    forwarded_to: str
    # Business days from the effective receipt day to the answer (or the forwarding).
    business_days: int | None
    # Answered or forwarded on time; for an open request, not overdue at the report date.
    within_term: bool
    access_denied: bool
    priority: bool
    group_id: int | None


@dataclass(frozen=True)
class AnnulledRow:
    radicado: str
    type: str
    channel: str
    received_at: datetime
    reason: str


@dataclass(frozen=True)
class QuarterReport:
    entity: str
    quarter: Quarter
    timezone: str
    generated_at: datetime
    as_of: date  # the local date "open within term" and "overdue" refer to
    received: int
    by_type: dict[str, int]
    by_channel: dict[str, int]
    by_office: dict[str, int]
    by_month: dict[str, int]  # "YYYY-MM": the quarter's three months, in order
    forwarded: int
    forwarded_within_term: int
    forwarded_by_entity: dict[str, int]
    answered: int
    answered_within_term: int
    answered_late: int
    open: int
    open_within_term: int
    open_overdue: int
    response_days_average: float | None  # over answered requests
    response_days_median: float | None
    response_days_distribution: dict[str, int]
    access_denied: int
    access_denied_informacion: int
    informacion_requests: int
    analogous_groups: int
    analogous_cases: int
    priority: int
    priority_by_flag: dict[str, int]
    requests: list[RequestRow]
    annulled: list[AnnulledRow]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def bucket(days: int) -> str:
    for name, upper in BUCKETS:
        if upper is None or days <= upper:
            return name
    raise AssertionError("the last bucket has no bound")


def _by_count(counter: Counter[str]) -> dict[str, int]:
    """Largest first, then by name: the order a reader scans a table in."""
    return dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


def _in_order(counter: Counter[str], order: Iterable[str]) -> dict[str, int]:
    """Every expected key (zeros included, so the keys are stable), then any other."""
    known = list(order)
    return {key: counter.get(key, 0) for key in known} | {
        key: value for key, value in sorted(counter.items()) if key not in known
    }


def request_row(case: ReportCase, calendar: BusinessCalendar, as_of: date) -> RequestRow:
    zone = calendar.timezone
    receipt_day = calendar.effective_receipt_day(case.received_at)
    answered_on = case.answered_at.astimezone(zone).date() if case.answered_at else None
    forwarded_on = case.forwarded_at.astimezone(zone).date() if case.forwarded_at else None
    if answered_on is not None:
        outcome, closed_on = "answered", answered_on
        within_term = answered_on <= case.due_date
    elif forwarded_on is not None:
        outcome, closed_on = "forwarded", forwarded_on
        within_term = forwarded_on <= calendar.forwarding_date(case.received_at)
    else:
        outcome, closed_on = "open", None
        within_term = as_of <= case.due_date
    days = None if closed_on is None else calendar.business_days_between(receipt_day, closed_on)
    return RequestRow(
        radicado=case.radicado,
        type=case.type,
        channel=case.channel,
        office=case.office or NO_OFFICE,
        received_at=case.received_at,
        due_date=case.due_date,
        outcome=outcome,
        answered_on=answered_on,
        forwarded_on=forwarded_on,
        forwarded_to=(case.forwarded_to or NO_ENTITY) if forwarded_on else case.forwarded_to,
        business_days=days,
        within_term=within_term,
        access_denied=case.access_denied,
        priority=case.priority,
        group_id=case.group_id,
    )


def compute(
    cases: Iterable[ReportCase],
    *,
    quarter: Quarter,
    calendar: BusinessCalendar,
    entity: str,
    generated_at: datetime,
) -> QuarterReport:
    """The report of `quarter` from its cases (those received in it, annulled included)."""
    zone = calendar.timezone
    as_of = generated_at.astimezone(zone).date()
    cases = list(cases)
    live = [case for case in cases if case.status != "anulado"]
    annulled = [
        AnnulledRow(c.radicado, c.type, c.channel, c.received_at, c.annul_reason)
        for c in cases
        if c.status == "anulado"
    ]
    rows = [request_row(case, calendar, as_of) for case in live]
    answered = [row for row in rows if row.outcome == "answered"]
    forwarded = [row for row in rows if row.outcome == "forwarded"]
    still_open = [row for row in rows if row.outcome == "open"]
    days = [row.business_days for row in answered if row.business_days is not None]
    months = [f"{quarter.year}-{month:02d}" for month in quarter.months]
    flags: Counter[str] = Counter(flag for case in live if case.priority for flag in case.flags)
    grouped = [case.group_id for case in live if case.group_id is not None]
    return QuarterReport(
        entity=entity,
        quarter=quarter,
        timezone=str(zone),
        generated_at=generated_at,
        as_of=as_of,
        received=len(rows),
        by_type=_in_order(Counter(row.type for row in rows), REQUEST_TYPES),
        by_channel=_in_order(Counter(row.channel for row in rows), CHANNELS),
        by_office=_by_count(Counter(row.office for row in rows)),
        by_month=_in_order(
            Counter(f"{row.received_at.astimezone(zone):%Y-%m}" for row in rows), months
        ),
        forwarded=len(forwarded),
        forwarded_within_term=sum(row.within_term for row in forwarded),
        forwarded_by_entity=_by_count(Counter(row.forwarded_to for row in forwarded)),
        answered=len(answered),
        answered_within_term=sum(row.within_term for row in answered),
        answered_late=sum(not row.within_term for row in answered),
        open=len(still_open),
        open_within_term=sum(row.within_term for row in still_open),
        open_overdue=sum(not row.within_term for row in still_open),
        response_days_average=round(statistics.fmean(days), 2) if days else None,
        response_days_median=float(statistics.median(days)) if days else None,
        response_days_distribution=_in_order(
            Counter(bucket(day) for day in days), (name for name, _ in BUCKETS)
        ),
        access_denied=sum(case.access_denied for case in live),
        access_denied_informacion=sum(
            case.access_denied for case in live if case.type == "informacion"
        ),
        informacion_requests=sum(case.type == "informacion" for case in live),
        analogous_groups=len(set(grouped)),
        analogous_cases=len(grouped),
        priority=sum(case.priority for case in live),
        priority_by_flag=_by_count(flags),
        requests=rows,
        annulled=annulled,
    )
