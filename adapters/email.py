"""E-mail channel: IMAP intake (imapclient) and acknowledgements by SMTP or an outbox folder.

Intake keeps the IMAP promise of DESIGN rule 1: the cursor is UIDVALIDITY + the last UID
stored, saved with the messages; only then are they marked \\Seen or moved. A mailbox
whose UIDVALIDITY changed is read again from its unseen messages, and the provider id
(Message-ID + content hash) stops any message from being stored twice.
"""

from __future__ import annotations

import contextlib
import imaplib
import os
import secrets
import smtplib
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate
from pathlib import Path

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from ventanilla.adapters.base import Acknowledgement, Batch
from ventanilla.adapters.email_parsing import (
    LOOP_HEADER,
    MailLimits,
    parse_email,
    quarantined_email,
)
from ventanilla.errors import ChannelError
from ventanilla.logs import log
from ventanilla.message import InboundMessage
from ventanilla.settings import EmailSettings

__all__ = ["LOOP_HEADER", "EmailAdapter", "ImapCursor"]
# A kept SMTP session unused for this long is checked with NOOP before it is trusted.
SMTP_IDLE_CHECK_SECONDS = 10.0
_IMAP_ERRORS = (IMAPClientError, imaplib.IMAP4.error, OSError, EOFError)


@dataclass(frozen=True)
class ImapCursor:
    """`v1;UIDVALIDITY;LAST_UID;UID,UID,...`: where intake stopped, and the last batch's
    UIDs, so a restart can finish marking a batch that was stored but not yet marked."""

    uidvalidity: int = 0
    last_uid: int = 0
    batch: tuple[int, ...] = ()

    @classmethod
    def parse(cls, text: str) -> ImapCursor:
        parts = text.split(";")
        if len(parts) != 4 or parts[0] != "v1":
            return cls()  # no checkpoint yet (or one we do not understand): start afresh
        uids = tuple(int(uid) for uid in parts[3].split(",") if uid)
        return cls(int(parts[1]), int(parts[2]), uids)

    def __str__(self) -> str:
        return f"v1;{self.uidvalidity};{self.last_uid};{','.join(map(str, self.batch))}"


