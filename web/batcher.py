"""Group commit for the web intake: submissions that arrive together are stored together.

Each caller still waits until its own message is committed (DESIGN rule 1: persist before
answering), but a burst of webhooks costs one transaction and one enqueue per batch
instead of one per request. One batch is written at a time: while it commits, the next
one gathers. Under light load a batch is one message, stored at once.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool

from ventanilla.logs import log
from ventanilla.message import InboundMessage
from ventanilla.store.intake import Accepted
from ventanilla.workers.intake import accept_batch

# In a burst (a submission within BURST_SECONDS of the last store), how long a submission
# waits for others to be stored and enqueued with it; a lone one is stored at once.
GATHER_SECONDS = 0.1
BURST_SECONDS = 1.0


@dataclass
class _Waiting:
    message: InboundMessage
    start_now: bool
    done: asyncio.Future[Accepted]


class IntakeBatcher:
    def __init__(self, max_batch: int = 32, gather_seconds: float = GATHER_SECONDS) -> None:
        self.max_batch = max_batch
        self.gather_seconds = gather_seconds
        # Until when another submission counts as part of a burst (loop time).
        self._busy_until = 0.0
        self._waiting: list[_Waiting] = []
        self._wakeup: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._wakeup = asyncio.Event()
        self._task = asyncio.create_task(self._store_forever())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def accept(self, message: InboundMessage, *, start_now: bool = True) -> Accepted:
        """Store `message` with whatever else is waiting; returns once it is committed."""
        if self._wakeup is None:  # not started (a test client without lifespan): alone
            [accepted] = await run_in_threadpool(accept_batch, [message], start_now=start_now)
            return accepted
        done: asyncio.Future[Accepted] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Waiting(message, start_now, done))
        self._wakeup.set()
        return await done

    async def _store_forever(self) -> None:
        assert self._wakeup is not None
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            loop = asyncio.get_running_loop()
            if len(self._waiting) < self.max_batch and loop.time() < self._busy_until:
                # Busy: let the burst gather. The pipeline runs per batch, and a batch of
                # one holds the year's radicado counter (and SQLite's write lock) nearly as
                # long as a batch of twenty-five: one at a time, PostgreSQL filed 18 a second.
                await asyncio.sleep(self.gather_seconds)
            while self._waiting:
                batch = self._waiting[: self.max_batch]
                del self._waiting[: len(batch)]
                try:
                    results = await run_in_threadpool(_store, batch)
                except Exception as error:  # each caller answers with the failure
                    for item in batch:
                        if not item.done.done():
                            item.done.set_exception(error)
                    continue
                for item, accepted in zip(batch, results, strict=True):
                    if not item.done.done():
                        item.done.set_result(accepted)
            self._busy_until = loop.time() + BURST_SECONDS


def _store(batch: list[_Waiting]) -> list[Accepted]:
    from ventanilla.workers.pipeline import start

    accepted = accept_batch([item.message for item in batch], start_now=False)
    ids = [
        outcome.message_id
        for item, outcome in zip(batch, accepted, strict=True)
        if outcome.created and item.start_now
    ]
    try:
        start(ids)
    except Exception:  # stored is what matters: the reconciler enqueues them later
        log.warning("enqueue_failed", messages=len(ids))
    return accepted
