"""Writing the append-only audit trail: ids and decisions, never message text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from ventanilla.store.schema import AuditEntry, utcnow

AUDIT = AuditEntry.__table__
_PENDING = "ventanilla.audit"


def audit_rows(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Add entries to the transaction's trail; each row has entity, entity_id, action, detail.

    They are written together just before the transaction commits (one round trip for a
    whole batch), and dropped with it on rollback.
    """
    if rows:
        session.info.setdefault(_PENDING, []).extend(trail_rows(rows))


def trail_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows as the trail stores them: now, by the system, no detail unless given."""
    now = utcnow()
    return [{"at": now, "actor": "system", "detail": {}} | row for row in rows]


@event.listens_for(Session, "before_commit")
def _write_trail(session: Session) -> None:
    rows = session.info.pop(_PENDING, None)
    if rows:
        session.execute(insert(AUDIT), rows)


@event.listens_for(Session, "after_rollback")
def _drop_trail(session: Session) -> None:
    session.info.pop(_PENDING, None)


def record(
    session: Session,
    entity: str,
    entity_id: int,
    action: str,
    *,
    actor: str = "system",
    **detail: Any,
) -> None:
    audit_rows(
        session,
        [
            {
                "entity": entity,
                "entity_id": entity_id,
                "action": action,
                "actor": actor,
                "detail": detail,
            }
        ],
    )
