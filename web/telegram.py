"""Telegram's webhook (DESIGN contract: POST /webhooks/telegram), for telegram.mode = webhook.

Telegram sends every update with the secret we registered in the
`X-Telegram-Bot-Api-Secret-Token` header: a request without it gets 403 and a log line.
The update is read like a polled one (`TelegramAdapter.inbound`, its files downloaded in
the thread pool) and stored before the 200 goes back; a replayed update finds the message
it already made. A malformed update is stored and quarantined, and answered 200 so
Telegram does not send it again; a body that is not JSON at all gets 400.
"""

from __future__ import annotations

import hmac
import json

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from ventanilla.adapters.telegram import TelegramAdapter
from ventanilla.app import App
from ventanilla.errors import ChannelError
from ventanilla.logs import log
from ventanilla.settings import Settings
from ventanilla.web import metrics
from ventanilla.web.batcher import IntakeBatcher

PATH = "/webhooks/telegram"
SECRET_HEADER = "x-telegram-bot-api-secret-token"


def webhook_enabled(settings: Settings) -> bool:
    return settings.telegram.enabled and settings.telegram.mode == "webhook"


def telegram_routes(app: App, batcher: IntakeBatcher) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    settings = app.settings.telegram
    adapter = TelegramAdapter(settings) if webhook_enabled(app.settings) else None
    secret = settings.webhook_secret.encode()

    @router.post(PATH)
    async def webhook(request: Request) -> Response:
        if adapter is None:
            return PlainTextResponse("telegram webhooks are not enabled", status_code=404)
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, secret):
            log.warning("telegram_secret_rejected", path=PATH, given=bool(given))
            metrics.intake_rejected_total.labels("secret").inc()
            return PlainTextResponse("invalid secret token", status_code=403)
        body = await request.body()
        try:
            update = json.loads(body)
        except ValueError:
            log.warning("telegram_malformed_webhook", path=PATH)
            return PlainTextResponse("the body must be a JSON update", status_code=400)
        try:
            message = await run_in_threadpool(adapter.inbound, update, body)
        except ChannelError as error:
            # A file could not be fetched just now: Telegram sends the update again later.
            log.warning("telegram_webhook_deferred", error=str(error))
            return PlainTextResponse("try again later", status_code=503)
        accepted = await batcher.accept(message)
        if accepted.created:
            metrics.intake_total.labels("telegram").inc()
        return Response(status_code=200)

    return router


def register_webhook(settings: Settings) -> None:
    """Point Telegram at our webhook (at start of `ventanilla web`); best effort, logged."""
    url = f"{settings.web.public_url.rstrip('/')}{PATH}"
    adapter = TelegramAdapter(settings.telegram)
    try:
        adapter.set_webhook(url, settings.telegram.webhook_secret)
    except ChannelError as error:
        log.warning("telegram_webhook_not_registered", error=str(error))
    else:
        log.info("telegram_webhook_registered", url=url)
    finally:
        adapter.close()
