"""Tell waiting web requests that a message has its outcome (Redis pub/sub, best effort).

Losing a notification only makes the API answer 202 instead of 201: the store is the truth.
"""

from __future__ import annotations

from ventanilla.app import current_app
from ventanilla.logs import log


def outcome_channel(namespace: str) -> str:
    return f"{namespace}:outcome"


def announce_outcome(message_id: int) -> None:
    app = current_app()
    try:
        app.redis.publish(outcome_channel(app.settings.queue.namespace), str(message_id))
    except Exception:  # a missed wake-up costs the citizen a 202, not the case
        log.warning("outcome_not_announced", message_id=message_id)
