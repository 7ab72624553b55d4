"""E-mail channel benchmark: a real Dovecot mailbox in, a real SMTP receiver out.

Phase 1 (throughput): N messages are APPENDed to a private Dovecot, then the poller and the
workers (`ventanilla poll`, `ventanilla worker`) are started on a fresh store; the clock
stops when the SMTP receiver has N acknowledgements. Prints e-mails per second, CPU
seconds per 1,000 e-mails (poller + workers) and each process's peak memory.

Phase 2 (memory, `--backlog N`): N messages wait in the mailbox and the poller alone takes
them into the store; its resident memory is printed as it goes, to show it stays flat.

The workers run with settings.toml's processes and threads (what a fresh install gets)
unless --processes/--threads say otherwise. Prints the commit it measured, and how many of
the e-mails became cases and acknowledgements (every one is a request: all of them).

    .venv/bin/python bench/email_channel.py [--messages 10000] [--backend sqlite] [--backlog 100000]
        [--processes P --threads T]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.e2e import base_env, free_port, fresh_store, measured_commit, start, stop, warm_models  # noqa: E402
from tests.dovecot import DovecotServer  # noqa: E402

BIN = Path(sys.executable).parent


class CountingHandler:
    """Counts acknowledgements as they arrive (a real SMTP conversation per message)."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            self.count += 1
        return "250 OK"


