"""The quarterly report's pure parts: quarters and their Bogotá boundaries, each request's
outcome and business days, the response-time buckets, annulled cases kept apart."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from ventanilla.reports.figures import bucket, compute, request_row
from ventanilla.reports.quarter import Quarter
from ventanilla.routing.terms import BusinessCalendar, OfficeHours
from ventanilla.store.report import ReportCase

BOGOTA = ZoneInfo("America/Bogota")
CALENDAR = BusinessCalendar(OfficeHours.parse("mon-fri 08:00-16:00"), "America/Bogota")


def bogota(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BOGOTA)


@pytest.mark.parametrize(
    ("text", "year", "number"),
    [("2026-Q1", 2026, 1), ("2025-Q4", 2025, 4), ("2026-q2", 2026, 2), (" 2027-Q3 ", 2027, 3)],
)
def test_quarter_parses_year_and_number(text: str, year: int, number: int) -> None:
    assert Quarter.parse(text) == Quarter(year, number)


@pytest.mark.parametrize(
    "text", ["2026-Q5", "2026-Q0", "2026Q1", "26-Q1", "2026-T1", "Q1-2026", ""]
)
def test_quarter_refuses_other_forms_naming_the_expected_one(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-QN"):
        Quarter.parse(text)


@pytest.mark.parametrize(
    ("quarter", "first", "last", "months"),
    [
        ("2026-Q1", "2026-01-01", "2026-03-31", (1, 2, 3)),
        ("2026-Q2", "2026-04-01", "2026-06-30", (4, 5, 6)),
        ("2026-Q3", "2026-07-01", "2026-09-30", (7, 8, 9)),
        ("2026-Q4", "2026-10-01", "2026-12-31", (10, 11, 12)),
        ("2028-Q1", "2028-01-01", "2028-03-31", (1, 2, 3)),
    ],
)
def test_quarter_days_and_months(quarter: str, first: str, last: str, months: tuple) -> None:
    parsed = Quarter.parse(quarter)
    assert parsed.first_day == date.fromisoformat(first)
    assert parsed.last_day == date.fromisoformat(last)
    assert parsed.months == months
    assert str(parsed) == quarter


def test_quarters_follow_each_other_across_years() -> None:
    assert Quarter(2026, 4).next() == Quarter(2027, 1)
    assert Quarter(2026, 1).previous() == Quarter(2025, 4)
    assert Quarter.containing(date(2026, 12, 2)) == Quarter(2026, 4)


@pytest.mark.parametrize(
    ("received", "quarter"),
    [
        (bogota(2026, 3, 31, 23, 30), "2026-Q1"),  # 04:30 UTC on 1 April, still Q1 in Bogotá
        (bogota(2026, 4, 1, 0, 10), "2026-Q2"),
        (bogota(2026, 1, 1, 0, 0), "2026-Q1"),  # the first instant belongs to the quarter
        (bogota(2025, 12, 31, 23, 59, 59), "2025-Q4"),  # already 2026 in UTC
        (bogota(2026, 6, 30, 23, 59, 59), "2026-Q2"),
        (bogota(2026, 7, 1, 0, 0), "2026-Q3"),  # the end is exclusive
    ],
)
def test_quarter_bounds_are_bogota_midnights(received: datetime, quarter: str) -> None:
    for candidate in ("2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"):
        start, end = Quarter.parse(candidate).bounds(BOGOTA)
        assert start.tzinfo is UTC and end.tzinfo is UTC
        assert (start <= received < end) == (candidate == quarter)


def test_quarter_bounds_in_utc_are_five_hours_after_bogota_midnight() -> None:
    start, end = Quarter(2026, 1).bounds(BOGOTA)
    assert start == datetime(2026, 1, 1, 5, 0, tzinfo=UTC)
    assert end == datetime(2026, 4, 1, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("days", "name"),
    [(0, "0-5"), (5, "0-5"), (6, "6-10"), (10, "6-10"), (11, "11-15"), (15, "11-15"),
     (16, "16-30"), (30, "16-30"), (31, ">30"), (200, ">30")],
)  # fmt: skip
def test_response_time_buckets(days: int, name: str) -> None:
    assert bucket(days) == name


# A peticion received Wednesday 4 March 2026 at 10:00: due 26 March (15 business days,
# San José on Monday 23 March skipped), forwarding due 11 March (5 business days).
BASE = ReportCase(
    radicado="20261000000012",
    year=2026,
    number=1,
    type="peticion",
    channel="email",
    office="Oficina Asesora Jurídica",
    status="radicado",
    received_at=bogota(2026, 3, 4, 10, 0),
    filed_at=bogota(2026, 3, 4, 10, 1),
    due_date=date(2026, 3, 26),
    answered_at=None,
    forwarded_to="",
    forwarded_at=None,
    competent_entity="",
    access_denied=False,
    group_id=None,
    priority=False,
    flags=[],
    annul_reason="",
)
AS_OF = date(2026, 3, 20)


@pytest.mark.parametrize(
    ("changes", "outcome", "days", "within"),
    [
        ({"answered_at": bogota(2026, 3, 4, 15, 0)}, "answered", 0, True),  # the same day
        ({"answered_at": bogota(2026, 3, 26, 23, 0)}, "answered", 15, True),  # due day, late hour
        ({"answered_at": bogota(2026, 3, 27, 8, 0)}, "answered", 16, False),  # a day late
        # 23:30 in Bogotá on the due date is 04:30 UTC the next day: still on time.
        ({"answered_at": datetime(2026, 3, 27, 4, 30, tzinfo=UTC)}, "answered", 15, True),
        ({"forwarded_at": bogota(2026, 3, 11, 9, 0), "forwarded_to": "SENA"}, "forwarded", 5, True),
        (
            {"forwarded_at": bogota(2026, 3, 12, 9, 0), "forwarded_to": "SENA"},
            "forwarded",
            6,
            False,
        ),
        ({}, "open", None, True),  # report date 20 March, due 26 March
        ({"due_date": date(2026, 3, 19)}, "open", None, False),  # overdue by the report date
        # Answered and partly forwarded: the answer is the outcome.
        (
            {"answered_at": bogota(2026, 3, 10, 9), "forwarded_at": bogota(2026, 3, 9, 9)},
            "answered",
            4,
            True,
        ),
    ],
)
def test_each_request_has_one_outcome_its_business_days_and_term(
    changes: dict, outcome: str, days: int | None, within: bool
) -> None:
    row = request_row(replace(BASE, **changes), CALENDAR, AS_OF)
    assert (row.outcome, row.business_days, row.within_term) == (outcome, days, within)


def test_after_hours_receipt_counts_days_from_the_next_business_day() -> None:
    # Friday 6 March 17:00 counts as received Monday 9 March; answered Tuesday 10: 1 day.
    case = replace(
        BASE,
        received_at=bogota(2026, 3, 6, 17, 0),
        due_date=date(2026, 3, 31),
        answered_at=bogota(2026, 3, 10, 11, 0),
    )
    assert request_row(case, CALENDAR, AS_OF).business_days == 1


def test_annulled_cases_are_listed_apart_and_not_counted() -> None:
    cases = [
        BASE,
        replace(BASE, radicado="20261000000022", number=2, type="informacion"),
        replace(BASE, radicado="20261000000032", number=3, status="anulado", annul_reason="error"),
    ]
    report = compute(
        cases,
        quarter=Quarter(2026, 1),
        calendar=CALENDAR,
        entity="Entidad",
        generated_at=bogota(2026, 3, 20, 12, 0),
    )
    assert report.received == 2
    assert [row.radicado for row in report.requests] == ["20261000000012", "20261000000022"]
    assert [(a.radicado, a.reason) for a in report.annulled] == [("20261000000032", "error")]
    assert report.by_type["peticion"] == 1 and report.by_type["informacion"] == 1
    assert report.by_month == {"2026-01": 0, "2026-02": 0, "2026-03": 2}
    assert report.response_days_average is None and report.response_days_median is None
    assert report.as_of == AS_OF


def test_the_page_names_the_time_zone_once() -> None:
    from ventanilla.reports.html_out import render_page

    report = compute(
        [BASE],
        quarter=Quarter(2026, 1),
        calendar=CALENDAR,
        entity="Entidad",
        generated_at=bogota(2026, 3, 20, 12, 0),
    )
    page = render_page(report)
    assert page.count("(hora de Colombia)") == 1


def test_a_chart_of_small_counts_has_no_fractional_ticks() -> None:
    from ventanilla.reports.charts import chart_figure
    from ventanilla.reports.labels import Table

    table = Table("by_type", "Por tipo", "Tipo", [("Petición", 1), ("Queja", 0)])
    horizontal = chart_figure(table, "horizontal").axes[0].get_xticks()
    vertical = chart_figure(table, "vertical").axes[0].get_yticks()
    assert len(horizontal) >= 2 and len(vertical) >= 2
    assert all(value == int(value) for value in [*horizontal, *vertical])
