"""Persons and their identities: one citizen, however many channels they write from.

`link_persons` finds or creates the person of each message of a batch in a few
statements: the identities are looked up together, the new ones inserted together
(unique on kind + value, ON CONFLICT DO NOTHING), and each message's `person_id` set in
one statement. On PostgreSQL the identities are locked first (transaction advisory locks,
in a fixed order), so two workers that meet the same new citizen at once make one person:
the second waits, then finds it.

Only what the channel itself vouches for (the verified identity: an e-mail's From, the
Telegram chat, the X account, the SMS or WhatsApp number) links a message to a person
for certain. What is typed (the form's e-mail and phone, a cédula in the text) may link a
message to one person when nothing verified says otherwise, but never merges two persons,
nor gives that person new identities: anyone can type another citizen's address. When the
identities of one message point at two persons, the message keeps its own person and the
audit trail records the possible link for staff ("posible misma persona", ids only, never
the addresses or numbers themselves). Persons merged before this rule stay merged
(`persons.merged_into_id`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from ventanilla.routing.identity import Identity
from ventanilla.store.audit import audit_rows
from ventanilla.store.engine import dialect_insert
from ventanilla.store.locks import lock_keys
from ventanilla.store.pipeline import MESSAGES
from ventanilla.store.schema import Identity as IdentityRow
from ventanilla.store.schema import Person, utcnow

IDENTITIES = IdentityRow.__table__
PERSONS = Person.__table__
POSSIBLE_LINK = "posible misma persona"


def link_persons(
    session: Session,
    wanted: Mapping[int, Sequence[Identity]],
    verified: Mapping[int, Collection[Identity]] | None = None,
) -> dict[int, int]:
    """The person of each message (id → identities, `verified` those its channel vouches
    for), found or created, and set on the message; messages without identities get none."""
    wanted = {message_id: ids for message_id, ids in wanted.items() if ids}
    every = sorted({identity for ids in wanted.values() for identity in ids})
    if not every:
        return {}
    verified = verified or {}
    lock_keys(session, (f"identity:{identity}" for identity in every))
    owner = _owners(session, every)
    known = set(owner)
    # Persons this batch creates, numbered -1, -2... until inserted.
    placeholders = 0
    persons: dict[int, int] = {}
    possible: set[tuple[int, ...]] = set()
    for message_id, ids in sorted(wanted.items()):
        sure = set(verified.get(message_id, ()))
        by_channel = {owner[i] for i in ids if i in sure and i in owner}
        by_typing = {owner[i] for i in ids if i not in sure and i in owner}
        if by_channel:
            person, gives = min(by_channel), True
        elif len(by_typing) == 1:
            # Typed data alone: the message joins that person, and teaches it nothing.
            person, gives = next(iter(by_typing)), False
        else:
            placeholders += 1
            person, gives = -placeholders, True
        if len(involved := {person} | by_channel | by_typing) > 1:
            possible.add(tuple(sorted(involved)))
        persons[message_id] = person
        if gives:
            owner.update({identity: person for identity in ids if identity not in owner})
    created = _new_persons(session, placeholders)
    real = {-(n + 1): person for n, person in enumerate(created)}
    persons = {message_id: real.get(person, person) for message_id, person in persons.items()}
    owner = {identity: real.get(person, person) for identity, person in owner.items()}
    possible = {tuple(sorted(real.get(p, p) for p in persons_)) for persons_ in possible}
    possible |= _add_identities(
        session, {i: owner[i] for i in every if i in owner and i not in known}
    )
    session.execute(
        update(MESSAGES)
        .where(MESSAGES.c.id == bindparam("b_id"))
        .values(person_id=bindparam("b_person")),
        [{"b_id": message_id, "b_person": person} for message_id, person in persons.items()],
    )
    _record_possible_links(session, possible)
    return persons


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


def _new_persons(session: Session, count: int) -> list[int]:
    if not count:
        return []
    now = utcnow()
    return list(
        session.scalars(
            insert(PERSONS).returning(PERSONS.c.id, sort_by_parameter_order=True),
            [{"created_at": now} for _ in range(count)],
        )
    )


def _add_identities(session: Session, new: Mapping[Identity, int]) -> set[tuple[int, ...]]:
    """Insert the new identities; one another worker inserted meanwhile (no lock on
    SQLite is needed, so this is PostgreSQL's belt and braces) stays with its person, and
    the two persons are returned as a possible link, never merged."""
    if not new:
        return set()
    now = utcnow()
    statement = dialect_insert(session)(IDENTITIES).on_conflict_do_nothing(
        index_elements=["kind", "value"]
    )
    inserted = {
        Identity(row.kind, row.value)
        for row in session.execute(
            statement.returning(IDENTITIES.c.kind, IDENTITIES.c.value),
            [
                {"kind": i.kind, "value": i.value, "person_id": person, "created_at": now}
                for i, person in sorted(new.items())
            ],
        )
    }
    taken = [identity for identity in new if identity not in inserted]
    if not taken:
        return set()
    return {
        tuple(sorted((new[identity], theirs)))
        for identity, theirs in _owners(session, taken).items()
        if theirs != new[identity]
    }


def _record_possible_links(session: Session, links: Iterable[tuple[int, ...]]) -> None:
    """For staff: persons the data suggests are one, left apart (ids only, oldest first)."""
    audit_rows(
        session,
        [
            {
                "entity": "person",
                "entity_id": persons[0],
                "action": POSSIBLE_LINK,
                "detail": {"persons": list(persons)},
            }
            for persons in sorted(set(links))
        ],
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
