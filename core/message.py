"""The one message type that crosses the adapter boundary.

Adapters turn provider data into an `InboundMessage`; nothing past `adapters/` sees a
provider's own types. Plain data only: no I/O here.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

CHANNELS = ("email", "web", "telegram", "x", "sms", "whatsapp", "voice")


# A media type as RFC 6838 writes it (parameters such as "; charset" are cut before).
_MEDIA_TYPE = re.compile(r"[a-z0-9!#$&^_.+-]{1,40}/[a-z0-9!#$&^_.+-]{1,59}")
UNKNOWN_TYPE = "application/octet-stream"


def declared_type(declared: str) -> str:
    """What a sender declared, as a plain media type ("" when it is not one: a CR/LF, a
    surrogate, 200 characters of anything)."""
    value = declared.split(";", 1)[0].strip().lower()
    return value if _MEDIA_TYPE.fullmatch(value) else ""


def attachment_type(declared: str, content: bytes) -> str:
    """The type an attachment is stored and served with: what its bytes are when they say
    (magic numbers), else what the sender declared if that is a media type at all.

    The declared type is never trusted alone: a file called a PDF that is an executable
    is stored as what it is, and a header line hidden in a type never reaches a response.
    """
    import filetype  # imported here: only adapters that receive files pay for it

    sniffed = filetype.guess_mime(content[:8192]) if content else None
    return sniffed or declared_type(declared) or UNKNOWN_TYPE


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(frozen=True)
class InboundMessage:
    channel: str
    # Unique per channel: the provider's own id (Message-ID, update id, SID) or ours (web).
    provider_id: str
    received_at: datetime
    text: str
    # Who wrote, normalised for dedupe (lower-cased address, E.164 phone, chat id).
    sender: str = ""
    sender_name: str = ""
    subject: str = ""
    # Where the citizen asked to be answered; may differ from `sender` (web form).
    reply_email: str = ""
    reply_phone: str = ""
    # Type the citizen chose (web form); empty lets the classifier decide.
    requested_type: str = ""
    attachments: tuple[Attachment, ...] = ()
    # Thread references (In-Reply-To, reply_to_message_id) for follow-up detection.
    references: tuple[str, ...] = ()
    # Provider facts that decide whether we may answer (auto_submitted, bulk, ...).
    flags: dict[str, Any] = field(default_factory=dict)
    # The provider's data as received, kept verbatim for staff and re-parsing.
    raw: bytes = b""

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}; expected one of {CHANNELS}")
        if self.received_at.tzinfo is None:
            raise ValueError("received_at must carry a time zone")
