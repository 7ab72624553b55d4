"""End-to-end benchmark: API intake → acknowledgement written, on SQLite and PostgreSQL.

Starts the web app and the workers (settings: worker.processes × worker.threads) on a fresh
store, sends N requests to POST /api/v1/requests, and reads from the store when each
message was received and when its acknowledgement was written. In the same run it times a
no-op chain of four dramatiq actors on the same Redis and worker settings: the ceiling.

    .venv/bin/python bench/e2e.py [--messages 2000] [--concurrency 64] [--backend sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import redis
from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_ADMIN = os.environ.get("VENTANILLA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measured_commit() -> str:
    """The commit the figures belong to ("+changes" when the tree differs from it)."""
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=REPO,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return f"{head or 'unknown'}{' +changes' if dirty else ''}"


# Trained classifiers kept between runs (retrained when the corpus changes): a fresh
# install trains once, at its first start, and that is not the cost of a message.
BENCH_MODELS = REPO / "var" / "bench-classifier"


def warm_models(env: dict[str, str], cwd: Path) -> None:
    """Train (or load) the classifiers before the clock starts, as `db upgrade` migrates."""
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from ventanilla.app import current_app; current_app().warm_classifiers()",
        ],
        cwd=cwd,
        env=env,
        check=True,
    )


def base_env(namespace: str, processes: int | None, threads: int | None) -> dict[str, str]:
    """The processes' environment; `None` workers or threads: settings.toml's default."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VENTANILLA_")}
    env.update(
        {
            "VENTANILLA_SETTINGS": str(REPO / "settings.toml"),
            "VENTANILLA_QUEUE__REDIS_URL": REDIS_URL,
            "VENTANILLA_QUEUE__NAMESPACE": namespace,
            "VENTANILLA_LOG__LEVEL": "warning",
            "VENTANILLA_CLASSIFIER__MODEL_DIR": str(BENCH_MODELS),
        }
    )
    if processes is not None:
        env["VENTANILLA_WORKER__PROCESSES"] = str(processes)
    if threads is not None:
        env["VENTANILLA_WORKER__THREADS"] = str(threads)
    return env