class EmailAdapter:
    channel = "email"

    def __init__(self, settings: EmailSettings) -> None:
        self.settings = settings
        self.limits = MailLimits(settings.max_attachments, settings.max_attachment_bytes)
        self._client: IMAPClient | None = None
        self._healed = False
        self._smtp = threading.local()  # one SMTP session per worker thread

    # -- intake ------------------------------------------------------------------------

    def fetch(self, cursor: str) -> Iterator[Batch]:
        with self._imap_errors():
            yield from self._fetch(ImapCursor.parse(cursor))

    def probe(self) -> None:
        """Connect, log in and open the folder (`ventanilla check --connect`)."""
        with self._imap_errors():
            self._connected().select_folder(self.settings.imap_folder, readonly=True)

    @contextlib.contextmanager
    def _imap_errors(self) -> Iterator[None]:
        """Any IMAP or network failure: drop the connection and say whether to retry."""
        try:
            yield
        except ssl.SSLCertVerificationError as error:
            self.close()
            raise ChannelError(
                "email",
                f"the IMAP server's certificate is not trusted ({error.verify_message}); "
                "for a private CA set email.tls_ca_file",
                retryable=False,
            ) from None
        except LoginError:
            self.close()
            raise ChannelError(
                "email",
                "IMAP login refused: check email.imap_user and email.imap_password",
                retryable=False,
            ) from None
        except _IMAP_ERRORS as error:
            self.close()
            raise ChannelError("email", f"IMAP: {type(error).__name__}", retryable=True) from None

    def _fetch(self, cursor: ImapCursor) -> Iterator[Batch]:
        client = self._connected()
        uidvalidity = int(client.select_folder(self.settings.imap_folder)[b"UIDVALIDITY"])
        if cursor.uidvalidity == uidvalidity:
            if not self._healed:
                self._mark_taken(client, cursor.batch)
                self._healed = True
            found = client.search(["UID", f"{cursor.last_uid + 1}:*", "NOT", "DELETED"])
            uids = sorted(uid for uid in found if uid > cursor.last_uid)
        else:
            if cursor.uidvalidity:
                log.warning("imap_uidvalidity_changed", channel="email", folder_changed=True)
            # Unseen is what we have not taken; anything listed again is recognised by its
            # provider id when stored.
            uids = sorted(client.search(["UNSEEN", "NOT", "DELETED"]))
        size = self.settings.fetch_batch
        for start in range(0, len(uids), size):
            chunk = uids[start : start + size]
            messages = self._read(client, chunk, uidvalidity)
            remaining = len(uids) - start - len(chunk)
            yield Batch(messages, str(ImapCursor(uidvalidity, chunk[-1], tuple(chunk))), remaining)

    def _read(self, client: IMAPClient, uids: list[int], uidvalidity: int) -> list[InboundMessage]:
        """Fetch and parse a batch; a message over the size limit is kept by its headers."""
        facts = client.fetch(uids, ["RFC822.SIZE", "INTERNALDATE"])
        limit = self.settings.max_message_bytes
        small = [uid for uid in uids if facts.get(uid, {}).get(b"RFC822.SIZE", 0) <= limit]
        large = [uid for uid in uids if uid in facts and uid not in small]
        bodies = client.fetch(small, ["BODY.PEEK[]"]) if small else {}
        heads = client.fetch(large, ["BODY.PEEK[HEADER]"]) if large else {}
        messages = []
        for uid in uids:
            received = _aware(facts.get(uid, {}).get(b"INTERNALDATE"))
            if uid in bodies:
                raw = bodies[uid].get(b"BODY[]") or b""
                messages.append(parse_email(raw, received_at=received, limits=self.limits))
            elif uid in heads:
                size_mb = facts[uid][b"RFC822.SIZE"] / 1_048_576
                reason = f"{size_mb:.0f} MB is over the size limit; read it in the mailbox"
                raw = heads[uid].get(b"BODY[HEADER]") or b""
                messages.append(quarantined_email(raw, reason, received))
            elif uid in facts:
                # Listed but its content never came: say so rather than skip it silently.
                messages.append(
                    InboundMessage(
                        channel="email",
                        provider_id=f"imap:{uidvalidity}:{uid}",
                        received_at=received or datetime.now(UTC),
                        text="",
                        flags={"quarantine": f"the server sent no content for UID {uid}"},
                    )
                )
        return messages

    def commit(self, cursor: str) -> None:
        with self._imap_errors():
            self._mark_taken(self._connected(), ImapCursor.parse(cursor).batch)

    def _mark_taken(self, client: IMAPClient, uids: tuple[int, ...]) -> None:
        """Seen, or moved to `done_folder`; idempotent, so a restart may repeat it."""
        if not uids:
            return
        folder = self.settings.done_folder
        if not folder:
            client.add_flags(list(uids), [b"\\Seen"], silent=True)
            return
        present = client.search(["UID", ",".join(map(str, uids))])
        if not present:
            return
        if not client.folder_exists(folder):
            client.create_folder(folder)
        if client.has_capability("MOVE"):
            client.move(present, folder)
        else:
            client.copy(present, folder)
            client.delete_messages(present, silent=True)
            client.uid_expunge(present)

    def wait(self, seconds: float) -> None:
        """IMAP IDLE until the server announces mail (or `seconds` pass); else sleep."""
        client = self._client
        if client is None or not client.has_capability("IDLE"):
            time.sleep(seconds)
            return
        deadline = time.monotonic() + seconds
        try:
            client.idle()
            while (left := deadline - time.monotonic()) > 0:
                responses = client.idle_check(timeout=min(left, 30.0))
                if any(b"EXISTS" in response for response in responses):
                    break
            client.idle_done()
        except _IMAP_ERRORS:
            self.close()  # the next fetch reconnects (with the poller's backoff)

    def _connected(self) -> IMAPClient:
        if self._client is not None:
            return self._client
        settings = self.settings
        context = self._tls_context()
        client = IMAPClient(
            settings.imap_host,
            port=settings.imap_port,
            ssl=settings.imap_security == "tls",
            ssl_context=context,
            timeout=60,
        )
        client.normalise_times = False  # aware INTERNALDATE: the legal reception time
        if settings.imap_security == "starttls":
            client.starttls(context)
        client.login(settings.imap_user, settings.imap_password)
        self._client = client
        self._healed = False
        return client

    def _tls_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if self.settings.tls_ca_file:
            context.load_verify_locations(cafile=self.settings.tls_ca_file)
        return context

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(*_IMAP_ERRORS):
                client.logout()

    # -- acknowledgements --------------------------------------------------------------

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
        about = f"radicado.{ack.radicado}" if ack.radicado else ack.kind
        message["Message-ID"] = f"<{about}.{secrets.token_hex(6)}@{domain}>"
        if ack.in_reply_to:
            message["In-Reply-To"] = ack.in_reply_to
            message["References"] = " ".join((*ack.references, ack.in_reply_to))
        # RFC 3834: an answer to a message is auto-replied; a staff digest, auto-generated.
        message["Auto-Submitted"] = "auto-replied" if ack.radicado else "auto-generated"
        message[LOOP_HEADER] = self.settings.address
        if ack.html:
            message.attach(MIMEText(ack.text, "plain", "utf-8"))
            message.attach(MIMEText(ack.html, "html", "utf-8"))
        return message

    @property
    def resend_replaces(self) -> bool:
        """Sending the same acknowledgement again replaces it (the outbox folder names the
        file by its key) instead of mailing the citizen twice (SMTP)."""
        return not self.settings.smtp_host

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
        try:
            client = self._smtp_connection()
            client.send_message(message)
        except smtplib.SMTPResponseException as error:
            self._drop_smtp()
            # 4xx is temporary (try again later); 5xx is permanent (staff must look).
            raise ChannelError(
                "email", f"SMTP {error.smtp_code}", retryable=400 <= error.smtp_code < 500
            ) from None
        except smtplib.SMTPRecipientsRefused as error:
            # Refused at RCPT: not an SMTPResponseException, but the same 4xx/5xx rule holds.
            code = max(code for code, _ in error.recipients.values())
            raise ChannelError("email", f"SMTP {code}", retryable=400 <= code < 500) from None
        except (OSError, smtplib.SMTPException) as error:
            self._drop_smtp()
            raise ChannelError(
                "email", f"SMTP unreachable: {type(error).__name__}", retryable=True
            ) from None

    def _smtp_connection(self) -> smtplib.SMTP:
        """This thread's SMTP session, kept open between acknowledgements.

        A backlog sends thousands: one session each would cost a TCP and TLS handshake,
        EHLO and login per message. A session idle for a while is checked with NOOP first,
        because servers close idle sessions.
        """
        held = getattr(self._smtp, "client", None)
        if held is not None:
            if time.monotonic() - self._smtp.used < SMTP_IDLE_CHECK_SECONDS:
                self._smtp.used = time.monotonic()
                return held
            try:
                if held.noop()[0] == 250:
                    self._smtp.used = time.monotonic()
                    return held
            except (OSError, smtplib.SMTPException):
                pass
            self._drop_smtp()
        settings = self.settings
        if settings.smtp_security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.smtp_host, settings.smtp_port, timeout=30, context=self._tls_context()
            )
        else:
            client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30)
        try:
            if settings.smtp_security == "starttls":
                client.starttls(context=self._tls_context())
            if settings.smtp_user:
                client.login(settings.smtp_user, settings.smtp_password)
        except BaseException:
            client.close()
            raise
        self._smtp.client = client
        self._smtp.used = time.monotonic()
        return client

    def _drop_smtp(self) -> None:
        client = getattr(self._smtp, "client", None)
        self._smtp.client = None
        if client is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                client.quit()
            client.close()


def _aware(moment: object) -> datetime | None:
    return moment if isinstance(moment, datetime) and moment.tzinfo else None
