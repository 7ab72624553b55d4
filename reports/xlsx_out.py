"""The report as a spreadsheet formatted for publication (openpyxl): a "Resumen" sheet with
the entity, the quarter, when it was generated and every summary table; a "Detalle" sheet
with one row per request and an autofilter; an "Anuladas" sheet. Spanish labels, bold
headings with borders, frozen heading rows, number and date formats, set column widths.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ventanilla.reports.figures import QuarterReport
from ventanilla.reports.labels import (
    DETAIL_HEADINGS,
    channel_label,
    detail_values,
    local_time,
    quarter_label,
    summary_tables,
    type_label,
)

THIN = Side(style="thin", color="767676")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(bold=True)
HEADING_FILL = PatternFill("solid", fgColor="DCE6F1")
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm"
WHOLE = "#,##0"
DECIMAL = "#,##0.0"
# The detail table's column widths (characters), in DETAIL_HEADINGS order.
DETAIL_WIDTHS = (18, 34, 20, 40, 17, 13, 13, 13, 11, 11, 36, 13, 10, 10)
LEGAL_BASIS = "Ley 1712 de 2014, art. 11 lit. h; Decreto 1081 de 2015, art. 2.1.1.6.2"


def _heading_row(sheet: Worksheet, row: int, headings: Sequence[str]) -> None:
    for column, heading in enumerate(headings, start=1):
        cell = sheet.cell(row, column, heading)
        cell.font = BOLD
        cell.fill = HEADING_FILL
        cell.border = BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _format_for(value: object) -> str | None:
    if isinstance(value, datetime):
        return DATETIME
    if isinstance(value, date):
        return DATE
    if isinstance(value, float):
        return DECIMAL
    if isinstance(value, int) and not isinstance(value, bool):
        return WHOLE
    return None


def _data_row(sheet: Worksheet, row: int, values: Sequence[object]) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row, column, value)
        cell.border = BORDER
        number_format = _format_for(value)
        if number_format:
            cell.number_format = number_format


def _summary(sheet: Worksheet, report: QuarterReport) -> None:
    sheet.title = "Resumen"
    sheet.cell(1, 1, "Informe de PQRSDF").font = Font(bold=True, size=14)
    facts: list[tuple[str, object]] = [
        ("Entidad", report.entity),
        ("Trimestre", f"{report.quarter}: {quarter_label(report)}"),
        ("Generado (hora de Colombia)", local_time(report, report.generated_at)),
        ("Fecha de corte de las solicitudes en trámite", report.as_of),
        ("Base legal", LEGAL_BASIS),
    ]
    for row, (label, value) in enumerate(facts, start=2):
        sheet.cell(row, 1, label).font = BOLD
        cell = sheet.cell(row, 2, value)
        cell.number_format = _format_for(value) or "General"
        cell.alignment = Alignment(horizontal="left")
    # The title and the facts stay in view while the tables scroll under them.
    row = len(facts) + 3
    sheet.freeze_panes = sheet.cell(row, 1)
    for table in summary_tables(report):
        sheet.cell(row, 1, table.title).font = Font(bold=True, size=12)
        _heading_row(sheet, row + 1, (table.heading, table.unit))
        row += 2
        for label, value in table.rows:
            _data_row(sheet, row, (label, value))
            row += 1
        if not table.rows:
            _data_row(sheet, row, ("Ninguna en este trimestre", 0))
            row += 1
        row += 1
    sheet.column_dimensions["A"].width = 62
    sheet.column_dimensions["B"].width = 44


def _table_sheet(
    sheet: Worksheet,
    headings: Sequence[str],
    rows: Sequence[Sequence[object]],
    widths: Sequence[int],
) -> None:
    _heading_row(sheet, 1, headings)
    for row, values in enumerate(rows, start=2):
        _data_row(sheet, row, values)
    sheet.freeze_panes = "A2"
    last = get_column_letter(len(headings))
    sheet.auto_filter.ref = f"A1:{last}{max(len(rows) + 1, 2)}"
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def render(report: QuarterReport) -> bytes:
    workbook = Workbook()
    workbook.properties.title = f"Informe de PQRSDF {report.quarter}"
    workbook.properties.creator = report.entity
    _summary(workbook.active, report)
    _table_sheet(
        workbook.create_sheet("Detalle"),
        DETAIL_HEADINGS,
        [detail_values(report, row) for row in report.requests],
        DETAIL_WIDTHS,
    )
    _table_sheet(
        workbook.create_sheet("Anuladas"),
        ("Radicado", "Tipo", "Canal", "Fecha de recibo", "Motivo"),
        [
            (
                row.radicado,
                type_label(row.type),
                channel_label(row.channel),
                local_time(report, row.received_at),
                row.reason,
            )
            for row in report.annulled
        ],
        (18, 34, 20, 17, 60),
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
