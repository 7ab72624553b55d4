"""The e-mail channel as it runs: a real Dovecot mailbox in, a real SMTP receiver out.

The poller and the workers are the `ventanilla` processes an operator starts; the test
only APPENDs mail to the mailbox and reads what the SMTP receiver was sent.
"""

from __future__ import annotations

import email.policy
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

import pytest

from tests.conftest import Deployment, wait_until
from tests.smtp import SmtpServer, running_smtp_server

pytestmark = pytest.mark.e2e

OUR_ADDRESS = "atencionalciudadano@example.gov.co"


def mail(
    subject: str,
    text: str | None = "Solicito información sobre mi inscripción en el SISE.",
    *,
    sender: str = "Ana Pérez <ana@example.com>",
    html: str | None = None,
    charset: str = "utf-8",
    headers: dict[str, str] | None = None,
    attachments: tuple[tuple[str, str, bytes], ...] = (),
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = OUR_ADDRESS
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime(2026, 11, 23, 14, 0, tzinfo=UTC))
    message["Message-ID"] = make_msgid(domain="example.com")
    for name, value in (headers or {}).items():
        message[name] = value
    if text is not None:
        message.set_content(text, charset=charset)
    if html is not None:
        if text is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    for filename, content_type, content in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes(policy=email.policy.SMTP)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def email_deployment_on(deployment_factory, dovecot, smtp) -> Any:
    """A deployment on a given store, reading the test mailbox and sending by SMTP."""

    def make(store_url: str) -> Deployment:
        deployment = deployment_factory(
            store_url,
            **dovecot.mailbox_settings(),
            email__smtp_host="127.0.0.1",
            email__smtp_port=str(smtp.port),
            email__smtp_security="plain",
            email__address=OUR_ADDRESS,
        )
        deployment.start("worker", "worker")
        return deployment

    return make


@pytest.fixture
def email_deployment(email_deployment_on, tmp_path) -> Deployment:
    return email_deployment_on(f"sqlite:///{tmp_path / 'v.db'}")


def by_subject(deployment: Deployment) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for row in deployment.cli_json("messages", "list"):
        found.setdefault(row["subject"], []).append(row)
    return found


def poll_and_drain(deployment: Deployment) -> None:
    deployment.cli("poll", "--channel", "email", "--once")
    deployment.cli("drain", "--timeout", "120")


