"""Rendering staff pages: the shared context of `web/staff/base.html.j2`, the navigation,
the headers every staff answer carries, and reading form fields.

Pages of other modules (the mentions feed, the quarterly report) add themselves to `NAV`
and render through `render` to get the same frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from ventanilla.app import App
from ventanilla.logs import log
from ventanilla.store.staff import ROLE_LABELS, StaffUser
from ventanilla.templates import environment
from ventanilla.workers.pipeline import start

# Staff pages are personal data (Ley 1581): never cached, never framed, no outside content
# (a remote image in a citizen's e-mail would tell its sender that staff opened it).
STAFF_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str
    roles: tuple[str, ...]  # who sees the link (admin sees every one)


NAV: list[NavItem] = [
    NavItem("/casos", "Casos", ("agente",)),
    NavItem("/revision", "Por revisar", ("agente",)),
    NavItem("/cuarentena", "Cuarentena", ("agente",)),
    NavItem("/usuarios", "Usuarios", ("admin",)),
]


def staff_app(request: Request) -> App:
    app: App = request.app.state.ventanilla
    return app


def today(app: App) -> date:
    """Today in the office's time zone: the day legal dates are compared with."""
    return datetime.now(ZoneInfo(app.settings.office.timezone)).date()


def home_path(user: StaffUser) -> str:
    """The first page a staff member may open (where a login without a target lands)."""
    for item in NAV:
        if user.may(*item.roles):
            return item.path
    return "/inicio"


def render(
    request: Request,
    name: str,
    user: StaffUser | None,
    *,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """`templates/web/staff/{name}.html.j2` in the staff frame."""
    app = staff_app(request)
    context = {
        "entity": app.settings.entity,
        "user": user,
        "role_label": ROLE_LABELS.get(user.role, user.role) if user else "",
        "nav": [item for item in NAV if user and user.may(*item.roles)],
        "current": request.url.path,
        "zone": app.settings.office.timezone,
        "today": today(app),
    } | context
    body = environment.get_template(f"web/staff/{name}.html.j2").render(context)
    return HTMLResponse(body, status_code=status, headers=STAFF_HEADERS)


async def form_fields(request: Request) -> dict[str, str]:
    """The posted form as text fields (require_role has read it already: it is cached)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


async def start_after_commit(message_id: int) -> None:
    """Enqueue a message staff just moved back into the pipeline (its row is committed at
    its new stage). If the queue is down the reconciler enqueues it later."""
    try:
        await run_in_threadpool(start, [message_id])
    except Exception:
        log.warning("enqueue_failed", message_id=message_id)
