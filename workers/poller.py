"""The poller: runs each enabled channel adapter, and the periodic reconciler.

Per message: persist (with the channel's checkpoint), then commit at the source. A channel
that fails is retried with backoff while the others keep going.
"""

from __future__ import annotations

import time

from ventanilla.adapters.base import ChannelAdapter
from ventanilla.adapters.registry import polling_adapters
from ventanilla.app import current_app
from ventanilla.errors import ChannelError
from ventanilla.logs import log
from ventanilla.store.intake import load_checkpoint
from ventanilla.workers.intake import accept
from ventanilla.workers.reconciler import reconcile


def poll_channel(adapter: ChannelAdapter) -> int:
    """Fetch everything new from one channel; returns how many messages were taken."""
    app = current_app()
    with app.db.read() as session:
        cursor = load_checkpoint(session, adapter.channel)
    taken = 0
    for message, next_cursor in adapter.fetch(cursor):
        accept(message, checkpoint=(adapter.channel, next_cursor))
        adapter.commit(next_cursor)
        taken += 1
    return taken


def run_poller(channel: str | None = None, once: bool = False, interval: float = 10.0) -> None:
    app = current_app()
    adapters = polling_adapters(app.settings, only=channel)
    if not adapters:
        log.info("no_channel_to_poll", channel=channel or "all")
    backoff: dict[str, float] = {}
    next_try: dict[str, float] = {}
    last_reconcile = 0.0
    while True:
        for adapter in adapters:
            if time.monotonic() < next_try.get(adapter.channel, 0.0):
                continue
            try:
                taken = poll_channel(adapter)
                backoff.pop(adapter.channel, None)
                if taken:
                    log.info("polled", channel=adapter.channel, messages=taken)
            except ChannelError as error:
                delay = min(backoff.get(adapter.channel, 1.0) * 2, 300.0)
                backoff[adapter.channel] = delay
                next_try[adapter.channel] = time.monotonic() + delay
                log.warning(
                    "channel_error",
                    channel=adapter.channel,
                    retry_in=delay,
                    retryable=error.retryable,
                )
        if once:
            return
        if time.monotonic() - last_reconcile >= app.settings.worker.reconcile_every_seconds:
            try:
                reconcile()
            except Exception:  # Redis or the store is down: try again next round
                log.exception("reconcile_failed")
            last_reconcile = time.monotonic()
        time.sleep(interval)
