"""Duplicates and mass petitions as an operator sees them: the API, the outbox folder,
`cases show --json` and `cases groups`."""

from __future__ import annotations

import email
import email.policy

import httpx
import pytest

pytestmark = pytest.mark.e2e

PETITION = (
    "Solicitamos que se abra una oficina de atención en el municipio de Puerto Asís, porque "
    "hoy debemos viajar seis horas para hacer cualquier trámite de la ruta de empleabilidad."
)
REQUEST = "Solicito copia de mi certificado de inscripción en la bolsa de empleo, por favor."


@pytest.fixture
def service(deployment_factory, tmp_path):
    deployment = deployment_factory(f"sqlite:///{tmp_path / 'ventanilla.db'}")
    deployment.start("worker", "worker")
    deployment.start("web", "web")
    return deployment


def post(service, expected: int = 201, **fields: str) -> dict:
    response = httpx.post(f"{service.base_url}/api/v1/requests", json=fields, timeout=30)
    assert response.status_code == expected, response.text
    return response.json()


def test_a_near_duplicate_is_told_without_its_radicado_and_the_address_gets_a_notice(service):
    first = post(service, text=REQUEST, email="ana@example.com")
    again = post(service, 202, text=f"Buenos días, {REQUEST} Gracias.", email="ANA@example.com")
    service.cli("drain", "--timeout", "60")

    # The typed address is unverified: the answer says so much, the notice to it the number.
    assert again["status"] == "duplicate" and "radicado" not in again
    [case] = service.cli_json("cases", "list")
    assert case["radicado"] == first["radicado"]
    subjects = sorted(
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)["Subject"]
        for path in service.outbox.glob("*.eml")
    )
    assert subjects == [
        f"{first['radicado']} - Recibimos su solicitud",
        f"{first['radicado']} - Su solicitud ya está radicada",
    ]


def test_twelve_petitioners_are_one_group_in_cases_show_and_cases_groups(service):
    radicados = [
        post(service, text=PETITION, email=f"vecino{n}@example.com")["radicado"] for n in range(12)
    ]
    service.cli("drain", "--timeout", "60")

    shown = [service.cli_json("cases", "show", radicado) for radicado in radicados]
    [group] = service.cli_json("cases", "groups")
    assert {(case["group_id"], case["group_size"]) for case in shown} == {(group["group_id"], 12)}
    assert {"radicado", "duplicate_of", "ack_status"} <= set(shown[0])  # the contract's keys
    assert (group["size"], group["first_radicado"], group["last_radicado"]) == (
        12,
        radicados[0],
        radicados[-1],
    )
    table = service.cli("cases", "groups").stdout
    assert table.splitlines()[0].split()[:2] == ["group_id", "size"]
    assert radicados[0] in table
