"""One case, `/casos/{radicado}`: what arrived, how it was classified, what was sent, its
trail; and what staff do to it (correct, forward, annul, record the answer), each a POST
behind the CSRF token that redirects back with a note, or shows the errors by their field.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import nh3
from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from ventanilla.adapters.email_parsing import html_body
from ventanilla.errors import InputError, NotFound
from ventanilla.logs import log
from ventanilla.routing.explain import explain
from ventanilla.routing.terms import deadline_state
from ventanilla.routing.types import REQUEST_TYPES
from ventanilla.store import casework
from ventanilla.store.casefile import case_attachment, case_file, message_raw
from ventanilla.store.intake import blob_path
from ventanilla.store.staff import StaffUser
from ventanilla.web.auth import require_role
from ventanilla.web.staff.labels import label_set
from ventanilla.web.staff.pages import STAFF_HEADERS, form_fields, render, staff_app, today

router = APIRouter()
Agent = Annotated[StaffUser, Depends(require_role("agente"))]
DONE = {
    "corregido": "Guardamos la corrección. La fecha límite se calculó de nuevo.",
    "trasladado": "El caso quedó trasladado por competencia.",
    "anulado": "El caso quedó anulado. El número de radicado sigue registrado.",
    "respondido": "Registramos la respuesta.",
}


def email_html(raw: bytes) -> Markup | None:
    """The e-mail's HTML part, sanitized (no scripts, styles, forms, images or handlers)."""
    html = html_body(raw) if raw else ""
    if not html.strip():
        return None
    # Images go too: a remote one would tell the sender that staff opened the message.
    tags = set(nh3.ALLOWED_TAGS) - {"img"}
    return Markup(nh3.clean(html, tags=tags, url_schemes={"http", "https", "mailto"}))


def _page(
    request: Request,
    user: StaffUser,
    radicado: str,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    app = staff_app(request)

    def read() -> tuple[dict[str, Any], bytes]:
        with app.db.read() as session:
            found = case_file(session, radicado)
            raw = b""
            if found["message"]["channel"] == "email":
                raw = message_raw(session, found["message"]["id"])
            return found, raw

    try:
        found, raw = read()
    except NotFound:
        return render(
            request,
            "refused",
            user,
            status=404,
            title="No encontramos ese radicado",
            text=f"No hay ningún caso con el radicado {radicado}. Revise el número.",
        )
    case = found["case"]
    day = today(app)
    return render(
        request,
        "case",
        user,
        status=status,
        file=found,
        case=case,
        message=found["message"],
        reasons=explain(found["message"]["features"] or (), review=bool(case["review_type"])),
        html=email_html(raw),
        deadline=deadline_state(case["due_date"], day, open_case=case["status"] == "radicado"),
        done=DONE.get(request.query_params.get("hecho", ""), ""),
        errors=errors or {},
        values=values or {},
        types=REQUEST_TYPES,
        labels=label_set(),
    )


@router.get("/casos/{radicado}", response_class=HTMLResponse)
async def case_page(request: Request, radicado: str, user: Agent) -> Response:
    return await run_in_threadpool(_page, request, user, radicado)


async def _act(
    request: Request,
    user: StaffUser,
    radicado: str,
    done: str,
    change: Callable[[Session, dict[str, str]], None],
) -> Response:
    """Apply one change in a transaction; back to the case with a note, or its errors."""
    app = staff_app(request)
    fields = await form_fields(request)

    def write() -> None:
        with app.db.transaction() as session:
            change(session, fields)

    try:
        await run_in_threadpool(write)
    except NotFound:
        return await run_in_threadpool(_page, request, user, radicado)
    except InputError as error:
        errors = {error.field: error.message}
        return await run_in_threadpool(
            lambda: _page(request, user, radicado, status=422, errors=errors, values=fields)
        )
    log.info("case_changed_by_staff", radicado=radicado, action=done, user_id=user.id)
    return RedirectResponse(f"/casos/{radicado}?hecho={done}", status_code=303)


@router.post("/casos/{radicado}/corregir")
async def correct(request: Request, radicado: str, user: Agent) -> Response:
    calendar = staff_app(request).calendar

    def change(session: Session, fields: dict[str, str]) -> None:
        casework.correct_case(
            session,
            radicado,
            request_type=fields.get("type", ""),
            office=fields.get("office", ""),
            due_date_for=calendar.due_date,
            actor=user.username,
        )

    return await _act(request, user, radicado, "corregido", change)


@router.post("/casos/{radicado}/trasladar")
async def forward(request: Request, radicado: str, user: Agent) -> Response:
    def change(session: Session, fields: dict[str, str]) -> None:
        casework.mark_forwarded(
            session, radicado, fields.get("forwarded_to", ""), actor=user.username
        )

    return await _act(request, user, radicado, "trasladado", change)


@router.post("/casos/{radicado}/anular")
async def annul(request: Request, radicado: str, user: Agent) -> Response:
    registry = staff_app(request).registry

    def change(session: Session, fields: dict[str, str]) -> None:
        reason = " ".join(fields.get("reason", "").split())
        if not reason:
            raise InputError("reason", "Escriba por qué se anula el caso.")
        try:
            registry.annul(session, radicado, reason, user.username)
        except InputError:  # already annulled (a second tab, a colleague)
            raise InputError("reason", "Este caso ya estaba anulado.") from None

    return await _act(request, user, radicado, "anulado", change)


@router.post("/casos/{radicado}/respuesta")
async def answer(request: Request, radicado: str, user: Agent) -> Response:
    zone = ZoneInfo(staff_app(request).settings.office.timezone)

    def change(session: Session, fields: dict[str, str]) -> None:
        answered_at = answer_moment(fields.get("answered_on", ""), zone)
        casework.record_answer(
            session,
            radicado,
            answered_at,
            access_denied=fields.get("access_denied") == "1",
            actor=user.username,
        )

    return await _act(request, user, radicado, "respondido", change)


def answer_moment(text: str, zone: ZoneInfo) -> datetime:
    """The answer's moment from its date: now if it is today, else noon of that day."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            "answered_on", "Escriba la fecha como año-mes-día, por ejemplo 2026-03-31."
        ) from None
    now = datetime.now(zone)
    return now if day == now.date() else datetime.combine(day, time(12), zone)


@router.get("/casos/{radicado}/adjuntos/{attachment_id}")
async def attachment(request: Request, radicado: str, attachment_id: int, user: Agent) -> Response:
    """A file the citizen sent: always downloaded, never shown inline (it may be hostile)."""
    app = staff_app(request)

    def read() -> dict[str, Any]:
        with app.db.read() as session:
            return case_attachment(session, radicado, attachment_id)

    try:
        found = await run_in_threadpool(read)
    except NotFound:
        return Response("No existe ese adjunto.", status_code=404, headers=STAFF_HEADERS)
    path = blob_path(app.attachments_dir, found["sha256"])
    if not path.is_file():
        return Response("El archivo ya no está guardado.", status_code=404, headers=STAFF_HEADERS)
    log.info("attachment_downloaded", radicado=radicado, attachment_id=attachment_id)
    return FileResponse(
        path,
        media_type=found["content_type"] or "application/octet-stream",
        filename=found["filename"] or f"adjunto-{attachment_id}",
        content_disposition_type="attachment",
        headers=STAFF_HEADERS | {"Content-Security-Policy": "sandbox; default-src 'none'"},
    )
