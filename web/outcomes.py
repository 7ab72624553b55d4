"""Waiting, in the web process, for the pipeline to decide a message.

One Redis subscription per process wakes the requests waiting on a message id, and the
outcomes of the requests woken together are read from the store in one query. A lost
notification only costs a slower answer: each request re-reads the store now and then.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import redis.asyncio as aioredis
from starlette.concurrency import run_in_threadpool

from ventanilla.logs import log


class OutcomeWaiter:
    """Wakes the requests waiting on message ids, reading their outcomes together.

    `read_many(ids)` (run in a thread) returns the outcome of each id that has one. The
    worker announces a whole batch at once, so the wake-ups that arrive together are
    answered by one read of the store, not one read (and one thread hop) per request.
    """

    def __init__(
        self, redis_url: str, channel: str, read_many: Callable[[list[int]], dict[int, Any]]
    ) -> None:
        self.redis_url = redis_url
        self.channel = channel
        self.read_many = read_many
        self.waiting: dict[int, list[asyncio.Future[Any]]] = {}
        self.woken: set[int] = set()
        self.flushing: asyncio.Task[None] | None = None
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.task = asyncio.create_task(self._listen())

    async def stop(self) -> None:
        if self.task:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    async def _listen(self) -> None:
        delay = 0.5
        while True:
            client = aioredis.Redis.from_url(self.redis_url)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    delay = 0.5
                    async for event in pubsub.listen():
                        if event.get("type") == "message":
                            self._wake(int(event["data"]))
            except asyncio.CancelledError:
                await client.aclose()
                raise
            except Exception:  # Redis restarting: waiters fall back on the store
                log.warning("outcome_listener_reconnecting", delay=delay)
                await client.aclose()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    def _wake(self, message_id: int) -> None:
        if message_id not in self.waiting:
            return  # another process's request, or one that stopped waiting
        self.woken.add(message_id)
        if self.flushing is None:
            # Runs after the wake-ups already read from the socket: one read for them all.
            self.flushing = asyncio.create_task(self._flush())

    async def _flush(self) -> None:
        await asyncio.sleep(0)
        ids, self.woken = sorted(self.woken), set()
        try:
            found = await self._read(ids)
        finally:
            self.flushing = None
            if self.woken:
                self.flushing = asyncio.create_task(self._flush())
        for message_id in ids:
            for future in self.waiting.pop(message_id, []):
                if not future.done():
                    future.set_result(found.get(message_id))

    async def _read(self, ids: list[int]) -> dict[int, Any]:
        try:
            return await run_in_threadpool(self.read_many, ids)
        except Exception:  # the store restarting: the waiters read again on their own
            log.warning("outcome_read_failed", message_ids=len(ids))
            return {}

    async def wait(self, message_id: int, timeout: float) -> Any:
        """The outcome of `message_id` once the pipeline has decided it, or None after
        `timeout`. The store is re-read every couple of seconds in case the notification
        was lost; the pipeline cannot have finished the moment the message was accepted.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            future: asyncio.Future[Any] = loop.create_future()
            self.waiting.setdefault(message_id, []).append(future)
            remaining = deadline - loop.time()
            try:
                result = await asyncio.wait_for(future, max(0.0, min(remaining, 2.0)))
            except TimeoutError:
                self._forget(message_id, future)
                result = (await self._read([message_id])).get(message_id)
            if result is not None or deadline - loop.time() <= 0:
                return result

    def _forget(self, message_id: int, future: asyncio.Future[Any]) -> None:
        futures = self.waiting.get(message_id)
        if futures and future in futures:
            futures.remove(future)
            if not futures:
                del self.waiting[message_id]
