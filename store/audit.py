"""Writing the append-only audit trail: ids and decisions, never message text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from ventanilla.store.schema import AuditEntry, utcnow

AUDIT = AuditEntry.__table__


def audit_rows(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Append entries in one round trip; each row has entity, entity_id, action, detail."""
    if rows:
        now = utcnow()
        session.execute(
            insert(AUDIT), [{"at": now, "actor": "system", "detail": {}} | row for row in rows]
        )


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
