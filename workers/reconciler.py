"""The reconciler: the store is the truth, Redis is the conveyor (DESIGN rule 2).

Any message whose stage has not moved for a while, and any acknowledgement still pending,
is enqueued again, and cases left without their mass-petition comparison get it; the
actors are idempotent, so a message that was only slow is harmless.
"""

from __future__ import annotations

from datetime import timedelta

from ventanilla.app import current_app
from ventanilla.logs import log
from ventanilla.store import outbox, pipeline


def reconcile(older_than: timedelta | None = None) -> int:
    """Re-enqueue what is stuck; returns how many were sent again."""
    from ventanilla.workers.dedupe import group_petitions
    from ventanilla.workers.pipeline import acknowledge, start

    app = current_app()
    if older_than is None:
        older_than = timedelta(seconds=app.settings.worker.stuck_after_seconds)
    # An acknowledgement being sent is only taken back from a worker that has had the
    # full period: a drain reconciling "everything now" must not send it a second time.
    sending_after = timedelta(seconds=app.settings.worker.stuck_after_seconds)
    with app.db.transaction() as session:
        messages = pipeline.stuck_messages(session, older_than)
        acks = outbox.stuck_outbox(session, older_than, max(older_than, sending_after))
        # Touch them so the next round waits a full period before sending them again.
        pipeline.touch_messages(session, [message_id for message_id, _ in messages])
        outbox.release_outbox(session, acks)
    start([message_id for message_id, _ in messages])
    for outbox_id in acks:
        acknowledge.send(outbox_id)
    # Cases whose worker died between their commit and the grouping that follows it.
    with app.db.transaction() as session:
        compared = group_petitions(session, app.settings.dedupe, pending_for=older_than)
    filed = 0
    if app.registry.remote:
        from ventanilla.workers.filing import reconcile_filings

        # A call claimed this long ago lost its worker (the client gives up sooner).
        timeout = timedelta(seconds=app.settings.docsys.orfeo_timeout_seconds)
        filed = reconcile_filings(max(older_than, sending_after) + timeout)
    if messages or acks or compared or filed:
        log.info(
            "reconciled",
            messages=len(messages),
            acknowledgements=len(acks),
            petitions_compared=compared,
            filings=filed,
        )
    return len(messages) + len(acks) + compared + filed
