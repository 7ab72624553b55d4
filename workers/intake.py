"""Accepting a message from any channel: persist first, then enqueue (DESIGN rule 1)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from ventanilla.app import current_app
from ventanilla.logs import log
from ventanilla.message import InboundMessage
from ventanilla.store.intake import Accepted, persist


def accept(message: InboundMessage, checkpoint: tuple[str, str] | None = None) -> Accepted:
    """Store the message (once per channel + provider id), then start its pipeline."""
    from ventanilla.workers.pipeline import classify

    app = current_app()
    try:
        with app.db.transaction() as session:
            accepted = persist(session, message, app.attachments_dir, checkpoint)
    except IntegrityError:
        # The same provider id committed by a concurrent delivery a moment ago.
        with app.db.transaction() as session:
            accepted = persist(session, message, app.attachments_dir, checkpoint)
    if accepted.created:
        log.info("message_received", message_id=accepted.message_id, channel=message.channel)
        try:
            classify.send(accepted.message_id)
        except Exception:  # stored is what matters: the reconciler enqueues it later
            log.warning("enqueue_failed", message_id=accepted.message_id)
    return accepted
