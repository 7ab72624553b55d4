"""Serving the web app: the port is bound before anything else starts, so a busy port or a
wrong address stops the command at once with one line naming it (exit 1), instead of a
process that prints "address already in use" and lingers with its background threads.
"""

from __future__ import annotations

import socket
from typing import Any

from ventanilla.errors import VentanillaError

# Longer than a proxy's or Twilio's idle keep-alive, so the server is never the one closing
# a connection a client is about to reuse.
KEEP_ALIVE_SECONDS = 75


class PortUnavailable(VentanillaError):
    """The web port cannot be bound: busy, or an address this machine does not have."""


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port, or PortUnavailable naming the settings to change."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as error:
        sock.close()
        raise PortUnavailable(
            f"cannot listen on {host}:{port} ({error.strerror or error}); another process "
            "may be using the port: stop it, or set web.port (or --port) to a free one"
        ) from error
    sock.set_inheritable(True)
    return sock


def serve(asgi: Any, sock: socket.socket, *, trusted_proxies: list[str]) -> None:
    """Run uvicorn on an already bound socket until it is stopped (Ctrl-C, SIGTERM).

    The client address of a request from one of `trusted_proxies` is the one its
    X-Forwarded-For names (web.trusted_proxies): what the limits and /metrics go by.
    """
    import uvicorn

    config = uvicorn.Config(
        asgi,
        log_level="warning",
        access_log=False,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        proxy_headers=True,
        forwarded_allow_ips=trusted_proxies,
    )
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    if not server.started:
        # uvicorn logs why (the app's start-up failed) and returns: so do we, loudly.
        raise VentanillaError("the web server did not start: see the lines above")
