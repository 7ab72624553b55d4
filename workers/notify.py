"""Tell waiting web requests that a message has its outcome (Redis pub/sub, best effort).

Losing a notification only makes the API answer 202 instead of 201: the store is the truth.
"""

from __future__ import annotations

from collections.abc import Sequence

from ventanilla.app import current_app
from ventanilla.logs import log


def outcome_channel(namespace: str) -> str:
    return f"{namespace}:outcome"


def announce_outcome(message_id: int) -> None:
    announce_outcomes([message_id])


def announce_outcomes(message_ids: Sequence[int]) -> None:
    """One Redis round trip for a whole batch (a publish each cost a round trip each)."""
    if not message_ids:
        return
    app = current_app()
    channel = outcome_channel(app.settings.queue.namespace)
    try:
        with app.redis.pipeline(transaction=False) as batch:
            for message_id in message_ids:
                batch.publish(channel, str(message_id))
            batch.execute()
    except Exception:  # a missed wake-up costs the citizen a 202, not the case
        log.warning("outcome_not_announced", message_ids=list(message_ids))
