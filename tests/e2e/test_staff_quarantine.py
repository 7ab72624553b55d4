"""A message quarantined because a setting was wrong is radicated once the operator fixes
the setting and staff retry it, from the quarantine page or the command line."""

from __future__ import annotations

import pytest

from tests.conftest import create_pg_database, drop_pg_database, pg_url, wait_until
from tests.staff import add_user, csrf_token, staff_client

pytestmark = pytest.mark.e2e

# Longer than the 40 characters a radicado column holds: PostgreSQL refuses the insert,
# so radicating fails every time (the counter rolls back with it).
TOO_LONG = "{year}-{office}-{number:06d}-{kind}-ENTRADA-GRUPO-DE-ATENCION-AL-CIUDADANO"
MAIL = """From: Lucia Rojas <lucia{n}@example.com>
To: atencionalciudadano@example.gov.co
Subject: Certificado {n}
Date: Mon, 02 Mar 2026 10:00:00 -0500
Message-ID: <retry-{n}@example.com>

Solicito copia de mi certificado de inscripcion numero {n}.
"""


@pytest.fixture
def pg_store():
    name = create_pg_database()
    yield pg_url(name)
    drop_pg_database(name)


def test_message_quarantined_by_a_bad_setting_is_radicated_after_a_retry(
    deployment_factory, pg_store, tmp_path
):
    deployment = deployment_factory(pg_store, worker__max_retries="0", radicado__format=TOO_LONG)
    files = []
    for n in (1, 2):
        path = tmp_path / f"mail{n}.eml"
        path.write_text(MAIL.format(n=n))
        files.append(str(path))
    deployment.cli("ingest", "email", *files)
    deployment.cli("drain", "--timeout", "120")
    quarantined = deployment.cli_json("messages", "list", "--status", "quarantined")
    assert [m["id"] for m in quarantined] == [1, 2]
    assert all(m["reason"].startswith("radicate failed:") for m in quarantined)
    assert deployment.cli_json("cases", "list") == []

    # The operator corrects the setting and restarts; staff retry one message from the
    # page and the other from the command line.
    del deployment.env["VENTANILLA_RADICADO__FORMAT"]
    add_user(deployment, "beto", "agente")
    deployment.start("worker", "worker")
    deployment.start("web", "web")
    with staff_client(deployment, "beto") as client:
        page = client.get("/cuarentena")
        assert "radicate failed:" in page.text and "Reintentar el mensaje 1" in page.text
        retried = client.post(
            "/cuarentena/1/reintentar", data={"csrf_token": csrf_token(page.text)}
        )
        assert retried.status_code == 303
        assert retried.headers["location"] == "/cuarentena?reintentado=1"
    assert "message 2 is back" in deployment.cli("messages", "retry", "2").stdout

    def both_radicated() -> bool:
        return len(deployment.cli_json("cases", "list")) == 2

    wait_until(both_radicated, 120, "both messages radicated")
    cases = deployment.cli_json("cases", "list")
    # Gap-free: the failed attempts took no number.
    assert [c["radicado"] for c in cases] == ["20261000000012", "20261000000022"]
    assert deployment.cli_json("messages", "list", "--status", "quarantined") == []
    again = deployment.cli("messages", "retry", "1", check=False)
    assert again.returncode == 1
    assert "message 1 is not quarantined (it is case)" in again.stderr
