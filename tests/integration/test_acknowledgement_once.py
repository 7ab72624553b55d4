"""Exactly one acknowledgement per case and channel (DESIGN rule 4), even when the
reconciler re-sends an acknowledgement that a worker is sending at that very moment.

`ventanilla drain` reconciles everything pending when it starts; before acknowledgements
were claimed, that could deliver one twice (seen as a flaky double SMS in the e2e tests).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from ventanilla.adapters.base import Acknowledgement
from ventanilla.message import InboundMessage

pytestmark = pytest.mark.integration


class SlowSender:
    """A provider that holds the first delivery until released (the race window)."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.inside = threading.Event()
        self.release = threading.Event()

    def send(self, ack: Acknowledgement) -> str:
        self.sent.append(ack.radicado)
        if len(self.sent) == 1:  # only the first delivery waits in the window
            self.inside.set()
            assert self.release.wait(30)
        return f"ref-{len(self.sent)}"


@pytest.fixture
def app(app_with) -> Any:
    return app_with()


def test_reconciler_during_an_inline_send_does_not_send_it_twice(app):
    from ventanilla.store.schema import Outbox
    from ventanilla.workers.intake import accept_batch
    from ventanilla.workers.pipeline import advance_batch, deliver
    from ventanilla.workers.reconciler import reconcile

    sender = SlowSender()
    app.senders["email"] = sender
    message = InboundMessage(
        channel="web",
        provider_id="web-1",
        received_at=datetime.now(UTC),
        text="Solicito copia de mi certificado laboral",
        sender="ana@example.com",
        reply_email="ana@example.com",
    )
    [accepted] = accept_batch([message], start_now=False)
    worker = threading.Thread(target=advance_batch, args=([accepted.message_id],))
    worker.start()
    assert sender.inside.wait(30)  # the worker is sending the acknowledgement now

    # `ventanilla drain` starting at this moment: everything pending is sent again.
    reconcile(older_than=timedelta(0))
    with app.db.read() as session:
        [outbox_id] = session.scalars(select(Outbox.id)).all()
    deliver(outbox_id, inline=False)  # what a re-enqueued acknowledge actor would run

    sender.release.set()
    worker.join(30)
    assert len(sender.sent) == 1


class CheckingSender:
    """A provider that reaches a person: before each delivery it reads the store to see
    how many of the batch's earlier deliveries are recorded as sent."""

    resend_replaces = False

    def __init__(self, app: Any) -> None:
        self.app = app
        self.recorded_before: list[int] = []

    def send(self, ack: Acknowledgement) -> str:
        from ventanilla.store.schema import Outbox

        with self.app.db.read() as session:
            sent = session.scalars(select(Outbox.id).where(Outbox.status == "sent")).all()
        self.recorded_before.append(len(sent))
        return f"ref-{len(self.recorded_before)}"


def test_a_delivery_that_reaches_a_person_is_recorded_before_the_next_is_sent(app):
    """A worker killed in the middle of a batch repeats at most the one acknowledgement it
    was sending, not every one the batch sent before it."""
    from ventanilla.workers.intake import accept_batch
    from ventanilla.workers.pipeline import advance_batch

    sender = CheckingSender(app)
    app.senders["email"] = sender
    messages = [
        InboundMessage(
            channel="web",
            provider_id=f"web-batch-{n}",
            received_at=datetime.now(UTC),
            text=f"Solicito copia de mi certificado laboral número {n}",
            sender=f"p{n}@example.com",
            reply_email=f"p{n}@example.com",
        )
        for n in range(4)
    ]
    accepted = accept_batch(messages, start_now=False)
    advance_batch([a.message_id for a in accepted])
    assert sender.recorded_before == [0, 1, 2, 3]
    # Each recorded with its provider reference and its audit entry (on PostgreSQL one
    # statement in autocommit does both).
    from ventanilla.store.schema import AuditEntry, Outbox

    with app.db.read() as session:
        refs = session.execute(select(Outbox.id, Outbox.provider_ref, Outbox.attempts)).all()
        audited = session.scalars(
            select(AuditEntry.entity_id).where(
                AuditEntry.entity == "outbox", AuditEntry.action == "sent"
            )
        ).all()
    assert sorted(ref for _, ref, _ in refs) == ["ref-1", "ref-2", "ref-3", "ref-4"]
    assert {attempts for *_, attempts in refs} == {1}
    assert sorted(audited) == sorted(outbox_id for outbox_id, *_ in refs)
