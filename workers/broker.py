"""The dramatiq broker on Redis, with retries and the dead-letter hand-off to the store.

Importing this module sets the global broker, as dramatiq requires before actors exist.
"""

from __future__ import annotations

from typing import Any

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import (
    AgeLimit,
    Callbacks,
    Middleware,
    Pipelines,
    Retries,
    ShutdownNotifications,
    TimeLimit,
)

from ventanilla.errors import ChannelError, InputError
from ventanilla.logs import log
from ventanilla.settings import get_settings
from ventanilla.store.engine import is_transient

# Called with (message_id or outbox id, reason) when an actor gives up for good.
DeadLetterHandler = Any
dead_letter_handlers: dict[str, DeadLetterHandler] = {}


def should_retry(max_retries: int) -> Any:
    def retry_when(retries: int, exception: BaseException) -> bool:
        if is_transient(exception):
            # The store is down or restarting: not the message's fault. Retried with the
            # growing backoff as long as it takes, never counted toward dead letters.
            return True
        if isinstance(exception, InputError):
            return False  # bad data does not get better by waiting
        if isinstance(exception, ChannelError) and not exception.retryable:
            return False
        return retries < max_retries

    return retry_when


class DeadLetterToStore(Middleware):
    """A message that exhausted its retries becomes visible to staff in the store."""

    def after_process_message(
        self,
        broker: Any,
        message: Any,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        if exception is None or not message.failed:
            return
        handler = dead_letter_handlers.get(message.actor_name)
        if handler is None:
            return
        reason = f"{message.actor_name} failed: {type(exception).__name__}: {exception}"[:500]
        log.error("dead_letter", actor=message.actor_name, target=message.args[0])
        try:
            handler(message.args[0], reason)
        except Exception:  # the store may be what failed; the reconciler will retry
            log.exception("dead_letter_not_recorded", actor=message.actor_name)


def build_broker() -> RedisBroker:
    settings = get_settings()
    middleware = [
        AgeLimit(),
        TimeLimit(time_limit=300_000),
        ShutdownNotifications(),
        Callbacks(),
        Pipelines(),
        # dramatiq runs "after" hooks in reverse order: this one must come before Retries
        # so that it sees the message Retries has just marked failed.
        DeadLetterToStore(),
        Retries(
            min_backoff=500,
            max_backoff=60_000,
            retry_when=should_retry(settings.worker.max_retries),
        ),
    ]
    return RedisBroker(
        url=settings.queue.redis_url, namespace=settings.queue.namespace, middleware=middleware
    )


broker = build_broker()
dramatiq.set_broker(broker)
