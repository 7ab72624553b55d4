"""The acknowledgement the citizen reads: radicado first, Bogotá time, due date, links;
on X a public reply with the radicado only, and the full acknowledgement by DM."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from tests.fake_x_rules import MAX_WEIGHTED_LENGTH, weighted_length
from ventanilla.adapters.base import Acknowledgement
from ventanilla.settings import EntitySettings, FaqSettings, PrioritySettings, Settings, WebSettings
from ventanilla.store.outbox import PendingAck
from ventanilla.store.pipeline import CaseFacts
from ventanilla.templates import (
    case_context,
    render_acknowledgement,
    spanish_date,
    spanish_datetime,
)

RADICADO = "20261000000012"
PUBLIC_URL = "https://pqrs.example.gov.co"
PRIVACY_URL = "https://www.example.gov.co/politica-de-datos"


@pytest.fixture(autouse=True)
def no_outside_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings() reads VENTANILLA_* variables; none from outside may change what we render."""
    for name in list(os.environ):
        if name.upper().startswith("VENTANILLA_"):
            monkeypatch.delenv(name)


@pytest.fixture
def settings() -> Settings:
    return Settings(
        web=WebSettings(public_url=PUBLIC_URL + "/"),
        entity=EntitySettings(privacy_policy_url=PRIVACY_URL),
    )


def make_case(
    *, filed_at: datetime = datetime(2026, 11, 23, 15, 5, tzinfo=UTC), request_type: str = "queja"
) -> CaseFacts:
    return CaseFacts(
        id=1, radicado=RADICADO, filed_at=filed_at, due_date=date(2026, 12, 15), type=request_type
    )


def make_pending(
    case: CaseFacts, *, channel: str = "email", sender_name: str = "Ana Pérez"
) -> PendingAck:
    return PendingAck(
        outbox_id=1,
        channel="email",
        recipient="ana@example.com",
        case=case,
        message_channel=channel,
        thread_id="<CAF=abc123@mail.example.com>",
        sender_name=sender_name,
        references=["<hilo-1@mail.example.com>"],
    )


def render(settings: Settings, case: CaseFacts | None = None, **message: str) -> Acknowledgement:
    return render_acknowledgement(make_pending(case or make_case(), **message), settings)


@pytest.mark.parametrize(
    "expected",
    [
        RADICADO,
        "23 de noviembre de 2026, 10:05 (hora de Colombia)",
        "Queja",
        "15 de diciembre de 2026",
        f"{PUBLIC_URL}/estado/{RADICADO}",
        PRIVACY_URL,
        "Unidad del Servicio Público de Empleo",
        "(601) 756 0009",
    ],
)
def test_text_and_html_state_what_the_law_asks(settings: Settings, expected: str) -> None:
    ack = render(settings)

    assert expected in ack.text
    assert expected in ack.html


def test_status_link_has_no_double_slash(settings: Settings) -> None:
    ack = render(settings)

    assert f"{PUBLIC_URL}//estado" not in ack.text
    assert f'href="{PUBLIC_URL}/estado/{RADICADO}"' in ack.html


def test_subject_starts_with_the_radicado(settings: Settings) -> None:
    assert render(settings).subject.startswith(RADICADO)


def test_key_is_stable_per_case_and_channel(settings: Settings) -> None:
    first = render(settings)
    second = render(settings)

    assert first.key == second.key == f"{RADICADO}-email"


def test_acknowledgement_goes_to_the_given_recipient(settings: Settings) -> None:
    ack = render(settings)

    assert (ack.channel, ack.recipient, ack.radicado) == ("email", "ana@example.com", RADICADO)


def test_email_acknowledgement_threads_under_the_citizen_message(settings: Settings) -> None:
    ack = render(settings)

    assert ack.in_reply_to == "<CAF=abc123@mail.example.com>"
    assert ack.references == ("<hilo-1@mail.example.com>",)


def test_web_request_copy_does_not_claim_to_reply_to_an_email(settings: Settings) -> None:
    ack = render(settings, channel="web")

    assert ack.in_reply_to == ""


def test_radication_time_is_bogota_time_even_across_midnight_utc(settings: Settings) -> None:
    case = make_case(filed_at=datetime(2026, 11, 24, 3, 30, tzinfo=UTC))

    ack = render(settings, case)

    assert "23 de noviembre de 2026, 22:30 (hora de Colombia)" in ack.text


@pytest.mark.parametrize(
    ("slug", "label"),
    [
        ("peticion", "Petición"),
        ("informacion", "Petición de documentos o información"),
        ("consulta", "Consulta"),
        ("felicitacion", "Felicitación"),
    ],
)
def test_type_is_shown_with_its_spanish_label(settings: Settings, slug: str, label: str) -> None:
    ack = render(settings, make_case(request_type=slug))

    assert f"Tipo de solicitud: {label}" in ack.text


