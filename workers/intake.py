"""Accepting messages from any channel: persist first, then enqueue (DESIGN rule 1)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ventanilla.app import current_app
from ventanilla.logs import log
from ventanilla.message import InboundMessage
from ventanilla.store.intake import Accepted, persist, persist_many, save_checkpoint

# (channel, cursor, messages still waiting at the source)
Checkpoint = tuple[str, str, int]


def accept_batch(
    messages: Sequence[InboundMessage],
    checkpoint: Checkpoint | None = None,
    *,
    start_now: bool = True,
) -> list[Accepted]:
    """Store a batch and its channel's checkpoint in one transaction, then enqueue.

    A message the store refuses (it happens with hostile input) must not stop the channel:
    the batch is then stored one message at a time, and the refused one is kept raw in
    quarantine with the reason. With `start_now` false the pipeline waits (a voice mail
    waiting for its transcription); the reconciler starts it if nothing else does.
    """
    app = current_app()
    try:
        accepted = _store_together(messages, checkpoint)
    except IntegrityError:
        # The same provider id committed by a concurrent delivery a moment ago.
        accepted = _store_together(messages, checkpoint)
    except SQLAlchemyError as error:
        log.warning("batch_refused_storing_one_by_one", error=type(error).__name__)
        accepted = [_store_alone(message) for message in messages]
        if checkpoint:
            with app.db.transaction() as session:
                save_checkpoint(session, *checkpoint)
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
    try:
        with app.db.transaction() as session:
            return persist(session, message, app.attachments_dir)
    except SQLAlchemyError as error:
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
        with app.db.transaction() as session:
            return persist(session, kept, app.attachments_dir)
