"""Staff's corrections of the classifier, kept as labelled examples for retraining."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ventanilla.store.audit import audit_rows
from ventanilla.store.schema import TrainingExample

EXAMPLES = TrainingExample.__table__


def corrections(session: Session) -> list[tuple[str, str]]:
    """Every (text, label) staff decided, oldest first (a later one on the same text wins
    in training simply by being there too)."""
    rows = session.execute(select(EXAMPLES.c.text, EXAMPLES.c.label).order_by(EXAMPLES.c.id)).all()
    return [(text, label) for text, label in rows if text.strip()]


def record_correction(
    session: Session, *, text: str, label: str, case_id: int | None, actor: str
) -> int:
    """A staff member's decision on a case's type, to learn from at the next training."""
    example_id = session.scalar(
        insert(EXAMPLES)
        .values(text=text, label=label, source="correction", case_id=case_id, actor=actor)
        .returning(EXAMPLES.c.id)
    )
    audit_rows(
        session,
        [
            {
                "entity": "case" if case_id else "training",
                "entity_id": case_id or int(example_id or 0),
                "action": "training_example",
                "actor": actor,
                "detail": {"label": label, "example_id": example_id},
            }
        ],
    )
    return int(example_id or 0)
