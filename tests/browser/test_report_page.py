"""The quarterly report page in Chromium: the quarter in progress, with its counts, its
charts (each with a text alternative) and the downloads, and nothing axe-core objects to."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import axe_violations
from ventanilla.reports.quarter import Quarter

pytestmark = pytest.mark.browser


def test_the_report_page_shows_the_quarter_with_charts_and_downloads(staff_page, site):
    # The quarter the page and the seeded cases are in: Bogotá's, not the machine's (UTC
    # runs five hours ahead on the night a quarter turns).
    quarter = Quarter.containing(datetime.now(ZoneInfo("America/Bogota")).date())
    staff_page.goto(f"{site.url}/informes?trimestre={quarter}")
    assert staff_page.locator("#trimestre").input_value() == str(quarter)
    assert "Informe de peticiones" in staff_page.locator("h1").inner_text()
    charts = staff_page.locator("img")
    assert charts.count() >= 1
    for index in range(charts.count()):
        assert charts.nth(index).get_attribute("alt")
    downloads = staff_page.locator("a[href^='/informes/pqrsdf-']")
    assert downloads.count() >= 4
    assert axe_violations(staff_page) == []
    # The top of a long page: the quarter, the downloads, the summary and the first chart.
    staff_page.screenshot(
        path=str(site.screenshots / "report-page.png"),
        full_page=True,
        clip={"x": 0, "y": 0, "width": 1280, "height": 1900},
    )
