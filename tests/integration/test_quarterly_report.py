"""The quarterly report over 2,000-odd cases filed through the store, on SQLite and
PostgreSQL: every figure and every output checked against what the test planned.

The expected figures are counted here in plain Python over the plan (tests/quarter_cases.py),
never by calling the report code.
"""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from bs4 import BeautifulSoup

from tests.quarter_cases import (
    BOGOTA,
    CALENDAR,
    TYPES,
    Planned,
    as_of_moment,
    load,
    plan_cases,
    term_of,
)
from ventanilla.reports import csv_out, html_out, json_out, quarter_report, xlsx_out
from ventanilla.reports.figures import QuarterReport
from ventanilla.reports.quarter import Quarter
from ventanilla.store.engine import Database

pytestmark = pytest.mark.integration

ENTITY = "Unidad del Servicio Público de Empleo"
CHANNEL_ORDER = ("email", "web", "telegram", "x", "sms", "whatsapp", "voice")
TYPE_ORDER = tuple(TYPES)


@pytest.fixture
def quarter(store_url: str, tmp_path: Path) -> Iterator[tuple[QuarterReport, list[Planned]]]:
    db = Database(store_url)
    db.upgrade()
    plans = plan_cases(2050, as_of=as_of_moment())
    load(db, plans, tmp_path / "attachments")
    report = quarter_report(db, CALENDAR, ENTITY, Quarter(2026, 1), now=as_of_moment())
    yield report, plans
    db.dispose()


def outcome(plan: Planned) -> str:
    if plan.answered_at:
        return "answered"
    return "forwarded" if plan.forwarded_at else "open"


def expected_row(plan: Planned) -> dict[str, Any]:
    cutoff = as_of_moment().astimezone(BOGOTA).date()
    kind = outcome(plan)
    if kind == "answered":
        days, within = plan.answer_days, plan.answer_days <= term_of(plan.type)
    elif kind == "forwarded":
        days, within = plan.forward_days, plan.forward_days <= 5
    else:
        days, within = None, cutoff <= plan.due_date
    return {
        "type": plan.type,
        "channel": plan.channel,
        "office": plan.office or "Sin dependencia asignada",
        "outcome": kind,
        "business_days": days,
        "within_term": within,
        "access_denied": plan.access_denied,
        "priority": bool(plan.flags),
        "forwarded_to": plan.forwarded_to if kind == "forwarded" else "",
        "due_date": plan.due_date,
    }


def bucket_of(days: int) -> str:
    if days <= 5:
        return "0-5"
    if days <= 10:
        return "6-10"
    if days <= 15:
        return "11-15"
    return "16-30" if days <= 30 else ">30"


def expected_figures(plans: list[Planned]) -> dict[str, Any]:
    counted = [p for p in plans if p.counted]
    rows = {p.radicado: expected_row(p) for p in counted}
    answered = [r for r in rows.values() if r["outcome"] == "answered"]
    forwarded = [r for r in rows.values() if r["outcome"] == "forwarded"]
    still_open = [r for r in rows.values() if r["outcome"] == "open"]
    days = [r["business_days"] for r in answered]
    by_type = Counter(p.type for p in counted)
    by_channel = Counter(p.channel for p in counted)
    return {
        "received": len(counted),
        "by_type": {t: by_type[t] for t in TYPE_ORDER},
        "by_channel": {c: by_channel[c] for c in CHANNEL_ORDER},
        "by_office": dict(Counter(r["office"] for r in rows.values())),
        "by_month": dict(Counter(f"{p.received_at.astimezone(BOGOTA):%Y-%m}" for p in counted)),
        "forwarded": len(forwarded),
        "forwarded_within_term": sum(r["within_term"] for r in forwarded),
        "forwarded_by_entity": dict(Counter(r["forwarded_to"] for r in forwarded)),
        "answered": len(answered),
        "answered_within_term": sum(r["within_term"] for r in answered),
        "answered_late": sum(not r["within_term"] for r in answered),
        "open": len(still_open),
        "open_within_term": sum(r["within_term"] for r in still_open),
        "open_overdue": sum(not r["within_term"] for r in still_open),
        "response_days_average": round(sum(days) / len(days), 2),
        "response_days_median": float(statistics.median(days)),
        "response_days_distribution": dict(Counter(bucket_of(d) for d in days)),
        "access_denied": sum(p.access_denied for p in counted),
        "access_denied_informacion": sum(
            p.access_denied for p in counted if p.type == "informacion"
        ),
        "informacion_requests": sum(p.type == "informacion" for p in counted),
        "analogous_groups": len({p.group for p in counted if p.group is not None}),
        "analogous_cases": sum(p.group is not None for p in counted),
        "priority": sum(bool(p.flags) for p in counted),
        "priority_by_flag": dict(Counter(f for p in counted for f in p.flags)),
        "annulled": sorted(p.radicado for p in plans if p.in_quarter and p.annul_reason),
        "rows": rows,
    }


