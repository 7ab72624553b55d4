"""Staff authentication for the web app: the session cookie, `require_role`, CSRF, login.

The cookie carries a random token; the store keeps its SHA-256 (`store/staff.py`). Every
staff route depends on `require_role(...)`, which answers a visitor without a session with
the login page (HTML) or 401 (JSON), a staff member of another role with 403, and a
state-changing request without the session's CSRF token with 403. Nothing here renders a
page of its own beyond those answers.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from ventanilla.app import App
from ventanilla.store import staff
from ventanilla.store.staff import StaffUser
from ventanilla.web.staff.pages import STAFF_HEADERS, render, staff_app

__all__ = ["AnyStaff", "StaffUser", "require_role"]

SESSION_COOKIE = "ventanilla_staff"
# Before a session exists the login form is protected by a double-submit cookie.
LOGIN_COOKIE = "ventanilla_login"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class LoginRequired(Exception):
    """No live session: the visitor must log in."""


class RoleRefused(Exception):
    """Logged in, but this page belongs to another role."""


class CsrfRefused(Exception):
    """A state-changing request without the session's CSRF token."""


def secure_cookies(app: App) -> bool:
    return app.settings.web.public_url.startswith("https://")


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return request.url.path.startswith("/api/") or (
        "application/json" in accept and "text/html" not in accept
    )


def resume(app: App, token: str | None) -> StaffUser | None:
    """The user of a live session, marking it used (at most once a minute: fewer writes)."""
    if not token:
        return None
    settings = app.settings.staff
    idle = timedelta(minutes=settings.idle_minutes)
    with app.db.read() as session:
        found = staff.find_session(session, token, idle=idle)
    if found is None:
        return None
    user, last_seen = found
    if staff.utcnow() - last_seen > min(timedelta(minutes=1), idle / 10):
        with app.db.transaction() as session:
            staff.touch_session(session, token)
    return user


def require_role(*roles: str) -> Callable[[Request], Awaitable[StaffUser]]:
    """A FastAPI dependency: the logged-in `StaffUser` if their role is one of `roles`
    (admin is always let in). State-changing requests must carry the CSRF token, as the
    form field `csrf_token` or the header `X-CSRF-Token`. No roles: anyone logged in.

    Use: `user: Annotated[StaffUser, Depends(require_role("comunicaciones"))]`.
    """

    async def dependency(request: Request) -> StaffUser:
        app = staff_app(request)
        user = await run_in_threadpool(resume, app, request.cookies.get(SESSION_COOKIE))
        if user is None:
            raise LoginRequired()
        request.state.staff_user = user
        if not user.may(*roles):
            raise RoleRefused()
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER, "")
            if not sent and _is_form(request):
                sent = str((await request.form()).get(CSRF_FIELD) or "")
            if not secrets.compare_digest(sent.encode(), user.csrf_token.encode()):
                raise CsrfRefused()
        return user

    return dependency


# Any logged-in staff member, whatever the role: `user: AnyStaff` in a handler.
AnyStaff = Annotated[StaffUser, Depends(require_role())]


def _is_form(request: Request) -> bool:
    kind = request.headers.get("content-type", "")
    return kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


# -- logging in and out ----------------------------------------------------------------


@dataclass(frozen=True)
class LoginOutcome:
    token: str = ""  # set when the login succeeded
    locked_until: datetime | None = None  # set when too many tries failed


def log_in(app: App, username: str, password: str, address: str) -> LoginOutcome:
    settings = app.settings.staff
    window = timedelta(minutes=settings.lockout_minutes)
    with app.db.transaction() as session:
        attempt, until = staff.begin_login(
            session, username, address, limit=settings.max_failed_logins, window=window
        )
    if attempt is None:
        return LoginOutcome(locked_until=until)
    with app.db.read() as session:  # the hash is verified outside any write transaction
        user_id = staff.check_password(session, username, password)
    if user_id is None:
        return LoginOutcome()
    with app.db.transaction() as session:
        token = staff.login_succeeded(
            session,
            attempt,
            user_id,
            lifetime=timedelta(hours=settings.session_hours),
            idle=timedelta(minutes=settings.idle_minutes),
        )
    return LoginOutcome(token=token)


def log_out(app: App, token: str | None) -> None:
    if token:
        with app.db.transaction() as session:
            staff.close_session(session, token)


def set_session_cookie(response: Response, app: App, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(app.settings.staff.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=secure_cookies(app),
        path="/",
    )


def clear_session_cookie(response: Response, app: App) -> None:
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, samesite="lax", secure=secure_cookies(app), path="/"
    )


def login_form_token(request: Request) -> str:
    """The login form's CSRF token: the one its cookie already holds, or a new one."""
    return request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)


def set_login_cookie(response: Response, app: App, token: str) -> None:
    response.set_cookie(
        LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=secure_cookies(app)
    )


def login_form_valid(request: Request, sent: str) -> bool:
    expected = request.cookies.get(LOGIN_COOKIE, "")
    return bool(expected) and secrets.compare_digest(sent.encode(), expected.encode())


def safe_next(target: str) -> str:
    """Where to go after logging in: a path of this site only (never //host or a URL)."""
    if target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/inicio"


# -- answers for the refusals ----------------------------------------------------------


def _refusal(request: Request, status: int, title: str, text: str) -> Response:
    if wants_json(request):
        return JSONResponse({"detail": text}, status_code=status, headers=STAFF_HEADERS)
    user = getattr(request.state, "staff_user", None)
    return render(request, "refused", user, status=status, title=title, text=text)


def install(web: FastAPI, app: App) -> None:
    """Make `require_role` work on `web`: the App it reads, and the refusal answers."""
    web.state.ventanilla = app

    async def login_required(request: Request, _: Exception) -> Response:
        if wants_json(request):
            return JSONResponse(
                {"detail": "login required"}, status_code=401, headers=STAFF_HEADERS
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method not in SAFE_METHODS:
            target = request.url.path
        return RedirectResponse(f"/ingresar?siguiente={quote(target)}", status_code=303)

    async def role_refused(request: Request, _: Exception) -> Response:
        return _refusal(
            request,
            403,
            "No tiene permiso para ver esta página",
            "Esta página es de otro equipo. Si la necesita, pida el permiso a quien "
            "administra los usuarios.",
        )

    async def csrf_refused(request: Request, _: Exception) -> Response:
        return _refusal(
            request,
            403,
            "No pudimos confirmar la solicitud",
            "El formulario venció o no vino de esta página. Vuelva a la página, "
            "recárguela e intente de nuevo.",
        )

    web.add_exception_handler(LoginRequired, login_required)
    web.add_exception_handler(RoleRefused, role_refused)
    web.add_exception_handler(CsrfRefused, csrf_refused)
