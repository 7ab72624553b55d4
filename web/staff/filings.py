"""Radicación en Orfeo, `/radicacion`: filings a person must decide.

- "Resultado incierto en Orfeo": the call was sent and its answer lost, and no lookup by
  reference is configured (`docsys.orfeo_lookup = "none"`). Nothing retries it on its
  own: a clerk searches Orfeo for the reference (Orfeo's "cuenta interna") and enters the
  number found, or confirms there is none, and then it is filed again.
- "Rechazada por Orfeo": Orfeo said why (its text is shown); once the cause is corrected
  (a setting, a user in Orfeo) the clerk files it again.

Both are audited with the clerk's name.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ventanilla.docsys.orfeo import NUMBER
from ventanilla.errors import InputError, NotFound
from ventanilla.logs import log
from ventanilla.store import filings
from ventanilla.store.staff import StaffUser
from ventanilla.web.auth import require_role
from ventanilla.web.staff.labels import label_set
from ventanilla.web.staff.pages import NAV, NavItem, form_fields, render, staff_app

router = APIRouter()
Agent = Annotated[StaffUser, Depends(require_role("agente"))]
NAV.insert(3, NavItem("/radicacion", "Radicación en Orfeo", ("agente",)))


@router.get("/radicacion", response_class=HTMLResponse)
async def to_decide(request: Request, user: Agent) -> Response:
    app = staff_app(request)

    def read() -> tuple[list[dict[str, Any]], int]:
        with app.db.read() as session:
            return filings.to_decide(session), filings.backlog(session)[0]

    items, waiting = await run_in_threadpool(read)
    done = request.query_params.get("hecho", "")
    return render(
        request,
        "filings",
        user,
        items=items,
        waiting=waiting,
        done=done if done in ("numero", "ninguno") else "",
        problem=request.query_params.get("problema", ""),
        labels=label_set(),
    )


@router.post("/radicacion/{case_id}/numero")
async def enter_number(request: Request, case_id: int, user: Agent) -> Response:
    """The number the clerk found in Orfeo under the reference: the case's radicado."""
    from ventanilla.workers.filing import send_annexes
    from ventanilla.workers.pipeline import deliver_claimed

    app = staff_app(request)
    number = (await form_fields(request)).get("numero", "").strip()
    if not NUMBER.match(number):
        return RedirectResponse("/radicacion?problema=numero", status_code=303)

    def record() -> None:
        with app.db.transaction() as session:
            released = filings.resolve_uncertain(session, case_id, number, actor=user.username)
        deliver_claimed(released)
        send_annexes(case_id)

    try:
        await run_in_threadpool(record)
    except (NotFound, InputError):
        return RedirectResponse("/radicacion?problema=decidido", status_code=303)
    log.info("filing_number_entered", case_id=case_id, user_id=user.id)
    return RedirectResponse("/radicacion?hecho=numero", status_code=303)


@router.post("/radicacion/{case_id}/ninguno")
async def none_in_orfeo(request: Request, case_id: int, user: Agent) -> Response:
    """Orfeo holds no radicado under the reference (or refused it): file it again now."""
    from ventanilla.workers.filing import enqueue

    app = staff_app(request)

    def refile() -> None:
        with app.db.transaction() as session:
            filings.resolve_uncertain(session, case_id, "", actor=user.username)

    try:
        await run_in_threadpool(refile)
    except (NotFound, InputError):
        return RedirectResponse("/radicacion?problema=decidido", status_code=303)
    try:
        await run_in_threadpool(enqueue, [case_id])
    except Exception:  # the reconciler sends it when the queue is back
        log.warning("enqueue_failed", case_id=case_id)
    log.info("filing_refiled", case_id=case_id, user_id=user.id)
    return RedirectResponse("/radicacion?hecho=ninguno", status_code=303)