def test_plan_covers_every_outcome_and_the_boundaries() -> None:
    plans = plan_cases(2050, as_of=as_of_moment())
    counted = [p for p in plans if p.counted]
    assert len(counted) >= 2000
    for plan in plans:  # not filed: the provider id stands in for the radicado
        plan.radicado = plan.provider_id
    figures = expected_figures(plans)
    assert figures["answered_late"] and figures["answered_within_term"]
    assert figures["open_within_term"] and figures["open_overdue"]
    assert figures["forwarded_within_term"] < figures["forwarded"]
    assert figures["access_denied_informacion"] < figures["access_denied"]
    assert figures["annulled"] and figures["analogous_groups"] == 3
    assert len(figures["response_days_distribution"]) == 5
    assert any(not p.in_quarter and p.group is not None for p in plans)
    assert sum(not p.in_quarter for p in plans) >= 40


def nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {key: count for key, count in counts.items() if count}


def test_every_figure_matches_the_plan(quarter: tuple[QuarterReport, list[Planned]]) -> None:
    report, plans = quarter
    expected = expected_figures(plans)
    assert report.entity == ENTITY and str(report.quarter) == "2026-Q1"
    assert report.as_of.isoformat() == "2026-04-20"
    for name, value in expected.items():
        if name in ("rows", "annulled"):
            continue
        got = getattr(report, name)
        if isinstance(value, dict):
            assert {k: v for k, v in got.items() if v} == {k: v for k, v in value.items() if v}, (
                name
            )
        else:
            assert got == value, name
    assert list(report.by_type) == list(TYPE_ORDER)  # stable keys, zeros included
    assert list(report.by_channel) == list(CHANNEL_ORDER)
    assert list(report.by_month) == ["2026-01", "2026-02", "2026-03"]
    assert list(report.response_days_distribution) == ["0-5", "6-10", "11-15", "16-30", ">30"]
    assert sorted(a.radicado for a in report.annulled) == expected["annulled"]
    assert {row.radicado for row in report.requests} == set(expected["rows"])
    for row in report.requests:
        want = expected["rows"][row.radicado]
        got = {key: getattr(row, key) for key in want}
        assert got == want, row.radicado
    # The boundary cases: 31 March 23:30 in, 1 April 00:10 out, 31 December 23:59:59 out.
    received = {row.received_at.astimezone(BOGOTA).isoformat() for row in report.requests}
    assert "2026-03-31T23:30:00-05:00" in received
    assert "2026-01-01T00:00:00-05:00" in received
    assert not any(stamp.startswith(("2026-04", "2025-12")) for stamp in received)


