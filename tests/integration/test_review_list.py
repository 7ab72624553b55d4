"""Nothing disappears on a text guess: what the model doubts waits for a person, who files
it (with the legal date counted from its arrival) or confirms it is not a request; only
transport evidence keeps a message out of the register; a request in another language is
filed and flagged. Through the real pipeline on SQLite and PostgreSQL."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import select

from tests.filing import bogota, web_request
from ventanilla.message import InboundMessage

pytestmark = pytest.mark.integration

# Monday 2 March 2026, 10:00 in Bogotá: terms run from Tuesday 3 March.
RECEIVED = "2026-03-02 10:00"


def mail(text: str, sender: str, **flags: Any) -> InboundMessage:
    return web_request(
        text,
        RECEIVED,
        channel="email",
        sender=sender,
        reply_email=sender,
        subject="Mensaje",
        flags=flags,
    )


def run(app: Any, *messages: InboundMessage) -> list[dict[str, Any]]:
    """Store and advance `messages`; each one's row as `messages list --json` shows it."""
    from ventanilla.store.cases import list_messages
    from ventanilla.workers.intake import accept_batch
    from ventanilla.workers.pipeline import advance_batch

    ids = [outcome.message_id for outcome in accept_batch(list(messages), start_now=False)]
    advance_batch(ids)
    with app.db.read() as session:
        rows = {row["id"]: row for row in list_messages(session)}
    return [rows[message_id] for message_id in ids]


def eml_text(outbox: Path, radicado: str) -> str:
    message = cast(
        EmailMessage,
        message_from_bytes((outbox / f"{radicado}-email.eml").read_bytes(), policy=policy.default),
    )
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def test_a_text_read_as_chatter_waits_for_review_and_filing_it_dates_it_from_arrival(
    app_with: Any,
) -> None:
    from ventanilla.routing.terms import term_days
    from ventanilla.store import review
    from ventanilla.store.cases import show_case
    from ventanilla.store.schema import AuditEntry
    from ventanilla.workers.pipeline import advance_batch

    app = app_with()
    [chatter] = run(app, mail("jajaja 😂😂 qué buen video el de ayer", "luis@example.com"))
    assert chatter["status"] == "review"
    assert chatter["radicado"] is None
    assert "una persona decide" in chatter["reason"]
    with app.db.read() as session:
        [waiting] = review.waiting_messages(session)
        assert waiting["id"] == chatter["id"]
        assert "buen video" in waiting["excerpt"]
        assert review.waiting_count(session) == 1

    with app.db.transaction() as session:
        review.file_as_case(session, chatter["id"], "informacion", actor="ana")
    advance_batch([chatter["id"]])

    with app.db.read() as session:
        assert review.waiting_count(session) == 0
        [row] = [r for r in _messages(app) if r["id"] == chatter["id"]]
        assert row["status"] == "case"
        case = show_case(session, row["radicado"])
        actions = session.execute(
            select(AuditEntry.action, AuditEntry.actor).where(
                AuditEntry.entity == "message", AuditEntry.entity_id == chatter["id"]
            )
        ).all()
    calendar = app.calendar
    received = bogota(RECEIVED)
    expected = calendar.add_business_days(
        calendar.effective_receipt_day(received), term_days("informacion")
    )
    assert case["type"] == "informacion"
    assert case["due_date"] == expected.isoformat()  # from arrival, not from the click
    assert ("filed_from_review", "ana") in actions


def test_a_greeting_and_a_signature_alone_wait_for_review_never_vanish(app_with: Any) -> None:
    # Decided before the model (nothing in it to answer), but a person still sees it.
    app = app_with()
    [empty, said] = run(
        app,
        web_request(
            "Buenos días,\n\nEnviado desde mi iPhone",
            RECEIVED,
            channel="email",
            sender="rosa@example.com",
            reply_email="rosa@example.com",
        ),
        web_request(
            "Buenos días,\n\nnecesito el certificado de inscripción\n\nEnviado desde mi iPhone",
            RECEIVED,
            channel="email",
            sender="rosa@example.com",
            reply_email="rosa@example.com",
        ),
    )

    assert (empty["status"], empty["radicado"]) == ("review", None)
    assert "solo un saludo o una firma" in empty["reason"]
    assert said["status"] == "case" and said["radicado"]


