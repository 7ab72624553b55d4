"""The report as CSV (UTF-8, comma-separated, Spanish headings): the detail table with one
row per request, and a summary of every figure in three columns (table, concept, value)."""

from __future__ import annotations

import csv
import io

from ventanilla.reports.figures import QuarterReport
from ventanilla.reports.labels import DETAIL_HEADINGS, as_text, detail_values, summary_tables


def render_detail(report: QuarterReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(DETAIL_HEADINGS)
    for row in report.requests:
        writer.writerow([as_text(value) for value in detail_values(report, row)])
    return out.getvalue()


def render_summary(report: QuarterReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("Tabla", "Concepto", "Valor"))
    writer.writerow(("Informe", "Entidad", report.entity))
    writer.writerow(("Informe", "Trimestre", str(report.quarter)))
    writer.writerow(("Informe", "Fecha de corte", report.as_of.isoformat()))
    for table in summary_tables(report):
        for concept, value in table.rows:
            writer.writerow((table.title, concept, as_text(value)))
    return out.getvalue()
