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