def test_a_person_confirms_a_text_is_no_request_and_it_leaves_the_list(app_with: Any) -> None:
    from ventanilla.errors import InputError
    from ventanilla.store import review

    app = app_with()
    [spam] = run(
        app,
        mail(
            "GANE DINERO YA http://promo.example/a http://promo.example/b http://promo.example/c",
            "promo@example.net",
        ),
    )
    assert spam["status"] == "review"
    with app.db.transaction() as session:
        review.dismiss(session, spam["id"], actor="ana")
    [row] = [r for r in _messages(app) if r["id"] == spam["id"]]
    assert row["status"] == "dismissed"
    assert row["reason"] == "revisado por ana: no es una solicitud"
    # Decided already: a second click (another tab, a colleague) is refused, not applied.
    with pytest.raises(InputError), app.db.transaction() as session:
        review.file_as_case(session, spam["id"], "peticion", actor="luis")


def test_only_transport_evidence_ignores_and_words_that_sound_automatic_are_a_request(
    app_with: Any,
) -> None:
    app = app_with()
    unsubscribe = (
        "Por favor, den de baja mi dirección de correo de los avisos automáticos. "
        "Recibo 14 mensajes al día y no los he solicitado."
    )
    out_of_office = (
        "Gracias por su mensaje. Estoy fuera de la oficina hasta el lunes 9 de marzo, con "
        "acceso limitado al correo. Para asuntos urgentes escriba a mi asistente."
    )
    citizen, vacation, unproven = run(
        app,
        mail(unsubscribe, "marta@example.com"),
        mail(out_of_office, "auto@example.com", auto_submitted=True),
        mail(out_of_office, "jefe@example.com"),  # the same words, no header says so
    )
    assert citizen["status"] == "case", citizen  # a habeas-data request (Ley 1581)
    assert vacation["status"] == "ignored"
    assert vacation["reason"] == "not radicated: automatic message (Auto-Submitted)"
    # Words alone are not evidence: a person decides.
    assert unproven["status"] == "review", unproven
    assert unproven["reason"].startswith("parece una respuesta automática")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            "Hello, I went to your office in Bogota yesterday and the staff member at the "
            "front desk was very rude to me. I would like to file a complaint about this.",
            "We received your request and filed it under number",
        ),
        (
            "Bom dia, eu gostaria de saber como posso fazer o meu cadastro para procurar "
            "trabalho na Colômbia. Não tenho documentos colombianos ainda.",
            "Recebemos a sua solicitação e a registramos com o número",
        ),
        (
            "Bonjour, je suis arrivé en Colombie et je cherche un emploi. Pouvez-vous me dire "
            "comment je peux m'inscrire sur votre plateforme ? Merci beaucoup.",
            "Nous avons bien reçu votre demande, enregistrée sous le numéro",
        ),
    ],
)
def test_a_request_in_another_language_is_filed_flagged_and_answered_with_a_line_in_it(
    app_with: Any, tmp_path: Path, text: str, line: str
) -> None:
    from ventanilla.store.cases import show_case
    from ventanilla.workers.pipeline import advance_batch

    outbox = tmp_path / "outbox"
    app = app_with(email__outbox_dir=str(outbox))
    [row] = run(app, mail(text, "visitor@example.org"))
    assert row["status"] == "case", row
    with app.db.read() as session:
        case = show_case(session, row["radicado"])
    assert "idioma_extranjero" in case["flags"]
    assert case["review_type"] is True  # a person checks the type (and translates)
    advance_batch([])  # nothing left: the acknowledgement went inline
    ack = eml_text(outbox, row["radicado"])
    assert "Recibimos su solicitud" in ack  # in Spanish, the official language
    assert f"{line} {row['radicado']}" in " ".join(ack.split())


def test_a_public_x_mention_that_is_chatter_stays_in_the_feed_not_in_review(
    app_with: Any,
) -> None:
    from ventanilla.store import review

    app = app_with()
    [post] = run(
        app,
        web_request(
            "@SPE_Colombia excelente la feria de empleo de hoy en Medellín, muy organizada 👏",
            RECEIVED,
            channel="x",
            sender="x:1234",
            flags={"public": True, "username": "paisa"},
        ),
    )
    assert post["status"] == "mention", post
    with app.db.read() as session:
        assert review.waiting_count(session) == 0


def _messages(app: Any) -> list[dict[str, Any]]:
    from ventanilla.store.cases import list_messages

    with app.db.read() as session:
        return list(list_messages(session))
