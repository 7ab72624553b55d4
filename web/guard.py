"""The web app's outer guard: what every request meets before any handler reads its body.

One pure ASGI middleware (no per-request task or body copy, so the intake API keeps its
speed) that:
- answers 413 to a body over `web.max_body_bytes` before it is read whole (by its
  Content-Length, or by counting a chunked body as it streams in), and 408 to a body that
  stalls longer than `web.body_timeout_seconds` between chunks (a half-open connection);
- refuses `/metrics` and `/openapi.json` (404) to clients outside `web.internal_networks`;
- adds the security headers to every response that did not set its own (CSP, no framing,
  nosniff, Referrer-Policy).

It decides nothing about content: validation belongs to the handlers, the intake limit per
address to `web/ratelimit.py`. The client address is the one uvicorn reports: the peer, or
the X-Forwarded-For of a proxy listed in `web.trusted_proxies`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Public pages: only our own styles, scripts, images and forms; never inside a frame.
PAGE_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (
        b"content-security-policy",
        b"default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        b"object-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)
INTERNAL_PATHS = frozenset({"/metrics", "/openapi.json"})


class BodyTooLarge(Exception):
    pass


class BodyTimeout(Exception):
    pass


class Guard:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        body_timeout_seconds: float,
        internal_networks: Iterable[str],
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.body_timeout = body_timeout_seconds
        self.internal = tuple(ipaddress.ip_network(n, strict=False) for n in internal_networks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] in INTERNAL_PATHS and not self._internal(scope):
            await _answer(send, 404, {"detail": "Not Found"})
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body_bytes:
            await _answer(send, 413, _too_large(self.max_body_bytes), close=True)
            return
        started = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [h for h in PAGE_HEADERS if h[0] not in present]
                message["headers"] = headers
            await send(message)

        received = 0

        async def guarded_receive() -> Message:
            nonlocal received
            try:
                message = await asyncio.wait_for(receive(), self.body_timeout)
            except TimeoutError:
                raise BodyTimeout() from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLarge()
            return message

        try:
            await self.app(scope, guarded_receive, guarded_send)
        except (BodyTooLarge, BodyTimeout) as error:
            if started:  # too late to answer: drop the connection
                raise
            if isinstance(error, BodyTooLarge):
                await _answer(send, 413, _too_large(self.max_body_bytes), close=True)
            else:
                await _answer(
                    send, 408, {"errors": [{"field": "body", "message": "the body stalled"}]}
                )

    def _internal(self, scope: Scope) -> bool:
        client = scope.get("client")
        if not client:
            return False
        try:
            address = ipaddress.ip_address(client[0])
        except ValueError:
            return False
        return any(address in network for network in self.internal)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _too_large(limit: int) -> dict[str, Any]:
    megabytes = limit / (1024 * 1024)
    return {
        "errors": [
            {
                "field": "body",
                "message": f"the request is larger than {megabytes:.0f} MB (web.max_body_bytes)",
            }
        ]
    }


async def _answer(send: Send, status: int, body: dict[str, Any], *, close: bool = False) -> None:
    payload = json.dumps(body).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *PAGE_HEADERS,
    ]
    if close:  # the rest of the body is not read: the connection cannot be reused
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