def test_citizen_name_greets_in_text_and_is_escaped_in_html(settings: Settings) -> None:
    ack = render(settings, sender_name="Ana O'Neill")

    assert "Hola, Ana O'Neill:" in ack.text
    assert "O&#39;Neill" in ack.html


@pytest.mark.parametrize(
    "typed",
    [
        "URGENTE… valide sus datos en https://banco-seguro.example/validar",
        "<script>alert('x')</script>",
        "Escriba al 3001234567",
    ],
)
def test_a_name_that_is_not_a_name_never_reaches_the_acknowledgement(
    settings: Settings, typed: str
) -> None:
    """Issue 15: the typed name made the official acknowledgement a phishing relay."""
    ack = render(settings, sender_name=typed)

    assert ack.text.startswith("Hola:\n")
    assert "Hola:</p>" in ack.html
    for word in ("URGENTE", "banco-seguro", "script", "3001234567"):
        assert word not in ack.text and word not in ack.html


def test_without_a_name_the_greeting_is_plain(settings: Settings) -> None:
    ack = render(settings, sender_name="")

    assert ack.text.startswith("Hola:\n")
    assert "Hola:</p>" in ack.html


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 1, 1), "1 de enero de 2026"),
        (date(2026, 9, 30), "30 de septiembre de 2026"),
        (date(2027, 12, 31), "31 de diciembre de 2027"),
    ],
)
def test_spanish_date_names_the_month(day: date, expected: str) -> None:
    assert spanish_date(day) == expected


def test_spanish_datetime_uses_the_office_time_zone() -> None:
    moment = datetime(2026, 1, 1, 4, 59, tzinfo=UTC)

    assert spanish_datetime(moment, "America/Bogota") == (
        "31 de diciembre de 2025, 23:59 (hora de Colombia)"
    )


def test_time_zone_other_than_bogota_is_named_not_called_colombia() -> None:
    moment = datetime(2026, 11, 23, 15, 5, tzinfo=UTC)
    assert spanish_datetime(moment, "America/Lima").endswith("(hora de America/Lima)")
    assert spanish_datetime(moment, "America/Bogota").endswith("(hora de Colombia)")


# ---------------------------------------------------------------- priority, term, frequent question


def notice(settings: Settings, flags: tuple[str, ...] = (), faq_id: str = "") -> Acknowledgement:
    pending = replace(make_pending(make_case(request_type="peticion")), flags=flags, faq_id=faq_id)
    return render_acknowledgement(pending, settings)


SHORTENED = PrioritySettings(term_days={"riesgo_derecho_fundamental": 3})


def test_a_case_without_flags_or_faq_says_nothing_more(settings: Settings) -> None:
    ack = notice(settings)

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
    settings: Settings, flags: tuple[str, ...], basis: str
) -> None:
    ack = notice(settings, flags)

    assert f"Su solicitud tiene atención prioritaria, como lo ordena la ley {basis}." in ack.text
    assert "<strong>Su solicitud tiene atención prioritaria</strong>" in ack.html


@pytest.mark.parametrize("flags", [("anonimo",), ("idioma_extranjero",), ("denuncia_corrupcion",)])
def test_review_flags_are_not_told_to_the_citizen(
    settings: Settings, flags: tuple[str, ...]
) -> None:
    assert "prioritaria" not in notice(settings, flags).text


def test_a_shortened_term_is_explained_against_the_legal_one(settings: Settings) -> None:
    shortened = settings.model_copy(update={"priority": SHORTENED})
    ack = notice(shortened, ("riesgo_derecho_fundamental",))

    assert "Fecha límite de respuesta: 15 de diciembre de 2026" in ack.text
    assert "Nuestro reglamento de peticiones acorta el plazo en este caso" in ack.text
    assert "antes de los 15 días hábiles que da la ley" in ack.text
    assert "La ley nos da hasta esa fecha" not in ack.text
    assert "acorta el plazo" in ack.html


def test_priority_without_a_shorter_term_keeps_the_legal_wording(settings: Settings) -> None:
    ack = notice(settings, ("periodista",))

    assert "La ley nos da hasta esa fecha para responderle" in ack.text
    assert "reglamento" not in ack.text


def test_the_faq_answer_comes_with_the_promise_of_an_answer_in_term(settings: Settings) -> None:
    ack = notice(settings, faq_id="sise-contrasena")

    assert (
        "Mientras respondemos, esto puede ayudarle:\n\nCómo crear una contraseña nueva" in ack.text
    )
    assert "- Le llegará un mensaje al correo con el que se registró." in ack.text
    assert "llame al (601) 756 0009" in ack.text  # the placeholder, filled from the settings
    assert "{{" not in ack.text
    assert "Más información: https://www.serviciodeempleo.gov.co" in ack.text
    assert (
        "su solicitud quedó radicada y le\nresponderemos a más tardar el 15 de diciembre de 2026"
        in ack.text
    )
    assert "<li>Le llegará un mensaje al correo con el que se registró." in ack.html


