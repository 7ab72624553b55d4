"""`ventanilla report` as an operator runs it: each format to stdout, to a file and to a
folder, and the errors that name the option to fix."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

import openpyxl
import pytest

from tests.quarter_cases import as_of_moment, load, plan_cases
from ventanilla.store.engine import Database

pytestmark = pytest.mark.e2e


@pytest.fixture
def deployment(deployment_factory, tmp_path):
    url = f"sqlite:///{tmp_path / 'v.db'}"
    db = Database(url)
    db.upgrade()
    plans = plan_cases(90, seed=8, as_of=as_of_moment(), outside=6, groups=1)
    load(db, plans, tmp_path / "attachments")
    db.dispose()
    made = deployment_factory(url)
    made.counted = [p for p in plans if p.counted]
    return made


def test_report_writes_each_format_where_asked(deployment, tmp_path):
    counted = deployment.counted
    result = deployment.cli("report", "--quarter", "2026-Q1")  # JSON to stdout by default
    data = json.loads(result.stdout)
    assert data["quarter"] == "2026-Q1" and data["received"]["total"] == len(counted)
    by_type = Counter(p.type for p in counted)
    assert {k: v for k, v in data["received"]["by_type"].items() if v} == dict(by_type)
    assert "report: " in result.stderr  # progress goes to stderr, never into the data

    detail = deployment.cli("report", "--quarter", "2026-q1", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(detail)))
    assert sorted(row["Radicado"] for row in rows) == sorted(p.radicado for p in counted)

    page = tmp_path / "informe.html"
    deployment.cli("report", "--quarter", "2026-Q1", "--format", "html", "--out", str(page))
    text = page.read_text()
    assert text.startswith("<!DOCTYPE html>") and '<html lang="es">' in text
    assert text.count('<img src="data:image/png;base64,') == 5

    book = tmp_path / "informe.xlsx"
    deployment.cli("report", "--quarter", "2026-Q1", "--format", "xlsx", "--out", str(book))
    assert openpyxl.load_workbook(book)["Detalle"].max_row == len(counted) + 1

    folder = tmp_path / "informes"
    deployment.cli(
        "report", "--quarter", "2026-Q1", "--format", "csv,xlsx,html,json", "--out", str(folder)
    )
    assert sorted(path.name for path in folder.iterdir()) == [
        "pqrsdf-2026-Q1-resumen.csv",
        "pqrsdf-2026-Q1.csv",
        "pqrsdf-2026-Q1.html",
        "pqrsdf-2026-Q1.json",
        "pqrsdf-2026-Q1.xlsx",
    ]
    summary = list(csv.reader((folder / "pqrsdf-2026-Q1-resumen.csv").open()))
    assert ["Resumen del trimestre", "Solicitudes recibidas", str(len(counted))] in summary


ERRORS = [
    (["--quarter", "2026-Q5"], "--quarter", "YYYY-QN"),
    (["--quarter", "primer trimestre"], "--quarter", "2026-Q1"),
    (["--quarter", "2026-Q1", "--format", "xlsx"], "--out", "xlsx"),
    (["--quarter", "2026-Q1", "--format", "csv,json"], "--out", "DIRECTORY"),
    (["--quarter", "2026-Q1", "--format", "pdf"], "--format", "csv, xlsx, html"),
    (["--format", "json"], "--quarter", "Missing option"),
]


def test_report_errors_name_the_option_to_fix(deployment_factory, tmp_path):
    deployment = deployment_factory(f"sqlite:///{tmp_path / 'v.db'}")
    for args, named, hint in ERRORS:
        result = deployment.cli("report", *args, check=False)
        assert result.returncode == 2, args
        assert named in result.stderr and hint in result.stderr, result.stderr
        assert result.stdout == ""
    assert not (tmp_path / "v.db").exists()  # refused before the store is touched
