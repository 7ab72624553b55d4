"""The HTTP server under the providers' fakes (Twilio, Telegram): threaded, keep-alive like
the real APIs, on 127.0.0.1 at a port the OS picks, and a `close` that also ends idle
keep-alive connections so no client thread is left hanging."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Handle = Callable[[BaseHTTPRequestHandler], None]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, handle: Handle, handler: type[BaseHTTPRequestHandler]) -> None:
        self.handle = handle
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK hold every answer on a keep-alive connection for 40 ms.
    disable_nagle_algorithm = True
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
        self.server.handle(self)

    do_POST = do_PUT = do_DELETE = do_GET  # noqa: N815


class LocalHTTPServer:
    """Calls `handle(request_handler)` for every request, each in a thread of its own."""

    def __init__(self, handle: Handle, *, name: str, server_version: str, timeout: float) -> None:
        self.name = name
        self.handler = type(
            "Handler", (_Handler,), {"server_version": server_version, "timeout": timeout}
        )
        self.handle = handle
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._server = _Server(self.handle, self.handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=self.name,
            daemon=True,
        )
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        assert self._server is not None, f"{self.name} is not running"
        return int(self._server.server_address[1])

    def close(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        with server.connections_lock:
            connections = list(server.connections)
        for connection in connections:  # idle keep-alive connections
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
