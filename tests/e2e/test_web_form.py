"""The citizen web form and its JSON twin, driven as a citizen and an operator would."""

from __future__ import annotations

import email
import email.policy
import re
import time

import httpx
import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture
def service(deployment_factory, tmp_path):
    deployment = deployment_factory(f"sqlite:///{tmp_path / 'ventanilla.db'}")
    # The longest wait: on a loaded machine a cold worker takes more than the default 5 s,
    # and these tests read the radicado from the first answer.
    deployment.env["VENTANILLA_WEB__INTAKE_WAIT_SECONDS"] = "25"
    deployment.start("worker", "worker")
    deployment.start("web", "web")
    return deployment


def test_form_submission_shows_radicado_files_a_case_and_writes_one_eml(service):
    page = httpx.get(f"{service.base_url}/pqrsdf")
    assert page.status_code == 200
    assert '<html lang="es">' in page.text
    assert '<label for="text">' in page.text

    response = httpx.post(
        f"{service.base_url}/pqrsdf",
        data={
            "name": "Ana Gómez",
            "email": "Ana.Gomez@Example.com",
            "type": "",
            "text": "Solicito copia de mi certificado de inscripción en la bolsa de empleo.",
        },
        files=[("attachments", ("hoja de vida.pdf", b"%PDF-1.4 contenido", "application/pdf"))],
        timeout=30,
    )
    assert response.status_code == 200, response.text
    radicado = re.search(r'id="radicado">(\d+)<', response.text).group(1)
    assert "Fecha límite de respuesta" in response.text
    assert "hora de Colombia" in response.text

    [case] = service.cli_json("cases", "list")
    assert case["radicado"] == radicado
    assert case["type"] == "informacion"
    assert case["channel"] == "web"
    assert case["filed_at"].endswith("-05:00")
    assert case["duplicate_of"] is None

    service.cli("drain", "--timeout", "60")
    emls = list(service.outbox.glob("*.eml"))
    assert len(emls) == 1
    sent = email.message_from_bytes(emls[0].read_bytes(), policy=email.policy.default)
    assert sent["To"] == "ana.gomez@example.com"
    assert sent["Subject"].startswith(radicado)
    assert sent["Auto-Submitted"] == "auto-replied"
    body = sent.get_body(("plain",)).get_content()
    link = re.search(r"(/estado/" + radicado + r"\?c=[\w-]+)", body).group(1)
    assert service.cli_json("cases", "show", radicado)["ack_status"] == "sent"

    status = httpx.get(f"{service.base_url}{link}")
    assert status.status_code == 200 and "Fecha límite de respuesta" in status.text
    assert "Ana" not in status.text and "example.com" not in status.text


def test_a_phishing_name_typed_in_the_form_never_reaches_the_acknowledgement(service):
    """Issue 15: free text typed as the name was mailed, inside the official
    acknowledgement, to whatever address was typed beside it."""
    response = httpx.post(
        f"{service.base_url}/pqrsdf",
        data={
            "name": "URGENTE… valide sus datos en https://banco-seguro.example/validar",
            "email": "victima@example.com",
            "text": "Solicito copia de mi certificado de inscripción en la bolsa de empleo.",
        },
        timeout=30,
    )
    assert response.status_code == 200, response.text
    service.cli("drain", "--timeout", "60")
    [eml] = service.outbox.glob("*.eml")
    sent = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    for part in ("plain", "html"):
        body = sent.get_body((part,)).get_content()
        assert "URGENTE" not in body and "banco-seguro" not in body
    assert sent.get_body(("plain",)).get_content().startswith("Hola:")


