"""The public API as `/openapi.json` describes it: the intake body and every answer.

`POST /api/v1/requests` reads its raw body itself (size limits first, large bodies parsed
off the event loop), so FastAPI cannot infer its schema; it is declared here, and must
say what `web/app.py` and `adapters/webform.py` accept. Descriptions only: nothing here
validates a request.
"""

from __future__ import annotations

from typing import Any

from ventanilla.adapters.webform import Limits
from ventanilla.routing.types import REQUEST_TYPES

ERRORS = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        }
    },
}
# OpenAPI 3.1 (what FastAPI writes): a value that may be null says so in its type.
NULLABLE_TEXT = {"type": ["string", "null"]}


def _json(schema: dict[str, Any], description: str, **headers: str) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }
    if headers:
        answer["headers"] = {
            name: {"description": text, "schema": {"type": "integer"}}
            for name, text in headers.items()
        }
    return answer


def _html(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


RETRY = "seconds to wait before sending again"
BAD_INPUT = _json(ERRORS, "bad input: each error names its field")
UNAVAILABLE = _json(ERRORS, "the store is restarting: send the same request again", **{
    "Retry-After": RETRY})  # fmt: skip


def intake(limits: Limits) -> dict[str, Any]:
    """`openapi_extra` of `POST /api/v1/requests`: its body and its answers."""
    attachment = {
        "type": "object",
        "required": ["content_base64"],
        "properties": {
            "filename": {"type": "string", "maxLength": 200},
            "content_type": {"type": "string", "maxLength": 100, "examples": ["application/pdf"]},
            "content_base64": {"type": "string", "contentEncoding": "base64"},
        },
    }
    body = {
        "type": "object",
        "required": ["text"],
        "properties": {
            "type": {"type": ["string", "null"], "enum": [*REQUEST_TYPES, "", None]},
            "name": {**NULLABLE_TEXT, "maxLength": 200},
            "email": {**NULLABLE_TEXT, "format": "email"},
            "phone": {**NULLABLE_TEXT, "examples": ["3001234567"]},
            "subject": {**NULLABLE_TEXT, "maxLength": 200},
            "text": {"type": "string", "minLength": 1, "maxLength": limits.max_text_chars},
            "attachments": {
                "type": ["array", "null"],
                "maxItems": limits.max_attachments,
                "items": attachment,
            },
        },
    }
    filed = {
        "type": "object",
        "required": ["radicado", "filed_at", "due_date", "type", "status", "id"],
        "properties": {
            "radicado": {"type": "string"},
            "filed_at": {"type": "string", "format": "date-time"},
            "due_date": {"type": "string", "format": "date"},
            "type": {"type": "string"},
            "status": {"type": "string"},
            "id": {"type": "integer"},
        },
    }
    received = {
        "type": "object",
        "required": ["id", "status_url", "status"],
        "properties": {
            "id": {"type": "integer"},
            "status_url": {"type": "string"},
            "status": {"type": "string"},
            "message": {"type": "string", "description": "why no radicado (duplicate)"},
        },
    }
    return {
        "parameters": [
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "the same key sent again is the same request, answered the same",
                "schema": {"type": "string", "minLength": 1, "maxLength": 200},
            }
        ],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": body}},
        },
        "responses": {
            "201": _json(filed, "filed: the case and its radicado"),
            "202": _json(received, "received (or a duplicate: no new radicado); ask status_url"),
            "408": _json(ERRORS, "the body stalled (web.body_timeout_seconds)"),
            "413": _json(ERRORS, "the body is over web.max_body_bytes"),
            "422": BAD_INPUT,
            "429": _json(ERRORS, "too many requests from this address", **{"Retry-After": RETRY}),
            "503": UNAVAILABLE,
        },
    }


REQUEST_STATE = {
    "responses": {
        "200": _json(
            {
                "type": "object",
                "required": ["id", "status"],
                "properties": {
                    "id": {"type": "integer"},
                    "status": {"type": "string"},
                    "reason": NULLABLE_TEXT,
                    "radicado": NULLABLE_TEXT,
                    "filed_at": NULLABLE_TEXT,
                    "due_date": NULLABLE_TEXT,
                    "type": NULLABLE_TEXT,
                },
            },
            "the request's state, and its case once filed",
        ),
        "404": _json(
            {"type": "object", "properties": {"detail": {"type": "string"}}}, "no such request"
        ),
    }
}
# Radicados are sequential: without the acknowledgement's token (`?c=`) every number, real
# or not, gets the same form asking for the e-mail or phone given (no 404 to walk them).
STATUS_PAGE = {
    "responses": {
        "200": _html("the case's status with the link's token; else the contact form"),
    }
}
HEALTH = {
    "responses": {
        "200": _json({"type": "object", "required": ["status"]}, "store and queue answer"),
        "503": _json({"type": "object", "required": ["status"]}, "the store or queue does not"),
    }
}
