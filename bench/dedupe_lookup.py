"""Dedupe lookup with a large history: N cases indexed, then the radicate stage's dedupe
step timed for new messages (half near-duplicates of indexed cases, half new requests).

The index is built with bulk inserts of exactly the rows the pipeline writes (persons,
identities, messages, cases, `dedupe_signatures`, `dedupe_bands`), the signatures made by
`routing.similarity` on synthetic texts (Zipf-distributed words from a 30,000-word
vocabulary, log-normal lengths around 60 words), every case filed within the dedupe
window. A lookup is what `workers/dedupe.BatchDedupe` does in the radicating transaction
(link the person, find the original among the person's live cases, read the band
neighbours and their facts for mass petitions), in a transaction rolled back afterwards
so the index stays as built; the CPU part before the transaction (identities and MinHash,
`workers.dedupe.marks`) is timed apart.

    .venv/bin/python bench/dedupe_lookup.py [--cases 1000000] [--lookups 2000]
        [--backend sqlite|postgresql] [--keep PATH [--reuse]] [--pg-database NAME]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from sqlalchemy import insert, select, text

REPO = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("VENTANILLA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
VOCABULARY_SIZE = 30_000
CHUNK = 10_000
BATCH = 25  # the pipeline's batch
NOW = datetime.now(UTC)
SYLLABLES = [c + v for c in "bcdfgjlmnprstv" for v in "aeiou"] + ["ción", "mente", "ar", "er"]


def vocabulary() -> list[str]:
    rng = random.Random(1755)
    words: set[str] = set()
    while len(words) < VOCABULARY_SIZE:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4))))
    return sorted(words)


WORDS = vocabulary()
_RANKS = np.arange(1, VOCABULARY_SIZE + 1, dtype=float)
_ZIPF = (1 / (_RANKS + 2.7) ** 1.07) / (1 / (_RANKS + 2.7) ** 1.07).sum()


def synthetic_texts(seed: int, count: int) -> list[str]:
    rng = np.random.default_rng(seed)
    lengths = np.clip(rng.lognormal(np.log(60), 0.6, count).astype(int), 5, 400)
    picks = rng.choice(VOCABULARY_SIZE, size=int(lengths.sum()), p=_ZIPF)
    texts, at = [], 0
    for length in lengths:
        texts.append(" ".join(WORDS[i] for i in picks[at : at + length]))
        at += length
    return texts


def fingerprint_chunk(job: tuple[int, int]) -> list[tuple[str, bytes, tuple[int, ...]]]:
    from ventanilla.routing.dedupe import comparable_text
    from ventanilla.routing.similarity import fingerprint

    seed, count = job
    rows = []
    for body in synthetic_texts(seed, count):
        printed = fingerprint(comparable_text(body))
        assert printed is not None
        rows.append((body, printed.signature, printed.bands))
    return rows


def person_of(case_id: int, persons: int) -> int:
    """Every person has one case, some two (the first ones)."""
    return (case_id - 1) % persons + 1


def address(person: int) -> str:
    return f"persona{person}@bench.example"


def build(db: Any, cases: int) -> float:
    from ventanilla.store.schema import (
        Case,
        DedupeBand,
        DedupeSignature,
        Identity,
        Message,
        Person,
    )

    persons = int(cases * 0.8)
    started = time.perf_counter()
    with db.transaction() as session:
        for first in range(1, persons + 1, CHUNK * 5):
            ids = range(first, min(first + CHUNK * 5, persons + 1))
            session.execute(insert(Person), [{"id": p, "created_at": NOW} for p in ids])
            session.execute(
                insert(Identity),
                [
                    {
                        "id": p,
                        "person_id": p,
                        "kind": "email",
                        "value": address(p),
                        "created_at": NOW,
                    }
                    for p in ids
                ],
            )
    jobs = [
        (seed, min(CHUNK, cases - seed * CHUNK)) for seed in range((cases + CHUNK - 1) // CHUNK)
    ]
    done = 0
    with multiprocessing.get_context("fork").Pool(2) as pool:
        for seed, rows in enumerate(pool.imap(fingerprint_chunk, jobs)):
            first = seed * CHUNK + 1
            messages, filed, signatures, bands = [], [], [], []
            for offset, (body, signature, keys) in enumerate(rows):
                case_id = first + offset
                person = person_of(case_id, persons)
                moment = NOW - timedelta(seconds=(cases - case_id) * 29 * 86400 / cases)
                messages.append(
                    {
                        "id": case_id,
                        "channel": "email",
                        "provider_id": f"bench-{case_id}",
                        "received_at": moment,
                        "created_at": moment,
                        "updated_at": moment,
                        "sender": address(person),
                        "text": body,
                        "stage": "done",
                        "status": "case",
                        "type": "peticion",
                        "case_id": case_id,
                        "person_id": person,
                    }
                )
                filed.append(
                    {
                        "id": case_id,
                        "radicado": f"2026100{case_id:07d}2",
                        "year": 2026,
                        "number": case_id,
                        "message_id": case_id,
                        "filed_at": moment,
                        "received_at": moment,
                        "due_date": date(2026, 12, 31),
                        "type": "peticion",
                        "channel": "email",
                        "person_id": person,
                    }
                )
                signatures.append({"case_id": case_id, "signature": signature})
                bands.extend({"band": band, "case_id": case_id} for band in keys)
            with db.transaction() as session:
                session.execute(insert(Message), messages)
                session.execute(insert(Case), filed)
                session.execute(insert(DedupeSignature), signatures)
                session.execute(insert(DedupeBand), bands)
            done += len(rows)
            if seed % 10 == 9:
                rate = done / (time.perf_counter() - started)
                print(f"  indexed {done:,} cases ({rate:,.0f}/s)", file=sys.stderr, flush=True)
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in ("persons", "identities", "messages", "cases"):
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {cases + 1})")
                )
            connection.execute(text("ANALYZE"))
    return time.perf_counter() - started


def new_messages(db: Any, cases: int, count: int) -> list[tuple[Any, str]]:
    """Half near-duplicates of indexed cases (their person, one word changed and a
    greeting), half new requests (new texts; half of them by persons with cases)."""
    from ventanilla.routing.dedupe import same_request
    from ventanilla.settings import DedupeSettings
    from ventanilla.store.pipeline import MessageFacts
    from ventanilla.store.schema import Message

    threshold = DedupeSettings().near_duplicate_threshold
    rng = random.Random(22)
    persons = int(cases * 0.8)
    sources = rng.sample(range(1, cases + 1), count // 2)
    with db.read() as session:
        query = select(Message.id, Message.text).where(Message.id.in_(sources))
        texts = {row.id: row.text for row in session.execute(query)}
    made: list[tuple[Any, str]] = []
    fresh = synthetic_texts(4242, count - len(sources))
    for n in range(count):
        if n % 2 == 0 and sources:
            source = sources.pop()
            words = texts[source].split()
            words[rng.randrange(len(words))] = rng.choice(WORDS)
            body, sender = "Buenos días, " + " ".join(words), address(person_of(source, persons))
            # What the rule says of the pair; a short text with one word changed is not
            # near-identical (routing/similarity.py).
            kind = "near" if same_request(body, texts[source], threshold) else "unlike"
        else:
            body = fresh.pop()
            person = rng.randrange(1, persons + 1) if n % 4 == 1 else persons + 1 + n
            sender, kind = address(person), "new"
        message_id = cases + 1 + n
        made.append(
            (
                MessageFacts(
                    id=message_id,
                    channel="email",
                    provider_id=f"new-{n}",
                    stage="radicate",
                    received_at=NOW,
                    sender=sender,
                    sender_name="",
                    reply_email="",
                    reply_phone="",
                    subject="",
                    text=body,
                    requested_type="",
                    flags={},
                    references=[],
                    type="peticion",
                    confidence=0.8,
                    dedupe_key=None,
                ),
                kind,
            )
        )
    return made


def lookup(db: Any, messages: list[Any]) -> tuple[float, float, dict[int, Any]]:
    """(CPU ms, store ms, originals) for one batch, rolled back."""
    from ventanilla.settings import DedupeSettings
    from ventanilla.store import dedupe as index
    from ventanilla.workers.dedupe import BatchDedupe, marks

    started = time.perf_counter()
    marked = marks(messages, "CO")
    computed = time.perf_counter()
    session = db.sessions()
    try:
        session.begin()
        batch = BatchDedupe(session, messages, marked, DedupeSettings())
        batch.find_originals(session)
        bands = {b for m in marked.values() if m.fingerprint for b in m.fingerprint.bands}
        neighbours = index.band_neighbours(session, bands)
        index.petition_members(
            session, {c for found in neighbours.values() for c in found}, NOW - timedelta(30)
        )
        originals = dict(batch.originals)
        session.rollback()
    finally:
        session.close()
    ended = time.perf_counter()
    return (computed - started) * 1000, (ended - computed) * 1000, originals


def memory(key: str) -> str:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key):
            return f"{int(line.split()[1]) / 1024:.0f} MiB"
    return "?"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def store_size(db: Any, path: Path | None) -> str:
    if path is not None:
        total = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
        with db.engine.connect() as connection:
            index_size = connection.execute(
                text(
                    "SELECT sum(pgsize) FROM dbstat"
                    " WHERE name IN ('dedupe_bands', 'dedupe_signatures')"
                )
            ).scalar()
        return f"{total / 2**30:.2f} GiB (index tables {index_size / 2**30:.2f} GiB)"
    with db.engine.connect() as connection:
        size = connection.execute(text("SELECT pg_database_size(current_database())")).scalar()
        index_size = connection.execute(
            text(
                "SELECT pg_total_relation_size('dedupe_bands')"
                " + pg_total_relation_size('dedupe_signatures')"
            )
        ).scalar()
    return f"{size / 2**30:.2f} GiB (index tables {index_size / 2**30:.2f} GiB)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--keep", type=Path, help="SQLite file to build (kept afterwards)")
    parser.add_argument(
        "--reuse", action="store_true", help="with --keep: time lookups on the file as it is"
    )
    parser.add_argument(
        "--pg-database", help="PostgreSQL: time lookups on this database as it is (kept)"
    )
    args = parser.parse_args()
    os.environ.pop("VENTANILLA_SETTINGS", None)
    from ventanilla.store.engine import Database

    work = Path(tempfile.mkdtemp(prefix="bench-dedupe-"))
    pg_name = ""
    path: Path | None = None
    if args.backend == "sqlite":
        path = args.keep or work / "store.db"
        url = f"sqlite:///{path}"
    else:
        pg_name = args.pg_database or f"bench_dedupe_{uuid.uuid4().hex[:8]}"
        if not args.pg_database:
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{pg_name}"')
        url = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        url = f"{url}/{pg_name}"
    db = Database(url)
    try:
        if (args.reuse and args.keep) or args.pg_database:
            print(f"{args.cases:,} cases indexed before; store {store_size(db, path)}")
        else:
            db.upgrade()
            print(f"building: {args.cases:,} cases on {args.backend}", file=sys.stderr)
            seconds = build(db, args.cases)
            print(f"index built in {seconds:.0f} s; store {store_size(db, path)}")
        print(f"resident memory before the lookups: {memory('VmRSS')}")
        messages = new_messages(db, args.cases, args.lookups)
        for size in (1, BATCH):
            cpu, store, found = [], [], 0
            near = sum(kind == "near" for _, kind in messages)
            unlike = sum(kind == "unlike" for _, kind in messages)
            false = 0
            for first in range(0, len(messages), size):
                chunk = messages[first : first + size]
                spent_cpu, spent_store, originals = lookup(db, [m for m, _ in chunk])
                cpu.append(spent_cpu / len(chunk))
                store.append(spent_store / len(chunk))
                found += sum(1 for m, kind in chunk if kind == "near" and m.id in originals)
                false += sum(1 for m, kind in chunk if kind != "near" and m.id in originals)
            total = [a + b for a, b in zip(cpu, store, strict=True)]
            print(
                f"batches of {size:>2}: per message p50 {percentile(total, 0.5):.2f} ms, "
                f"p99 {percentile(total, 0.99):.2f} ms (store p50 "
                f"{percentile(store, 0.5):.2f}, p99 {percentile(store, 0.99):.2f}; MinHash and "
                f"identities p50 {statistics.median(cpu):.2f}); near-duplicates found "
                f"{found}/{near}, others taken for duplicates {false}/{len(messages) - near} "
                f"({unlike} of them near-duplicates too short to be near-identical)"
            )
        print(f"resident memory: {memory('VmRSS')} (peak {memory('VmHWM')})")
    finally:
        db.dispose()
        if pg_name and not args.pg_database:
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        if not args.keep:
            for leftover in work.glob("*"):
                leftover.unlink()
            work.rmdir()


if __name__ == "__main__":
    main()
