"""One poisoned request never hurts another: malformed input is refused with 422 naming the
field before anything is written, while the valid submissions around it are filed."""

from __future__ import annotations

import base64
import json
import threading
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n% a scanned letter\n"


@pytest.fixture
def service(deployment_factory, tmp_path):
    deployment = deployment_factory(f"sqlite:///{tmp_path / 'ventanilla.db'}")
    deployment.start("worker", "worker")
    deployment.start("web", "web")
    return deployment


def attachment(content_type: str) -> dict[str, str]:
    return {
        "filename": "carta.pdf",
        "content_type": content_type,
        "content_base64": base64.b64encode(PDF).decode(),
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"text": "hola\\ud800", "email": "a@example.com"}', "text"),
        ('{"text": "Solicito', "body"),
        ("[" * 100_000 + "]" * 100_000, "body"),
        ('{"text": "Solicito copia", "name": "Ana\\udfff"}', "name"),
    ],
)
def test_malformed_json_is_a_422_naming_the_field_never_a_500(service, body, field):
    response = post_raw(service, body)
    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]]
    assert service.cli_json("messages", "list") == []


@pytest.mark.parametrize(
    "content_type", ["text/\ud800", "application/" + "x" * 120, "text/plain\r\nX-Evil: 1"]
)
def test_a_bad_attachment_type_is_a_422_and_leaves_no_file(service, content_type):
    body = json.dumps(
        {"text": "Solicito revisar mi carta", "attachments": [attachment(content_type)]}
    )
    response = post_raw(service, body)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "attachments"
    assert service.cli_json("messages", "list") == []
    assert not [p for p in attachments_dir(service).rglob("*") if p.is_file()]


def test_fifty_valid_submissions_and_one_poisoned_give_fifty_cases(service):
    results: list[int] = []
    lock = threading.Lock()

    def send(n: int) -> None:
        if n == 50:
            body = json.dumps(
                {"text": "Solicito revisar mi carta", "attachments": [attachment("text/\ud800")]}
            )
        else:
            body = json.dumps(
                {
                    "text": f"Solicito copia del certificado de inscripción número {n}.",
                    "email": f"persona{n}@example.com",
                    "attachments": [attachment("application/pdf")],
                }
            )
        response = post_raw(service, body)
        with lock:
            results.append(response.status_code)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(51)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results).count(422) == 1
    assert all(code in (201, 202) for code in results if code != 422), results
    service.cli("drain", "--timeout", "120")
    assert len(service.cli_json("cases", "list")) == 50
    # The attachment is one content-addressed file, pointed at by the fifty rows.
    assert len([p for p in attachments_dir(service).rglob("*") if p.is_file()]) == 1


def post_raw(service, body: str) -> httpx.Response:
    """The API called with `body` as it is (json= would re-encode what the test breaks)."""
    return httpx.post(
        f"{service.base_url}/api/v1/requests",
        content=body.encode(),
        headers={"content-type": "application/json"},
        timeout=60,
    )


def attachments_dir(service) -> Path:
    return Path(service.root) / "var" / "attachments"
