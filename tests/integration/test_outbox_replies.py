"""Rows that answer a message rather than file a case (a bot command's answer, a repeated
request told its radicado, a staff alert) are sent once, by their key, like
acknowledgements."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from ventanilla.adapters.base import Acknowledgement
from ventanilla.message import InboundMessage

pytestmark = pytest.mark.integration


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[Acknowledgement] = []

    def send(self, ack: Acknowledgement) -> str:
        self.sent.append(ack)
        return f"ref-{len(self.sent)}"


@pytest.fixture
def app(app_with) -> Any:
    return app_with()


def _stored(provider_id: str, text: str) -> int:
    from ventanilla.workers.intake import accept_batch

    message = InboundMessage(
        channel="email",
        provider_id=provider_id,
        received_at=datetime.now(UTC),
        text=text,
        sender="ana@example.com",
        reply_email="ana@example.com",
        flags={"message_id": f"<{provider_id}@example.com>"},
    )
    [accepted] = accept_batch([message], start_now=False)
    return accepted.message_id


def test_a_reply_is_created_once_and_sent_as_its_body(app):
    from ventanilla.store.outbox import Reply, add_replies
    from ventanilla.store.schema import Outbox
    from ventanilla.workers.pipeline import deliver

    sender = RecordingSender()
    app.senders["email"] = sender
    message_id = _stored("m-1", "hola")
    reply = Reply("reply", "email", "ana@example.com", message_id=message_id, body="Hola.")
    with app.db.transaction() as session:
        [outbox_id] = add_replies(session, [reply], claimed=True)
    with app.db.transaction() as session:
        assert add_replies(session, [reply], claimed=True) == []  # the key makes it once
    deliver(outbox_id, inline=True)
    deliver(outbox_id, inline=False)  # a re-delivered actor message sends nothing

    [ack] = sender.sent
    assert (ack.kind, ack.text, ack.recipient, ack.radicado) == (
        "reply",
        "Hola.",
        "ana@example.com",
        "",
    )
    assert ack.in_reply_to == "<m-1@example.com>"  # threads under the message it answers
    with app.db.read() as session:
        row = session.execute(select(Outbox.status, Outbox.key)).one()
    assert tuple(row) == ("sent", f"message:{message_id}:reply")


def test_a_duplicate_notice_names_the_original_radicado_and_threads_under_the_repeat(app):
    from ventanilla.store.outbox import Reply, add_replies
    from ventanilla.workers.pipeline import advance_batch, deliver

    sender = RecordingSender()
    app.senders["email"] = sender
    first = _stored("m-1", "Solicito copia de mi certificado de inscripción")
    advance_batch([first])
    [acknowledgement] = sender.sent
    repeat = _stored("m-2", "Otra vez: solicito copia de mi certificado")
    with app.db.read() as session:
        from ventanilla.store.schema import Case

        case_id, radicado = session.execute(select(Case.id, Case.radicado)).one()
    duplicate = Reply("duplicate", "email", "ana@example.com", message_id=repeat, case_id=case_id)
    with app.db.transaction() as session:
        [outbox_id] = add_replies(session, [duplicate], claimed=False)
    with app.db.transaction() as session:
        from ventanilla.store.outbox import claim_outbox

        assert claim_outbox(session, outbox_id)
    deliver(outbox_id, inline=True)

    notice = sender.sent[-1]
    assert notice.kind == "duplicate"
    assert notice.radicado == radicado == acknowledgement.radicado
    assert radicado in notice.text and radicado in notice.subject
    assert notice.in_reply_to == "<m-2@example.com>"
    assert notice.key != acknowledgement.key
