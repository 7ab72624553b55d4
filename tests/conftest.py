"""Servers for the tests: a private Redis and Dovecot, fresh PostgreSQL databases, ventanilla
processes.

Everything binds to 127.0.0.1 on free ports and is stopped and removed after use; the
machine's own Redis and databases are never written to.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from tests.dovecot import DovecotServer
from tests.fake_telegram import FakeTelegram
from tests.orfeo.double import OrfeoDouble, OrfeoUser

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
VENTANILLA = str(VENV_BIN / "ventanilla")
PG_ADMIN = os.environ.get("VENTANILLA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@dataclass
class RedisServer:
    """A private redis-server that keeps nothing on disk, so a restart comes back empty."""

    port: int
    workdir: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed: run scripts/setup.sh redis"
        self.process = subprocess.Popen(
            [
                binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._answers, 10, "redis-server")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process:
            self.process.kill()
            self.process.wait()
            self.process = None

    def restart_empty(self) -> None:
        self.stop()
        self.start()

    def flush(self) -> None:
        import redis

        redis.Redis.from_url(self.url).flushall()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(free_port(), tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


def create_pg_database() -> str:
    name = f"ventanilla_test_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        raise AssertionError(
            f"PostgreSQL is needed at {PG_ADMIN} ({error}); run scripts/setup.sh postgres"
        ) from None
    return name


def drop_pg_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_url(name: str) -> str:
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store on each backend (the store tests run on both)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    name = create_pg_database()
    try:
        yield pg_url(name)
    finally:
        drop_pg_database(name)


@dataclass
class Deployment:
    """A ventanilla installation in a temporary folder, driven like an operator would."""

    root: Path
    env: dict[str, str]
    web_port: int
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def outbox(self) -> Path:
        return self.root / "var" / "outbox"

    def cli(
        self, *args: str, check: bool = True, timeout: float = 300, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [VENTANILLA, *args],
            cwd=self.root,
            env=self.env,
            text=True,
            capture_output=True,
            timeout=timeout,
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"ventanilla {' '.join(args)} exited {result.returncode}:\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result

    def stored(self) -> int:
        """Messages in the store, read straight from its SQLite file (fast enough to race a
        poller; a SQLite store only)."""
        path = self.env["VENTANILLA_STORE__URL"].removeprefix("sqlite:///")
        if not Path(path).exists():
            return 0  # no process has created the store yet
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as connection:
                return int(connection.execute("SELECT count(*) FROM messages").fetchone()[0])
        except sqlite3.OperationalError as error:
            if "no such table" in str(error):
                return 0  # created, not migrated yet
            raise

    def cli_json(self, *args: str) -> Any:
        return json.loads(self.cli(*args, "--json").stdout)

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.root / f"{name}.log").open("ab")
        process = subprocess.Popen(
            [VENTANILLA, *args],
            cwd=self.root,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[name] = process
        if name == "web":
            wait_until(self._healthy, 30, "the web app's /healthz")
        return process

    def _healthy(self) -> bool:
        try:
            return httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Signal the whole process group (dramatiq's master and its worker processes)."""
        process = self.processes.pop(name)
        os.killpg(process.pid, sig)
        process.wait(timeout=60)

    def stop_all(self) -> None:
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()

    def log(self, name: str) -> str:
        return (self.root / f"{name}.log").read_text(errors="replace")


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the classifiers are trained once for the whole session (not per deployment),
    trained here before any test, so that no test's timing includes a training."""
    from ventanilla.classifier import KINDS, ModelFiles

    # Beside the worker's own temporary folder, so the parallel test workers of a run share
    # it: the first to ask trains under the models' file lock, the others wait and load (a
    # changed corpus or library trains again: ModelFiles checks both).
    directory = tmp_path_factory.getbasetemp().parent / "ventanilla-classifier"
    for kind in KINDS:
        ModelFiles(directory).load_or_train(kind)
    return directory


def new_deployment(root: Path, store_url: str, redis_url: str, **overrides: str) -> Deployment:
    """A Deployment in `root` (created) on a store and a Redis, with settings overrides
    given as keyword arguments (`worker__max_retries="1"`)."""
    root.mkdir()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VENTANILLA_")}
    env.update(
        {
            "VENTANILLA_SETTINGS": str(REPO / "settings.toml"),
            "VENTANILLA_STORE__URL": store_url,
            "VENTANILLA_QUEUE__REDIS_URL": redis_url,
            "VENTANILLA_WEB__PORT": str(port),
            "VENTANILLA_WEB__PUBLIC_URL": f"http://127.0.0.1:{port}",
            "VENTANILLA_WORKER__PROCESSES": "2",
            "VENTANILLA_WORKER__THREADS": "4",
            "VENTANILLA_LOG__LEVEL": "warning",
        }
    )
    env.update({f"VENTANILLA_{key.upper()}": value for key, value in overrides.items()})
    return Deployment(root, env, port)


