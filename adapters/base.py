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
