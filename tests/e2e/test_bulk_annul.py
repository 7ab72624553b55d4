"""What a flood got through is annulled in one go: staff filter the list, choose the cases,
give one reason; every number stays recorded as annulled with that reason and their name."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.staff import add_user, csrf_token, staff_client

pytestmark = pytest.mark.e2e

SPAM = "Visite nuestra tienda de zapatos con descuento {n}"


def test_staff_annul_the_chosen_cases_with_one_reason(deployment_factory, tmp_path):
    deployment = deployment_factory(f"sqlite:///{tmp_path / 'v.db'}")
    deployment.start("worker", "worker")
    deployment.start("web", "web")
    for n in range(6):
        response = httpx.post(
            f"{deployment.base_url}/api/v1/requests",
            json={"text": SPAM.format(n=n), "type": "peticion"},
            timeout=30,
        )
        assert response.status_code in (201, 202)
    httpx.post(
        f"{deployment.base_url}/api/v1/requests",
        json={"text": "Solicito copia de mi certificado de inscripción.", "type": "informacion"},
        timeout=30,
    )
    deployment.cli("drain", "--timeout", "120")
    add_user(deployment, "beto", "agente")
    with staff_client(deployment, "beto") as client:
        page = client.get("/casos", params={"q": "zapatos"})
        chosen = re.findall(r'name="radicado" value="(\d+)"', page.text)
        assert len(chosen) == 6
        token = csrf_token(page.text)
        missing = client.post("/casos/anular", data={"csrf_token": token, "radicado": chosen})
        assert missing.headers["location"] == "/casos?problema=motivo"
        done = client.post(
            "/casos/anular",
            data={"csrf_token": token, "radicado": chosen, "reason": "Publicidad masiva"},
        )
        assert done.headers["location"] == "/casos?anulados=6&omitidos=0"
        assert "Se anularon 6 casos" in client.get(done.headers["location"]).text
        again = client.post(
            "/casos/anular",
            data={"csrf_token": token, "radicado": chosen[:2], "reason": "Otra vez"},
        )
        assert again.headers["location"] == "/casos?anulados=0&omitidos=2"
        refused = client.post("/casos/anular", data={"radicado": chosen, "reason": "x"})
        assert refused.status_code == 403  # no CSRF token
    cases = {c["radicado"]: c for c in deployment.cli_json("cases", "list")}
    assert [cases[r]["status"] for r in chosen] == ["anulado"] * 6
    assert {cases[r]["annul_reason"] for r in chosen} == {"Publicidad masiva"}
    assert [c["status"] for c in cases.values() if c["radicado"] not in chosen] == ["radicado"]
