"""The web app: citizen form and status page, the intake API, staff pages, health, metrics.

Handlers only translate HTTP to calls into the intake and the store; the pipeline does
the rest. Database work runs in the thread pool so the event loop keeps answering.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import date, datetime
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from ventanilla.adapters.webform import TYPE_CHOICES, Limits, Upload, build_message, megabytes
from ventanilla.app import App, current_app
from ventanilla.errors import InputError, InvalidInput, NotFound, StoreUnavailable
from ventanilla.logs import log
from ventanilla.routing.types import TYPE_LABELS
from ventanilla.store import filings as filing_store
from ventanilla.store.cases import citizen_case, intake_outcomes, web_request_state
from ventanilla.store.engine import TRANSIENT_ERRORS
from ventanilla.store.schema import utcnow
from ventanilla.templates import environment, spanish_date, spanish_datetime
from ventanilla.web import api_schema, metrics
from ventanilla.web.batcher import IntakeBatcher
from ventanilla.web.guard import Guard
from ventanilla.web.outcomes import OutcomeWaiter
from ventanilla.web.ratelimit import IntakeLimit, is_loopback
from ventanilla.web.staff.routes import install_staff
from ventanilla.web.telegram import register_webhook, telegram_routes, webhook_enabled
from ventanilla.web.twilio import twilio_routes
from ventanilla.workers.notify import outcome_channel

API_FIELDS = ("type", "name", "email", "phone", "subject", "text")
# Bodies larger than this are parsed and decoded in the thread pool, not on the event loop.
OFF_LOOP_BYTES = 256 * 1024
# The same submission sent again within this window, without an Idempotency-Key, is the
# same message (a retry, a double click); later it is a new one (dedupe then decides).
REPEAT_WINDOW_SECONDS = 600
T = TypeVar("T")
UNAVAILABLE = (
    "No pudimos recibir su solicitud por una falla momentánea de nuestro sistema. Sus datos "
    "siguen en el formulario: envíela de nuevo en unos segundos."
)
SEND_AGAIN = (
    "Por seguridad, revise su solicitud y envíela de nuevo: sus datos siguen en el formulario."
)
# A request the document system (Orfeo) has not numbered yet: the number follows.
RADICADO_BY_EMAIL = (
    "Recibimos su solicitud. El número de radicado le llegará por correo electrónico en "
    "cuanto quede asignado (si nos dio un correo). También puede consultarlo en el "
    "enlace de estado."
)
# A duplicate sent from the form or the API: said to exist, never which case it is.
ALREADY_FILED = (
    "Ya tenemos una solicitud igual: no le damos un número nuevo. Si nos dio un correo, "
    "le escribimos allí con el número de radicado."
)


def create_app(app: App | None = None) -> FastAPI:
    app = app or current_app()
    settings = app.settings
    limits = Limits(
        settings.web.max_attachments, settings.web.max_attachment_bytes, settings.web.max_text_chars
    )

    def outcomes(message_ids: list[int]) -> dict[int, dict[str, Any]]:
        try:
            with app.db.read() as session:
                return intake_outcomes(session, message_ids)
        except TRANSIENT_ERRORS:  # stored already: the receipt (202) tells the rest later
            return {}

    waiter = OutcomeWaiter(
        settings.queue.redis_url, outcome_channel(settings.queue.namespace), outcomes
    )
    batcher = IntakeBatcher()
    intake_limit = IntakeLimit(app.redis, settings.queue.namespace, settings.web.intake_per_hour)
    status_limit = IntakeLimit(
        app.redis, settings.queue.namespace, settings.web.status_checks_per_hour, "status-checks"
    )
    metrics.install_store_collector(app)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(lambda: app.db)  # migrate before the first request
        await waiter.start()
        await batcher.start()
        registering = None
        if webhook_enabled(settings):
            # In the background: a Telegram that does not answer must not delay start-up.
            registering = asyncio.create_task(run_in_threadpool(register_webhook, settings))
        yield
        if registering is not None and not registering.done():
            registering.cancel()
        await batcher.stop()
        await waiter.stop()

    web = FastAPI(title="ventanilla", lifespan=lifespan, docs_url=None, redoc_url=None)
    web.add_middleware(
        Guard,
        max_body_bytes=settings.web.body_limit(),
        body_timeout_seconds=settings.web.body_timeout_seconds,
        internal_networks=settings.web.internal(),
    )

    @web.exception_handler(StarletteHTTPException)
    async def not_found(request: Request, error: StarletteHTTPException) -> Response:
        # A person who mistypes an address reads Spanish, not {"detail":"Not Found"};
        # programs calling the API and the webhooks keep the JSON answer.
        machine = request.url.path.startswith(("/api/", "/webhooks/", "/telegram/"))
        if error.status_code == 404 and not machine:
            return page("page_not_found", status=404)
        return await http_exception_handler(request, error)

    @web.exception_handler(StoreUnavailable)
    async def store_unavailable(request: Request, error: StoreUnavailable) -> Response:
        # A restart of the store is not the citizen's fault nor a bug: no traceback, no
        # quarantine; the client (a browser, Twilio, Telegram) tries again shortly.
        log.warning("intake_unavailable", path=request.url.path)
        message = "the service is briefly unavailable (its store is restarting); try again"
        return JSONResponse(
            {"errors": [{"field": "service", "message": message}]},
            status_code=503,
            headers={"Retry-After": str(error.retry_after)},
        )

    web.include_router(twilio_routes(app, batcher))
    web.include_router(telegram_routes(app, batcher))
    install_staff(web, app)

    def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("entity", settings.entity)
        body = environment.get_template(f"web/{name}.html.j2").render(context)
        return HTMLResponse(body, status_code=status)

    def form_disabled() -> HTMLResponse:
        # web.form_enabled = false: the entity takes requests by other channels only.
        return HTMLResponse("El formulario no está disponible.", status_code=404)

    async def submit(
        fields: dict[str, str], uploads: list[Upload], key: str, request: Request
    ) -> tuple[int, str, Any]:
        """Accept a submission; returns its id, its receipt token and the outcome (or None).

        `key` names the submission: the same one sent again (a retry after a timeout or a
        503, a double click) is the same message, answered the same way, notified once.
        """
        message = build_message(fields, uploads, limits, provider_id=key)
        # Where it came from: its acknowledgements are limited per address of origin.
        origin = request.client.host if request.client else ""
        message = replace(message, flags={**message.flags, "origin": origin})
        accepted = await batcher.accept(message)
        metrics.intake_total.labels("web").inc()
        with metrics.intake_wait_seconds.time():
            decided = await waiter.wait(accepted.message_id, settings.web.intake_wait_seconds)
        return accepted.message_id, message.provider_id, decided

    def form_page(
        values: dict[str, str], errors: dict[str, str], status: int = 200
    ) -> HTMLResponse:
        return page(
            "form",
            status=status,
            choices=TYPE_CHOICES,
            values=values,
            errors=errors,
            limits=limits,
            max_size=megabytes(limits.max_attachment_bytes),
            shown=int(time.time()),
        )

    async def over_limit(request: Request) -> int:
        """Seconds this client must wait before filing again (0: it may file now)."""
        address = request.client.host if request.client else ""
        if not settings.web.intake_per_hour or is_loopback(address):
            return 0  # no Redis round trip for local tools and the benchmarks
        wait = await run_in_threadpool(intake_limit.retry_after, address)
        if wait:
            log.warning("intake_limited", retry_after=wait)
        return wait

    def idempotency(request: Request, material: bytes) -> str | None:
        """The provider id of a submission: from its Idempotency-Key when the client sends
        one, else from its content within a few minutes; None for an unusable key.

        Both are mixed with the client address, and the result doubles as the receipt
        token: only someone who already has the whole request can compute it.
        """
        address = request.client.host if request.client else ""
        header = request.headers.get("idempotency-key")
        if header is not None:
            if not 0 < len(header) <= 200 or not header.isascii() or not header.isprintable():
                return None
            seed = b"key\n" + header.encode()
        else:
            seed = b"body\n" + str(int(time.time()) // REPEAT_WINDOW_SECONDS).encode() + material
        digest = hashlib.sha256(address.encode() + b"\n" + seed).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:32]

    def too_many_text(wait: int) -> str:
        return (
            f"more than {settings.web.intake_per_hour} requests from this address in an hour "
            f"(web.intake_per_hour); try again in {wait} s"
        )

    def too_many_page(wait: int) -> HTMLResponse:
        response = page(
            "too_many",
            status=429,
            per_hour=settings.web.intake_per_hour,
            minutes=max(1, (wait + 59) // 60),
        )
        response.headers["Retry-After"] = str(wait)
        return response

    def looks_automated(trap: object, shown: object) -> bool:
        if isinstance(trap, str) and trap.strip():
            return True
        try:
            elapsed = time.time() - float(str(shown))
        except ValueError:
            return False  # an old page without the field: never refuse a citizen for it
        return elapsed < settings.web.form_min_fill_seconds

    def reject(error: InvalidInput) -> None:
        for field in error.by_field():
            metrics.intake_rejected_total.labels(field).inc()

    @web.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/pqrsdf")

    @web.get("/pqrsdf", response_class=HTMLResponse)
    async def form() -> HTMLResponse:
        if not settings.web.form_enabled:
            return form_disabled()
        return form_page({}, {})

    @web.post("/pqrsdf", response_class=HTMLResponse)
    async def form_submit(request: Request) -> HTMLResponse:
        if not settings.web.form_enabled:
            return form_disabled()
        if wait := await over_limit(request):
            return too_many_page(wait)
        form_data = await request.form(max_files=50, max_fields=50)
        fields = {key: str(form_data.get(key) or "") for key in API_FIELDS}
        if looks_automated(form_data.get("sitio_web"), form_data.get("shown")):
            # Nothing is lost: the form comes back filled in, and sending it again works.
            log.info("form_sent_again_asked")
            return form_page(fields, {"envio": SEND_AGAIN}, status=422)
        uploads = [
            await read_upload(item, limits.max_attachment_bytes)
            for item in form_data.getlist("attachments")
            if isinstance(item, UploadFile)
        ]
        material = json.dumps(fields, sort_keys=True).encode() + b"".join(
            hashlib.sha256(u.content).digest() for u in uploads
        )
        try:
            _, token, decided = await submit(
                fields, uploads, idempotency(request, material) or "", request
            )
        except InvalidInput as error:
            reject(error)
            return form_page(fields, error.by_field(), status=422)
        except StoreUnavailable as error:
            log.warning("intake_unavailable", path="/pqrsdf")
            response = form_page(fields, {"envio": UNAVAILABLE}, status=503)
            response.headers["Retry-After"] = str(error.retry_after)
            return response
        if decided and decided["status"] == "duplicate":
            return page("duplicate")
        if decided and decided["case"]:
            return page("filed", case=citizen_view(decided["case"]))
        return page("received", token=token)

    @web.get("/pqrsdf/recibido/{token}", response_class=HTMLResponse)
    async def receipt(token: str) -> HTMLResponse:
        """Where a citizen without e-mail comes back for the radicado if it was slow."""
        try:
            state = await run_in_threadpool(read_request, token)
        except NotFound:
            return page("not_found", status=404, radicado="")
        if state["status"] == "duplicate":
            return page("duplicate")
        if state["case"]:
            return page("filed", case=citizen_view(state["case"]))
        return page("received", token=token)

    # The schema is declared (web/api_schema.py): the handler parses the raw body itself.
    @web.post("/api/v1/requests", status_code=201, openapi_extra=api_schema.intake(limits))
    async def api_submit(request: Request) -> JSONResponse:
        if wait := await over_limit(request):
            return JSONResponse(
                {"errors": [{"field": "client", "message": too_many_text(wait)}]},
                status_code=429,
                headers={"Retry-After": str(wait)},
            )
        raw = await request.body()  # bounded by web.max_body_bytes (web/guard.py)
        try:
            # A large body is parsed off the event loop: pages keep answering meanwhile.
            body = await off_loop(json.loads, raw) if len(raw) > OFF_LOOP_BYTES else json.loads(raw)
        except (ValueError, RecursionError):
            return problem(
                "body", "the body must be a JSON object (UTF-8, nested at most a few levels)"
            )
        if not isinstance(body, dict):
            return problem("body", "the body must be a JSON object")
        for key in API_FIELDS:
            if body.get(key) is not None and not isinstance(body[key], str):
                return problem(key, "must be a string")
        submission = idempotency(request, raw)
        if submission is None:
            return problem("Idempotency-Key", "must be 1 to 200 printable ASCII characters")
        fields = {key: body.get(key) or "" for key in API_FIELDS}
        try:
            items = body.get("attachments") or []
            check_attachment_sizes(items, limits)
            uploads = (
                await off_loop(decode_attachments, items) if len(raw) > OFF_LOOP_BYTES
                else decode_attachments(items)
            )  # fmt: skip
            message_id, token, decided = await submit(fields, uploads, submission, request)
        except InvalidInput as error:
            reject(error)
            return JSONResponse(
                {"errors": [{"field": e.field, "message": e.message} for e in error.errors]},
                status_code=422,
            )
        if decided and decided["case"]:
            case = decided["case"]
            return JSONResponse(
                {
                    "radicado": case["radicado"],
                    "filed_at": case["filed_at"],
                    "due_date": case["due_date"],
                    "type": case["type"],
                    "status": decided["status"],
                    "id": message_id,
                },
                status_code=201,
            )
        # A duplicate stays inside the contract's 202 (DESIGN: 201 filed, else 202 with a
        # status_url): the answer only adds why no radicado will come.
        received = {
            "id": message_id,
            "status_url": f"/api/v1/requests/{token}",
            "status": decided["status"] if decided else "pending",
        }
        if received["status"] == "duplicate":
            received["message"] = ALREADY_FILED
        elif received["status"] in ("pending", "filing"):
            received["message"] = RADICADO_BY_EMAIL
        return JSONResponse(received, status_code=202)

    def read_request(token: str) -> dict[str, Any]:
        with app.db.read() as session:
            return web_request_state(session, token)

    @web.get("/api/v1/requests/{token}", openapi_extra=api_schema.REQUEST_STATE)
    async def api_request_status(token: str) -> JSONResponse:
        try:
            state = await run_in_threadpool(read_request, token)
        except NotFound:
            return JSONResponse({"detail": "unknown request"}, status_code=404)
        case = state["case"] or {}
        return JSONResponse(
            {
                "id": state["id"],
                "status": state["status"],
                "reason": state["reason"],
                "radicado": case.get("radicado"),
                "filed_at": case.get("filed_at"),
                "due_date": case.get("due_date"),
                "type": case.get("type", state["type"]),
            }
        )

    def proven_case(radicado: str, token: str = "", contact: str = "") -> dict[str, Any] | None:
        with app.db.read() as session:
            return citizen_case(
                session, radicado, token=token, contact=contact, region=settings.twilio.region
            )

    @web.get(
        "/estado/{radicado}", response_class=HTMLResponse, openapi_extra=api_schema.STATUS_PAGE
    )
    async def status_page(radicado: str, c: str = "") -> HTMLResponse:
        """With the acknowledgement's link (`?c=`) the status; else the same form for any
        number, existing or not: radicados are sequential and must not be walked."""
        case = await run_in_threadpool(proven_case, radicado, c[:64]) if c else None
        if case is not None:
            return page("status", case=citizen_view(case))
        return page("status_check", radicado=radicado, wrong=bool(c))

    @web.post("/estado/{radicado}", response_class=HTMLResponse)
    async def status_check(radicado: str, request: Request) -> HTMLResponse:
        address = request.client.host if request.client else ""
        if wait := await run_in_threadpool(status_limit.retry_after, address):
            log.warning("status_checks_limited", retry_after=wait)
            response = page(
                "status_check", status=429, radicado=radicado, minutes=max(1, (wait + 59) // 60)
            )
            response.headers["Retry-After"] = str(wait)
            return response
        form_data = await request.form(max_files=0, max_fields=5)
        contact = str(form_data.get("contacto") or "")[:320]
        case = await run_in_threadpool(proven_case, radicado, "", contact)
        if case is not None:
            return page("status", case=citizen_view(case))
        # One answer for a wrong contact and for a number that does not exist.
        return page("status_check", radicado=radicado, wrong=True, contact=contact)

    @web.get("/healthz", openapi_extra=api_schema.HEALTH)
    async def healthz() -> JSONResponse:
        checks: dict[str, str] = {}
        for name, probe in (("store", app.db.ping), ("queue", app.redis.ping)):
            try:
                await run_in_threadpool(probe)
                checks[name] = "ok"
            except Exception as error:  # report, never raise: this is the health check
                checks[name] = f"error: {type(error).__name__}"
        healthy = all(value == "ok" for value in checks.values())
        body: dict[str, Any] = {"status": "ok" if healthy else "error", **checks}
        if app.registry.remote and healthy:
            # Waiting for the document system is not ill health: the backlog is shown.
            body["filing"] = await run_in_threadpool(filing_backlog)
        return JSONResponse(body, status_code=200 if healthy else 503)

    def filing_backlog() -> dict[str, Any]:
        with app.db.read() as session:
            waiting, oldest = filing_store.backlog(session)
        age = (utcnow() - oldest).total_seconds() if oldest else 0.0
        return {"waiting": waiting, "oldest_seconds": round(age, 1)}

    @web.get("/metrics")
    async def metrics_endpoint() -> Response:
        body = await run_in_threadpool(metrics.render)
        return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")

    def citizen_view(case: dict[str, Any]) -> dict[str, Any]:
        """What a citizen may see of a case: no personal data (Ley 1581 de 2012)."""
        return {
            "radicado": case["radicado"],
            "filed_at": spanish_datetime(
                datetime.fromisoformat(case["filed_at"]), settings.office.timezone
            ),
            "due_date": spanish_date(date.fromisoformat(case["due_date"])),
            "type_label": TYPE_LABELS.get(case["type"], case["type"]),
            "status": case["status"],
            "status_link": f"/estado/{case['radicado']}"
            + (f"?c={case['status_token']}" if case.get("status_token") else ""),
        }

    log.info("web_app_ready")
    return web


def problem(field: str, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"field": field, "message": message}]}, status_code=422)


async def read_upload(item: UploadFile, limit: int) -> Upload:
    """Read at most limit + 1 bytes: enough to know a file is too big without keeping it."""
    content = await item.read(limit + 1)
    return Upload(
        item.filename or "",
        item.content_type or "",
        content[:limit],
        truncated=len(content) > limit,
    )


async def off_loop(function: Callable[[Any], T], argument: Any) -> T:
    return await run_in_threadpool(function, argument)


def check_attachment_sizes(items: Any, limits: Limits) -> None:
    """Count and size the attachments before any is decoded (base64 is 4/3 of the bytes)."""
    if not isinstance(items, list):
        raise InvalidInput([InputError("attachments", "must be a list")])
    if len(items) > limits.max_attachments:
        message = f"at most {limits.max_attachments} attachments (web.max_attachments)"
        raise InvalidInput([InputError("attachments", message)])
    encoded_limit = (limits.max_attachment_bytes * 4) // 3 + 4
    for item in items:
        encoded = item.get("content_base64") if isinstance(item, dict) else None
        if isinstance(encoded, str) and len(encoded) > encoded_limit:
            size = megabytes(limits.max_attachment_bytes)
            message = f"each attachment must be at most {size} (web.max_attachment_bytes)"
            raise InvalidInput([InputError("attachments", message)])


def decode_attachments(items: Any) -> list[Upload]:
    if not isinstance(items, list):
        raise InvalidInput([InputError("attachments", "must be a list")])
    uploads = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("content_base64"), str):
            raise InvalidInput(
                [
                    InputError(
                        "attachments",
                        "each attachment needs filename, content_type and content_base64",
                    )
                ]
            )
        try:
            content = base64.b64decode(item["content_base64"], validate=True)
        except (binascii.Error, ValueError):
            error = InputError("attachments", "content_base64 is not base64")
            raise InvalidInput([error]) from None
        uploads.append(
            Upload(str(item.get("filename") or ""), str(item.get("content_type") or ""), content)
        )
    return uploads
