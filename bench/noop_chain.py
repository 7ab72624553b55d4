"""Four dramatiq actors that do nothing but pass a message on: the design's ceiling.

Same broker set-up as the pipeline (ventanilla.workers.broker), no store, no templates.
The last actor counts arrivals in Redis so the benchmark can time the whole chain.
"""

from __future__ import annotations

import os

import dramatiq
import redis

from ventanilla.workers.broker import broker

COUNTER_KEY = os.environ.get("BENCH_COUNTER_KEY", "bench:noop:done")
_redis = redis.Redis.from_url(
    os.environ.get("VENTANILLA_QUEUE__REDIS_URL", "redis://127.0.0.1:6379/0")
)


@dramatiq.actor(queue_name="noop", broker=broker)
def first(n: int) -> None:
    second.send(n)


@dramatiq.actor(queue_name="noop", broker=broker)
def second(n: int) -> None:
    third.send(n)


@dramatiq.actor(queue_name="noop", broker=broker)
def third(n: int) -> None:
    fourth.send(n)


@dramatiq.actor(queue_name="noop", broker=broker)
def fourth(n: int) -> None:
    _redis.incr(COUNTER_KEY)
