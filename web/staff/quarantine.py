"""Dead letters, `/cuarentena`: every quarantined message and its reason, and "Reintentar",
which puts one back at the start of the pipeline and enqueues it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ventanilla.errors import InputError, NotFound
from ventanilla.logs import log
from ventanilla.store import quarantine
from ventanilla.store.staff import StaffUser
from ventanilla.web.auth import require_role
from ventanilla.web.staff.labels import label_set
from ventanilla.web.staff.pages import render, staff_app, start_after_commit

router = APIRouter()
Agent = Annotated[StaffUser, Depends(require_role("agente"))]


@router.get("/cuarentena", response_class=HTMLResponse)
async def quarantined(request: Request, user: Agent) -> Response:
    app = staff_app(request)

    def read() -> list[dict[str, Any]]:
        with app.db.read() as session:
            return quarantine.quarantined_messages(session)

    retried = request.query_params.get("reintentado", "")
    return render(
        request,
        "quarantine",
        user,
        messages=await run_in_threadpool(read),
        retried=retried if retried.isdigit() else "",
        problem=request.query_params.get("problema", "") == "1",
        labels=label_set(),
    )


@router.post("/cuarentena/{message_id}/reintentar")
async def retry(request: Request, message_id: int, user: Agent) -> Response:
    app = staff_app(request)

    def release() -> None:
        with app.db.transaction() as session:
            quarantine.release(session, message_id, actor=user.username)

    try:
        await run_in_threadpool(release)
    except (NotFound, InputError):  # retried meanwhile (another tab, a colleague)
        return RedirectResponse("/cuarentena?problema=1", status_code=303)
    await start_after_commit(message_id)
    log.info("message_retried", message_id=message_id, user_id=user.id)
    return RedirectResponse(f"/cuarentena?reintentado={message_id}", status_code=303)
