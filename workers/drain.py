"""Drain: run the pipeline in this process until nothing is in flight (batch use, tests).

Whatever the queue lost (Redis restarted empty, a worker killed) is re-enqueued from the
store first, so a drain always finishes what the store knows about.
"""

from __future__ import annotations

import time
from datetime import timedelta

import dramatiq

from ventanilla.app import current_app
from ventanilla.logs import log
from ventanilla.store.pipeline import in_flight
from ventanilla.workers.reconciler import reconcile

# A drain re-sends anything whose stage has not moved for this long.
STALL_SECONDS = 5.0


def count_in_flight() -> int:
    with current_app().db.read() as session:
        return in_flight(session)


def drain(timeout: float) -> bool:
    """True when everything finished within `timeout` seconds."""
    from ventanilla.workers.broker import broker
    from ventanilla.workers.filing import file_case  # noqa: F401  (registers the actor)
    from ventanilla.workers.pipeline import QUEUE  # noqa: F401  (registers the actors)

    app = current_app()
    reconcile(older_than=timedelta(0))
    worker = dramatiq.Worker(broker, worker_threads=app.settings.worker.threads)
    worker.start()
    deadline = time.monotonic() + timeout
    last_count, last_change = -1, time.monotonic()
    try:
        while time.monotonic() < deadline:
            remaining = count_in_flight()
            if remaining == 0:
                log.info("drained")
                return True
            if remaining != last_count:
                log.info("draining", in_flight=remaining)
                last_count, last_change = remaining, time.monotonic()
            elif time.monotonic() - last_change > STALL_SECONDS:
                reconcile(older_than=timedelta(seconds=STALL_SECONDS))
                last_change = time.monotonic()
            time.sleep(0.2)
        log.warning("drain_timed_out", in_flight=count_in_flight())
        return False
    finally:
        worker.stop(timeout=10_000)
