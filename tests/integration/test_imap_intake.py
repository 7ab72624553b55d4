"""IMAP intake against a real Dovecot: the checkpoint, marking, moving, reconnecting.

The real poller code (`poll_channel`) drives the real `EmailAdapter` into the real store.
"""

from __future__ import annotations

import threading
import time
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest
from sqlalchemy import func, select

from ventanilla.errors import ChannelError

pytestmark = pytest.mark.integration


def mail(n: int, *, size: int = 0) -> bytes:
    message = EmailMessage()
    message["From"] = f"Ciudadano {n} <ciudadano{n}@example.com>"
    message["To"] = "atencionalciudadano@example.gov.co"
    message["Subject"] = f"Solicitud {n}"
    message["Message-ID"] = make_msgid(domain="example.com")
    message.set_content(f"Solicito información sobre el trámite {n}." + " x" * size)
    return message.as_bytes()


@pytest.fixture
def app(app_with, dovecot) -> Any:
    return app_with(**dovecot.mailbox_settings(), email__fetch_batch="10")


def adapter(app: Any, **changes: Any) -> Any:
    from ventanilla.adapters.email import EmailAdapter

    return EmailAdapter(app.settings.email.model_copy(update=changes))


def stored(app: Any) -> tuple[int, str, int]:
    from ventanilla.store.schema import Checkpoint, Message

    with app.db.read() as session:
        count = session.scalar(select(func.count()).select_from(Message))
        row = session.execute(
            select(Checkpoint.cursor, Checkpoint.backlog).where(Checkpoint.channel == "email")
        ).one_or_none()
    return int(count or 0), row.cursor if row else "", row.backlog if row else 0


def unseen(dovecot: Any, folder: str = "INBOX") -> list[int]:
    client = dovecot.client()
    client.select_folder(folder, readonly=True)
    found = client.search(["UNSEEN"])
    client.logout()
    return sorted(found)


def test_batches_are_stored_with_their_checkpoint_then_marked_seen(app, dovecot):
    from ventanilla.workers.poller import poll_channel

    dovecot.append([mail(n) for n in range(25)])
    email = adapter(app)
    assert poll_channel(email) == 25
    count, cursor, backlog = stored(app)
    assert count == 25 and backlog == 0
    assert cursor.startswith(f"v1;{dovecot.uidvalidity()};25;")
    assert unseen(dovecot) == []
    assert poll_channel(email) == 0  # nothing new: nothing fetched again
    email.close()


def test_crash_between_store_and_marking_imports_nothing_twice(app, dovecot):
    from ventanilla.workers.intake import accept_batch
    from ventanilla.workers.poller import poll_channel

    dovecot.append([mail(n) for n in range(15)])
    crashed = adapter(app)
    first = next(iter(crashed.fetch("")))
    accept_batch(first.messages, checkpoint=("email", first.cursor, first.remaining))
    crashed.close()  # died before marking the batch \\Seen at the source
    assert stored(app)[0] == 10 and len(unseen(dovecot)) == 15
    # The backlog's progress is on /metrics, read from the store by any process.
    from ventanilla.web.metrics import install_store_collector, render

    install_store_collector(app)
    assert b'ventanilla_intake_backlog{channel="email"} 5.0' in render()

    restarted = adapter(app)
    assert poll_channel(restarted) == 5
    assert stored(app)[0] == 15
    assert unseen(dovecot) == []  # the stored-but-unmarked batch was marked on restart
    restarted.close()


def test_done_folder_moves_stored_messages_out_of_the_inbox(app, dovecot):
    from ventanilla.workers.poller import poll_channel

    dovecot.append([mail(n) for n in range(12)])
    email = adapter(app, done_folder="Radicados")
    assert poll_channel(email) == 12
    client = dovecot.client()
    assert client.select_folder("INBOX")[b"EXISTS"] == 0
    assert client.select_folder("Radicados")[b"EXISTS"] == 12
    client.logout()
    email.close()


def test_message_over_the_size_limit_is_kept_by_its_headers_and_quarantined(app, dovecot):
    from ventanilla.store.schema import Message
    from ventanilla.workers.poller import poll_channel

    dovecot.append([mail(1), mail(2, size=600_000)])
    email = adapter(app, max_message_bytes=100_000)
    assert poll_channel(email) == 2
    with app.db.read() as session:
        flags = session.scalars(select(Message.flags).order_by(Message.id)).all()
    assert "quarantine" not in flags[0]
    assert "over the size limit" in flags[1]["quarantine"]
    assert unseen(dovecot) == []
    email.close()


def test_dropped_connection_is_a_retryable_error_and_the_next_round_reconnects(app, dovecot):
    from ventanilla.workers.poller import poll_channel

    dovecot.append([mail(n) for n in range(30)])
    email = adapter(app)
    batches = iter(email.fetch(""))
    next(batches)
    dovecot.drop_connections()
    with pytest.raises(ChannelError) as caught:
        for _ in batches:
            pass
    assert caught.value.retryable
    assert poll_channel(email) == 30  # reconnected; the first batch was never stored
    assert stored(app)[0] == 30
    email.close()


def test_server_down_is_retryable_and_wrong_password_is_not(app, dovecot):
    down = adapter(app, imap_port=1)
    with pytest.raises(ChannelError) as caught:
        list(down.fetch(""))
    assert caught.value.retryable

    wrong = adapter(app, imap_password="equivocada")
    with pytest.raises(ChannelError) as caught:
        list(wrong.fetch(""))
    assert not caught.value.retryable
    assert "email.imap_password" in str(caught.value)


def test_idle_wakes_up_when_mail_arrives(app, dovecot):
    from ventanilla.workers.poller import poll_channel

    email = adapter(app)
    assert poll_channel(email) == 0
    timer = threading.Timer(0.5, lambda: dovecot.append([mail(1)]))
    timer.start()
    started = time.monotonic()
    email.wait(30)
    waited = time.monotonic() - started
    timer.join()
    assert waited < 25  # woken by the server, not by the timeout
    assert poll_channel(email) == 1
    email.close()


def test_backlog_left_is_saved_with_each_batch(app, dovecot):
    dovecot.append([mail(n) for n in range(35)])
    email = adapter(app)
    remaining = [batch.remaining for batch in email.fetch("")]
    assert remaining == [25, 15, 5, 0]
    email.close()


@pytest.mark.parametrize(("security", "port"), [("tls", "tls_port"), ("starttls", "port")])
def test_tls_and_starttls_connect_with_the_configured_ca(app, dovecot_tls, security, port):
    from ventanilla.workers.poller import poll_channel

    dovecot_tls.reset()
    dovecot_tls.append([mail(1), mail(2)])
    email = adapter(
        app,
        imap_port=getattr(dovecot_tls, port),
        imap_security=security,
        tls_ca_file=str(dovecot_tls.ca_file),
    )
    assert poll_channel(email) == 2
    email.close()


def test_untrusted_certificate_is_refused_naming_the_setting(app, dovecot_tls):
    email = adapter(app, imap_port=dovecot_tls.tls_port, imap_security="tls")
    with pytest.raises(ChannelError) as caught:
        list(email.fetch(""))
    assert not caught.value.retryable
    assert "email.tls_ca_file" in str(caught.value)
