"""The one shape every channel adapter has.

An adapter's input side turns provider data into `InboundMessage`s after a cursor; its
output side sends an `Acknowledgement` back. Nothing outside `adapters/` knows a
provider's API.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from ventanilla.message import InboundMessage


@dataclass(frozen=True)
class Acknowledgement:
    channel: str
    recipient: str
    radicado: str
    text: str
    subject: str = ""
    html: str = ""
    # The citizen's own message id, so the reply threads under it (e-mail, chat reply).
    in_reply_to: str = ""
    references: tuple[str, ...] = field(default=())
    # Stable per case and channel: a resend after a crash overwrites instead of doubling.
    key: str = ""


class ChannelAdapter(Protocol):
    channel: str

    def fetch(self, cursor: str) -> Iterable[tuple[InboundMessage, str]]:
        """New messages after `cursor`, each with the cursor that follows it."""
        ...

    def commit(self, cursor: str) -> None:
        """Mark everything up to `cursor` as taken at the source (after it is stored)."""
        ...

    def send(self, ack: Acknowledgement) -> str:
        """Deliver an acknowledgement; returns the provider's reference for it."""
        ...
