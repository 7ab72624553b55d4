"""Priority flags, office, forwarding by competence and frequent questions through the real
pipeline: intake, classify, radicate, acknowledge, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest

from ventanilla.message import InboundMessage

pytestmark = pytest.mark.integration

BOGOTA = ZoneInfo("America/Bogota")
# Monday 2 March 2026, 10:00 in Bogotá: terms run from Tuesday 3 March.
RECEIVED = datetime(2026, 3, 2, 10, 0, tzinfo=BOGOTA)


def web_request(provider_id: str, text: str, email: str = "", name: str = "") -> InboundMessage:
    return InboundMessage(
        channel="web",
        provider_id=provider_id,
        received_at=RECEIVED,
        text=text,
        sender=email,
        sender_name=name,
        reply_email=email,
    )


def file_all(app: Any, messages: list[InboundMessage]) -> dict[str, dict[str, Any]]:
    """Run the messages through the pipeline; their cases as `cases list --json` shows them."""
    from ventanilla.store.cases import list_cases
    from ventanilla.workers.intake import accept_batch
    from ventanilla.workers.pipeline import advance_batch

    accepted = accept_batch(messages, start_now=False)
    advance_batch([outcome.message_id for outcome in accepted])
    with app.db.read() as session:
        return {case["radicado"]: case for case in list_cases(session)}


def eml(outbox: Path, radicado: str) -> tuple[str, str]:
    """The text and HTML bodies of a case's acknowledgement in the outbox folder."""
    message = cast(
        EmailMessage,
        message_from_bytes((outbox / f"{radicado}-email.eml").read_bytes(), policy=policy.default),
    )
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def test_a_priority_case_is_flagged_routed_dated_and_acknowledged_with_a_faq_answer(
    app_with: Any, tmp_path: Path
) -> None:
    from ventanilla.routing.terms import BusinessCalendar, OfficeHours, term_days

    outbox = tmp_path / "outbox"
    app = app_with(
        email__outbox_dir=str(outbox),
        priority__term_days='{"riesgo_derecho_fundamental": 3}',
    )
    cases = file_all(
        app,
        [
            web_request(
                "priority",
                "Tengo 16 años, no tengo para comer y me van a desalojar. "
                "¿Cómo registro mi hoja de vida para conseguir trabajo?",
                email="laura@example.com",
                name="Laura",
            ),
            web_request(
                "pension",
                "Colpensiones no me ha pagado la pensión de vejez desde marzo.",
                email="jorge@example.com",
            ),
            web_request(
                "anonymous",
                "Denuncio que un funcionario me pidió plata para mover mi hoja de vida.",
            ),
        ],
    )
    priority, pension, anonymous = sorted(cases.values(), key=lambda case: case["number"])

    # The child at risk: priority, its shortened term, first-level office, the FAQ answer.
    assert priority["flags"] == ["nna", "riesgo_derecho_fundamental"]
    assert priority["priority"] is True
    assert priority["office"] == "Grupo de Relacionamiento con el Ciudadano"
    assert priority["competent_entity"] is None and priority["forward_due"] is None
    assert priority["due_date"] == "2026-03-05"  # 3 business days, not the legal 15
    assert priority["faq_id"] == "registrar-hoja-de-vida"
    text, html = eml(outbox, priority["radicado"])
    assert "Su solicitud tiene atención prioritaria, como lo ordena la ley (" in text
    assert "Ley 1755 de 2015, art. 20" in text and "Ley 1098 de 2006" in text
    assert "Fecha límite de respuesta: 5 de marzo de 2026" in text
    # The legal term of its type (the classifier's: a question on how to register is a
    # request for information, 10 days; a petition would be 15).
    legal = term_days(priority["type"])
    assert f"antes de los {legal} días hábiles que da la ley" in text
    assert "Mientras respondemos, esto puede ayudarle:" in text
    assert "Cómo registrar su hoja de vida" in text
    assert "- Entre a www.serviciodeempleo.gov.co y regístrese" in text
    assert (
        "su solicitud quedó radicada y le\nresponderemos a más tardar el 5 de marzo de 2026" in text
    )
    assert "<li>Entre a www.serviciodeempleo.gov.co y regístrese" in html
    assert "<strong>Su solicitud tiene atención prioritaria</strong>" in html

    # Another entity's matter: forwarded within 5 business days (art. 21), legal term kept.
    calendar = BusinessCalendar(OfficeHours.parse(app.settings.office.hours))
    assert pension["competent_entity"] == "Colpensiones"
    assert pension["forward_due"] == calendar.forwarding_date(RECEIVED).isoformat()
    assert pension["forward_due"] == date(2026, 3, 9).isoformat()
    assert pension["flags"] == [] and pension["priority"] is False
    assert pension["due_date"] == "2026-03-24"
    assert pension["faq_id"] is None
    text, _ = eml(outbox, pension["radicado"])
    assert "atención prioritaria" not in text and "Mientras respondemos" not in text

    # Nobody to answer, and corruption: flagged for staff, not a priority; no acknowledgement.
    assert anonymous["flags"] == ["anonimo", "denuncia_corrupcion"]
    assert anonymous["priority"] is False
    assert anonymous["ack_status"] == "none"


def test_the_audit_trail_says_why_each_decision_was_made(app_with: Any, tmp_path: Path) -> None:
    from sqlalchemy import select

    from ventanilla.store.schema import AuditEntry

    app = app_with(email__outbox_dir=str(tmp_path / "outbox"))
    file_all(
        app,
        [web_request("one", "Olvidé mi contraseña del SISE, soy sordo", email="ana@example.com")],
    )
    with app.db.read() as session:
        [detail] = session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "radicated")
        ).all()

    assert detail["why"] == {
        "flag:discapacidad": "'soy sordo'",
        "office": "'contrasena' (offices.rules[1])",
        "faq": "sise-contrasena: pattern 'olvide mi contrasena' (score 1.0)",
    }


def test_with_frequent_questions_off_no_answer_is_attached(app_with: Any, tmp_path: Path) -> None:
    app = app_with(email__outbox_dir=str(tmp_path / "outbox"), faq__enabled="false")
    [case] = file_all(
        app, [web_request("one", "Olvidé mi contraseña del SISE", email="ana@example.com")]
    ).values()

    assert case["faq_id"] is None
    assert case["office"] == "Subdirección de Desarrollo y Tecnología"
