"""A real SMTP receiver (aiosmtpd) on 127.0.0.1 that records what it is sent."""

from __future__ import annotations

import contextlib
import email
import email.policy
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.conftest import free_port
from ventanilla.adapters.email import EmailAdapter
from ventanilla.settings import EmailSettings

PASSWORD = b"clave-correcta"


@dataclass
class RecordingHandler:
    """Accepts everything unless told to answer RCPT or DATA with a given reply."""

    rcpt_reply: str = ""
    data_reply: str = ""
    received: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    # Every RCPT TO seen, accepted or not (to know a refused attempt really happened).
    attempts: list[str] = field(default_factory=list)

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        self.attempts.append(address)
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.data_reply:
            return self.data_reply
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    handler: RecordingHandler
    port: int
    logins: list[tuple[bytes, bytes]]

    def adapter(self, **settings: Any) -> EmailAdapter:
        return EmailAdapter(
            EmailSettings(
                smtp_host="127.0.0.1", smtp_port=self.port, smtp_security="plain", **settings
            )
        )


@contextlib.contextmanager
def running_smtp_server() -> Iterator[SmtpServer]:
    handler = RecordingHandler()
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        assert isinstance(data, LoginPassword)
        logins.append((data.login, data.password))
        ok = data.password == PASSWORD
        return AuthResult(success=ok, handled=False)  # not handled: the server answers 535

    port = free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield SmtpServer(handler, port, logins)
    finally:
        controller.stop()
