"""The near-duplicate index, and what dedupe and mass petitions read and write.

`index_cases` writes each new case's MinHash signature and LSH band keys (and its person)
in the radicating transaction, with a `petition_pending` row for the grouping that
follows, so the index is exactly as true as the store: a rollback takes them back with
the case, several workers write it at once like any other row, and nothing has to be
rebuilt (or any text re-read) at start. Every read is one statement
for a whole batch: the live cases of the batch's persons (`person_cases`), the texts of
the few that may be the same request (`case_texts`), the cases that share a band key
with the batch (`band_neighbours`, at most PER_BAND of the most recent per key, so a mass
petition of thousands costs a lookup no more than one of twelve) and those cases' facts
(`petition_members`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, text, update
from sqlalchemy.orm import Session

from ventanilla.routing.petitions import Grouping
from ventanilla.routing.similarity import Fingerprint
from ventanilla.store.audit import audit_rows, record
from ventanilla.store.engine import dialect_insert
from ventanilla.store.identity import person_and_merged
from ventanilla.store.pipeline import CASE_COLUMNS, CASES, MESSAGES, CaseFacts
from ventanilla.store.schema import (
    DedupeBand,
    DedupeSignature,
    PetitionGroup,
    PetitionPending,
    utcnow,
)

SIGNATURES = DedupeSignature.__table__
BANDS = DedupeBand.__table__
GROUPS = PetitionGroup.__table__
PENDING = PetitionPending.__table__
# Pending cases compared in one grouping transaction (the reconciler takes the rest next).
PENDING_BATCH = 500
# Cases read per band key: the most recent ones. More than enough to count the eleven
# petitioners art. 22 asks for, or to find one case already in a group.
PER_BAND = 32


@dataclass(frozen=True)
class Prior:
    """A live case of a person, as the duplicate decision compares it."""

    case: CaseFacts
    person_id: int
    signature: bytes


@dataclass(frozen=True)
class Member:
    """A case as mass-petition grouping sees it."""

    case_id: int
    radicado: str
    person_id: int | None
    group_id: int | None
    signature: bytes


def index_cases(
    session: Session, cases: Sequence[tuple[int, int | None, Fingerprint | None]]
) -> None:
    """Index new cases (case id, person, fingerprint) and set their person."""
    with_person = [(case_id, person) for case_id, person, _ in cases if person is not None]
    if with_person:
        session.execute(
            update(CASES)
            .where(CASES.c.id == bindparam("b_id"))
            .values(person_id=bindparam("b_person")),
            [{"b_id": case_id, "b_person": person} for case_id, person in with_person],
        )
    printed = [(case_id, fp) for case_id, _, fp in cases if fp is not None]
    if not printed:
        return
    # A registry may hand back a case that was filed (and indexed) before: kept as it is.
    signatures = dialect_insert(session)(SIGNATURES).on_conflict_do_nothing()
    session.execute(
        signatures, [{"case_id": case_id, "signature": fp.signature} for case_id, fp in printed]
    )
    bands = dialect_insert(session)(BANDS).on_conflict_do_nothing()
    session.execute(
        bands,
        [{"band": band, "case_id": case_id} for case_id, fp in printed for band in fp.bands],
    )
    pending = dialect_insert(session)(PENDING).on_conflict_do_nothing()
    now = utcnow()
    session.execute(pending, [{"case_id": case_id, "created_at": now} for case_id, _ in printed])


def pending_petitions(
    session: Session, case_ids: Collection[int] | None = None, *, before: datetime | None = None
) -> dict[int, bytes]:
    """Cases still to compare for a mass petition, with their signatures: those of
    `case_ids`, or (for the reconciler) every one left pending since before `before`."""
    query = select(PENDING.c.case_id, SIGNATURES.c.signature).join(
        SIGNATURES, SIGNATURES.c.case_id == PENDING.c.case_id
    )
    if case_ids is not None:
        query = query.where(PENDING.c.case_id.in_(sorted(case_ids)))
    if before is not None:
        query = query.where(PENDING.c.created_at <= before)
    return {row.case_id: row.signature for row in session.execute(query.limit(PENDING_BATCH))}


def petitions_compared(session: Session, case_ids: Collection[int]) -> None:
    session.execute(delete(PENDING).where(PENDING.c.case_id.in_(sorted(case_ids))))


def person_cases(
    session: Session, person_ids: Iterable[int], since: datetime
) -> dict[int, list[Prior]]:
    """The live cases filed since `since` by each person (or by one merged into them)."""
    # Two index lookups rather than one join: with the persons as a subquery PostgreSQL
    # may plan a scan of every case.
    owner_of = person_and_merged(session, person_ids)
    if not owner_of:
        return {}
    rows = session.execute(
        select(*CASE_COLUMNS, CASES.c.person_id, SIGNATURES.c.signature)
        .join(SIGNATURES, SIGNATURES.c.case_id == CASES.c.id)
        .where(
            CASES.c.person_id.in_(sorted(owner_of)),
            CASES.c.filed_at >= since,
            CASES.c.status != "anulado",
        )
        .order_by(CASES.c.id)
    )
    found: dict[int, list[Prior]] = {}
    for row in rows:
        mapping = dict(row._mapping)
        owner = owner_of[mapping.pop("person_id")]
        signature = mapping.pop("signature")
        found.setdefault(owner, []).append(Prior(CaseFacts(**mapping), owner, signature))
    return found


def case_texts(session: Session, case_ids: Collection[int]) -> dict[int, str]:
    """The text of the message that opened each case."""
    if not case_ids:
        return {}
    rows = session.execute(
        select(CASES.c.id, MESSAGES.c.text)
        .join(MESSAGES, MESSAGES.c.id == CASES.c.message_id)
        .where(CASES.c.id.in_(sorted(case_ids)))
    )
    return {row.id: row.text for row in rows}


def band_neighbours(session: Session, bands: Collection[int]) -> dict[int, list[int]]:
    """For each band key, the most recent cases (at most PER_BAND) that have it.

    One statement, each key read from the primary key's index and cut at PER_BAND:
    PostgreSQL joins the keys laterally; SQLite reads them as a UNION ALL of per-key
    LIMITs (built as text: composing hundreds of subqueries costs more than the query).
    """
    keys = sorted(set(bands))
    if not keys:
        return {}
    if session.get_bind().dialect.name == "postgresql":
        statement = text(
            "SELECT k.band, c.case_id FROM unnest(CAST(:keys AS bigint[])) AS k(band)"
            " CROSS JOIN LATERAL (SELECT case_id FROM dedupe_bands WHERE band = k.band"
            f" ORDER BY case_id DESC LIMIT {PER_BAND}) AS c"
        )
        return _by_band(session.execute(statement, {"keys": keys}))
    one = (
        "SELECT * FROM (SELECT band, case_id FROM dedupe_bands WHERE band = :k{n}"
        f" ORDER BY case_id DESC LIMIT {PER_BAND})"
    )
    found: dict[int, list[int]] = {}
    # SQLite allows 500 terms in a compound SELECT.
    for start in range(0, len(keys), 400):
        part = keys[start : start + 400]
        statement = text(" UNION ALL ".join(one.format(n=n) for n in range(len(part))))
        found |= _by_band(session.execute(statement, {f"k{n}": k for n, k in enumerate(part)}))
    return found


def _by_band(rows: Iterable[Any]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for band, case_id in rows:
        found.setdefault(band, []).append(case_id)
    return found


def petition_members(
    session: Session, case_ids: Collection[int], since: datetime
) -> dict[int, Member]:
    """The live cases among `case_ids` filed since `since`, with signature and group."""
    if not case_ids:
        return {}
    rows = session.execute(
        select(
            CASES.c.id,
            CASES.c.radicado,
            CASES.c.person_id,
            CASES.c.group_id,
            SIGNATURES.c.signature,
        )
        .join(SIGNATURES, SIGNATURES.c.case_id == CASES.c.id)
        .where(
            CASES.c.id.in_(sorted(case_ids)),
            CASES.c.filed_at >= since,
            CASES.c.status != "anulado",
        )
    )
    return {
        row.id: Member(row.id, row.radicado, row.person_id, row.group_id, row.signature)
        for row in rows
    }


def apply_grouping(session: Session, grouping: Grouping, label: str) -> int:
    """Carry out a grouping decision; returns the group's id (new or existing)."""
    group_id = grouping.group_id
    if group_id is None:
        group_id = session.scalar(
            insert(GROUPS).values(label=label[:200], created_at=utcnow()).returning(GROUPS.c.id)
        )
        assert group_id is not None
        record(session, "petition_group", group_id, "created", cases=len(grouping.members))
    if grouping.absorbed:
        session.execute(
            update(CASES)
            .where(CASES.c.group_id.in_(list(grouping.absorbed)))
            .values(group_id=group_id)
        )
        record(session, "petition_group", group_id, "merged", merged=list(grouping.absorbed))
    if grouping.members:
        session.execute(
            update(CASES).where(CASES.c.id.in_(list(grouping.members))).values(group_id=group_id)
        )
        audit_rows(
            session,
            [
                {
                    "entity": "case",
                    "entity_id": case_id,
                    "action": "grouped",
                    "detail": {"group_id": group_id},
                }
                for case_id in grouping.members
            ],
        )
    return group_id
