"""The review list as staff use it: `messages list --status review`, the `/revision` page
with "Radicar" and "No es una solicitud", the CLI's `messages file` and `dismiss`, and the
count on `/metrics`."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import wait_until
from tests.staff import add_user, csrf_token, staff_client

pytestmark = pytest.mark.e2e

MAIL = """From: {name} <{user}@example.com>
To: atencionalciudadano@example.gov.co
Subject: {subject}
Date: Mon, 02 Mar 2026 10:00:00 -0500
Message-ID: <review-{user}@example.com>

{text}
"""
CHATTER = [
    ("luis", "Hola", "jajaja 😂😂 qué buen video el de ayer"),
    ("rosa", "Saludos", "jajaja 😂 me encantó la publicación, muy chévere"),
    ("memo", "Re: video", "jaja buenísimo 👏👏"),
]


def test_staff_file_and_dismiss_what_waits_for_review(deployment_factory, store_url, tmp_path):
    deployment = deployment_factory(store_url)
    files = []
    for user, subject, text in CHATTER:
        path = tmp_path / f"{user}.eml"
        path.write_text(MAIL.format(name=user.title(), user=user, subject=subject, text=text))
        files.append(str(path))
    deployment.cli("ingest", "email", *files)
    deployment.cli("drain", "--timeout", "120")
    waiting = deployment.cli_json("messages", "list", "--status", "review")
    assert [m["id"] for m in waiting] == [1, 2, 3]
    assert all("una persona decide" in m["reason"] for m in waiting)
    assert deployment.cli_json("messages", "list", "--status", "ignored") == []

    add_user(deployment, "beto", "agente")
    deployment.start("worker", "worker")
    deployment.start("web", "web")
    metrics = httpx.get(f"{deployment.base_url}/metrics").text
    assert "ventanilla_review_waiting 3.0" in metrics
    with staff_client(deployment, "beto") as client:
        page = client.get("/revision")
        assert page.status_code == 200
        assert "buen video" in page.text and "Radicar el mensaje 1" in page.text
        token = csrf_token(page.text)
        filed = client.post("/revision/1/radicar", data={"csrf_token": token, "tipo": "queja"})
        assert filed.headers["location"] == "/revision?hecho=radicar&mensaje=1"
        dismissed = client.post("/revision/2/descartar", data={"csrf_token": token})
        assert dismissed.headers["location"] == "/revision?hecho=descartar&mensaje=2"
        again = client.post("/revision/2/radicar", data={"csrf_token": token, "tipo": "queja"})
        assert again.headers["location"] == "/revision?problema=1"
        refused = client.post("/revision/3/radicar", data={"tipo": "queja"})  # no CSRF token
        assert refused.status_code == 403
    assert (
        "being radicated as consulta"
        in deployment.cli("messages", "file", "3", "--type", "consulta").stdout
    )

    def both_filed() -> bool:
        return len(deployment.cli_json("cases", "list")) == 2

    wait_until(both_filed, 120, "the two reviewed messages radicated")
    cases = {c["type"]: c for c in deployment.cli_json("cases", "list")}
    assert set(cases) == {"queja", "consulta"}
    # The legal term counts from arrival (Monday 2 March 2026), not from the click.
    assert cases["queja"]["due_date"] == "2026-03-24"
    assert deployment.cli_json("messages", "list", "--status", "review") == []
    [dismissed_row] = deployment.cli_json("messages", "list", "--status", "dismissed")
    assert dismissed_row["reason"] == "revisado por beto: no es una solicitud"
    refused_cli = deployment.cli("messages", "dismiss", "1", check=False)
    assert refused_cli.returncode == 1
    assert "message 1 is not waiting for review (it is case)" in refused_cli.stderr
