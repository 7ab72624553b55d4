"""X channel benchmark: N mentions through the fake X, the poller and the workers.

N mentions (each from its own account, so the hourly limit per sender never applies) wait
in a local fake of X's API v2 (`tests/fake_x.py`, served from this process); then the
poller and the workers (`ventanilla poll --channel x`, `ventanilla worker`) start on a
fresh store, and the clock stops when every mention has its public reply and its direct
message. Prints mentions per second, acknowledgements per second, and CPU seconds per
1,000 mentions (poller + workers; the fake's own CPU, in this process, apart).

    .venv/bin/python bench/x_channel.py [--mentions 5000] [--backend sqlite|postgresql]
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
from tests.fake_x import FakeX  # noqa: E402

BIN = Path(sys.executable).parent


def x_env(base: dict[str, str], fake: FakeX) -> dict[str, str]:
    keys = {
        "ENABLED": "true",
        "API_URL": fake.api_url,
        "BEARER_TOKEN": fake.bearer_token,
        "CONSUMER_KEY": fake.consumer_key,
        "CONSUMER_SECRET": fake.consumer_secret,
        "ACCESS_TOKEN": fake.access_token,
        "ACCESS_TOKEN_SECRET": fake.access_token_secret,
        "ACCOUNT": fake.account,
        "POLL_EVERY_SECONDS": "1",
    }
    return base | {f"VENTANILLA_X__{key}": value for key, value in keys.items()}


def run(args: argparse.Namespace, work: Path) -> None:
    with FakeX() as fake:
        for n in range(args.mentions):
            author = fake.add_user(f"ciudadano{n}", f"Ciudadano {n}")
            fake.add_mention(
                author,
                f"@ServiciodEmpleo tengo bloqueada la cuenta del SISE, solicito que me la "
                f"desbloqueen. Inscripción {n}",
            )
        print(f"{args.mentions} mentions waiting in the fake X")
        with fresh_store(args.backend, work) as store_url:
            env = x_env(base_env(f"bench-x-{uuid.uuid4().hex[:6]}", 2, 8), fake)
            env["VENTANILLA_STORE__URL"] = store_url
            # Migrate first, so the clock measures the channel and not the schema.
            subprocess.run(
                [str(BIN / "ventanilla"), "db", "upgrade"], cwd=work, env=env, check=True
            )
            warm_models(env, work)  # trained once per install, not per message
            fake_cpu = time.process_time()
            started = time.monotonic()
            worker = start([str(BIN / "ventanilla"), "worker"], work, env, "worker.log")
            poller = start(
                [str(BIN / "ventanilla"), "poll", "--channel", "x"], work, env, "poller.log"
            )
            deadline = started + 3600
            last = 0
            while time.monotonic() < deadline and not (
                len(fake.posted) >= args.mentions and len(fake.dms_sent) >= args.mentions
            ):
                time.sleep(0.2)
                if len(fake.dms_sent) - last >= 1000:
                    last = len(fake.dms_sent)
                    rate = last / (time.monotonic() - started)
                    print(f"  {last} mentions acknowledged ({rate:.0f}/s)", flush=True)
            elapsed = time.monotonic() - started
            fake_cpu = time.process_time() - fake_cpu
            run = finish(poller, worker, store_url)
        replies, dms = len(fake.posted), len(fake.dms_sent)
    print(f"\n{args.backend}: {args.mentions} mentions polled, radicated and acknowledged on X")
    print(f"  cases {run.cases}, outbox rows sent {run.sent}, public replies {replies}, DMs {dms}")
    print(f"  wall time             {elapsed:.1f} s")
    print(f"  mentions/second       {args.mentions / elapsed:.1f}")
    print(f"  acknowledgements/s    {(replies + dms) / elapsed:.1f}  (reply + DM each)")
    print(f"  commit {measured_commit()}")
    print(f"  CPU s per 1,000       {run.cpu / args.mentions * 1000:.2f}  (poller + workers)")
    print(f"    of which {split(run, args.mentions)}")
    print(f"  fake X CPU s per 1,000 {fake_cpu / args.mentions * 1000:.2f}  (this process)")
    print(f"  poller peak RSS       {run.poller_peak / 1024:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=5_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--keep-logs", default="", help="copy the processes' logs here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-x-") as folder:
        run(args, Path(folder))
        if args.keep_logs:
            for log in Path(folder).glob("*.log"):
                (Path(args.keep_logs) / log.name).write_bytes(log.read_bytes())


if __name__ == "__main__":
    main()
