"""The radicado registry on SQLite and PostgreSQL: gap-free, unique, idempotent, yearly."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from ventanilla.docsys.builtin import BuiltinRegistry
from ventanilla.docsys.registry import Filing
from ventanilla.errors import InputError
from ventanilla.message import InboundMessage
from ventanilla.store.engine import Database
from ventanilla.store.intake import persist
from ventanilla.store.schema import AuditEntry, Case, Counter, Message

pytestmark = pytest.mark.integration

REGISTRY = dict(
    number_format="{year}{office}{number:06d}{kind}",
    office_code="100",
    kind_digit="2",
    timezone="America/Bogota",
)


@pytest.fixture
def database(store_url: str, tmp_path) -> Iterator[Database]:
    db = Database(store_url)
    db.upgrade()
    yield db
    db.dispose()


def add_messages(db: Database, count: int, tmp_path, prefix: str = "m") -> list[int]:
    ids = []
    with db.transaction() as session:
        for n in range(count):
            message = InboundMessage(
                channel="web",
                provider_id=f"{prefix}{n}",
                received_at=datetime.now(UTC),
                text=f"solicitud {n}",
            )
            ids.append(persist(session, message, tmp_path).message_id)
    return ids


def file_one(db: Database, message_id: int, filed_at: datetime | None = None) -> str:
    registry = BuiltinRegistry(**REGISTRY)
    filing = Filing(
        type="peticion",
        office="GRC",
        filed_at=filed_at or datetime.now(UTC),
        due_date=date(2026, 12, 15),
    )
    with db.transaction() as session:
        message = session.get(Message, message_id)
        return registry.radicate(session, message, filing).radicado


def numbers(db: Database, year: int) -> list[int]:
    with db.read() as session:
        return sorted(session.scalars(select(Case.number).where(Case.year == year)))


def test_default_radicado_layout_is_year_office_consecutive_and_incoming_digit(database, tmp_path):
    [message_id] = add_messages(database, 1, tmp_path)
    moment = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    assert file_one(database, message_id, moment) == "20261000000012"


def test_concurrent_threads_get_consecutive_numbers_without_gaps(database, tmp_path):
    ids = add_messages(database, 120, tmp_path)
    with ThreadPoolExecutor(max_workers=12) as pool:
        radicados = list(pool.map(lambda i: file_one(database, i), ids))
    year = datetime.now(UTC).year
    assert len(set(radicados)) == 120
    assert numbers(database, year) == list(range(1, 121))


def _file_in_child(url: str, ids: list[int]) -> None:
    db = Database(url)
    for message_id in ids:
        file_one(db, message_id)
    db.dispose()


def test_concurrent_processes_get_consecutive_numbers_without_gaps(database, store_url, tmp_path):
    ids = add_messages(database, 90, tmp_path)
    context = multiprocessing.get_context("spawn")
    children = [
        context.Process(target=_file_in_child, args=(store_url, ids[k::3])) for k in range(3)
    ]
    for child in children:
        child.start()
    for child in children:
        child.join(120)
        assert child.exitcode == 0
    assert numbers(database, datetime.now(UTC).year) == list(range(1, 91))


def test_retry_of_the_same_message_keeps_the_same_radicado(database, tmp_path):
    [message_id] = add_messages(database, 1, tmp_path)
    first = file_one(database, message_id)
    again = file_one(database, message_id)
    assert first == again
    with database.read() as session:
        assert session.scalar(select(Counter.value)) == 1


def test_rolled_back_radication_leaves_no_gap(database, tmp_path):
    first, second = add_messages(database, 2, tmp_path)
    registry = BuiltinRegistry(**REGISTRY)
    filing = Filing(
        type="peticion", office="GRC", filed_at=datetime.now(UTC), due_date=date(2026, 12, 15)
    )
    with pytest.raises(RuntimeError), database.transaction() as session:
        registry.radicate(session, session.get(Message, first), filing)
        raise RuntimeError("worker died before commit")
    file_one(database, second)
    file_one(database, first)
    assert numbers(database, datetime.now(UTC).year) == [1, 2]


def test_numbers_restart_on_first_of_january_in_bogota(database, tmp_path):
    a, b, c = add_messages(database, 3, tmp_path)
    # 04:59 UTC on 1 January is still 31 December in Bogotá (UTC-5).
    assert file_one(database, a, datetime(2027, 1, 1, 4, 59, tzinfo=UTC)).startswith("2026")
    assert file_one(database, b, datetime(2027, 1, 1, 5, 0, tzinfo=UTC)) == "20271000000012"
    assert file_one(database, c, datetime(2027, 1, 2, 5, 0, tzinfo=UTC)) == "20271000000022"
    assert numbers(database, 2026) == [1]


def test_annulled_number_stays_recorded_with_its_reason(database, tmp_path):
    first, second = add_messages(database, 2, tmp_path)
    radicado = file_one(database, first)
    registry = BuiltinRegistry(**REGISTRY)
    with database.transaction() as session:
        registry.annul(session, radicado, "Radicado por error: mensaje de prueba", "admin")
    with pytest.raises(InputError), database.transaction() as session:
        registry.annul(session, radicado, "   ", "admin")
    file_one(database, second)
    with database.read() as session:
        case = session.scalar(select(Case).where(Case.radicado == radicado))
        assert case.status == "anulado"
        assert case.annul_reason == "Radicado por error: mensaje de prueba"
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "case"))
        assert "annulled" in list(actions)
    assert numbers(database, datetime.now(UTC).year) == [1, 2]


def test_the_same_provider_message_is_stored_once(database, tmp_path):
    message = InboundMessage(
        channel="telegram", provider_id="update-77", received_at=datetime.now(UTC), text="hola"
    )
    with database.transaction() as session:
        first = persist(session, message, tmp_path)
    with database.transaction() as session:
        again = persist(session, message, tmp_path)
    assert first.created and not again.created
    assert first.message_id == again.message_id
    with pytest.raises(IntegrityError), database.transaction() as session:
        session.add(
            Message(channel="telegram", provider_id="update-77", received_at=datetime.now(UTC))
        )


def test_audit_trail_refuses_updates_and_deletes(database, tmp_path):
    add_messages(database, 1, tmp_path)
    for statement in ("UPDATE audit SET action = 'forged'", "DELETE FROM audit"):
        with pytest.raises(DBAPIError, match="append-only"), database.transaction() as session:
            session.execute(text(statement))
    with database.read() as session:
        assert session.scalar(select(AuditEntry.action)) == "received"


def test_timestamps_come_back_aware_in_utc(database, tmp_path):
    [message_id] = add_messages(database, 1, tmp_path)
    with database.read() as session:
        received = session.get(Message, message_id).received_at
    assert received.tzinfo is not None
    assert abs(received - datetime.now(UTC)) < timedelta(minutes=1)
