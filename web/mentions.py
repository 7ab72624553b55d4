"""The communications team's live feed: `/menciones` and the JSON it refreshes from.

Handlers only read the store (`store/mentions.py`) and shape what the page shows. The
page asks `/api/v1/mentions?after=ID` every `mentions.refresh_seconds` and adds what is
new at the top, without reloading; the spike banner comes with each answer. Staff login
is required: the caller passes the auth dependency.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.params import Depends
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from ventanilla.app import App
from ventanilla.routing.mentions import MENTION_CLASSES, MENTION_LABELS, SOCIAL_CHANNELS
from ventanilla.store.mentions import count_since, list_mentions
from ventanilla.templates import environment, spanish_datetime

# The time filter: its value in the query string, and how the page names it.
PERIODS = {"1h": ("Última hora", 1), "24h": ("Últimas 24 horas", 24), "7d": ("Últimos 7 días", 168)}
CHANNEL_LABELS = {"x": "X", "telegram": "Telegram"}


def _filters(request: Request) -> dict[str, str]:
    params = request.query_params
    klass = params.get("clase", "")
    channel = params.get("canal", "")
    period = params.get("periodo", "24h")
    return {
        "clase": klass if klass in MENTION_CLASSES else "",
        "canal": channel if channel in SOCIAL_CHANNELS else "",
        "periodo": period if period in PERIODS or period == "todo" else "24h",
    }


def mentions_routes(app: App, dependencies: Sequence[Depends] = ()) -> APIRouter:
    router = APIRouter(dependencies=list(dependencies), include_in_schema=False)
    settings = app.settings

    def feed(filters: dict[str, str], after_id: int = 0) -> dict[str, Any]:
        hours = PERIODS.get(filters["periodo"], ("", 0))[1]
        since = datetime.now(UTC) - timedelta(hours=hours) if hours else None
        window = datetime.now(UTC) - timedelta(minutes=settings.mentions.spike_window_minutes)
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
    async def page(request: Request) -> HTMLResponse:
        filters = _filters(request)
        data = await run_in_threadpool(feed, filters)
        body = environment.get_template("web/mentions.html.j2").render(
            entity=settings.entity,
            filters=filters,
            classes=[(slug, MENTION_LABELS[slug]) for slug in MENTION_CLASSES],
            channels=list(CHANNEL_LABELS.items()),
            periods=[(key, label) for key, (label, _) in PERIODS.items()],
            refresh_seconds=settings.mentions.refresh_seconds,
            staff=getattr(request.state, "staff", None),
            **data,
        )
        return HTMLResponse(body)

    @router.get("/api/v1/mentions")
    async def new_mentions(request: Request) -> JSONResponse:
        try:
            after_id = max(0, int(request.query_params.get("after", "0")))
        except ValueError:
            return JSONResponse(
                {"errors": [{"field": "after", "message": "must be a whole number"}]},
                status_code=422,
            )
        data = await run_in_threadpool(feed, _filters(request), after_id)
        return JSONResponse(data)

    return router


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
