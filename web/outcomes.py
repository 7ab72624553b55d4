"""Waiting, in the web process, for the pipeline to decide a message.

One Redis subscription per process wakes the requests waiting on a message id. The store
is checked before and after waiting, so a lost notification only costs a slower answer.
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
    def __init__(self, redis_url: str, channel: str) -> None:
        self.redis_url = redis_url
        self.channel = channel
        self.waiting: dict[int, list[asyncio.Future[None]]] = {}
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
        for future in self.waiting.pop(message_id, []):
            if not future.done():
                future.set_result(None)

    async def wait(self, message_id: int, timeout: float, decided: Callable[[], Any]) -> Any:
        """`decided()` (run in a thread) once it returns something, or None after `timeout`.

        The store is read only after a wake-up or every couple of seconds: the pipeline
        cannot have finished the moment the message was accepted.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            future: asyncio.Future[None] = loop.create_future()
            self.waiting.setdefault(message_id, []).append(future)
            remaining = deadline - loop.time()
            # Re-check the store now and then in case the notification was lost.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(future, max(0.0, min(remaining, 2.0)))
            self._forget(message_id, future)
            result = await run_in_threadpool(decided)
            if result is not None or deadline - loop.time() <= 0:
                return result

    def _forget(self, message_id: int, future: asyncio.Future[None]) -> None:
        futures = self.waiting.get(message_id)
        if futures and future in futures:
            futures.remove(future)
            if not futures:
                del self.waiting[message_id]
