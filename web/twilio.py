"""Twilio's webhooks: SMS and WhatsApp messages, voice calls and their recordings, and
delivery reports (DESIGN contract: /webhooks/twilio/messages, /voice, /recording).

Every request must carry a valid `X-Twilio-Signature` for the URL Twilio called (the
public URL, or the one a proxy forwarded): anything else gets 403 and a log line. A valid
message is stored before the answer goes back, well within Twilio's 15-second limit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from ventanilla.adapters.twilio import EMPTY_TWIML, TwilioAdapter
from ventanilla.app import App
from ventanilla.logs import log
from ventanilla.store.intake import record_transcription
from ventanilla.store.outbox import record_delivery
from ventanilla.web import metrics
from ventanilla.web.batcher import IntakeBatcher

Handler = Callable[[dict[str, str]], Awaitable[Response]]


def twiml(body: str) -> Response:
    return Response(body, media_type="text/xml")


def called_urls(request: Request, public_url: str) -> list[str]:
    """The URLs Twilio may have signed: ours as configured, as forwarded by a proxy, as seen."""
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    urls = [public_url.rstrip("/") + path]
    host = request.headers.get("x-forwarded-host")
    if host:
        proto = request.headers.get("x-forwarded-proto", request.url.scheme)
        urls.append(f"{proto.split(',')[0].strip()}://{host.split(',')[0].strip()}{path}")
    urls.append(str(request.url))
    return list(dict.fromkeys(urls))


def twilio_routes(app: App, batcher: IntakeBatcher) -> APIRouter:
    router = APIRouter(prefix="/webhooks/twilio", include_in_schema=False)
    settings = app.settings
    adapter = TwilioAdapter(settings) if settings.twilio.enabled else None

    def signed(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            if adapter is None:
                return PlainTextResponse("twilio is not enabled", status_code=404)
            form = await request.form()
            params = {key: value for key, value in form.multi_items() if isinstance(value, str)}
            signature = request.headers.get("x-twilio-signature", "")
            urls = called_urls(request, settings.web.public_url)
            if not adapter.signature_valid(urls, params, signature):
                log.warning(
                    "twilio_signature_rejected", path=request.url.path, signed=bool(signature)
                )
                metrics.intake_rejected_total.labels("signature").inc()
                return PlainTextResponse("invalid signature", status_code=403)
            return await handler(params)

        return endpoint

    async def messages(params: dict[str, str]) -> Response:
        assert adapter is not None
        if not params.get("MessageSid") or not params.get("From"):
            log.warning("twilio_malformed_webhook", path="messages")
            return PlainTextResponse("MessageSid and From are required", status_code=400)
        if params.get("NumMedia", "0") in ("", "0"):
            message = adapter.message_from_webhook(params)  # no download: no thread needed
        else:
            message = await run_in_threadpool(adapter.message_from_webhook, params)
        accepted = await batcher.accept(message)
        if accepted.created:
            metrics.intake_total.labels(message.channel).inc()
        return twiml(EMPTY_TWIML)  # a replayed MessageSid lands here too: stored once

    async def voice(params: dict[str, str]) -> Response:
        assert adapter is not None
        return twiml(adapter.voice_twiml())

    async def recording(params: dict[str, str]) -> Response:
        assert adapter is not None
        if "TranscriptionStatus" in params or "TranscriptionText" in params:
            await run_in_threadpool(transcribed, params)
            return twiml(EMPTY_TWIML)
        message = await run_in_threadpool(adapter.recording_message, params)
        if message is None:  # hung up without a message: no case
            return twiml(EMPTY_TWIML)
        # Stored now, radicated when the transcription arrives (or, without one, when the
        # reconciler finds it waiting).
        accepted = await batcher.accept(message, start_now=False)
        if accepted.created:
            metrics.intake_total.labels("voice").inc()
        return twiml(adapter.recording_done_twiml())

    def transcribed(params: dict[str, str]) -> None:
        from ventanilla.workers.pipeline import start

        text = params.get("TranscriptionText", "").strip()
        call = params.get("CallSid") or params.get("RecordingSid", "")
        if params.get("TranscriptionStatus", "completed") != "completed" or not text:
            return  # the reconciler radicates it with the audio only
        with app.db.transaction() as session:
            message_id = record_transcription(session, "voice", call, text)
        if message_id is not None:
            start([message_id])

    async def status(params: dict[str, str]) -> Response:
        sid, state = params.get("MessageSid", ""), params.get("MessageStatus", "")
        if sid and state:

            def record() -> bool:
                with app.db.transaction() as session:
                    return record_delivery(session, sid, state, params.get("ErrorCode", ""))

            await run_in_threadpool(record)
        return Response(status_code=204)

    routes: dict[str, Any] = {
        "/messages": messages,
        "/voice": voice,
        "/recording": recording,
        "/status": status,
    }
    for path, handler in routes.items():
        router.add_api_route(path, signed(handler), methods=["POST"])
    return router
