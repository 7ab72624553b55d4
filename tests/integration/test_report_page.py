"""The staff report page `/informes` and its downloads, behind the dependency the web app
gives it (here a stand-in for the staff login), on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import openpyxl
import pytest
from bs4 import BeautifulSoup
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.testclient import TestClient

from tests.quarter_cases import as_of_moment, load, plan_cases
from ventanilla.reports.quarter import Quarter
from ventanilla.web.reports import report_routes

pytestmark = pytest.mark.integration


def staff_only(request: Request) -> None:
    if request.headers.get("x-test-staff") != "yes":
        raise HTTPException(status_code=401, detail="login required")


@pytest.fixture
def client(app_with, tmp_path):
    app = app_with()
    plans = plan_cases(120, seed=22, as_of=as_of_moment(), outside=6, groups=1)
    load(app.db, plans, tmp_path / "attachments")
    web = FastAPI()
    web.include_router(report_routes(app, dependencies=[Depends(staff_only)]))
    with TestClient(web, headers={"x-test-staff": "yes"}) as test_client:
        test_client.counted = sum(p.counted for p in plans)  # type: ignore[attr-defined]
        yield test_client


def test_page_and_downloads_need_the_dependency_the_app_gives(client):
    for path in ("/informes", "/informes?trimestre=2026-Q1", "/informes/pqrsdf-2026-Q1.json"):
        assert client.get(path, headers={"x-test-staff": "no"}).status_code == 401


def test_page_shows_the_quarter_with_selector_charts_and_download_links(client):
    response = client.get("/informes", params={"trimestre": "2026-Q1"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = BeautifulSoup(response.text, "html.parser")
    assert page.html["lang"] == "es"
    selected = page.find("select", id="trimestre").find("option", selected=True)
    assert selected["value"] == "2026-Q1"
    links = {a["href"] for a in page.select("a[download]")}
    assert links == {
        "/informes/pqrsdf-2026-Q1.json",
        "/informes/pqrsdf-2026-Q1.csv",
        "/informes/pqrsdf-2026-Q1-resumen.csv",
        "/informes/pqrsdf-2026-Q1.xlsx",
        "/informes/pqrsdf-2026-Q1.html",
    }
    assert all(img["alt"] for img in page.find_all("img")) and page.find_all("img")
    assert len(page.find(id="detalle").table.tbody.find_all("tr")) == client.counted


def test_page_without_a_quarter_shows_the_last_one_ended(client):
    page = BeautifulSoup(client.get("/informes").text, "html.parser")
    selected = page.find("select", id="trimestre").find("option", selected=True)
    assert selected["value"] == str(Quarter.containing(datetime.now(UTC).date()).previous())


DOWNLOADS = {
    "pqrsdf-2026-Q1.json": "application/json",
    "pqrsdf-2026-Q1.csv": "text/csv; charset=utf-8",
    "pqrsdf-2026-Q1-resumen.csv": "text/csv; charset=utf-8",
    "pqrsdf-2026-Q1.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pqrsdf-2026-Q1.html": "text/html; charset=utf-8",
}


def test_each_download_has_its_type_and_file_name(client):
    for name, content_type in DOWNLOADS.items():
        response = client.get(f"/informes/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"] == content_type
        assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
    data = client.get("/informes/pqrsdf-2026-Q1.json").json()
    assert data["received"]["total"] == client.counted
    book = openpyxl.load_workbook(io.BytesIO(client.get("/informes/pqrsdf-2026-Q1.xlsx").content))
    assert book["Detalle"].max_row == client.counted + 1
    detail = client.get("/informes/pqrsdf-2026-Q1.csv").text
    assert len(detail.splitlines()) == client.counted + 1


def test_bad_quarters_and_names_are_refused(client):
    assert client.get("/informes?trimestre=2026-T1").status_code == 422
    for name in ("pqrsdf-2026-Q5.csv", "pqrsdf-2026-Q1.pdf", "pqrsdf-2026-Q1-resumen.json"):
        assert client.get(f"/informes/{name}").status_code == 404, name
