"""The review list, `/revision`: messages the text model doubted were requests.

Nothing here is decided automatically: a clerk reads each one and either files it as a
case ("Radicar", with the type they choose; the legal term counts from when it arrived) or
confirms it is not a request ("No es una solicitud"). Both are audited with their name.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ventanilla.errors import InputError, NotFound
from ventanilla.logs import log
from ventanilla.routing.explain import explain
from ventanilla.routing.types import REQUEST_TYPES, TYPE_LABELS
from ventanilla.store import review
from ventanilla.store.staff import StaffUser
from ventanilla.web.auth import require_role
from ventanilla.web.staff.labels import label_set
from ventanilla.web.staff.pages import render, staff_app, start_after_commit

router = APIRouter()
Agent = Annotated[StaffUser, Depends(require_role("agente"))]


@router.get("/revision", response_class=HTMLResponse)
async def waiting(request: Request, user: Agent) -> Response:
    app = staff_app(request)

    def read() -> list[dict[str, Any]]:
        with app.db.read() as session:
            waiting = review.waiting_messages(session)
        for item in waiting:  # what made the classifier doubt, in words a clerk reads
            item["why"] = explain(item["features"] or ())
        return waiting

    done = request.query_params.get("hecho", "")
    decided = request.query_params.get("mensaje", "")
    decided = decided if decided.isdigit() else ""
    return render(
        request,
        "review",
        user,
        messages=await run_in_threadpool(read),
        request_types=[(slug, TYPE_LABELS[slug]) for slug in REQUEST_TYPES],
        filed=decided if done == "radicar" else "",
        dismissed=decided if done == "descartar" else "",
        problem=request.query_params.get("problema", "") == "1",
        labels=label_set(),
    )


@router.post("/revision/{message_id}/radicar")
async def file_as_case(request: Request, message_id: int, user: Agent) -> Response:
    app = staff_app(request)
    request_type = str((await request.form()).get("tipo") or "peticion")

    def move() -> None:
        with app.db.transaction() as session:
            review.file_as_case(session, message_id, request_type, actor=user.username)

    try:
        await run_in_threadpool(move)
    except (NotFound, InputError):  # decided meanwhile (another tab, a colleague)
        return RedirectResponse("/revision?problema=1", status_code=303)
    await start_after_commit(message_id)
    log.info("review_filed", message_id=message_id, user_id=user.id)
    return RedirectResponse(f"/revision?hecho=radicar&mensaje={message_id}", status_code=303)


@router.post("/revision/{message_id}/descartar")
async def dismiss(request: Request, message_id: int, user: Agent) -> Response:
    app = staff_app(request)

    def move() -> None:
        with app.db.transaction() as session:
            review.dismiss(session, message_id, actor=user.username)

    try:
        await run_in_threadpool(move)
    except (NotFound, InputError):
        return RedirectResponse("/revision?problema=1", status_code=303)
    log.info("review_dismissed", message_id=message_id, user_id=user.id)
    return RedirectResponse(f"/revision?hecho=descartar&mensaje={message_id}", status_code=303)
