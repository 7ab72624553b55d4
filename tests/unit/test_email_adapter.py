"""E-mail acknowledgements: the message we compose, the outbox folder, and real SMTP.

The SMTP tests run a real aiosmtpd server on 127.0.0.1 (no TLS: smtp_security = "plain").
"""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.smtp import SmtpServer, running_smtp_server
from ventanilla.adapters.base import Acknowledgement
from ventanilla.adapters.email import LOOP_HEADER, EmailAdapter
from ventanilla.errors import ChannelError
from ventanilla.settings import EmailSettings

RADICADO = "20261000000012"
OUR_ADDRESS = "atencionalciudadano@example.gov.co"


def acknowledgement(**changes: Any) -> Acknowledgement:
    values: dict[str, Any] = {
        "channel": "email",
        "recipient": "ana@example.com",
        "radicado": RADICADO,
        "subject": f"{RADICADO} - Recibimos su solicitud",
        "text": f"Radicado: {RADICADO}\nFecha y hora de radicación: 23 de noviembre de 2026",
        "html": f"<p>Radicado: <strong>{RADICADO}</strong></p>",
        "key": f"{RADICADO}-email",
    }
    return Acknowledgement(**(values | changes))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- compose -------------------------------------------------------------------------------


def test_acknowledgement_is_marked_as_an_automatic_reply_from_us() -> None:
    message = EmailAdapter(EmailSettings()).compose(acknowledgement())

    assert message["Auto-Submitted"] == "auto-replied"
    assert message[LOOP_HEADER] == OUR_ADDRESS
    assert message["To"] == "ana@example.com"
    assert OUR_ADDRESS in message["From"]
    assert message["Subject"] == f"{RADICADO} - Recibimos su solicitud"
    assert message["Date"]


def test_message_id_carries_the_radicado_and_our_domain() -> None:
    message = EmailAdapter(EmailSettings()).compose(acknowledgement())

    assert f"radicado.{RADICADO}" in message["Message-ID"]
    assert message["Message-ID"].endswith("@example.gov.co>")


def test_reply_threads_under_the_citizen_message() -> None:
    ack = acknowledgement(
        in_reply_to="<pregunta@mail.example.com>", references=("<hilo-1@mail.example.com>",)
    )

    message = EmailAdapter(EmailSettings()).compose(ack)

    assert message["In-Reply-To"] == "<pregunta@mail.example.com>"
    assert message["References"] == "<hilo-1@mail.example.com> <pregunta@mail.example.com>"


def test_acknowledgement_to_a_web_request_starts_a_new_thread() -> None:
    message = EmailAdapter(EmailSettings()).compose(acknowledgement())

    assert message["In-Reply-To"] is None
    assert message["References"] is None


def test_message_has_text_and_html_alternatives() -> None:
    composed = EmailAdapter(EmailSettings()).compose(acknowledgement())
    # Read it back as the citizen's mail program will: from the bytes on the wire.
    message = email.message_from_bytes(composed.as_bytes(), policy=email.policy.default)

    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    assert "Fecha y hora de radicación" in text.get_content()
    assert f"<strong>{RADICADO}</strong>" in html.get_content()


def test_message_without_html_is_plain_text() -> None:
    message = EmailAdapter(EmailSettings()).compose(acknowledgement(html=""))

    assert message.get_content_type() == "text/plain"


# --- outbox folder (no smtp_host) ------------------------------------------------------------


def outbox_adapter(tmp_path: Path) -> tuple[EmailAdapter, Path]:
    folder = tmp_path / "outbox"
    return EmailAdapter(EmailSettings(outbox_dir=str(folder))), folder


def test_without_smtp_host_the_message_is_written_to_the_outbox(tmp_path: Path) -> None:
    adapter, folder = outbox_adapter(tmp_path)

    reference = adapter.send(acknowledgement())

    [written] = folder.iterdir()
    assert written.name == f"{RADICADO}-email.eml"
    saved = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert saved["Message-ID"] == reference
    assert saved["To"] == "ana@example.com"


