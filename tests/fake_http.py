"""The HTTP plumbing the provider fakes share: a threaded server on 127.0.0.1 (a port the
OS picks) that keeps connections alive like the real APIs, hands each request to the
fake as one ``Request``, and closes idle keep-alive connections when it stops.

It knows nothing of any provider: each fake (``fake_twilio.py``, ``fake_x.py``) is a
``LocalFake`` that answers in its provider's own JSON.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol, Self, TypeVar
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    """One request as received; ``status`` is what the fake answered (0: connection dropped)."""

    method: str
    path: str
    raw_query: str
    query: dict[str, list[str]]
    body: bytes
    headers: dict[str, str]  # names lower-cased
    status: int = 0

    def one(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


class Fault(Protocol):
    """A failure a test asked for: on which endpoint, how many more times."""

    on: str
    remaining: int


F = TypeVar("F", bound=Fault)


def take_fault(faults: list[F], endpoint: str) -> F | None:
    """The first fault set for `endpoint` (or "any"), counted down and dropped when spent."""
    for fault in faults:
        if fault.on in (endpoint, "any"):
            fault.remaining -= 1
            if fault.remaining <= 0:
                faults.remove(fault)
            return fault
    return None


# A fake's answer to a request; None drops the connection without answering.
Answer = Callable[[Request], Response | None]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, answer: Answer, name: str) -> None:
        self.answer = answer
        self.name = name
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the providers' APIs
    # Headers and body go out as two writes: with Nagle's algorithm the body would wait
    # for the client's delayed ACK (40 ms a request on Linux).
    disable_nagle_algorithm = True
    timeout = 30
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.connections_lock:
                self.server.connections.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib's name)
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's hook names)
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(
            method=self.command,
            path=split.path,
            raw_query=split.query,
            query=parse_qs(split.query, keep_blank_values=True),
            body=self.rfile.read(length) if length else b"",
            headers={k.lower(): v for k, v in self.headers.items()},
        )
        response = self.server.answer(request)
        if response is None:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        request.status = response.status
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)

    do_POST = do_PUT = do_DELETE = do_GET  # noqa: N815


class LocalServer:
    """Serves ``answer`` in a background thread until ``close``."""

    def __init__(self, answer: Answer, name: str) -> None:
        self._server = _Server(answer, name)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=name,
            daemon=True,
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def connections(self) -> set[socket.socket]:
        """The client connections open now (kept alive between requests)."""
        with self._server.connections_lock:
            return set(self._server.connections)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def close(self) -> None:
        self._server.shutdown()
        with self._server.connections_lock:
            connections = list(self._server.connections)
        for connection in connections:  # idle keep-alive connections
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._server.server_close()
        self._thread.join(timeout=5)


class LocalFake:
    """A provider fake's lifecycle: ``with Fake() as fake`` serves ``answer`` on 127.0.0.1."""

    name = "fake"
    _server: LocalServer | None = None

    def answer(self, request: Request) -> Response | None:
        raise NotImplementedError

    def start(self) -> Self:
        self._server = LocalServer(self.answer, self.name)
        return self

    def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def port(self) -> int:
        return int(self.api_url.rsplit(":", 1)[1])

    @property
    def api_url(self) -> str:
        """What stands in for the provider's API host: ``http://127.0.0.1:PORT``."""
        assert self._server is not None, f"{self.name} is not running"
        return self._server.url
