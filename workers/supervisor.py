"""`ventanilla run`: the web app in this process, the workers and the poller as children.

If a child dies after running a while it is started again; one that cannot start, or that
someone stopped, stops `run` with a non-zero exit and one line naming it. Stopping `run`
(Ctrl-C, SIGTERM) stops them all.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

from ventanilla.errors import VentanillaError
from ventanilla.logs import log

CHILDREN = (("worker", ["worker"]), ("poller", ["poll"]))
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM when `run` dies, even by a signal that skips cleanup.

    uvicorn re-raises SIGTERM after its graceful shutdown, which ends this process before
    any `finally` runs; without this the workers would be orphaned.
    """
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:  # not Linux: the finally block below is all we have
        pass


def _spawn(args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "ventanilla.cli.main", *args], preexec_fn=_die_with_parent
    )


# A child that dies sooner than this after starting cannot start (a wrong setting, a
# store that refuses it): restarting it in a loop would hide that, so `run` stops instead.
START_GRACE_SECONDS = 10.0
# Stopped on purpose (someone sent the group SIGTERM or Ctrl-C): `run` stops with it.
_STOP_SIGNALS = (-signal.SIGTERM, -signal.SIGINT)


class _Children:
    """The worker and poller processes, and why `run` must stop ("" while all is well)."""

    def __init__(self) -> None:
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.started: dict[str, float] = {}
        self.failure = ""

    def spawn(self, name: str, args: list[str]) -> None:
        self.running[name] = _spawn(args)
        self.started[name] = time.monotonic()

    def check(self) -> bool:
        """Restart a child that died after running a while; False when `run` must stop."""
        for name, args in CHILDREN:
            code = self.running[name].poll()
            if code is None:
                continue
            if code in _STOP_SIGNALS:
                self.failure = f"the {name} process was stopped (signal {-code})"
                return False
            if time.monotonic() - self.started[name] < START_GRACE_SECONDS:
                self.failure = f"the {name} process could not start (exit code {code})"
                return False
            log.warning("child_restarted", process=name, code=code)
            self.spawn(name, args)
        return True


def _watch(children: _Children, stopping: threading.Event) -> None:
    while not stopping.wait(1.0):
        if not children.check():
            log.error("child_failed", reason=children.failure)
            # uvicorn stops on SIGTERM as on Ctrl-C; `run_all` then stops the others.
            os.kill(os.getpid(), signal.SIGTERM)
            return


def run_all(app: Any) -> None:
    from ventanilla.web.app import create_app
    from ventanilla.web.serve import bind, serve

    settings = app.settings.web
    # The port first: when it is busy nothing else starts, and the command says so.
    sock = bind(settings.host, settings.port)
    app.db  # noqa: B018  (migrate once, before the children start)
    children = _Children()
    for name, args in CHILDREN:
        children.spawn(name, args)
    stopping = threading.Event()
    watcher = threading.Thread(target=_watch, args=(children, stopping), daemon=True)
    watcher.start()
    log.info("running", url=f"http://{settings.host}:{settings.port}/pqrsdf")
    try:
        serve(
            create_app(app),
            sock,
            trusted_proxies=app.settings.web.proxies(),
        )
    finally:
        stopping.set()
        for child in children.running.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        for child in children.running.values():
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
    if children.failure:
        raise VentanillaError(f"{children.failure}: see its log lines above; everything stopped")