@pytest.fixture
def deployment_factory(tmp_path: Path, redis_server: RedisServer, model_dir: Path) -> Iterator[Any]:
    """Make a Deployment on a given store URL; stops its processes afterwards."""
    made: list[Deployment] = []
    redis_server.flush()

    def make(store_url: str, **overrides: str) -> Deployment:
        root = tmp_path / f"deploy{len(made)}"
        deployment = new_deployment(
            root, store_url, redis_server.url, classifier__model_dir=str(model_dir), **overrides
        )
        made.append(deployment)
        return deployment

    yield make
    for deployment in made:
        deployment.stop_all()


# The Orfeo user the radicados go to, in dependency 100 (the double's only user).
ORFEO_RECEIVER = OrfeoUser("radicador", "radicador@entidad.gov.co", "100")


@pytest.fixture(scope="module")
def orfeo_double(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OrfeoDouble]:
    """One Orfeo double (tests/orfeo) per module: Debian's PHP and nusoap on a free port."""
    double = OrfeoDouble(tmp_path_factory.mktemp("orfeo"), free_port())
    double.start()
    try:
        double.add_user(ORFEO_RECEIVER)
        yield double
    finally:
        double.stop()


@pytest.fixture
def orfeo(orfeo_double: OrfeoDouble) -> Iterator[OrfeoDouble]:
    """The module's Orfeo double, up and without faults for each test."""
    orfeo_double.clear_faults()
    orfeo_double.up()
    yield orfeo_double
    orfeo_double.clear_faults()
    orfeo_double.up()


@pytest.fixture(scope="session")
def dovecot_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DovecotServer]:
    """One private Dovecot for the session (see tests/dovecot.py)."""
    server = DovecotServer(tmp_path_factory.mktemp("dovecot"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def dovecot(dovecot_server: DovecotServer) -> DovecotServer:
    """The session's Dovecot with an empty mailbox: no messages, only the INBOX."""
    dovecot_server.reset()
    return dovecot_server


@pytest.fixture(scope="session")
def dovecot_tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DovecotServer]:
    """A second private Dovecot speaking TLS: STARTTLS on `port`, IMAPS on `tls_port`,
    with a self-signed certificate for 127.0.0.1 in `ca_file`."""
    server = DovecotServer(tmp_path_factory.mktemp("dovecot-tls"), tls=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def bot_api() -> Iterator[FakeTelegram]:
    """A local fake of the Telegram Bot API (tests/fake_telegram.py); it must not have
    failed itself by the end of the test."""
    with FakeTelegram() as server:
        yield server
    assert server.errors == []


@pytest.fixture
def app_with(
    store_url: str,
    redis_server: RedisServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    model_dir: Path,
) -> Iterator[Any]:
    """This process's `App` on a fresh store and the private Redis, with settings from
    `VENTANILLA_*` overrides given as keyword arguments (`email__enabled="true"`)."""
    from ventanilla.app import current_app
    from ventanilla.settings import get_settings

    made: list[Any] = []

    def make(**overrides: str) -> Any:
        (tmp_path / "settings.toml").write_text("")
        env = {
            "SETTINGS": str(tmp_path / "settings.toml"),
            "STORE__URL": store_url,
            "STORE__ATTACHMENTS_DIR": str(tmp_path / "attachments"),
            "QUEUE__REDIS_URL": redis_server.url,
            "CLASSIFIER__MODEL_DIR": str(model_dir),
        } | {key.upper(): value for key, value in overrides.items()}
        for key, value in env.items():
            monkeypatch.setenv(f"VENTANILLA_{key}", value)
        get_settings.cache_clear()
        current_app.cache_clear()
        made.append(current_app())
        return made[-1]

    yield make
    for app in made:
        with contextlib.suppress(Exception):  # a test may point one at a store that is down
            app.db.dispose()
    get_settings.cache_clear()
    current_app.cache_clear()


@pytest.fixture
def private_postgres() -> Iterator[Any]:
    """A PostgreSQL cluster of the test's own, which it may restart (tests/private_postgres)."""
    from tests.private_postgres import PrivatePostgres

    server = PrivatePostgres(free_port())
    server.start()
    yield server
    server.stop()