def citizen_mail(n: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"Ciudadano {n} <ciudadano{n}@example.com>"
    message["To"] = "atencionalciudadano@example.gov.co"
    message["Subject"] = f"Solicitud de información {n}"
    message["Message-ID"] = f"<bench-{n}-{uuid.uuid4().hex[:8]}@example.com>"
    message["Date"] = "Mon, 23 Nov 2026 09:00:00 -0500"
    message.set_content(
        "Buenos días,\n\nSolicito información sobre mi inscripción en el Servicio Público de "
        f"Empleo y el estado de mi hoja de vida número {n}.\n\nGracias,\nCiudadano {n}\n"
    )
    return message.as_bytes().replace(b"\n", b"\r\n")


def process_tree(root: int) -> list[int]:
    """`root` and every process in its session (dramatiq's master forks the workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getsid(int(entry.name)) == root:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return total


def memory_kib(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass(frozen=True)
class Finished:
    """What a run of the poller and the workers cost, and what it left in the store."""

    pids: list[int]
    cpu: float  # seconds, every process of both
    poller_cpu: float  # seconds, the poller's session alone
    master_cpu: float  # seconds, the worker's master: its start and the models, before forking
    poller_peak: int  # KiB
    peaks: dict[int, int]  # KiB per process
    cases: int
    sent: int  # outbox rows sent


def finish(
    poller: subprocess.Popen[bytes], worker: subprocess.Popen[bytes], store_url: str
) -> Finished:
    """Read the processes' CPU and memory, stop them, count cases and sent rows."""
    pids = process_tree(worker.pid) + process_tree(poller.pid)
    cpu = cpu_seconds(pids)
    poller_cpu = cpu_seconds(process_tree(poller.pid))
    master_cpu = cpu_seconds([worker.pid])
    peaks = {pid: memory_kib(pid, "VmHWM") for pid in pids}
    poller_peak = memory_kib(poller.pid, "VmHWM")
    stop(poller)
    stop(worker)
    engine = create_engine(store_url)
    with engine.connect() as connection:
        cases = connection.execute(text("SELECT count(*) FROM cases")).scalar_one()
        sent = connection.execute(
            text("SELECT count(*) FROM outbox WHERE status = 'sent'")
        ).scalar_one()
    engine.dispose()
    return Finished(pids, cpu, poller_cpu, master_cpu, poller_peak, peaks, cases, sent)


def split(run: Finished, count: int) -> str:
    """CPU s per 1,000 of the poller and the workers, and of the workers' what their master
    spent once (its start: imports, the models; the forked processes inherit them)."""
    poller, workers = (run.poller_cpu / count * 1000, (run.cpu - run.poller_cpu) / count * 1000)
    master = run.master_cpu / count * 1000
    return f"poller {poller:.2f}, workers {workers:.2f} (their master's start {master:.2f})"


def email_env(base: dict[str, str], dovecot: DovecotServer, smtp_port: int) -> dict[str, str]:
    mailbox = {f"VENTANILLA_{k.upper()}": v for k, v in dovecot.mailbox_settings().items()}
    return (
        base
        | mailbox
        | {
            "VENTANILLA_EMAIL__SMTP_HOST": "127.0.0.1",
            "VENTANILLA_EMAIL__SMTP_PORT": str(smtp_port),
            "VENTANILLA_EMAIL__SMTP_SECURITY": "plain",
        }
    )


def append_all(dovecot: DovecotServer, count: int) -> float:
    started = time.monotonic()
    for first in range(0, count, 5000):
        dovecot.append([citizen_mail(n) for n in range(first, min(count, first + 5000))])
    return time.monotonic() - started


def throughput(args: argparse.Namespace, dovecot: DovecotServer, work: Path) -> None:
    handler = CountingHandler()
    smtp_port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    dovecot.reset()
    took = append_all(dovecot, args.messages)
    print(f"appended {args.messages} messages to Dovecot in {took:.1f} s")
    with fresh_store(args.backend, work) as store_url:
        namespace = f"bench-{uuid.uuid4().hex[:6]}"
        env = email_env(base_env(namespace, args.processes, args.threads), dovecot, smtp_port)
        env["VENTANILLA_STORE__URL"] = store_url
        env["VENTANILLA_STORE__ATTACHMENTS_DIR"] = str(work / "attachments")
        env["VENTANILLA_WORKER__ACKS_PER_SENDER_PER_HOUR"] = "5"
        # Migrate first, so the clock measures the channel and not the schema.
        subprocess.run([str(BIN / "ventanilla"), "db", "upgrade"], cwd=work, env=env, check=True)
        warm_models(env, work)  # trained once per install, not per message
        started = time.monotonic()
        worker = start([str(BIN / "ventanilla"), "worker"], work, env, "worker.log")
        poller = start(
            [str(BIN / "ventanilla"), "poll", "--channel", "email"], work, env, "poller.log"
        )
        deadline = started + 3600
        last = 0
        while handler.count < args.messages and time.monotonic() < deadline:
            time.sleep(0.2)
            if handler.count - last >= 2000:
                last = handler.count
                rate = handler.count / (time.monotonic() - started)
                print(f"  {handler.count} acknowledgements ({rate:.0f}/s)", flush=True)
        elapsed = time.monotonic() - started
        run = finish(poller, worker, store_url)
        cpu, poller_peak, peaks = run.cpu, run.poller_peak, run.peaks
        cases, sent, pids = run.cases, run.sent, run.pids
    controller.stop()
    workers = (
        f"{args.processes} × {args.threads}"
        if args.processes and args.threads
        else "settings.toml's defaults"
    )
    print(f"\n{args.backend}: {args.messages} e-mails polled, radicated and acknowledged")
    print(f"  commit {measured_commit()}, workers {workers}")
    print(f"  cases {cases}, acknowledgements sent {sent}, received by SMTP {handler.count}")
    if cases != args.messages or sent != args.messages:
        print(f"  NOT EVERY E-MAIL BECAME A CASE WITH ITS ACKNOWLEDGEMENT ({args.messages} sent)")
    print(f"  wall time        {elapsed:.1f} s")
    print(f"  e-mails/second   {args.messages / elapsed:.1f}")
    print(f"  CPU s per 1,000  {cpu / args.messages * 1000:.2f}  (poller + workers)")
    print(f"    of which {split(run, args.messages)}")
    print(f"  poller peak RSS  {poller_peak / 1024:.0f} MiB")
    print(f"  largest process peak RSS {max(peaks.values()) / 1024:.0f} MiB over {len(pids)}")


def backlog(args: argparse.Namespace, dovecot: DovecotServer, work: Path) -> None:
    dovecot.reset()
    took = append_all(dovecot, args.backlog)
    print(f"\nappended a backlog of {args.backlog} messages in {took:.1f} s")
    store = work / "backlog.db"
    env = email_env(base_env(f"bench-{uuid.uuid4().hex[:6]}", 1, 1), dovecot, 9)
    env["VENTANILLA_STORE__URL"] = f"sqlite:///{store}"
    env["VENTANILLA_STORE__ATTACHMENTS_DIR"] = str(work / "attachments")
    started = time.monotonic()
    poller = start([str(BIN / "ventanilla"), "poll", "--channel", "email"], work, env, "p.log")
    engine = create_engine(f"sqlite:///{store}")
    stored = 0
    next_report = 0
    while stored < args.backlog and poller.poll() is None:
        time.sleep(1)
        try:
            with engine.connect() as connection:
                stored = connection.execute(text("SELECT count(*) FROM messages")).scalar_one()
        except Exception:
            continue
        if stored >= next_report:
            rss = memory_kib(poller.pid, "VmRSS") / 1024
            peak = memory_kib(poller.pid, "VmHWM") / 1024
            print(
                f"  {stored:>7} stored  poller RSS {rss:.0f} MiB (peak {peak:.0f} MiB)", flush=True
            )
            next_report = stored + args.backlog // 10
    elapsed = time.monotonic() - started
    peak = memory_kib(poller.pid, "VmHWM") / 1024
    stop(poller)
    engine.dispose()
    print(f"backlog of {stored} taken in {elapsed:.0f} s ({stored / elapsed:.0f}/s)")
    print(f"  poller peak RSS {peak:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--backlog", type=int, default=0, help="also measure memory (0: skip)")
    parser.add_argument("--processes", type=int, help="worker processes (default: settings.toml)")
    parser.add_argument("--threads", type=int, help="threads per worker (default: settings.toml)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-email-") as folder:
        work = Path(folder)
        dovecot = DovecotServer(work / "dovecot")
        (work / "dovecot").mkdir()
        dovecot.start()
        try:
            if args.messages:
                throughput(args, dovecot, work)
            if args.backlog:
                backlog(args, dovecot, work)
        finally:
            dovecot.stop()


if __name__ == "__main__":
    main()
