"""The communications team's live feed, `/menciones`, and the JSON it refreshes from.

Handlers only read the store (`store/mentions.py`) and shape what the page shows. The page
asks `/api/v1/mentions?after=ID` every `mentions.refresh_seconds` and adds what is new at
the top without a reload (`templates/web/staff/mentions.js`); the spike banner comes with
each answer. Role `comunicaciones` (and admin); a mention's case links to the case page
only for those who may open it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from ventanilla.app import App
from ventanilla.routing.mentions import MENTION_CLASSES, MENTION_LABELS, SOCIAL_CHANNELS
from ventanilla.store.mentions import count_since, list_mentions
from ventanilla.store.staff import StaffUser
from ventanilla.templates import TEMPLATES_DIR, spanish_datetime
from ventanilla.web.auth import require_role
from ventanilla.web.staff.pages import NAV, STAFF_HEADERS, NavItem, render, staff_app

router = APIRouter()
Comms = Annotated[StaffUser, Depends(require_role("comunicaciones"))]
NAV.append(NavItem("/menciones", "Menciones", ("comunicaciones",)))

# The time filter: its value in the query string, and how the page names it.
PERIODS = {"1h": ("Última hora", 1), "24h": ("Últimas 24 horas", 24), "7d": ("Últimos 7 días", 168)}
CHANNEL_LABELS = {"x": "X", "telegram": "Telegram"}
SCRIPT = Path(TEMPLATES_DIR) / "web" / "staff" / "mentions.js"
# The staff pages' policy, with this page's own script and its requests to the same origin.
PAGE_HEADERS = STAFF_HEADERS | {
    "Content-Security-Policy": STAFF_HEADERS["Content-Security-Policy"]
    + "; script-src 'self'; connect-src 'self'"
}


def _filters(request: Request) -> dict[str, str]:
    params = request.query_params
    klass, channel = params.get("clase", ""), params.get("canal", "")
    period = params.get("periodo", "24h")
    return {
        "clase": klass if klass in MENTION_CLASSES else "",
        "canal": channel if channel in SOCIAL_CHANNELS else "",
        "periodo": period if period in PERIODS or period == "todo" else "24h",
    }


def _feed(app: App, filters: dict[str, str], after_id: int = 0) -> dict[str, Any]:
    settings = app.settings
    hours = PERIODS.get(filters["periodo"], ("", 0))[1]
    now = datetime.now(UTC)
    since = now - timedelta(hours=hours) if hours else None
    window = now - timedelta(minutes=settings.mentions.spike_window_minutes)
    with app.db.read() as session:
        rows = list_mentions(
            session,
            klass=filters["clase"] or None,
            channel=filters["canal"] or None,
            since=since,
            after_id=after_id,
        )
        recent = count_since(session, window)
    return {
        "mentions": [_shown(row, settings.office.timezone) for row in rows],
        "spike": {
            "active": recent > settings.mentions.spike_threshold,
            "mentions": recent,
            "threshold": settings.mentions.spike_threshold,
            "minutes": settings.mentions.spike_window_minutes,
        },
    }


@router.get("/menciones", response_class=HTMLResponse)
async def page(request: Request, user: Comms) -> Response:
    app = staff_app(request)
    filters = _filters(request)
    data = await run_in_threadpool(_feed, app, filters)
    response = render(
        request,
        "mentions",
        user,
        filters=filters,
        classes=[(slug, MENTION_LABELS[slug]) for slug in MENTION_CLASSES],
        channels=list(CHANNEL_LABELS.items()),
        periods=[(key, label) for key, (label, _) in PERIODS.items()],
        refresh_seconds=app.settings.mentions.refresh_seconds,
        cases_linked=user.may("agente"),
        **data,
    )
    response.headers.update(PAGE_HEADERS)
    return response


@router.get("/menciones.js")
async def script(user: Comms) -> Response:
    return Response(
        SCRIPT.read_bytes(), media_type="text/javascript; charset=utf-8", headers=STAFF_HEADERS
    )


@router.get("/api/v1/mentions")
async def new_mentions(request: Request, user: Comms) -> JSONResponse:
    try:
        after_id = max(0, int(request.query_params.get("after", "0")))
    except ValueError:
        return JSONResponse(
            {"errors": [{"field": "after", "message": "must be a whole number"}]},
            status_code=422,
        )
    data = await run_in_threadpool(_feed, staff_app(request), _filters(request), after_id)
    return JSONResponse(data, headers={"Cache-Control": "no-store"})


def _shown(row: dict[str, Any], zone: str) -> dict[str, Any]:
    """One mention as the page and the JSON show it."""
    return {
        "id": row["id"],
        "posted_at": row["posted_at"].isoformat(),
        "posted_label": spanish_datetime(row["posted_at"], zone),
        "channel": row["channel"],
        "channel_label": CHANNEL_LABELS.get(row["channel"], row["channel"]),
        "class": row["klass"],
        "class_label": MENTION_LABELS.get(row["klass"], row["klass"]),
        "author": row["author"],
        "author_name": row["author_name"],
        "public": row["public"],
        "url": row["url"] or None,
        "text": row["text"],
        "radicado": row["radicado"],
    }