def test_mixed_mailbox_becomes_the_right_cases_and_acknowledgements(
    email_deployment, dovecot, smtp
):
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
    twice = mail("Mismo correo dos veces", "Solicito copia de mi hoja de vida.")
    latin = (
        b"From: Jos\xe9 <jose@example.com>\r\nTo: " + OUR_ADDRESS.encode() + b"\r\n"
        b"Subject: =?iso-8859-1?q?Petici=F3n_certificado?=\r\nMessage-ID: <latin-1@example.com>\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\n\r\n"
        b"Necesito el certificado de inscripci\xf3n, por favor.\r\n"
    )
    wrong_charset = (
        b"From: maria@example.com\r\nTo: " + OUR_ADDRESS.encode() + b"\r\n"
        b"Subject: Charset equivocado\r\nMessage-ID: <wrong-charset@example.com>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        b"Quiero presentar una queja por la atenci\xf3n recibida en la oficina.\r\n"
    )
    dovecot.append(
        [
            mail("Texto plano", "Solicito información sobre vacantes en Bogotá."),
            mail(
                "Solo HTML",
                None,
                sender="luis@example.com",
                html="<html><body><p>Necesito <b>ayuda</b> con mi clave del SISE</p>"
                "<script>alert(1)</script></body></html>",
            ),
            mail(
                "Con adjuntos",
                "Adjunto mi cédula y la foto del error.",
                sender="carla@example.com",
                attachments=(
                    ("cedula.pdf", "application/octet-stream", pdf),
                    ("error.png", "image/png", png),
                ),
            ),
            latin,
            wrong_charset,
            mail(
                "Respuesta automática: fuera de la oficina",
                "Estaré fuera hasta el lunes.",
                sender="pedro@example.com",
                headers={"Auto-Submitted": "auto-replied"},
            ),
            mail(
                "Undelivered Mail Returned to Sender",
                "Delivery failed.",
                sender="MAILER-DAEMON@mx.example.com",
            ),
            mail(
                "[Boletín] Novedades de empleo",
                "Boletín semanal.",
                sender="boletin@lists.example.org",
                headers={"List-Id": "<empleo.lists.example.org>", "Precedence": "list"},
            ),
            twice,
            twice,
        ]
    )
    poll_and_drain(email_deployment)

    messages = by_subject(email_deployment)
    cases = {subject for subject, rows in messages.items() if rows[0]["status"] == "case"}
    assert cases == {
        "Texto plano",
        "Solo HTML",
        "Con adjuntos",
        "Petición certificado",
        "Charset equivocado",
        "Mismo correo dos veces",
    }
    assert len(messages["Mismo correo dos veces"]) == 1  # the same e-mail twice: one message
    for subject, reason in (
        ("Respuesta automática: fuera de la oficina", "Auto-Submitted"),
        ("Undelivered Mail Returned to Sender", "bounce"),
        ("[Boletín] Novedades de empleo", "mailing-list"),
    ):
        [row] = messages[subject]
        assert row["status"] == "ignored" and row["radicado"] is None
        assert reason in row["reason"]

    acks = {message["To"]: message for _, _, message in smtp.handler.received}
    assert set(acks) == {
        "ana@example.com",
        "luis@example.com",
        "carla@example.com",
        "jose@example.com",
        "maria@example.com",
    }
    assert len(smtp.handler.received) == 6  # Ana wrote twice (two different requests)
    radicados = {row["radicado"] for rows in messages.values() for row in rows if row["radicado"]}
    for _, _, ack in smtp.handler.received:
        radicado = ack["Subject"].split(" ")[0]
        assert radicado in radicados
        assert ack["Auto-Submitted"] == "auto-replied"
        assert ack["X-Ventanilla-Loop"] == OUR_ADDRESS
        assert ack["Message-ID"].startswith(f"<radicado.{radicado}.")
        assert ack["In-Reply-To"] and ack["In-Reply-To"] in ack["References"]
        text = ack.get_body(preferencelist=("plain",)).get_content()
        assert radicado in text
    jose = acks["jose@example.com"]
    assert jose["In-Reply-To"] == "<latin-1@example.com>"

    # Every message was marked \Seen only after it was stored.
    client = dovecot.client()
    client.select_folder("INBOX")
    assert client.search(["UNSEEN"]) == []
    client.logout()

    carla = acks["carla@example.com"]["Subject"].split(" ")[0]
    assert email_deployment.cli_json("cases", "show", carla)["radicado"] == carla

    # A reply to our acknowledgement, and a message quoting its radicado, are follow-ups.
    luis_ack = acks["luis@example.com"]
    luis_radicado = luis_ack["Subject"].split(" ")[0]
    reply = mail(
        f"Re: {luis_ack['Subject']}",
        "Gracias, adjunto el pantallazo.\n\nEl lun, 23 nov 2026 escribió:\n> Recibimos",
        sender="luis@example.com",
        headers={"In-Reply-To": luis_ack["Message-ID"], "References": luis_ack["Message-ID"]},
    )
    quoting = mail(
        "Sobre mi solicitud",
        f"Buenas tardes, sobre el radicado {luis_radicado} no he recibido respuesta.",
        sender="luis@example.com",
    )
    other_person = mail(
        "Otra persona cita el radicado",
        f"Mi vecino tiene el radicado {luis_radicado}; yo solicito lo mismo.",
        sender="vecino@example.com",
    )
    dovecot.append([reply, quoting, other_person])
    poll_and_drain(email_deployment)

    messages = by_subject(email_deployment)
    for subject in (f"Re: {luis_ack['Subject']}", "Sobre mi solicitud"):
        [row] = messages[subject]
        assert row["status"] == "follow_up", row
        assert row["radicado"] == luis_radicado
    [row] = messages["Otra persona cita el radicado"]
    assert row["status"] == "case" and row["radicado"] != luis_radicado
    assert len(smtp.handler.received) == 7  # follow-ups get no new acknowledgement


def test_uidvalidity_change_imports_nothing_twice(email_deployment, dovecot, smtp):
    dovecot.append(
        [
            mail(
                f"Solicitud {n}",
                f"Solicito copia de mi certificado de inscripción número {n}.",
                sender=f"c{n}@example.com",
            )
            for n in range(5)
        ]
    )
    poll_and_drain(email_deployment)
    assert len(email_deployment.cli_json("messages", "list")) == 5

    # The server rebuilt its index: same messages, new UIDs, and someone marked them unread.
    dovecot.recreate_inbox()
    client = dovecot.client()
    client.select_folder("INBOX")
    client.remove_flags(client.search(["ALL"]), [b"\\Seen"])
    client.logout()
    dovecot.append([mail("Nueva tras el cambio", "Solicito un certificado laboral.")])
    poll_and_drain(email_deployment)

    rows = email_deployment.cli_json("messages", "list")
    assert len(rows) == 6
    assert len(smtp.handler.received) == 6


