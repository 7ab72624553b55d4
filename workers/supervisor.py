"""`ventanilla run`: the web app in this process, the workers and the poller as children.

If a child dies it is started again; stopping `run` (Ctrl-C, SIGTERM) stops them all.
"""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys
import threading
import time
from typing import Any

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


def _watch(children: dict[str, subprocess.Popen[bytes]], stopping: threading.Event) -> None:
    while not stopping.wait(2.0):
        for name, args in CHILDREN:
            if children[name].poll() is not None:
                log.warning("child_restarted", process=name, code=children[name].returncode)
                children[name] = _spawn(args)


def run_all(app: Any) -> None:
    import uvicorn

    from ventanilla.web.app import create_app

    app.db  # noqa: B018  (migrate once, before the children start)
    children = {name: _spawn(args) for name, args in CHILDREN}
    stopping = threading.Event()
    watcher = threading.Thread(target=_watch, args=(children, stopping), daemon=True)
    watcher.start()
    settings = app.settings.web
    log.info("running", url=f"http://{settings.host}:{settings.port}/pqrsdf")
    try:
        uvicorn.run(
            create_app(app),
            host=settings.host,
            port=settings.port,
            log_level="warning",
            access_log=False,
        )
    finally:
        stopping.set()
        for child in children.values():
            child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        for child in children.values():
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
