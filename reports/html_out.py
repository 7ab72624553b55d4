"""The report as one standalone Spanish web page: headings, data tables with captions and
`scope` headers, and charts as PNG data URIs, each with a text alternative and its data
table beside it. Nothing is loaded from elsewhere, so the file can be published as is.

`render_page` is also the staff page (`web/reports.py`): given quarters and download links
it adds a quarter selector and the links on top.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ventanilla.reports.charts import charts
from ventanilla.reports.figures import QuarterReport
from ventanilla.reports.labels import (
    DETAIL_HEADINGS,
    Table,
    Value,
    as_text,
    channel_label,
    detail_values,
    local_time,
    quarter_label,
    summary_tables,
    type_label,
)
from ventanilla.templates import environment, spanish_date, spanish_datetime


def number(value: Value) -> str:
    """Whole numbers as they are, decimals with a comma (Colombian usage); none as a dash."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def _formatted(table: Table) -> dict[str, Any]:
    return {
        "key": table.key,
        "title": table.title,
        "heading": table.heading,
        "unit": table.unit,
        "rows": [(label, number(value)) for label, value in table.rows],
    }


def render_page(
    report: QuarterReport,
    *,
    quarters: Sequence[str] = (),
    downloads: Sequence[tuple[str, str]] = (),
) -> str:
    """The whole page; `quarters` fills the selector and `downloads` (label, href) the
    links, both left out of the published file."""
    tables = summary_tables(report)
    context: dict[str, Any] = {
        "entity": report.entity,
        "quarter": str(report.quarter),
        "period": quarter_label(report),
        "generated": spanish_datetime(report.generated_at, report.timezone),
        "as_of": spanish_date(report.as_of),
        "quarters": list(quarters),
        "downloads": list(downloads),
        "tables": [_formatted(table) for table in tables],
        "charts": {chart.key: chart for chart in charts(tables)},
        "headings": DETAIL_HEADINGS,
        "detail": [
            [as_text(value) for value in detail_values(report, row)] for row in report.requests
        ],
        "annulled": [
            [
                row.radicado,
                type_label(row.type),
                channel_label(row.channel),
                as_text(local_time(report, row.received_at)),
                row.reason,
            ]
            for row in report.annulled
        ],
    }
    return environment.get_template("web/report.html.j2").render(context)
