"""100 requests through the API into the Orfeo double, with Orfeo losing answers after
creating the radicado, failing before creating it, and down for 20 s in the middle.

Real workers (two processes, four threads), the web app, Redis, PostgreSQL and the double
(Debian's PHP and nusoap). The assertions read Orfeo's own tables, our cases and the
acknowledgements written to the outbox folder.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import threading
import time
from collections import Counter
from typing import Any

import httpx
import pytest

from tests.conftest import ORFEO_RECEIVER, Deployment, wait_until
from tests.orfeo.double import OrfeoDouble
from tests.staff import add_user, csrf_token, staff_client

pytestmark = pytest.mark.e2e

COUNT = 100
NAMES = ("Ana", "Luis", "Marta", "Jorge", "Rosa", "Pedro", "Nubia", "Hernán", "Olga", "Iván")
SURNAMES = ("Gómez", "Rincón", "Pérez", "Vargas", "Quintero", "Duarte", "Ortiz", "Mejía")
FILED_TEXT = re.compile(r"(20\d{12})")


def citizen(tag: str, n: int) -> dict[str, str]:
    name = f"{NAMES[n % 10]} {NAMES[(n // 10) % 10]} {SURNAMES[n % 8]} {SURNAMES[(n // 8) % 8]}"
    return {
        "name": name,
        "email": f"{tag}{n}@example.com",
        "text": f"Solicito información sobre mi inscripción número {tag}-{n} en la agencia.",
    }


async def submit_many(base_url: str, tag: str) -> list[tuple[int, dict[str, Any]]]:
    limits = httpx.Limits(max_connections=20)
    async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits) as client:
        gate = asyncio.Semaphore(20)

        async def one(n: int) -> tuple[int, dict[str, Any]]:
            async with gate:
                response = await client.post("/api/v1/requests", json=citizen(tag, n))
                return response.status_code, response.json()

        return list(await asyncio.gather(*(one(n) for n in range(COUNT))))


@pytest.fixture
def orfeo_deployment(deployment_factory, store_url, orfeo):
    def make(lookup: str) -> Deployment:
        return deployment_factory(
            store_url,
            docsys__backend="orfeo",
            docsys__orfeo_wsdl=orfeo.wsdl_url,
            docsys__orfeo_login=ORFEO_RECEIVER.login,
            docsys__orfeo_email=ORFEO_RECEIVER.email,
            docsys__orfeo_lookup=lookup,
            docsys__orfeo_timeout_seconds="10",
            docsys__retry_max_seconds="4",
        )

    return make


def run_with_faults(deployment: Deployment, orfeo: OrfeoDouble, tag: str) -> dict[str, Any]:
    """Submit COUNT requests while Orfeo loses 10 % of its answers after creating, fails
    10 % of the calls before creating, and is down for 20 s once a third are filed."""
    orfeo.fail("radicarDocumento", "lost_after", times=-1, probability=0.1)
    orfeo.fail("radicarDocumento", "fatal_before", times=-1, probability=0.1 / 0.9)
    before = len(orfeo.radicados())
    calls_before = len(orfeo.calls("radicarDocumento"))
    deployment.start("worker", "worker")
    deployment.start("web", "web")
    answers: list[tuple[int, dict[str, Any]]] = []
    submitting = threading.Thread(
        target=lambda: answers.extend(asyncio.run(submit_many(deployment.base_url, tag)))
    )
    started = time.monotonic()
    submitting.start()
    wait_until(lambda: len(orfeo.radicados()) - before >= COUNT // 3, 120, "a third filed")
    orfeo.down_for(20)
    down_at = len(orfeo.radicados()) - before
    submitting.join(180)
    deployment.cli("drain", "--timeout", "300")
    elapsed = time.monotonic() - started
    return {
        "answers": answers,
        "before": before,
        "calls_before": calls_before,
        "down_at": down_at,
        "elapsed": elapsed,
    }


def assert_filed_once_each(
    deployment: Deployment, orfeo: OrfeoDouble, before: int, tag: str
) -> list[str]:
    held = orfeo.radicados()[before:]
    assert len(held) == COUNT, f"Orfeo holds {len(held)} new radicados, not {COUNT}"
    references = Counter(r["radi_cuentai"] for r in held)
    assert set(references.values()) == {1}, "a reference filed twice: a double radicado"
    numbers = {r["radi_nume_radi"] for r in held}
    cases = deployment.cli_json("cases", "list")
    assert len(cases) == COUNT
    assert {case["radicado"] for case in cases} == numbers, "every radicado an Orfeo number"
    assert {case["ack_status"] for case in cases} == {"sent"}
    emls = list(deployment.outbox.glob("*.eml"))
    assert len(emls) == COUNT
    acknowledged = Counter(
        FILED_TEXT.search(
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)["Subject"]
        ).group(1)
        for path in emls
    )
    assert set(acknowledged) == numbers and set(acknowledged.values()) == {1}
    names = Counter(citizen(tag, n)["name"] for n in range(COUNT))
    mails = {citizen(tag, n)["email"] for n in range(COUNT)}
    destinatarios = [orfeo.radicado(number)["destinatario"] for number in numbers]
    assert Counter(d["sgd_dir_nomremdes"] for d in destinatarios) == names
    assert {d["sgd_dir_mail"] for d in destinatarios} == mails
    return sorted(numbers)


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_100_requests_into_a_failing_orfeo_with_lookup_get_100_radicados(orfeo_deployment, orfeo):
    deployment = orfeo_deployment("cuentai")
    run = run_with_faults(deployment, orfeo, "cuentai")
    assert Counter(status for status, _ in run["answers"]).keys() <= {201, 202}
    waiting = [body for status, body in run["answers"] if status == 202]
    assert waiting and all("le llegará por correo" in body["message"] for body in waiting)
    assert run["down_at"] < COUNT, "the outage must land in the middle of the run"
    calls = Counter(orfeo.calls("radicarDocumento")[run["calls_before"] :])
    assert calls["lost_after"] and calls["fatal_before"]
    assert_filed_once_each(deployment, orfeo, run["before"], "cuentai")
    health = httpx.get(f"{deployment.base_url}/healthz", timeout=10).json()
    assert health["filing"] == {"waiting": 0, "oldest_seconds": 0.0}
    print(f"\nlookup=cuentai: {COUNT} filed in {run['elapsed']:.1f} s, calls {dict(calls)}")


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_without_lookup_uncertain_filings_wait_for_a_clerk_and_none_doubles(
    orfeo_deployment, orfeo
):
    deployment = orfeo_deployment("none")
    run = run_with_faults(deployment, orfeo, "sinlookup")
    before = run["before"]
    held = orfeo.radicados()[before:]
    assert set(Counter(r["radi_cuentai"] for r in held).values()) <= {1}, "no doubles"
    health = httpx.get(f"{deployment.base_url}/healthz", timeout=10).json()
    assert health["filing"]["waiting"] > 0, "lost answers wait for a clerk"
    metrics = httpx.get(f"{deployment.base_url}/metrics", timeout=10).text
    assert f"ventanilla_filings_waiting {float(health['filing']['waiting'])}" in metrics
    orfeo.clear_faults()
    add_user(deployment, "clara", "agente")
    rounds, decided = 0, Counter[str]()
    with staff_client(deployment, "clara") as clerk:
        while True:
            page = clerk.get("/radicacion")
            assert page.status_code == 200
            rows = re.findall(
                r"<code>(VT\d+-[0-9A-F]+)</code>.*?/radicacion/(\d+)/ninguno", page.text, re.S
            )
            if not rows:
                break
            if not rounds:  # the case list says how many wait, and since when
                assert "su número de radicado en Orfeo" in clerk.get("/casos").text
            rounds += 1
            assert rounds <= 3
            assert "Resultado incierto en Orfeo" in page.text
            in_orfeo = {r["radi_cuentai"]: r["radi_nume_radi"] for r in orfeo.radicados()}
            for reference, case_id in rows:
                token = csrf_token(clerk.get("/radicacion").text)
                if reference in in_orfeo:  # the clerk finds it in Orfeo: enters its number
                    action = f"/radicacion/{case_id}/numero"
                    data = {"numero": in_orfeo[reference], "csrf_token": token}
                else:  # not there: confirms, and it is filed again
                    action, data = f"/radicacion/{case_id}/ninguno", {"csrf_token": token}
                decided[action.rsplit("/", 1)[1]] += 1
                assert clerk.post(action, data=data).status_code == 303
            deployment.cli("drain", "--timeout", "120")
    assert rounds >= 1, "with faults, some answers must have been lost"
    assert_filed_once_each(deployment, orfeo, before, "sinlookup")
    calls = dict(Counter(orfeo.calls("radicarDocumento")[run["calls_before"] :]))
    print(f"\nlookup=none: {run['elapsed']:.1f} s to drain, clerk decided {dict(decided)}, {calls}")