def test_sending_the_same_acknowledgement_twice_leaves_one_file(tmp_path: Path) -> None:
    adapter, folder = outbox_adapter(tmp_path)

    adapter.send(acknowledgement())
    second = adapter.send(acknowledgement())

    [written] = folder.iterdir()  # no second copy and no temporary file left behind
    assert written.name == f"{RADICADO}-email.eml"
    saved = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert saved["Message-ID"] == second


def test_resend_after_a_crash_mid_write_leaves_only_the_whole_file(tmp_path: Path) -> None:
    adapter, folder = outbox_adapter(tmp_path)
    folder.mkdir()
    (folder / f".{RADICADO}-email.part").write_bytes(b"From: half a mess")  # killed mid-write

    adapter.send(acknowledgement())

    assert [path.name for path in folder.iterdir()] == [f"{RADICADO}-email.eml"]


def test_outbox_file_is_named_by_radicado_when_there_is_no_key(tmp_path: Path) -> None:
    adapter, folder = outbox_adapter(tmp_path)

    adapter.send(acknowledgement(key=""))

    assert [path.name for path in folder.iterdir()] == [f"{RADICADO}.eml"]


# --- SMTP against a real local server --------------------------------------------------------


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with running_smtp_server() as server:
        yield server


def test_plain_smtp_delivers_the_acknowledgement(smtp_server: SmtpServer) -> None:
    reference = smtp_server.adapter().send(acknowledgement())

    [(mail_from, rcpt_tos, message)] = smtp_server.handler.received
    assert mail_from == OUR_ADDRESS
    assert rcpt_tos == ["ana@example.com"]
    assert message["To"] == "ana@example.com"
    assert message["From"] == f"Atención al Ciudadano <{OUR_ADDRESS}>"
    assert message["Message-ID"] == reference
    assert message["Auto-Submitted"] == "auto-replied"
    assert message[LOOP_HEADER] == OUR_ADDRESS
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and RADICADO in body.get_content()


def test_plain_smtp_logs_in_when_a_user_is_set(smtp_server: SmtpServer) -> None:
    adapter = smtp_server.adapter(smtp_user="ventanilla", smtp_password="clave-correcta")

    adapter.send(acknowledgement())

    assert smtp_server.logins == [(b"ventanilla", b"clave-correcta")]
    assert len(smtp_server.handler.received) == 1


def test_smtp_with_smtp_host_writes_nothing_to_the_outbox(
    smtp_server: SmtpServer, tmp_path: Path
) -> None:
    smtp_server.adapter(outbox_dir=str(tmp_path / "outbox")).send(acknowledgement())

    assert not (tmp_path / "outbox").exists()


@pytest.mark.parametrize(
    ("stage", "reply", "retryable"),
    [
        ("rcpt", "451 4.3.0 try later", True),
        ("data", "451 4.3.0 try later", True),
        # Regression: a refused recipient came back as SMTPRecipientsRefused, which the
        # adapter treated as "unreachable" and retried forever even for 550.
        ("rcpt", "550 5.1.1 no such user", False),
        ("data", "550 5.7.1 rejected", False),
    ],
)
def test_server_reply_code_decides_whether_retrying_helps(
    smtp_server: SmtpServer, stage: str, reply: str, retryable: bool
) -> None:
    setattr(smtp_server.handler, f"{stage}_reply", reply)

    with pytest.raises(ChannelError) as caught:
        smtp_server.adapter().send(acknowledgement())

    assert caught.value.channel == "email"
    assert caught.value.retryable is retryable
    assert reply[:3] in str(caught.value)
    assert smtp_server.handler.received == []


def test_wrong_password_is_not_retried(smtp_server: SmtpServer) -> None:
    adapter = smtp_server.adapter(smtp_user="ventanilla", smtp_password="equivocada")

    with pytest.raises(ChannelError) as caught:
        adapter.send(acknowledgement())

    assert caught.value.retryable is False
    assert smtp_server.handler.received == []


def test_closed_port_is_worth_retrying() -> None:
    adapter = EmailAdapter(
        EmailSettings(smtp_host="127.0.0.1", smtp_port=free_port(), smtp_security="plain")
    )

    with pytest.raises(ChannelError) as caught:
        adapter.send(acknowledgement())

    assert caught.value.retryable is True
    assert "unreachable" in str(caught.value)
