"""The case list `/casos`: filters, search, legal dates first, pages."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ventanilla.errors import InputError, NotFound
from ventanilla.logs import log
from ventanilla.message import CHANNELS
from ventanilla.routing.terms import deadline_state
from ventanilla.routing.types import REQUEST_TYPES
from ventanilla.store.filings import backlog as filing_backlog
from ventanilla.store.staff import StaffUser
from ventanilla.store.worklist import CASE_STATUSES, CaseFilter, find_cases, offices
from ventanilla.web.auth import require_role
from ventanilla.web.staff.labels import label_set
from ventanilla.web.staff.pages import render, staff_app, today

router = APIRouter()
Agent = Annotated[StaffUser, Depends(require_role("agente"))]
FILTER_FIELDS = ("tipo", "canal", "dependencia", "estado", "vence_desde", "vence_hasta", "q")


def read_filters(params: dict[str, str]) -> tuple[CaseFilter, dict[str, str]]:
    """The list's filters from the query string, and a message per field that is wrong."""
    errors: dict[str, str] = {}
    dates: dict[str, date | None] = {}
    for field in ("vence_desde", "vence_hasta"):
        value = params.get(field, "").strip()
        try:
            dates[field] = date.fromisoformat(value) if value else None
        except ValueError:
            errors[field] = "Escriba la fecha como año-mes-día, por ejemplo 2026-03-31."
            dates[field] = None
    start, end = dates["vence_desde"], dates["vence_hasta"]
    if start and end and start > end:
        errors["vence_hasta"] = "Esta fecha debe ser igual o posterior a la fecha inicial."
    choice = {
        "tipo": REQUEST_TYPES,
        "canal": CHANNELS,
        "estado": CASE_STATUSES,
    }
    picked = {k: params.get(k, "") if params.get(k, "") in v else "" for k, v in choice.items()}
    filters = CaseFilter(
        type=picked["tipo"],
        channel=picked["canal"],
        office=params.get("dependencia", "").strip(),
        status=picked["estado"],
        due_from=start,
        due_to=end if "vence_hasta" not in errors else None,
        review_type=params.get("revisar") == "1",
        search=params.get("q", "").strip()[:200],
    )
    return filters, errors


@router.get("/casos", response_class=HTMLResponse)
async def case_list(request: Request, user: Agent) -> Any:
    app = staff_app(request)
    params = dict(request.query_params)
    filters, errors = read_filters(params)
    try:
        page = int(params.get("pagina", "1"))
    except ValueError:
        page = 1
    day = today(app)

    def read() -> tuple[Any, list[str], tuple[int, Any]]:
        with app.db.read() as session:
            found = find_cases(
                session, filters, today=day, page=page, page_size=app.settings.staff.page_size
            )
            return found, offices(session), filing_backlog(session)

    found, known_offices, (filing_waiting, filing_oldest) = await run_in_threadpool(read)
    for row in found.rows:
        row["deadline"] = deadline_state(row["due_date"], day, open_case=row["open"])
    kept = {k: params[k] for k in (*FILTER_FIELDS, "revisar") if params.get(k)}

    def page_link(number: int) -> str:
        return "/casos?" + urlencode(kept | {"pagina": str(number)})

    return render(
        request,
        "cases",
        user,
        found=found,
        values=params,
        errors=errors,
        types=REQUEST_TYPES,
        channels=CHANNELS,
        statuses=CASE_STATUSES,
        offices=known_offices,
        page_link=page_link,
        filtered=bool(kept),
        labels=label_set(),
        annulled=params.get("anulados", "") if params.get("anulados", "").isdigit() else "",
        skipped=params.get("omitidos", "") if params.get("omitidos", "").isdigit() else "",
        bulk_error=BULK_ERRORS.get(params.get("problema", ""), ""),
        filing_waiting=filing_waiting,
        filing_oldest=filing_oldest,
    )


BULK_ERRORS = {
    "motivo": "Escriba el motivo de la anulación: queda registrado con cada número.",
    "ninguno": "Elija al menos un caso para anular.",
}


@router.post("/casos/anular")
async def annul_many(request: Request, user: Agent) -> Response:
    """Annul the chosen cases with one reason, each audited with the staff member."""
    app = staff_app(request)
    form = await request.form()
    radicados = [str(value) for value in form.getlist("radicado") if isinstance(value, str)]
    reason = " ".join(str(form.get("reason") or "").split())
    if not radicados:
        return RedirectResponse("/casos?problema=ninguno", status_code=303)
    if not reason:
        return RedirectResponse("/casos?problema=motivo", status_code=303)

    def write() -> tuple[int, int]:
        annulled = skipped = 0
        with app.db.transaction() as session:
            for radicado in dict.fromkeys(radicados):
                try:
                    app.registry.annul(session, radicado, reason, user.username)
                    annulled += 1
                except (InputError, NotFound):  # annulled meanwhile, or not a radicado
                    skipped += 1
        return annulled, skipped

    annulled, skipped = await run_in_threadpool(write)
    log.info("cases_annulled_in_bulk", cases=annulled, skipped=skipped, user_id=user.id)
    return RedirectResponse(f"/casos?anulados={annulled}&omitidos={skipped}", status_code=303)
