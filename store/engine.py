"""Database engine and sessions for SQLite (default) and PostgreSQL, and migrations.

SQLite is set up so that several processes can write safely: WAL journal, a busy timeout
and `BEGIN IMMEDIATE` so a writer takes the lock up front instead of failing to upgrade it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from ventanilla.errors import StoreUnavailable

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# anyio's default thread pool (40 threads) reads at most this many at once.
SQLITE_POOL = 40


def _prepare_sqlite(engine: Engine, *, writer: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event decide how a transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        if not writer:
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers lock up front; readers take a WAL snapshot and never wait for writers.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")


# The store cannot be reached or is restarting (a connection refused or cut, SQLite busy,
# the pool exhausted): waiting helps. Anything else the store refuses is about the data.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    DisconnectionError,
    PoolTimeout,
    StoreUnavailable,
)


def is_transient(error: BaseException) -> bool:
    return isinstance(error, TRANSIENT_ERRORS)


def make_engine(url: str, *, writer: bool = True) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # A pool as large as the threads that read at once (the web's thread pool waits on
        # many requests' outcomes together): past it, SQLAlchemy opens and closes an
        # overflow connection per read, and each pays its PRAGMAs.
        engine = create_engine(
            url,
            connect_args={"timeout": 60, "check_same_thread": False},
            pool_size=SQLITE_POOL,
            max_overflow=SQLITE_POOL,
        )
        _prepare_sqlite(engine, writer=writer)
        return engine
    # No pre-ping: it costs a round trip per transaction; a dropped connection fails the
    # actor, whose retry gets a fresh one.
    return create_engine(url, pool_size=10, max_overflow=20, pool_recycle=1800)


class Database:
    """One engine and session factory per process (re-created after fork)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite: a second engine whose transactions only read, so reads never queue
        # behind the write lock. PostgreSQL's MVCC needs no such split.
        # PostgreSQL: reads in autocommit, which spares a BEGIN and a ROLLBACK round trip.
        self.own_reader = self.engine.dialect.name == "sqlite"
        self.reader = (
            make_engine(url, writer=False)
            if self.own_reader
            else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        self.read_sessions = sessionmaker(self.reader, expire_on_commit=False)
        os.register_at_fork(after_in_child=self._after_fork)

    def _after_fork(self) -> None:
        # A pooled connection must never be shared between parent and child.
        self.engine.dispose(close=False)
        if self.own_reader:  # PostgreSQL's reader shares the writer's pool
            self.reader.dispose(close=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits on success and rolls back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def autocommit(self) -> Iterator[Connection]:
        """A PostgreSQL connection whose every statement commits on its own."""
        assert not self.own_reader, "SQLite has no autocommit reader"
        with self.reader.connect() as connection:
            yield connection

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A bare connection in a transaction (commit on success), for a hot path's few
        prepared statements: no session to build, flush or commit around them."""
        with self.engine.begin() as connection:
            yield connection

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only (on SQLite, writing through it fails)."""
        with self.read_sessions() as session:
            yield session

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def upgrade(self) -> None:
        """Apply every pending migration (safe to run from several processes at once)."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Serialise concurrent start-ups; SQLite's BEGIN IMMEDIATE already does.
                connection.execute(text("SELECT pg_advisory_xact_lock(4242001)"))
            config.attributes["connection"] = connection
            logging.getLogger("alembic").setLevel(logging.WARNING)
            command.upgrade(config, "head")

    def dispose(self) -> None:
        self.engine.dispose()
        if self.own_reader:
            self.reader.dispose()


def dialect_insert(session: Session) -> Any:
    """The INSERT construct with ON CONFLICT support for the session's backend."""
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
