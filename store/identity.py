"""Persons and their identities: one citizen, however many channels they write from.

`link_persons` finds or creates the person of each message of a batch in a few
statements: the identities are looked up together, the new ones inserted together
(unique on kind + value, ON CONFLICT DO NOTHING), and each message's `person_id` set in
one statement. On PostgreSQL the identities are locked first (transaction advisory locks,
in a fixed order), so two workers that meet the same new citizen at once make one person:
the second waits, then finds it. When a message shows that two persons are one (an
e-mail and a phone given together, a cédula already known), the newer is merged into the
older: identities, messages and cases move over, and the audit trail records it with ids
only (never the addresses or numbers themselves).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from ventanilla.routing.identity import Identity
from ventanilla.store.audit import record
from ventanilla.store.engine import dialect_insert
from ventanilla.store.locks import lock_keys
from ventanilla.store.pipeline import CASES, MESSAGES
from ventanilla.store.schema import Identity as IdentityRow
from ventanilla.store.schema import Person, utcnow

IDENTITIES = IdentityRow.__table__
PERSONS = Person.__table__


def link_persons(session: Session, wanted: Mapping[int, Sequence[Identity]]) -> dict[int, int]:
    """The person of each message (id → identities), found or created, and set on the
    message; messages without identities get none."""
    wanted = {message_id: ids for message_id, ids in wanted.items() if ids}
    every = sorted({identity for ids in wanted.values() for identity in ids})
    if not every:
        return {}
    lock_keys(session, (f"identity:{identity}" for identity in every))
    known = _owners(session, every)
    # What one message shows together is one person, and so is what a person already has.
    together = [*wanted.values(), *([i, _person_node(p)] for i, p in known.items())]
    person_of: dict[Identity, int] = {}
    new_groups: list[list[Identity]] = []
    for group in _connected(together):
        owners = {int(node.value) for node in group if node.kind == _PERSON}
        identities = [node for node in group if node.kind != _PERSON]
        if not owners:
            new_groups.append(identities)
            continue
        target = min(owners)
        if len(owners) > 1:
            merge_persons(session, target, owners - {target}, identities)
        person_of.update(dict.fromkeys(identities, target))
    if new_groups:
        for group, person_id in zip(
            new_groups, _new_persons(session, len(new_groups)), strict=True
        ):
            person_of.update(dict.fromkeys(group, person_id))
    _add_identities(session, [i for i in every if i not in known], person_of)
    persons = {message_id: person_of[ids[0]] for message_id, ids in wanted.items()}
    session.execute(
        update(MESSAGES)
        .where(MESSAGES.c.id == bindparam("b_id"))
        .values(person_id=bindparam("b_person")),
        [{"b_id": message_id, "b_person": person} for message_id, person in persons.items()],
    )
    return persons


# A person as a node of the graph `_connected` walks, beside the identities.
_PERSON = "person"


def _person_node(person_id: int) -> Identity:
    return Identity(_PERSON, str(person_id))


def _owners(session: Session, identities: Sequence[Identity]) -> dict[Identity, int]:
    # Kinds and values apart (the unique index leads with kind); exact pairs kept below.
    wanted = set(identities)
    rows = session.execute(
        select(IDENTITIES.c.kind, IDENTITIES.c.value, IDENTITIES.c.person_id).where(
            IDENTITIES.c.kind.in_(sorted({i.kind for i in wanted})),
            IDENTITIES.c.value.in_(sorted({i.value for i in wanted})),
        )
    )
    found = {Identity(row.kind, row.value): row.person_id for row in rows}
    return {identity: person for identity, person in found.items() if identity in wanted}


def _connected(messages: Iterable[Sequence[Identity]]) -> list[list[Identity]]:
    """Identities that one message shows together belong to one person (union-find)."""
    parent: dict[Identity, Identity] = {}

    def root(identity: Identity) -> Identity:
        while parent[identity] != identity:
            parent[identity] = parent[parent[identity]]
            identity = parent[identity]
        return identity

    for ids in messages:
        for identity in ids:
            parent.setdefault(identity, identity)
        first = root(ids[0])
        for identity in ids[1:]:
            parent[root(identity)] = first
    groups: dict[Identity, list[Identity]] = {}
    for identity in sorted(parent):
        groups.setdefault(root(identity), []).append(identity)
    return list(groups.values())


def _new_persons(session: Session, count: int) -> list[int]:
    now = utcnow()
    return list(
        session.scalars(
            insert(PERSONS).returning(PERSONS.c.id, sort_by_parameter_order=True),
            [{"created_at": now} for _ in range(count)],
        )
    )


def _add_identities(
    session: Session, missing: Sequence[Identity], person_of: dict[Identity, int]
) -> None:
    """Insert the new identities; one another worker inserted meanwhile (no lock on
    SQLite is needed, so this is PostgreSQL's belt and braces) merges the two persons."""
    if not missing:
        return
    now = utcnow()
    statement = dialect_insert(session)(IDENTITIES).on_conflict_do_nothing(
        index_elements=["kind", "value"]
    )
    inserted = {
        Identity(row.kind, row.value)
        for row in session.execute(
            statement.returning(IDENTITIES.c.kind, IDENTITIES.c.value),
            [
                {"kind": i.kind, "value": i.value, "person_id": person_of[i], "created_at": now}
                for i in missing
            ],
        )
    }
    taken = [identity for identity in missing if identity not in inserted]
    if not taken:
        return
    for identity, theirs in _owners(session, taken).items():
        ours = person_of[identity]
        if ours != theirs:
            target = min(ours, theirs)
            merge_persons(session, target, {max(ours, theirs)}, [identity])
            for key, person in person_of.items():
                if person in (ours, theirs):
                    person_of[key] = target


def merge_persons(
    session: Session, into: int, others: set[int], shared: Sequence[Identity]
) -> None:
    """Make `others` one with `into` (the older): everything of theirs moves over."""
    merged = sorted(others)
    for table in (IDENTITIES, MESSAGES, CASES):
        session.execute(update(table).where(table.c.person_id.in_(merged)).values(person_id=into))
    session.execute(
        update(PERSONS)
        .where(or_(PERSONS.c.id.in_(merged), PERSONS.c.merged_into_id.in_(merged)))
        .values(merged_into_id=into)
    )
    # The kinds that proved it, never the values (personal data).
    record(
        session, "person", into, "merged", merged=merged, shared=sorted({i.kind for i in shared})
    )


def person_and_merged(session: Session, person_ids: Iterable[int]) -> dict[int, int]:
    """Each person id with the ids merged into it (a message linked while its person was
    being merged may still carry the older id): merged id → the person it belongs to."""
    wanted = sorted(set(person_ids))
    if not wanted:
        return {}
    found = {person: person for person in wanted}
    for row in session.execute(
        select(PERSONS.c.id, PERSONS.c.merged_into_id).where(PERSONS.c.merged_into_id.in_(wanted))
    ):
        found[row.id] = row.merged_into_id
    return found
