"""Twilio webhook benchmark: N signed SMS webhooks sent concurrently to the web app.

Starts `ventanilla web` and `ventanilla worker` on a fresh store with Twilio enabled and
pointed at a local fake of the Twilio API (acknowledgements go there), signs N distinct
SMS webhooks with the real RequestValidator, and sends them C at a time. Prints requests
per second and the p50/p99 response time (Twilio gives up after 15 s).

    .venv/bin/python bench/twilio_webhooks.py [--requests 2000] [--concurrency 64]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import httpx
from twilio.request_validator import RequestValidator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.e2e import (  # noqa: E402
    base_env,
    free_port,
    fresh_store,
    percentile,
    send_all,
    start,
    stop,
)
from tests.fake_twilio import FakeTwilio  # noqa: E402

BIN = Path(sys.executable).parent
ACCOUNT = "AC" + "b" * 32
TOKEN = "bench-auth-token"
OUR_NUMBER = "+15005550006"


def wait_healthy(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit("the web app did not start")


def signed_requests(url: str, count: int) -> list[bytes]:
    """N distinct SMS webhooks as raw HTTP/1.1 requests, signed as Twilio signs them."""
    validator = RequestValidator(TOKEN)
    endpoint = f"{url}/webhooks/twilio/messages"
    host = url.removeprefix("http://")
    requests = []
    for n in range(count):
        params = {
            "MessageSid": f"SM{uuid.uuid4().hex}",
            "AccountSid": ACCOUNT,
            "From": f"+57300{n:07d}",
            "To": OUR_NUMBER,
            "Body": f"Hola, necesito el certificado de mi inscripcion numero {n}",
            "NumMedia": "0",
        }
        body = urlencode(params).encode()
        head = (
            f"POST /webhooks/twilio/messages HTTP/1.1\r\nHost: {host}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"X-Twilio-Signature: {validator.compute_signature(endpoint, params)}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        requests.append(head.encode() + body)
    return requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--without-workers", action="store_true", help="the web app alone (intake only)"
    )
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="bench-twilio-") as folder,
        FakeTwilio(ACCOUNT, TOKEN) as fake,
        fresh_store(args.backend, Path(folder)) as store_url,
    ):
        work = Path(folder)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = base_env(f"bench-{uuid.uuid4().hex[:6]}", 2, 4) | {
            "VENTANILLA_STORE__URL": store_url,
            "VENTANILLA_WEB__PORT": str(port),
            "VENTANILLA_WEB__PUBLIC_URL": url,
            "VENTANILLA_TWILIO__ENABLED": "true",
            "VENTANILLA_TWILIO__ACCOUNT_SID": ACCOUNT,
            "VENTANILLA_TWILIO__AUTH_TOKEN": TOKEN,
            "VENTANILLA_TWILIO__API_URL": fake.api_url,
            "VENTANILLA_TWILIO__SMS_FROM": OUR_NUMBER,
        }
        web = start([str(BIN / "ventanilla"), "web"], work, env, "web.log")
        worker = None
        if not args.without_workers:
            worker = start([str(BIN / "ventanilla"), "worker"], work, env, "worker.log")
        try:
            wait_healthy(url)
            asyncio.run(send_all(url, signed_requests(url, 100), 8))  # warm-up
            requests = signed_requests(url, args.requests)
            started = time.monotonic()
            times, statuses = asyncio.run(send_all(url, requests, args.concurrency))
            wall = time.monotonic() - started
        finally:
            stop(web)
            if worker is not None:
                stop(worker)
    ok = sum(status == 200 for status in statuses)
    print(
        f"{args.backend}: {args.requests} signed SMS webhooks, {args.concurrency} at a time: "
        f"{ok} answered 200"
    )
    print(f"  requests/second  {args.requests / wall:.0f}")
    print(f"  response p50     {percentile(times, 0.50) * 1000:.0f} ms")
    print(f"  response p90     {percentile(times, 0.90) * 1000:.0f} ms")
    print(f"  response p99     {percentile(times, 0.99) * 1000:.0f} ms")
    print(f"  slowest          {max(times) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