def test_a_faq_removed_since_the_case_was_filed_is_left_out(settings: Settings) -> None:
    ack = notice(settings, faq_id="una-pregunta-que-ya-no-existe")

    assert "Mientras respondemos" not in ack.text


def test_case_context_reads_no_faq_file_for_a_case_without_one(tmp_path) -> None:
    # A folder that would fail to load: never read when the case has no frequent question.
    (tmp_path / "roto.md").write_text("sin front matter", encoding="utf-8")
    settings = Settings(faq=FaqSettings(directory=str(tmp_path)))

    assert case_context(make_case(), settings)["faq"] is None


# -- X: the public reply and the direct message -------------------------------------------

TWEET_ID = "1864000000000000001"
NAME = "Ana María Pérez Rodríguez"


def render_x(
    settings: Settings,
    kind: str,
    *,
    radicado: str = RADICADO,
    request_type: str = "queja",
    name: str = NAME,
) -> Acknowledgement:
    case = replace(make_case(request_type=request_type), radicado=radicado)
    pending = PendingAck(
        outbox_id=1,
        channel="x",
        recipient="4242",
        case=case,
        message_channel="x",
        thread_id=TWEET_ID,
        sender_name=name,
        references=[],
        kind=kind,
    )
    return render_acknowledgement(pending, settings)


@pytest.mark.parametrize(
    "private",
    [
        NAME,
        "Ana",
        "Queja",
        "queja",
        "2026-12-15",
        "15 de diciembre",
        "23 de noviembre",
        "10:05",
        "4242",
        "estado/",
    ],
)
def test_public_reply_says_nothing_about_the_citizen_or_the_request(settings, private):
    reply = render_x(settings, "public_reply")
    assert private not in reply.text


def test_public_reply_is_the_same_text_whatever_the_case_but_its_radicado(settings):
    one = render_x(settings, "public_reply")
    other = render_x(
        settings, "public_reply", radicado="20269990000992", request_type="denuncia", name="Luis"
    )
    assert one.text.replace(RADICADO, "R") == other.text.replace("20269990000992", "R")


def test_public_reply_leads_with_the_radicado_and_threads_under_the_mention(settings):
    reply = render_x(settings, "public_reply")
    assert reply.text.startswith(f"Radicado {RADICADO}")
    assert "mensaje directo" in reply.text
    assert (reply.kind, reply.in_reply_to, reply.recipient) == ("public_reply", TWEET_ID, "4242")
    assert reply.key == f"{RADICADO}-x-public_reply"


@pytest.mark.parametrize("radicado", [RADICADO, "9" * 20, "2026-ABCDEFGHIJ-" + "9" * 25])
def test_public_reply_fits_in_one_post_with_the_longest_radicado(settings, radicado):
    reply = render_x(settings, "public_reply", radicado=radicado)
    assert weighted_length(reply.text) <= MAX_WEIGHTED_LENGTH
    assert radicado in reply.text


@pytest.mark.parametrize(
    "expected",
    [
        f"Radicado: {RADICADO}",
        "23 de noviembre de 2026, 10:05 (hora de Colombia)",
        "Tipo de solicitud: Queja",
        "Fecha límite de respuesta: 15 de diciembre de 2026",
        f"{PUBLIC_URL}/estado/{RADICADO}",
        PRIVACY_URL,
        "Ley 1581 de 2012",
        f"Hola, {NAME}.",
    ],
)
def test_direct_message_states_what_the_law_asks(settings, expected):
    ack = render_x(settings, "ack")
    assert expected in ack.text


def test_direct_message_is_plain_text_radicado_first(settings):
    ack = render_x(settings, "ack")
    assert ack.text.startswith(f"Radicado: {RADICADO}\nFecha y hora de radicación:")
    assert not any(mark in ack.text for mark in ("<", "*", "**", "](", "{{", "{%"))
    assert ack.html == ""
    assert ack.kind == "ack" and ack.key == f"{RADICADO}-x"
    assert len(ack.text) < 10_000


@pytest.mark.parametrize("channel", ["whatsapp", "telegram", "x"])
def test_chat_acknowledgements_carry_priority_the_shortened_term_and_the_faq_answer(
    settings: Settings, channel: str
) -> None:
    shortened = settings.model_copy(update={"priority": SHORTENED})
    pending = replace(
        make_pending(make_case(request_type="peticion"), channel=channel),
        channel=channel,
        flags=("riesgo_derecho_fundamental",),
        faq_id="sise-contrasena",
    )

    ack = render_acknowledgement(pending, shortened)

    for text in (ack.text, ack.html) if ack.html else (ack.text,):
        assert "Su solicitud tiene atención prioritaria" in text
        assert "la ley da 15 días hábiles" in text
        assert "Cómo crear una contraseña nueva" in text
        assert "{{" not in text and "{%" not in text
    if channel == "telegram":  # Telegram's HTML: the answer's text escaped, never markup
        assert "<li>" not in ack.html and "<strong>" not in ack.html
