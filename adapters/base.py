"""The one shape every channel adapter has.

An adapter's input side turns provider data into `InboundMessage`s after a cursor; its
output side sends an `Acknowledgement` back. Nothing outside `adapters/` knows a
provider's API.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ventanilla.message import InboundMessage


def raw_json(data: Any, **dumps: Any) -> bytes:
    """Provider data as the raw bytes a message keeps: JSON in UTF-8. A lone surrogate it
    carries ("\\ud800" in the provider's JSON) stays escaped, so the bytes are valid UTF-8
    and read back as the same data."""
    return json.dumps(data, ensure_ascii=False, **dumps).encode("utf-8", "backslashreplace")


@dataclass(frozen=True)
class Acknowledgement:
    """Something we send a citizen or staff on a channel (the outbox row's `kind` says what).

    `ack` is a case's acknowledgement; `public_reply` the public answer to an X mention
    (the radicado only, never personal data); `duplicate` tells a repeated request its
    existing radicado; `reply` answers a bot command; `alert` notifies staff.
    """

    channel: str
    recipient: str
    radicado: str
    text: str
    subject: str = ""
    # E-mail: the HTML part. Telegram: the text in Telegram's HTML subset, already escaped.
    html: str = ""
    # The citizen's own message id, so the reply threads under it (e-mail Message-ID,
    # Telegram message id, X tweet id).
    in_reply_to: str = ""
    references: tuple[str, ...] = field(default=())
    # Stable per outbox row: a resend after a crash overwrites instead of doubling.
    key: str = ""
    kind: str = "ack"


@dataclass(frozen=True)
class Batch:
    """Messages fetched together, and the checkpoint that follows the last of them.

    The poller stores a batch and its cursor in one transaction, then calls `commit`.
    """

    messages: list[InboundMessage]
    cursor: str
    # Messages still waiting at the source after this batch, when the provider says.
    remaining: int = 0


class ChannelAdapter(Protocol):
    channel: str

    def fetch(self, cursor: str) -> Iterable[Batch]:
        """New messages after `cursor`, in batches; a failure raises ChannelError."""
        ...

    def commit(self, cursor: str) -> None:
        """Mark everything up to `cursor` as taken at the source (after it is stored)."""
        ...

    def wait(self, seconds: float) -> None:
        """Until something may have arrived (push where the provider offers it) or timeout."""
        ...

    def send(self, ack: Acknowledgement) -> str:
        """Deliver an acknowledgement; returns the provider's reference for it."""
        ...
