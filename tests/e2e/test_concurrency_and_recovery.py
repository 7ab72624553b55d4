"""Many citizens at once, and crashes in the middle: every message radicated exactly once.

Two worker processes with four threads each, the web app, real Redis, SQLite and
PostgreSQL. The assertions read the store and the outbox folder, nothing else.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import threading
from collections import Counter

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.conftest import Deployment, wait_until

pytestmark = pytest.mark.e2e


async def submit_many(base_url: str, count: int, concurrency: int, tag: str) -> list[int]:
    """POST `count` distinct requests, `concurrency` at a time; returns the status codes."""
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits) as client:
        gate = asyncio.Semaphore(concurrency)

        async def one(n: int) -> int:
            async with gate:
                response = await client.post(
                    "/api/v1/requests",
                    json={
                        "text": f"Solicito información sobre mi inscripción número {tag}-{n}",
                        "email": f"ciudadano{n}@example.com",
                    },
                )
                return response.status_code

        return list(await asyncio.gather(*(one(n) for n in range(count))))


def assert_each_radicated_and_acknowledged_once(deployment: Deployment, count: int) -> None:
    messages = deployment.cli_json("messages", "list")
    assert len(messages) == count
    assert Counter(m["status"] for m in messages) == {"case": count}
    cases = deployment.cli_json("cases", "list")
    numbers = sorted(case["number"] for case in cases)
    assert numbers == list(range(1, count + 1)), "radicados must be 1..N with no gap"
    assert len({case["radicado"] for case in cases}) == count
    assert {case["ack_status"] for case in cases} == {"sent"}
    emls = list(deployment.outbox.glob("*.eml"))
    assert len(emls) == count
    assert not list(deployment.outbox.glob(".*")), "no partial file may be left behind"
    acknowledged = Counter(
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)["Subject"][:14]
        for path in emls
    )
    assert set(acknowledged) == {case["radicado"] for case in cases}
    assert set(acknowledged.values()) == {1}


@pytest.fixture
def deployment(deployment_factory, store_url):
    return deployment_factory(store_url)


def test_500_concurrent_submissions_get_radicados_1_to_500(deployment):
    deployment.start("worker", "worker")
    deployment.start("web", "web")
    statuses = asyncio.run(submit_many(deployment.base_url, 500, 100, "carga"))
    assert Counter(statuses).keys() <= {201, 202}
    deployment.cli("drain", "--timeout", "240")
    assert_each_radicated_and_acknowledged_once(deployment, 500)


def count_cases(store_url: str) -> tuple[int, int]:
    """(cases radicated, messages still in the pipeline), read straight from the store."""
    engine = create_engine(store_url)
    with engine.connect() as connection:
        cases = connection.execute(text("SELECT count(*) FROM cases")).scalar_one()
        pending = connection.execute(
            text("SELECT count(*) FROM messages WHERE stage <> 'done'")
        ).scalar_one()
    engine.dispose()
    return cases, pending


def submit_in_background(base_url: str, count: int, tag: str) -> threading.Thread:
    thread = threading.Thread(target=lambda: asyncio.run(submit_many(base_url, count, 20, tag)))
    thread.start()
    return thread


def test_worker_killed_with_sigkill_mid_run_loses_and_doubles_nothing(deployment, store_url):
    deployment.env["VENTANILLA_WEB__INTAKE_WAIT_SECONDS"] = "0.2"
    deployment.start("worker", "worker")
    deployment.start("web", "web")
    submitting = submit_in_background(deployment.base_url, 300, "kill")
    wait_until(lambda: count_cases(store_url)[0] >= 40, 60, "the first 40 cases")
    deployment.kill("worker")  # SIGKILL to the master and every worker process
    radicated, _ = count_cases(store_url)
    assert radicated < 300, "the kill must land in the middle of the run"
    deployment.start("worker", "worker")
    submitting.join(120)
    deployment.cli("drain", "--timeout", "240")
    assert_each_radicated_and_acknowledged_once(deployment, 300)


def test_redis_restarted_empty_mid_run_loses_nothing(deployment, store_url, redis_server):
    deployment.env["VENTANILLA_WEB__INTAKE_WAIT_SECONDS"] = "0.2"
    deployment.start("worker", "worker")
    deployment.start("web", "web")
    submitting = submit_in_background(deployment.base_url, 300, "redis")
    wait_until(lambda: count_cases(store_url)[0] >= 40, 60, "the first 40 cases")
    redis_server.restart_empty()  # whatever was queued is gone
    radicated, _ = count_cases(store_url)
    assert radicated < 300, "the restart must land in the middle of the run"
    submitting.join(120)
    deployment.cli("drain", "--timeout", "240")
    assert_each_radicated_and_acknowledged_once(deployment, 300)


def test_api_answers_202_when_no_worker_runs_then_status_shows_the_radicado(deployment):
    deployment.env["VENTANILLA_WEB__INTAKE_WAIT_SECONDS"] = "0.3"
    deployment.start("web", "web")
    response = httpx.post(
        f"{deployment.base_url}/api/v1/requests",
        timeout=30,
        json={"text": "Derecho de petición: solicito respuesta"},
    )
    assert response.status_code == 202
    status_url = response.json()["status_url"]
    assert httpx.get(deployment.base_url + status_url).json()["status"] == "pending"
    # The receipt is an unguessable token: walking the numeric ids finds nothing.
    assert httpx.get(f"{deployment.base_url}/api/v1/requests/1").status_code == 404
    # A request without an e-mail (a text that asks nothing would wait for review).
    request = {"text": "Solicito el certificado de mi inscripción; no tengo correo"}
    form = httpx.post(f"{deployment.base_url}/pqrsdf", data=request, timeout=30)
    assert form.status_code == 200 and "Recibimos su solicitud" in form.text
    receipt = re.search(r'href="(/pqrsdf/recibido/[^"]+)"', form.text).group(1)
    deployment.cli("drain", "--timeout", "60")
    state = httpx.get(deployment.base_url + status_url).json()
    radicados = {case["radicado"] for case in deployment.cli_json("cases", "list")}
    assert state["status"] == "case" and state["radicado"] in radicados
    page = httpx.get(deployment.base_url + receipt)
    shown = re.search(r'id="radicado">(\d+)<', page.text).group(1)
    assert shown in radicados and shown != state["radicado"]
