"""The document-system interface every radicado backend implements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from sqlalchemy.orm import Session

from ventanilla.store.pipeline import CaseFacts
from ventanilla.store.schema import Case


class Filable(Protocol):
    """What a registry needs to know of the message it files."""

    @property
    def id(self) -> int: ...

    @property
    def channel(self) -> str: ...

    @property
    def received_at(self) -> datetime: ...


@dataclass(frozen=True)
class Filing:
    """What the pipeline decided about a message, to be filed as a case."""

    type: str
    office: str
    filed_at: datetime
    due_date: date
    review_type: bool = False
    # Priority and review flags (routing/priority.py slugs), and whether they mean priority.
    flags: tuple[str, ...] = ()
    priority: bool = False
    # Another entity the request belongs to, and the last day to forward it (art. 21).
    competent_entity: str = ""
    forward_due: date | None = None
    # The frequent question whose answer the acknowledgement carries ("" for none).
    faq_id: str = ""
    # Why each decision was made (office rule, flags' words), for the audit trail.
    reasons: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Pending:
    """What numbering a reserved case needs to know."""

    year: int
    message_id: int
    reasons: dict[str, str]


@dataclass(frozen=True)
class Reservation:
    """Cases inserted by `Registry.reserve`, in the items' order, with provisional
    radicados; `pending` (by case id) are those `Registry.number` still has to number."""

    cases: list[CaseFacts]
    pending: dict[int, Pending]


class Registry(Protocol):
    # A remote registry gives numbers outside our transaction (docsys/filing.py): its
    # `number` leaves the provisional radicados and writes the cases' filing rows, and
    # the acknowledgements wait (held) for the number.
    remote: bool

    def radicate(self, session: Session, message: Filable, filing: Filing) -> CaseFacts:
        """File `message` inside the caller's transaction and return its case.

        Must be idempotent: a message that already has a case gets that case back, and a
        rolled-back transaction must leave no number used.
        """
        ...

    def radicate_many(
        self, session: Session, items: Sequence[tuple[Filable, Filing]]
    ) -> list[CaseFacts]:
        """`radicate` for several messages at once, in order (a batch of the pipeline)."""
        ...

    def reserve(self, session: Session, items: Sequence[tuple[Filable, Filing]]) -> Reservation:
        """Insert the cases of `items` with provisional numbers (the first half of
        `radicate_many`): the caller writes what else the cases need, then calls `number`."""
        ...

    def number(self, session: Session, reservation: Reservation) -> list[CaseFacts]:
        """Give reserved cases their real numbers, last thing before the caller's commit."""
        ...

    def annul(self, session: Session, radicado: str, reason: str, actor: str) -> Case:
        """Annul a case: the number stays recorded, with the reason."""
        ...
