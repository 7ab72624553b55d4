"""An outage is not bad input: PostgreSQL restarted (fast, then immediate) while citizens
submit. Nothing is quarantined or blanked, no request gets a 500 (503 with Retry-After while
the store is down), a client that sends the same request again gets the first answer and
no second notice, and every request ends with one radicado and one acknowledgement."""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

pytestmark = pytest.mark.e2e

# The suite's size; `VENTANILLA_TEST_RESTART_SUBMISSIONS=1000` for the run by hand.
SUBMISSIONS = int(os.environ.get("VENTANILLA_TEST_RESTART_SUBMISSIONS", "240"))


def test_submissions_ride_out_postgresql_restarts(deployment_factory, private_postgres):
    deployment = deployment_factory(private_postgres.url)
    deployment.start("worker", "worker")
    deployment.start("web", "web")
    url = f"{deployment.base_url}/api/v1/requests"
    codes: list[int] = []
    answered_at: list[float] = []
    restarted_at: list[float] = []
    lock = threading.Lock()

    def submit(n: int) -> int:
        body = {
            "text": f"Solicito copia del certificado de inscripción número {n}.",
            "email": f"persona{n}@example.com",
        }
        for _ in range(60):  # a client that tries again, as Retry-After asks
            try:
                response = httpx.post(url, json=body, timeout=30)
            except httpx.TransportError:
                time.sleep(0.5)
                continue
            with lock:
                codes.append(response.status_code)
                answered_at.append(time.monotonic())
            if response.status_code == 503:
                assert 0 < int(response.headers["retry-after"]) <= 60
                time.sleep(0.5)
                continue
            return response.json()["id"]
        raise AssertionError(f"submission {n} never got through")

    def restart() -> None:
        # Once citizens are being answered, twice, with submissions still coming.
        for mode, after in (("fast", SUBMISSIONS // 12), ("immediate", SUBMISSIONS // 2)):
            while len(answered_at) < after:
                time.sleep(0.05)
            private_postgres.restart(mode)
            restarted_at.append(time.monotonic())

    restarter = threading.Thread(target=restart)
    restarter.start()
    with ThreadPoolExecutor(16) as pool:
        ids = list(pool.map(submit, range(SUBMISSIONS)))
    restarter.join()
    # The restarts fell in the middle of the submissions, not after them.
    assert min(answered_at) < restarted_at[0] and max(answered_at) > restarted_at[1]
    assert 500 not in codes, f"{codes.count(500)} answers were 500"
    assert len(set(ids)) == SUBMISSIONS
    deployment.cli("drain", "--timeout", "240")
    messages = deployment.cli_json("messages", "list")
    assert len(messages) == SUBMISSIONS
    assert [m for m in messages if m["status"] == "quarantined"] == []
    assert {m["status"] for m in messages} == {"case"}
    cases = deployment.cli_json("cases", "list")
    numbers = sorted(c["number"] for c in cases)
    assert numbers == list(range(1, SUBMISSIONS + 1))  # gap-free, none twice
    acks = sorted(p.name for p in deployment.outbox.glob("*.eml"))
    assert len(acks) == SUBMISSIONS and not [a for a in acks if "duplicate" in a]
    print(f"answers: {len(codes)}, 503: {codes.count(503)}")  # the figure for the note
