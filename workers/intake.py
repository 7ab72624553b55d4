"""Accepting messages from any channel: persist first, then enqueue (DESIGN rule 1)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy.exc import IntegrityError

from ventanilla.app import current_app
from ventanilla.errors import StoreUnavailable
from ventanilla.logs import log
from ventanilla.message import InboundMessage
from ventanilla.store.engine import TRANSIENT_ERRORS
from ventanilla.store.intake import Accepted, persist, persist_many, save_checkpoint

# (channel, cursor, messages still waiting at the source)
Checkpoint = tuple[str, str, int]
T = TypeVar("T")


# How long intake waits for a store that is restarting before it gives up (503, or the
# poller's own backoff): a PostgreSQL fast restart takes a second or two.
STORE_RETRY_DELAYS = (0.1, 0.25, 0.5, 1.0, 2.0)


def accept_batch(
    messages: Sequence[InboundMessage],
    checkpoint: Checkpoint | None = None,
    *,
    start_now: bool = True,
) -> list[Accepted]:
    """Store a batch and its channel's checkpoint in one transaction, then enqueue.

    A store that is down or restarting is waited for briefly, then StoreUnavailable is
    raised: nothing is written, nothing quarantined, the caller retries (DESIGN: a
    transient failure is not bad input). A message the store refuses for what it holds
    (hostile input) must not fail the others: the batch is then stored one message at a
    time, and only the refused one is kept raw in quarantine with the reason. With
    `start_now` false the pipeline waits (a voice mail waiting for its transcription);
    the reconciler starts it if nothing else does.
    """
    try:
        accepted = _patiently(lambda: _store_together(messages, checkpoint))
    except StoreUnavailable:
        raise
    except Exception as error:  # refused for its content: isolate the one that is
        log.warning("batch_refused_storing_one_by_one", error=type(error).__name__)
        accepted = [_store_alone(message) for message in messages]
        if checkpoint:
            _patiently(lambda: _save_checkpoint(checkpoint))
    from ventanilla.workers.pipeline import start

    created = [outcome.message_id for outcome in accepted if outcome.created]
    for message, outcome in zip(messages, accepted, strict=True):
        if outcome.created:
            log.info("message_received", message_id=outcome.message_id, channel=message.channel)
    try:
        if start_now:
            start(created)
    except Exception:  # stored is what matters: the reconciler enqueues them later
        log.warning("enqueue_failed", messages=len(created))
    return accepted


def _patiently(store: Callable[[], T]) -> T:
    """`store()`, tried again while the store is unreachable; StoreUnavailable at the end.

    An IntegrityError is the same provider id committed by a concurrent delivery a moment
    ago: the next try finds it stored.
    """
    for attempt, delay in enumerate((*STORE_RETRY_DELAYS, None)):
        try:
            return store()
        except IntegrityError:
            if attempt > 0:
                raise
        except TRANSIENT_ERRORS as error:
            if delay is None:
                log.warning("store_unavailable", error=type(error).__name__)
                raise StoreUnavailable(
                    "the store cannot be reached (it may be restarting): try again shortly"
                ) from None
            time.sleep(delay)
    raise AssertionError("unreachable")


def _save_checkpoint(checkpoint: Checkpoint) -> None:
    with current_app().db.transaction() as session:
        save_checkpoint(session, *checkpoint)


def _store_together(
    messages: Sequence[InboundMessage], checkpoint: Checkpoint | None
) -> list[Accepted]:
    app = current_app()
    with app.db.transaction() as session:
        accepted = persist_many(session, messages, app.attachments_dir)
        if checkpoint:
            save_checkpoint(session, *checkpoint)
    return accepted


def _store_alone(message: InboundMessage) -> Accepted:
    app = current_app()

    def store(kept: InboundMessage) -> Accepted:
        with app.db.transaction() as session:
            return persist(session, kept, app.attachments_dir)

    try:
        return _patiently(lambda: store(message))
    except StoreUnavailable:
        raise
    except Exception as error:
        reason = f"the store refused this message ({type(error).__name__}); kept raw"
        log.warning("message_quarantined_at_intake", channel=message.channel, reason=reason)
        kept = dataclasses.replace(
            message,
            text="",
            subject="",
            sender_name="",
            attachments=(),
            references=(),
            flags={"quarantine": reason},
        )
        return _patiently(lambda: store(kept))