def test_api_answers_201_with_radicado_and_due_date(service):
    response = httpx.post(
        f"{service.base_url}/api/v1/requests",
        timeout=30,
        json={
            "text": "Necesito información sobre las vacantes en Cali",
            "email": "pedro@example.com",
            "type": "consulta",
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) >= {"radicado", "filed_at", "due_date", "type"}
    assert body["type"] == "consulta"
    [message] = service.cli_json("messages", "list")
    assert message["status"] == "case" and message["radicado"] == body["radicado"]


def test_the_same_request_sent_again_gets_the_first_answer_and_one_acknowledgement(service):
    request = {
        "text": "Quiero poner una queja por mala atención en la oficina",
        "email": "rosa@example.com",
    }
    url = f"{service.base_url}/api/v1/requests"
    first = radicated(service, request)
    second = radicated(service, request)  # a retry, a double click
    assert (second["id"], second["radicado"]) == (first["id"], first["radicado"])
    assert second["status"] == "case"
    keyed = {"idempotency-key": "7f0c2f8e-5b7a-4a43-9b0e-3c1d2e4f5a6b"}
    other = {"text": "Solicito copia de mi certificado de inscripción", "email": "leo@example.com"}
    third = httpx.post(url, json=other, headers=keyed, timeout=30)
    again = httpx.post(url, json=other, headers=keyed, timeout=30)
    assert third.json()["id"] == again.json()["id"] != first["id"]
    bad_key = httpx.post(url, json=request, headers={"idempotency-key": "x" * 300}, timeout=30)
    assert bad_key.status_code == 422
    assert bad_key.json()["errors"][0]["field"] == "Idempotency-Key"
    assert len(service.cli_json("messages", "list")) == 2
    service.cli("drain", "--timeout", "60")
    # No duplicate notice for a repeat: one acknowledgement for the first request only.
    assert len(list(service.outbox.glob(f"{first['radicado']}*.eml"))) == 1


def radicated(service, request: dict[str, str]) -> dict[str, str]:
    """Submit through the API and wait for the radicado (a cold worker may take longer
    than the API waits, then the answer is 202 with where to look)."""
    answer = httpx.post(f"{service.base_url}/api/v1/requests", json=request, timeout=30)
    body = answer.json()
    deadline = time.monotonic() + 90  # a loaded machine: generous, only to end the loop
    while answer.status_code == 202 and not body.get("radicado"):
        assert time.monotonic() < deadline, body
        time.sleep(0.5)
        body = httpx.get(f"{service.base_url}{answer.json()['status_url']}").json()
    return body


def test_same_request_twice_is_a_duplicate_that_does_not_tell_the_radicado(service):
    """Issue 15: typing another citizen's e-mail and text returned their radicado. The
    repeat is told "ya tenemos una solicitud igual", by the API, its receipt and the form;
    only the notice mailed to the address itself carries the number."""
    request = {
        "text": "Quiero poner una queja por mala atención en la oficina",
        "email": "victima@example.com",
    }
    first = radicated(service, request)
    # From another address (a proxy's X-Forwarded-For): the same body from the same
    # address within minutes would be the same submission sent again (idempotent).
    elsewhere = {"x-forwarded-for": "203.0.113.50"}
    second = httpx.post(
        f"{service.base_url}/api/v1/requests", json=request, headers=elsewhere, timeout=30
    )
    assert second.status_code == 202, second.text  # inside DESIGN's 201/202 contract
    assert second.json()["status"] == "duplicate"
    assert first["radicado"] not in second.text
    receipt = httpx.get(f"{service.base_url}/api/v1/requests/{second.json()['id']}")
    assert receipt.status_code == 404  # the receipt is the token, never the id
    assert "Ya tenemos una solicitud igual" in second.json()["message"]
    assert len(service.cli_json("cases", "list")) == 1

    form = httpx.post(
        f"{service.base_url}/pqrsdf",
        data={**request, "shown": "0"},
        timeout=30,
    )
    assert form.status_code == 200, form.text
    assert "Ya tenemos una solicitud igual" in form.text
    assert first["radicado"] not in form.text

    [repeat] = [m for m in service.cli_json("messages", "list") if m["id"] == second.json()["id"]]
    assert repeat["status"] == "duplicate"  # staff still see which case it repeats
    assert repeat["radicado"] == first["radicado"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"text": "   "}, "text"),
        ({"text": "hola", "email": "ana@@example"}, "email"),
        ({"text": "hola", "type": "tutela"}, "type"),
        ({"text": "hola", "phone": "12"}, "phone"),
        ({"text": 42}, "text"),
    ],
)
def test_api_bad_input_names_the_field_and_stores_nothing(service, payload, field):
    response = httpx.post(f"{service.base_url}/api/v1/requests", json=payload, timeout=30)
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]
    assert service.cli_json("messages", "list") == []


def test_form_rejects_10_mb_attachment_naming_the_field_and_keeps_nothing(service):
    big = b"x" * (10 * 1024 * 1024)
    response = httpx.post(
        f"{service.base_url}/pqrsdf",
        data={"text": "Adjunto mi documento", "email": "not-an-email"},
        files=[("attachments", ("escaneo.pdf", big, "application/pdf"))],
        timeout=60,
    )
    assert response.status_code == 422
    assert "escaneo.pdf" in response.text and "supera el límite de 5 MB" in response.text
    assert 'id="attachments-error"' in response.text
    assert 'id="email-error"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert "Adjunto mi documento" in response.text  # what the citizen wrote is kept
    assert service.cli_json("messages", "list") == []
    attachments = service.root / "var" / "attachments"
    assert not attachments.exists() or not any(attachments.rglob("*"))


def test_metrics_and_health(service):
    httpx.post(
        f"{service.base_url}/api/v1/requests", json={"text": "sugiero más horarios"}, timeout=30
    )
    health = httpx.get(f"{service.base_url}/healthz").json()
    assert health == {"status": "ok", "store": "ok", "queue": "ok"}
    metrics = httpx.get(f"{service.base_url}/metrics").text
    assert 'ventanilla_intake_total{channel="web"} 1.0' in metrics
    assert 'ventanilla_cases{status="radicado"} 1.0' in metrics


def test_control_characters_in_a_request_are_dropped_not_a_server_error(
    deployment_factory, store_url
):
    deployment = deployment_factory(store_url)
    deployment.start("worker", "worker")
    deployment.start("web", "web")
    response = httpx.post(
        f"{deployment.base_url}/api/v1/requests",
        timeout=30,
        json={"text": "Solicito\u0000 copia\u0007 del\tcertificado\n", "name": "Ana\u0000"},
    )
    # 201, or 202 when the worker is still warming up on a loaded machine: never a 5xx.
    assert response.status_code in (201, 202), response.text
    deployment.cli("drain", "--timeout", "120")
    [message] = deployment.cli_json("messages", "list")
    assert message["status"] == "case"


def test_form_can_be_switched_off_by_setting(deployment_factory, tmp_path):
    deployment = deployment_factory(f"sqlite:///{tmp_path / 'v.db'}", web__form_enabled="false")
    deployment.start("web", "web")
    assert httpx.get(f"{deployment.base_url}/pqrsdf").status_code == 404
    assert httpx.post(f"{deployment.base_url}/pqrsdf", data={"text": "hola"}).status_code == 404
