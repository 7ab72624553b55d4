"""Writing the append-only audit trail: ids and decisions, never message text."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ventanilla.store.schema import AuditEntry


def record(
    session: Session,
    entity: str,
    entity_id: int,
    action: str,
    *,
    actor: str = "system",
    **detail: Any,
) -> None:
    session.add(
        AuditEntry(entity=entity, entity_id=entity_id, action=action, actor=actor, detail=detail)
    )