def summary_values(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    """Column B by the label in column A, the first time each label appears."""
    values: dict[str, Any] = {}
    for row in rows:
        if row and row[0] is not None:
            values.setdefault(str(row[0]), row[1])
    return values


def test_every_output_carries_the_figures(quarter: tuple[QuarterReport, list[Planned]]) -> None:
    report, plans = quarter
    expected = expected_figures(plans)
    total = expected["received"]

    # JSON round-trips, with the documented keys.
    data = json.loads(json_out.render(report))
    assert data == json.loads(json.dumps(json_out.as_dict(report)))
    assert data["quarter"] == "2026-Q1" and data["received"]["total"] == total
    assert data["received"]["by_type"] == expected["by_type"]
    assert data["received"]["by_channel"] == expected["by_channel"]
    assert data["answered"] == {
        "total": expected["answered"],
        "within_term": expected["answered_within_term"],
        "late": expected["answered_late"],
    }
    assert data["open"]["overdue"] == expected["open_overdue"]
    assert data["forwarded"]["by_entity"] == expected["forwarded_by_entity"]
    assert data["response_time"]["median_business_days"] == expected["response_days_median"]
    assert data["access_denied"]["informacion"] == expected["access_denied_informacion"]
    assert data["analogous_petitions"] == {
        "groups": expected["analogous_groups"],
        "cases": expected["analogous_cases"],
    }
    assert sorted(c["radicado"] for c in data["annulled"]["cases"]) == expected["annulled"]
    assert len(data["requests"]) == total
    for item in data["requests"]:
        want = expected["rows"][item["radicado"]]
        assert item["business_days"] == want["business_days"]
        assert item["within_term"] == want["within_term"]
        assert item["due_date"] == want["due_date"].isoformat()

    # CSV: one row per request, parsed with the csv module; the summary beside it.
    detail = list(csv.DictReader(io.StringIO(csv_out.render_detail(report))))
    assert len(detail) == total
    assert {row["Radicado"] for row in detail} == set(expected["rows"])
    for row in detail:
        want = expected["rows"][row["Radicado"]]
        days = "" if want["business_days"] is None else str(want["business_days"])
        assert row["Días hábiles"] == days
        assert row["Dentro del término"] == ("Sí" if want["within_term"] else "No")
        assert row["Acceso negado"] == ("Sí" if want["access_denied"] else "No")
    summary = list(csv.reader(io.StringIO(csv_out.render_summary(report))))
    concepts = {(row[0], row[1]): row[2] for row in summary[1:]}
    assert concepts[("Resumen del trimestre", "Solicitudes recibidas")] == str(total)
    forwarded = ("Resumen del trimestre", "Trasladadas a otra entidad por no ser competente")
    assert concepts[forwarded] == str(expected["forwarded"])

    # The spreadsheet opens with openpyxl and its cells hold the figures.
    book = openpyxl.load_workbook(io.BytesIO(xlsx_out.render(report)))
    assert book.sheetnames == ["Resumen", "Detalle", "Anuladas"]
    resumen = book["Resumen"]
    values = summary_values(list(resumen.iter_rows(values_only=True)))
    assert values["Entidad"] == ENTITY
    assert values["Solicitudes recibidas"] == total
    assert values["Respondidas fuera del término"] == expected["answered_late"]
    assert values["En trámite con el término vencido"] == expected["open_overdue"]
    assert values["Con acceso a la información negado"] == expected["access_denied"]
    assert values["Grupos de peticiones análogas"] == expected["analogous_groups"]
    assert values["Promedio de días hábiles"] == expected["response_days_average"]
    assert resumen.freeze_panes is not None
    detalle = book["Detalle"]
    assert detalle.max_row == total + 1 and detalle.freeze_panes == "A2"
    assert detalle.auto_filter.ref == f"A1:N{total + 1}"
    assert detalle["A1"].value == "Radicado" and detalle["A1"].font.bold
    assert detalle["E2"].number_format == "yyyy-mm-dd hh:mm"
    assert {detalle.cell(r, 1).value for r in range(2, total + 2)} == set(expected["rows"])
    assert book["Anuladas"].max_row == len(expected["annulled"]) + 1

    # The page: Spanish, charts with their text alternative, tables with captions.
    page = BeautifulSoup(html_out.render_page(report), "html.parser")
    assert page.html["lang"] == "es"
    images = page.find_all("img")
    assert len(images) == 5
    assert all(img["src"].startswith("data:image/png;base64,") and img["alt"] for img in images)
    assert any(f"Total: {total}" in img["alt"] for img in images)
    tables = page.find_all("table")
    assert all(table.caption and table.caption.get_text(strip=True) for table in tables)
    assert all(th.get("scope") in ("col", "row") for th in page.find_all("th"))
    general = tables[0]
    cells = {
        tr.th.get_text(strip=True): tr.td.get_text(strip=True)
        for tr in general.tbody.find_all("tr")
    }
    assert cells["Solicitudes recibidas"] == str(total)
    assert cells["Respondidas dentro del término"] == str(expected["answered_within_term"])
    detail_table = page.find(id="detalle").table
    assert len(detail_table.tbody.find_all("tr")) == total
