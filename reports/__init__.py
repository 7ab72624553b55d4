"""The quarterly PQRSDF report (Ley 1712 de 2014 art. 11 h, Decreto 1081 de 2015).

`quarter_report` reads the quarter's cases from the store and computes the figures
(`figures.py`, pure); one module per output renders them (`json_out`, `csv_out`,
`xlsx_out`, `html_out`). `FORMATS` is what the CLI and the staff page offer. Nothing here
sends or publishes: callers write the bytes where they belong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from ventanilla.reports.figures import QuarterReport, compute
from ventanilla.reports.quarter import Quarter
from ventanilla.routing.terms import BusinessCalendar
from ventanilla.store.engine import Database
from ventanilla.store.report import cases_received


@dataclass(frozen=True)
class Format:
    name: str  # the --format slug and the file extension
    content_type: str
    text: bool  # printable on a terminal
    render: Callable[[QuarterReport], bytes]


def _json(report: QuarterReport) -> bytes:
    from ventanilla.reports import json_out

    return json_out.render(report).encode()


def _csv(report: QuarterReport) -> bytes:
    from ventanilla.reports import csv_out

    return csv_out.render_detail(report).encode()


def _html(report: QuarterReport) -> bytes:
    from ventanilla.reports import html_out

    return html_out.render_page(report).encode()


def _xlsx(report: QuarterReport) -> bytes:
    from ventanilla.reports import xlsx_out

    return xlsx_out.render(report)


# Renderers are imported when used: JSON to a script needs neither matplotlib nor openpyxl.
FORMATS: dict[str, Format] = {
    "json": Format("json", "application/json", True, _json),
    "csv": Format("csv", "text/csv; charset=utf-8", True, _csv),
    "xlsx": Format(
        "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False, _xlsx
    ),
    "html": Format("html", "text/html; charset=utf-8", True, _html),
}


def file_name(quarter: Quarter, extension: str, suffix: str = "") -> str:
    return f"pqrsdf-{quarter}{suffix}.{extension}"


def quarter_report(
    db: Database,
    calendar: BusinessCalendar,
    entity: str,
    quarter: Quarter,
    now: datetime | None = None,
) -> QuarterReport:
    """Read the quarter's cases (Bogotá boundaries) and compute its report as of `now`."""
    start, end = quarter.bounds(calendar.timezone)
    with db.read() as session:
        cases = cases_received(session, start, end)
    return compute(
        cases,
        quarter=quarter,
        calendar=calendar,
        entity=entity,
        generated_at=now or datetime.now(UTC),
    )
