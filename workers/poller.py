"""The poller: runs each enabled channel adapter, the periodic reconciler, the daily digest.

Per batch: persist the messages with the channel's checkpoint, then commit at the source.
Each channel runs in a thread of its own, so one that is down (and retried with backoff)
or waiting on IMAP IDLE never holds up the others.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import redis

from ventanilla.adapters.base import ChannelAdapter
from ventanilla.adapters.registry import polling_adapters
from ventanilla.app import current_app
from ventanilla.errors import ChannelError
from ventanilla.logs import log
from ventanilla.store.engine import is_transient
from ventanilla.store.intake import load_checkpoint, sweep_orphan_blobs
from ventanilla.workers.alerts import check_mention_spike
from ventanilla.workers.digest import send_digest_when_due
from ventanilla.workers.intake import accept_batch
from ventanilla.workers.reconciler import reconcile

MAX_BACKOFF_SECONDS = 300.0


def poll_channel(adapter: ChannelAdapter) -> int:
    """Fetch everything new from one channel; returns how many messages were taken."""
    app = current_app()
    with app.db.read() as session:
        cursor = load_checkpoint(session, adapter.channel)
    taken = 0
    for batch in adapter.fetch(cursor):
        accept_batch(batch.messages, checkpoint=(adapter.channel, batch.cursor, batch.remaining))
        adapter.commit(batch.cursor)
        taken += len(batch.messages)
        if batch.remaining:
            # A backlog (an outage, a first start): progress in the log and on /metrics.
            log.info("intake_progress", channel=adapter.channel, taken=taken, left=batch.remaining)
    return taken


# Attachment files older than this with no row are leftovers (a refused batch, a crash).
ORPHAN_AFTER_SECONDS = 3600.0
_last_sweep = 0.0


def sweep_attachments(app: Any) -> None:
    """Once an hour: remove attachment files no message points at."""
    global _last_sweep
    if time.monotonic() - _last_sweep < ORPHAN_AFTER_SECONDS:
        return
    _last_sweep = time.monotonic()
    with app.db.read() as session:
        removed = sweep_orphan_blobs(session, app.attachments_dir, ORPHAN_AFTER_SECONDS)
    if removed:
        log.info("orphan_attachments_removed", files=removed)


def report_failure(event: str, error: Exception, **ids: object) -> None:
    """One line for what is expected to pass (the store or Redis restarting); the whole
    traceback only for what may be a bug."""
    if is_transient(error) or isinstance(error, redis.RedisError):
        log.warning(event, error=type(error).__name__, **ids)
    else:
        log.exception(event, **ids)


def run_channel(adapter: ChannelAdapter, interval: float, stop: threading.Event) -> None:
    """Poll one channel until `stop`; failures back off exponentially, never end the loop."""
    backoff = 0.0
    while not stop.is_set():
        try:
            taken = poll_channel(adapter)
            backoff = 0.0
            if taken:
                log.info("polled", channel=adapter.channel, messages=taken)
            adapter.wait(interval)
            continue
        except ChannelError as error:
            backoff = min(max(backoff * 2, 1.0), MAX_BACKOFF_SECONDS)
            if error.retry_after is not None:
                # A rate limit says when it resets: wait it out, not less (nor far more).
                backoff = max(error.retry_after, 1.0)
            log.warning(
                "channel_error",
                channel=adapter.channel,
                error=str(error),
                retryable=error.retryable,
                retry_in=backoff,
            )
        except Exception as error:  # the store or Redis is down, or a bug: keep the loop
            backoff = min(max(backoff * 2, 1.0), MAX_BACKOFF_SECONDS)
            report_failure("channel_failed", error, channel=adapter.channel, retry_in=backoff)
        stop.wait(backoff)


def run_poller(channel: str | None = None, once: bool = False, interval: float = 10.0) -> bool:
    """Poll the enabled channels; with `once`, one round each, False if any failed."""
    app = current_app()
    adapters = polling_adapters(app.settings, only=channel)
    if not adapters:
        log.info("no_channel_to_poll", channel=channel or "all")
    if once:
        failed = False
        for adapter in adapters:
            try:
                taken = poll_channel(adapter)
                log.info("polled", channel=adapter.channel, messages=taken)
            except ChannelError as error:
                failed = True
                log.error("channel_error", channel=adapter.channel, error=str(error))
        return not failed
    stop = threading.Event()
    for adapter in adapters:
        threading.Thread(
            target=run_channel,
            args=(adapter, interval, stop),
            name=f"poll-{adapter.channel}",
            daemon=True,  # a crash-safe intake: stopping mid-batch loses nothing
        ).start()
    try:
        while True:
            try:
                reconcile()
            except Exception as error:  # Redis or the store is down: try again next round
                report_failure("reconcile_failed", error)
            try:
                check_mention_spike()
            except Exception as error:  # never let an alert stop the intake
                report_failure("mention_spike_check_failed", error)
            try:
                sweep_attachments(app)
            except Exception as error:  # the store is down: the next round tries again
                report_failure("attachment_sweep_failed", error)
            try:
                send_digest_when_due(app)
            except Exception as error:  # SMTP or the store is down: the next round tries again
                report_failure("digest_failed", error)
            time.sleep(app.settings.worker.reconcile_every_seconds)
    finally:
        stop.set()
