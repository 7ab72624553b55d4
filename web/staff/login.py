"""Logging in (`/ingresar`), out (`POST /salir`), and the landing page (`/inicio`)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from ventanilla.logs import log
from ventanilla.web import auth
from ventanilla.web.staff.pages import form_fields, home_path, render, staff_app

router = APIRouter()
WRONG = "El usuario o la contraseña no son correctos."


def _login_page(
    request: Request,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    username: str = "",
    next_path: str = "",
    message: str = "",
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    token = auth.login_form_token(request)
    page = render(
        request,
        "login",
        None,
        status=status,
        errors=errors or {},
        username=username,
        next=next_path,
        message=message,
        login_token=token,
    )
    page.headers.update(headers or {})
    auth.set_login_cookie(page, staff_app(request), token)
    return page


@router.get("/ingresar", response_class=HTMLResponse)
async def login_form(request: Request, siguiente: str = "", cerrada: str = "") -> HTMLResponse:
    return _login_page(
        request,
        next_path=auth.safe_next(siguiente) if siguiente else "",
        message="Su sesión terminó." if cerrada else "",
    )


@router.post("/ingresar")
async def login(request: Request) -> Response:
    app = staff_app(request)
    fields = await form_fields(request)
    username, password = fields.get("username", "").strip(), fields.get("password", "")
    next_path = fields.get("siguiente", "")
    if not auth.login_form_valid(request, fields.get("csrf_token", "")):
        return _login_page(
            request,
            status=403,
            username=username,
            next_path=next_path,
            message="La página de ingreso venció. Escriba de nuevo su usuario y contraseña.",
        )
    errors = {}
    if not username:
        errors["username"] = "Escriba su usuario."
    if not password:
        errors["password"] = "Escriba su contraseña."
    if errors:
        return _login_page(
            request, status=422, errors=errors, username=username, next_path=next_path
        )
    outcome = await run_in_threadpool(
        auth.log_in, app, username, password, auth.client_address(request)
    )
    if outcome.locked_until is not None:
        log.warning("staff_login_locked_out")
        zone = ZoneInfo(app.settings.office.timezone)
        until = outcome.locked_until.astimezone(zone)
        seconds = max(1, int((outcome.locked_until - datetime.now(zone)).total_seconds()) + 1)
        return _login_page(
            request,
            status=429,
            username=username,
            next_path=next_path,
            message=(
                "Hubo demasiados intentos fallidos. Por seguridad, espere e intente de nuevo "
                f"después de las {until:%H:%M} (hora de Colombia)."
            ),
            headers={"Retry-After": str(seconds)},
        )
    if not outcome.token:
        log.info("staff_login_failed")
        return _login_page(
            request,
            status=401,
            errors={"password": WRONG},
            username=username,
            next_path=next_path,
        )
    response = RedirectResponse(auth.safe_next(next_path), status_code=303)
    auth.set_session_cookie(response, app, outcome.token)
    response.delete_cookie(auth.LOGIN_COOKIE)
    return response


@router.post("/salir")
async def logout(request: Request, user: auth.AnyStaff) -> Response:
    app = staff_app(request)
    await run_in_threadpool(auth.log_out, app, request.cookies.get(auth.SESSION_COOKIE))
    log.info("staff_logged_out", user_id=user.id)
    response = RedirectResponse("/ingresar?cerrada=1", status_code=303)
    auth.clear_session_cookie(response, app)
    return response


@router.get("/inicio", response_class=HTMLResponse)
async def home(request: Request, user: auth.AnyStaff) -> Response:
    target = home_path(user)
    if target != "/inicio":
        return RedirectResponse(target, status_code=303)
    return render(request, "home", user)
