"""The staff report page, `/informes`: the quarterly PQRSDF report with a quarter selector
and a download of each format (`/informes/pqrsdf-YYYY-QN.<ext>`).

The router carries no authentication of its own: the web app mounts it with the staff
login as a dependency (`report_routes(app, dependencies=[Depends(staff_user)])`).
Handlers only translate HTTP into `ventanilla.reports` calls, off the event loop.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from fastapi import APIRouter, params
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from ventanilla.app import App
from ventanilla.reports import FORMATS, file_name, quarter_report
from ventanilla.reports.figures import QuarterReport
from ventanilla.reports.quarter import Quarter

SUMMARY_SUFFIX = "-resumen"
_FILE_RE = re.compile(
    rf"^pqrsdf-(?P<quarter>\d{{4}}-Q[1-4])(?P<summary>{SUMMARY_SUFFIX})?\.(?P<ext>[a-z]+)$"
)
# The staff see the quarter in progress and the two years before it.
QUARTERS_LISTED = 9
NO_STORE = {"Cache-Control": "no-store"}
DOWNLOAD_LABELS = {
    "json": "los datos en JSON",
    "csv": "el detalle en CSV",
    "xlsx": "la hoja de cálculo (XLSX)",
    "html": "la página para publicar (HTML)",
}


def listed_quarters(today: datetime) -> list[Quarter]:
    """Newest first: the current quarter and the ones before it."""
    quarters = [Quarter.containing(today.date())]
    while len(quarters) < QUARTERS_LISTED:
        quarters.append(quarters[-1].previous())
    return quarters


def requested_file(name: str) -> tuple[Quarter, str, bool] | None:
    """`pqrsdf-2026-Q1.xlsx` -> (2026-Q1, "xlsx", False); the summary CSV says True."""
    match = _FILE_RE.match(name)
    if match is None or match["ext"] not in FORMATS:
        return None
    summary = bool(match["summary"])
    if summary and match["ext"] != "csv":
        return None
    return Quarter.parse(match["quarter"]), match["ext"], summary


def report_routes(app: App, dependencies: Sequence[params.Depends] = ()) -> APIRouter:
    """`GET /informes[?trimestre=YYYY-QN]` and `GET /informes/pqrsdf-YYYY-QN.<ext>`."""
    router = APIRouter(prefix="/informes", dependencies=list(dependencies))
    settings = app.settings

    def build(quarter: Quarter) -> QuarterReport:
        return quarter_report(app.db, app.calendar, settings.entity.name, quarter)

    def page(quarter: Quarter, today: datetime) -> str:
        from ventanilla.reports.html_out import render_page

        links = [(DOWNLOAD_LABELS[name], file_name(quarter, name)) for name in FORMATS]
        links.insert(2, ("el resumen en CSV", file_name(quarter, "csv", SUMMARY_SUFFIX)))
        return render_page(
            build(quarter),
            quarters=[str(q) for q in listed_quarters(today)],
            downloads=[(label, f"/informes/{href}") for label, href in links],
        )

    @router.get("", response_class=HTMLResponse)
    async def report_page(trimestre: str | None = None) -> HTMLResponse:
        today = datetime.now(UTC).astimezone(app.calendar.timezone)
        if trimestre is None:
            # The last quarter that has ended: the one due for publication.
            quarter = Quarter.containing(today.date()).previous()
        else:
            try:
                quarter = Quarter.parse(trimestre)
            except ValueError:
                return HTMLResponse(
                    "<!DOCTYPE html><html lang='es'><title>Trimestre no válido</title>"
                    "<p>Trimestre no válido. Escríbalo como AAAA-QN, por ejemplo 2026-Q1.</p>"
                    "<p><a href='/informes'>Volver al informe</a></p></html>",
                    status_code=422,
                )
        body = await run_in_threadpool(page, quarter, today)
        return HTMLResponse(body, headers=NO_STORE)

    @router.get("/{name}")
    async def download(name: str) -> Response:
        wanted = requested_file(name)
        if wanted is None:
            return Response("No existe ese informe.", status_code=404, media_type="text/plain")
        quarter, extension, summary = wanted
        chosen = FORMATS[extension]

        def render() -> bytes:
            report = build(quarter)
            if summary:
                from ventanilla.reports.csv_out import render_summary

                return render_summary(report).encode()
            return chosen.render(report)

        data = await run_in_threadpool(render)
        return Response(
            data,
            media_type=chosen.content_type,
            headers={"Content-Disposition": f'attachment; filename="{name}"', **NO_STORE},
        )

    return router
