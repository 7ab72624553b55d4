"""Telegram channel benchmark: the real python-telegram-bot against the local fake Bot API.

N citizens' private messages wait as updates in the fake (tests/fake_telegram.py, run in
this process); the poller and the workers (`ventanilla poll --channel telegram`,
`ventanilla worker`) start on a fresh store, and the clock stops when the fake has
received N acknowledgements (sendMessage in each chat, under each message). Prints updates
per second, CPU seconds per 1,000 updates (poller + workers; the fake's own CPU is not
counted there, but printed apart: it shares the machine) and the processes' peak memory.

    .venv/bin/python bench/telegram_channel.py [--updates 5000] [--backend sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.e2e import base_env, fresh_store, measured_commit, start, warm_models  # noqa: E402
from bench.email_channel import finish, split  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402

BIN = Path(sys.executable).parent


def queue_citizens(fake: FakeTelegram, count: int) -> None:
    for n in range(count):
        citizen = fake.user(10_000_000 + n, f"Ciudadano {n}", "Pérez")
        fake.writes(
            citizen,
            "Buenos días. Solicito información sobre mi inscripción en el Servicio Público de "
            f"Empleo y el estado de mi hoja de vida número {n}. Gracias.",
        )


def measure(args: argparse.Namespace, work: Path) -> None:
    with FakeTelegram() as fake:
        took = time.monotonic()
        queue_citizens(fake, args.updates)
        print(f"queued {args.updates} updates in the fake in {time.monotonic() - took:.1f} s")
        with fresh_store(args.backend, work) as store_url:
            env = base_env(f"bench-{uuid.uuid4().hex[:6]}", args.processes, args.threads) | {
                "VENTANILLA_STORE__URL": store_url,
                "VENTANILLA_STORE__ATTACHMENTS_DIR": str(work / "attachments"),
                "VENTANILLA_TELEGRAM__ENABLED": "true",
                "VENTANILLA_TELEGRAM__TOKEN": fake.token,
                "VENTANILLA_TELEGRAM__API_URL": fake.api_url,
            }
            # Migrate first, so the clock measures the channel and not the schema.
            subprocess.run(
                [str(BIN / "ventanilla"), "db", "upgrade"], cwd=work, env=env, check=True
            )
            warm_models(env, work)  # trained once per install, not per message
            started = time.monotonic()
            fake_cpu = time.process_time()  # this process is the fake Bot API now
            worker = start([str(BIN / "ventanilla"), "worker"], work, env, "worker.log")
            poller = start(
                [str(BIN / "ventanilla"), "poll", "--channel", "telegram"], work, env, "poller.log"
            )
            deadline = started + 3600
            last = 0
            while len(fake.sent) < args.updates and time.monotonic() < deadline:
                time.sleep(0.2)
                if len(fake.sent) - last >= 1000:
                    last = len(fake.sent)
                    rate = last / (time.monotonic() - started)
                    print(f"  {last} acknowledgements ({rate:.0f}/s)", flush=True)
            elapsed = time.monotonic() - started
            fake_cpu = time.process_time() - fake_cpu
            run = finish(poller, worker, store_url)
        replied = sum(1 for sent in fake.sent if sent.reply_to_message_id == 1)
        chats = len({sent.chat_id for sent in fake.sent})
    print(f"\n{args.backend}: {args.updates} Telegram updates polled, radicated and acknowledged")
    print(f"  commit {measured_commit()}")
    print(
        f"  cases {run.cases}, acknowledgements {len(fake.sent)} in {chats} chats"
        f" ({replied} threaded)"
    )
    print(f"  wall time        {elapsed:.1f} s")
    print(f"  updates/second   {args.updates / elapsed:.1f}")
    print(f"  CPU s per 1,000  {run.cpu / args.updates * 1000:.2f}  (poller + workers)")
    print(f"    of which {split(run, args.updates)}")
    print(f"  fake Bot API CPU s per 1,000  {fake_cpu / args.updates * 1000:.2f}  (same 2 cores)")
    print(f"  poller peak RSS  {run.poller_peak / 1024:.0f} MiB")
    print(
        f"  largest process peak RSS {max(run.peaks.values()) / 1024:.0f} MiB over {len(run.pids)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=5_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-telegram-") as folder:
        measure(args, Path(folder))


if __name__ == "__main__":
    main()