def test_acknowledgements_per_sender_are_limited_per_hour(
    email_deployment_on, store_url, dovecot, smtp
):
    # Eight requests at once from one sender, radicated by parallel workers, on both stores.
    email_deployment = email_deployment_on(store_url)
    dovecot.append(
        [mail(f"Petición {n}", f"Solicito copia del documento número {n}.") for n in range(8)]
    )
    poll_and_drain(email_deployment)

    rows = email_deployment.cli_json("messages", "list")
    assert [row["status"] for row in rows] == ["case"] * 8  # all radicated, as the law says
    assert len(smtp.handler.received) == 5  # worker.acks_per_sender_per_hour
    silenced = [row for row in rows if "acknowledgements to this sender" in (row["reason"] or "")]
    assert len(silenced) == 3


def test_ingest_email_files_take_the_same_path(email_deployment, smtp, tmp_path):
    first = tmp_path / "uno.eml"
    first.write_bytes(mail("Desde archivo", "Solicito información de cursos."))
    bounce = tmp_path / "rebote.eml"
    bounce.write_bytes(
        mail("Delivery Status Notification", "failed", sender="postmaster@example.net")
    )
    result = email_deployment.cli("ingest", "email", str(first), str(bounce), str(first))
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith(f"{first}: stored as message ")
    assert lines[2].startswith(f"{first}: already stored as message ")
    email_deployment.cli("drain", "--timeout", "60")

    statuses = {
        row["subject"]: row["status"] for row in email_deployment.cli_json("messages", "list")
    }
    assert statuses == {"Desde archivo": "case", "Delivery Status Notification": "ignored"}
    assert [m["To"] for _, _, m in smtp.handler.received] == ["ana@example.com"]

    missing = email_deployment.cli("ingest", "email", str(tmp_path / "no.eml"), check=False)
    assert missing.returncode == 2 and "no.eml" in missing.stderr


def test_poller_killed_mid_backlog_loses_and_doubles_nothing(email_deployment, dovecot, smtp):
    total = 1000
    dovecot.append(
        [
            mail(
                f"Backlog {n}",
                f"Solicito copia del certificado del trámite {n}.",
                sender=f"ciudadano{n}@example.com",
            )
            for n in range(total)
        ]
    )
    email_deployment.env["VENTANILLA_EMAIL__FETCH_BATCH"] = "50"
    email_deployment.start("poller", "poll", "--channel", "email")
    wait_until(lambda: email_deployment.stored() >= 100, 120, "the poller to start the backlog")
    email_deployment.kill("poller")
    assert email_deployment.stored() < total  # killed in the middle

    email_deployment.start("poller", "poll", "--channel", "email")
    wait_until(lambda: email_deployment.stored() == total, 300, "the rest of the backlog")
    email_deployment.cli("drain", "--timeout", "300")

    rows = email_deployment.cli_json("messages", "list")
    assert len(rows) == total
    assert {row["status"] for row in rows} == {"case"}
    assert len({row["radicado"] for row in rows}) == total
    subjects = [message["Subject"] for _, _, message in smtp.handler.received]
    assert len(subjects) == total
    assert len(set(subjects)) == total
    client = dovecot.client()
    client.select_folder("INBOX")
    assert client.search(["UNSEEN"]) == []
    client.logout()


def test_permanent_smtp_refusal_is_marked_on_the_case_and_temporary_is_retried(
    email_deployment, dovecot, smtp
):
    smtp.handler.rcpt_reply = "550 5.1.1 mailbox unavailable"
    dovecot.append([mail("Buzón inexistente", "Solicito un certificado.")])
    poll_and_drain(email_deployment)
    [case] = email_deployment.cli_json("cases", "list")
    assert case["ack_status"] == "failed"
    assert smtp.handler.received == []

    smtp.handler.rcpt_reply = "451 4.3.0 try again later"
    dovecot.append([mail("Servidor ocupado", "Solicito otro certificado.", sender="b@example.com")])
    email_deployment.cli("poll", "--channel", "email", "--once")
    wait_until(
        lambda: (
            any("try again" in m for m in email_deployment.log("worker").splitlines())
            or len(email_deployment.cli_json("cases", "list")) == 2
        ),
        60,
        "the second case",
    )
    smtp.handler.rcpt_reply = ""  # the server recovers: the retry delivers it
    email_deployment.cli("drain", "--timeout", "120")
    statuses = {c["radicado"]: c["ack_status"] for c in email_deployment.cli_json("cases", "list")}
    assert sorted(statuses.values()) == ["failed", "sent"]
    assert [m["To"] for _, _, m in smtp.handler.received] == ["b@example.com"]
