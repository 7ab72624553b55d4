"""The web process's outcome waiter, on a real Redis: the requests a worker's batch wakes
together are answered by one read of the store, and a lost wake-up is found by re-reading."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import redis

from ventanilla.web.outcomes import OutcomeWaiter

CHANNEL = "test:outcome"


class Store:
    """What the store answers: the decided ids, and each read the waiter asked for."""

    def __init__(self, decided: set[int]) -> None:
        self.decided = decided
        self.reads: list[list[int]] = []
        self.lock = threading.Lock()

    def read_many(self, ids: list[int]) -> dict[int, Any]:
        with self.lock:
            self.reads.append(list(ids))
        return {i: {"id": i, "status": "case"} for i in ids if i in self.decided}


async def announced(waiter: OutcomeWaiter, ids: list[int], redis_url: str) -> list[Any]:
    """Requests waiting on `ids`, then the whole batch announced as a worker does."""
    await waiter.start()
    try:
        await asyncio.sleep(0.2)  # subscribed
        tasks = [asyncio.create_task(waiter.wait(i, 10)) for i in ids]
        await asyncio.sleep(0.05)  # every request is waiting
        with redis.Redis.from_url(redis_url).pipeline(transaction=False) as batch:
            for message_id in ids:  # one pipeline, as workers/notify.py announces
                batch.publish(CHANNEL, str(message_id))
            batch.execute()
        return await asyncio.gather(*tasks)
    finally:
        await waiter.stop()


async def waited(waiter: OutcomeWaiter, message_id: int, timeout: float) -> Any:
    """One request waiting on `message_id`, never announced."""
    await waiter.start()
    try:
        return await waiter.wait(message_id, timeout)
    finally:
        await waiter.stop()


def test_a_batch_woken_together_is_read_in_one_query(redis_server):
    ids = list(range(1, 41))
    store = Store(set(ids))
    waiter = OutcomeWaiter(redis_server.url, CHANNEL, store.read_many)

    answers = asyncio.run(announced(waiter, ids, redis_server.url))

    assert [answer["id"] for answer in answers] == ids
    # One read answers all forty (two at most, if the wake-ups arrive in two socket reads),
    # where each request used to read the store on its own.
    assert len(store.reads) <= 2, store.reads
    assert sorted(i for read in store.reads for i in read) == ids


def test_a_lost_wake_up_is_found_by_reading_again(redis_server):
    store = Store({7})
    answer = asyncio.run(waited(OutcomeWaiter(redis_server.url, CHANNEL, store.read_many), 7, 3))
    assert answer == {"id": 7, "status": "case"}
    assert store.reads == [[7]]


def test_an_undecided_request_gets_none_after_its_timeout(redis_server):
    store = Store(set())
    waiter = OutcomeWaiter(redis_server.url, CHANNEL, store.read_many)
    assert asyncio.run(waited(waiter, 8, 0.5)) is None
