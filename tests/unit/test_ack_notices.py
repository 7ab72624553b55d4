"""What an e-mail acknowledgement adds for a priority case, a shortened term and a frequent
question: one plain sentence each, and the request still filed within its term."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

import pytest

from ventanilla.adapters.base import Acknowledgement
from ventanilla.settings import FaqSettings, PrioritySettings, Settings
from ventanilla.store.outbox import PendingAck
from ventanilla.store.pipeline import CaseFacts
from ventanilla.templates import case_context, render_acknowledgement

CASE = CaseFacts(
    id=1,
    radicado="20261000000012",
    filed_at=datetime(2026, 3, 2, 15, 0, tzinfo=UTC),
    due_date=date(2026, 3, 5),
    type="peticion",
)


@pytest.fixture(autouse=True)
def no_outside_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("VENTANILLA_"):
            monkeypatch.delenv(name)


def render(
    flags: tuple[str, ...] = (), faq_id: str = "", settings: Settings | None = None
) -> Acknowledgement:
    pending = PendingAck(
        outbox_id=1,
        channel="email",
        recipient="ana@example.com",
        case=CASE,
        message_channel="email",
        thread_id="",
        sender_name="Ana <b>",
        references=[],
        flags=flags,
        faq_id=faq_id,
    )
    return render_acknowledgement(pending, settings or Settings())


def test_a_case_without_flags_or_faq_says_nothing_more() -> None:
    ack = render()

    for absent in ("prioritaria", "reglamento", "Mientras respondemos"):
        assert absent not in ack.text and absent not in ack.html
    assert "La ley nos da hasta esa fecha para responderle" in ack.text


@pytest.mark.parametrize(
    ("flags", "basis"),
    [
        (("periodista",), "(Ley 1755 de 2015, art. 20)"),
        (("riesgo_derecho_fundamental",), "(Ley 1755 de 2015, art. 20)"),
        (("nna",), "(Ley 1098 de 2006, arts. 8, 9 y 41; Ley 1437 de 2011, art. 5, num. 6)"),
        (("discapacidad",), "(Ley 1437 de 2011, art. 5, num. 6; Ley 1618 de 2013)"),
    ],
)
def test_priority_attention_is_one_sentence_with_its_legal_basis(
    flags: tuple[str, ...], basis: str
) -> None:
    ack = render(flags)

    assert f"Su solicitud tiene atención prioritaria, como lo ordena la ley {basis}." in ack.text
    assert "<strong>Su solicitud tiene atención prioritaria</strong>" in ack.html


@pytest.mark.parametrize("flags", [("anonimo",), ("idioma_extranjero",), ("denuncia_corrupcion",)])
def test_review_flags_are_not_told_to_the_citizen(flags: tuple[str, ...]) -> None:
    assert "prioritaria" not in render(flags).text


def test_a_shortened_term_is_explained_against_the_legal_one() -> None:
    settings = Settings(priority=PrioritySettings(term_days={"riesgo_derecho_fundamental": 3}))
    ack = render(("riesgo_derecho_fundamental",), settings=settings)

    assert "Fecha límite de respuesta: 5 de marzo de 2026" in ack.text
    assert "Nuestro reglamento de peticiones acorta el plazo en este caso" in ack.text
    assert "antes de los 15 días hábiles que da la ley" in ack.text
    assert "La ley nos da hasta esa fecha" not in ack.text
    assert "acorta el plazo" in ack.html


def test_priority_without_a_shorter_term_keeps_the_legal_wording() -> None:
    ack = render(("periodista",))

    assert "La ley nos da hasta esa fecha para responderle" in ack.text
    assert "reglamento" not in ack.text


def test_the_faq_answer_comes_with_the_promise_of_an_answer_in_term() -> None:
    ack = render(faq_id="sise-contrasena")

    assert (
        "Mientras respondemos, esto puede ayudarle:\n\nCómo crear una contraseña nueva" in ack.text
    )
    assert "- Le llegará un mensaje al correo con el que se registró." in ack.text
    assert "llame al (601) 756 0009" in ack.text  # the placeholder, filled from the settings
    assert "{{" not in ack.text
    assert "Más información: https://www.serviciodeempleo.gov.co" in ack.text
    assert (
        "su solicitud quedó radicada y le\nresponderemos a más tardar el 5 de marzo de 2026"
        in ack.text
    )
    assert "<li>Le llegará un mensaje al correo con el que se registró." in ack.html
    assert "Ana &lt;b&gt;" in ack.html  # still escaped around it


def test_a_faq_removed_since_the_case_was_filed_is_left_out() -> None:
    ack = render(faq_id="una-pregunta-que-ya-no-existe")

    assert "Mientras respondemos" not in ack.text


def test_case_context_reads_no_faq_file_for_a_case_without_one(tmp_path) -> None:
    # A folder that would fail to load: never read when the case has no frequent question.
    (tmp_path / "roto.md").write_text("sin front matter", encoding="utf-8")
    settings = Settings(faq=FaqSettings(directory=str(tmp_path)))

    assert case_context(CASE, settings)["faq"] is None