def start(args: list[str], cwd: Path, env: dict[str, str], log: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        args,
        cwd=cwd,
        env=env,
        stdout=open(cwd / log, "wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def noop_ceiling(count: int, processes: int, threads: int) -> float:
    """Messages per second through four do-nothing actors."""
    namespace = f"bench-noop-{uuid.uuid4().hex[:6]}"
    env = base_env(namespace, processes, threads) | {
        "BENCH_COUNTER_KEY": f"{namespace}:done",
        "PYTHONPATH": str(REPO),
    }
    client = redis.Redis.from_url(REDIS_URL)
    with tempfile.TemporaryDirectory() as folder:
        worker = start(
            [
                str(BIN / "dramatiq"),
                "bench.noop_chain",
                "--processes",
                str(processes),
                "--threads",
                str(threads),
                "--path",
                str(REPO),
            ],
            Path(folder),
            env,
            "noop.log",
        )
        sys.path.insert(0, str(REPO))
        os.environ.update(env)
        from bench.noop_chain import first  # the broker reads the namespace from env

        time.sleep(3)  # workers boot
        started = time.perf_counter()
        for n in range(count):
            first.send(n)
        while int(client.get(f"{namespace}:done") or 0) < count:
            time.sleep(0.01)
        elapsed = time.perf_counter() - started
        stop(worker)
    for key in client.scan_iter(f"{namespace}*"):
        client.delete(key)
    return count / elapsed


async def send_all(
    url: str, requests: list[bytes], concurrency: int
) -> tuple[list[float], list[int]]:
    """Send the requests over `concurrency` keep-alive connections; a raw HTTP client, so
    the load generator's own CPU (on the same 2 cores) stays small next to the server's."""
    host, port = url.removeprefix("http://").split(":")
    times: list[float] = []
    statuses: list[int] = []
    queue = list(reversed(requests))

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        while queue:
            request = queue.pop()
            started = time.perf_counter()
            writer.write(request)
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            times.append(time.perf_counter() - started)
            statuses.append(int(status_line.split()[1]))
        writer.close()

    await asyncio.gather(*(connection() for _ in range(concurrency)))
    return times, statuses


async def submit(base_url: str, count: int, concurrency: int, tag: str) -> list[float]:
    """POST `count` requests, `concurrency` at a time over keep-alive connections; the
    latency of each. A raw HTTP client: httpx's pool took 8 ms of CPU per request on the
    same 2 cores and queued requests for seconds before they were sent, which the API's
    p99 then counted."""
    host = base_url.removeprefix("http://")
    requests = []
    for n in range(count):
        body = json.dumps(
            {
                "text": f"Solicito información sobre la vacante {tag}-{n}",
                "email": f"persona{n}@example.com",
            }
        ).encode()
        head = (
            f"POST /api/v1/requests HTTP/1.1\r\nHost: {host}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        requests.append(head.encode() + body)
    times, statuses = await send_all(base_url, requests, concurrency)
    refused = [status for status in statuses if status not in (201, 202)]
    if refused:
        raise RuntimeError(f"{len(refused)} requests refused (HTTP {sorted(set(refused))})")
    return times


@contextlib.contextmanager
def fresh_store(backend: str, folder: Path) -> Iterator[str]:
    """A new, empty store URL: a SQLite file in `folder`, or a PostgreSQL database."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    database = f"ventanilla_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    try:
        yield f"{base}/{database}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def run_backend(backend: str, count: int, concurrency: int, processes: int, threads: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"bench-{backend}-"))
    with fresh_store(backend, folder) as url:
        return {"backend": backend} | measure(url, folder, count, concurrency, processes, threads)


def measure(
    url: str, folder: Path, count: int, concurrency: int, processes: int, threads: int
) -> dict:
    port = free_port()
    env = base_env(f"bench-{uuid.uuid4().hex[:6]}", processes, threads) | {
        "VENTANILLA_STORE__URL": url,
        "VENTANILLA_WEB__PORT": str(port),
        "VENTANILLA_WEB__INTAKE_WAIT_SECONDS": "10",
        "VENTANILLA_WORKER__STUCK_AFTER_SECONDS": "600",
    }
    subprocess.run(
        [str(BIN / "ventanilla"), "db", "upgrade"],
        cwd=folder,
        env=env,
        check=True,
        capture_output=True,
    )
    warm_models(env, folder)
    worker = start([str(BIN / "ventanilla"), "worker"], folder, env, "worker.log")
    web = start([str(BIN / "ventanilla"), "web"], folder, env, "web.log")
    base_url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{base_url}/healthz").status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    try:
        asyncio.run(submit(base_url, 50, 10, "warmup"))
        engine = create_engine(url)
        with engine.connect() as connection:
            skip = connection.execute(text("SELECT max(id) FROM messages")).scalar_one()
        began = time.perf_counter()
        api = asyncio.run(submit(base_url, count, concurrency, "bench"))
        while True:
            with engine.connect() as connection:
                sent = connection.execute(
                    text(
                        "SELECT count(*) FROM outbox o JOIN cases c ON c.id = o.case_id "
                        "WHERE o.status = 'sent' AND c.message_id > :skip"
                    ),
                    {"skip": skip},
                ).scalar_one()
            if sent >= count:
                break
            time.sleep(0.2)
        wall = time.perf_counter() - began
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT m.created_at, o.sent_at FROM messages m "
                    "JOIN cases c ON c.message_id = m.id "
                    "JOIN outbox o ON o.case_id = c.id WHERE m.id > :skip"
                ),
                {"skip": skip},
            ).all()
        engine.dispose()
    finally:
        stop(web)
        stop(worker)

    def seconds(value) -> float:
        return (
            value.timestamp()
            if hasattr(value, "timestamp")
            else __import__("datetime").datetime.fromisoformat(value).timestamp()
        )

    latencies = [seconds(sent) - seconds(created) for created, sent in rows]
    return {
        "messages": count,
        "wall_s": wall,
        "rate": count / wall,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * percentile(latencies, 0.99),
        "api_p50_ms": 1000 * statistics.median(api),
        "api_p99_ms": 1000 * percentile(api, 0.99),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--backend", default="sqlite,postgresql")
    # settings.toml's defaults (what a fresh install runs), unless said otherwise.
    from ventanilla.settings import WorkerSettings

    parser.add_argument("--processes", type=int, default=WorkerSettings().processes)
    parser.add_argument("--threads", type=int, default=WorkerSettings().threads)
    args = parser.parse_args()
    print(f"commit {measured_commit()}")
    print(
        f"machine: {os.cpu_count()} cores; workers: {args.processes} processes × "
        f"{args.threads} threads; {args.messages} messages, {args.concurrency} concurrent"
    )
    for backend in args.backend.split(","):
        r = run_backend(backend, args.messages, args.concurrency, args.processes, args.threads)
        print(
            f"{r['backend']:>10}: {r['rate']:7.1f} msg/s intake→ack written | "
            f"p50 {r['p50_ms']:7.1f} ms  p99 {r['p99_ms']:7.1f} ms | "
            f"API p50 {r['api_p50_ms']:6.1f} ms  p99 {r['api_p99_ms']:6.1f} ms | "
            f"wall {r['wall_s']:.1f} s"
        )
    ceiling = noop_ceiling(args.messages, args.processes, args.threads)
    print(f"{'noop x4':>10}: {ceiling:7.1f} msg/s through four no-op dramatiq actors (the ceiling)")


if __name__ == "__main__":
    main()
