"""The Telegram acknowledgement and the bot's answers: what the law asks, in Telegram's
HTML subset, with whatever the citizen's name holds escaped (checked by the fake's own
copy of Telegram's parser)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.fake_telegram import ApiError, parse_html
from tests.unit.test_ack_rendering import no_outside_settings  # noqa: F401 (autouse fixture)
from ventanilla.routing.commands import CommandAnswer
from ventanilla.settings import EntitySettings, Settings, WebSettings
from ventanilla.store.outbox import PendingAck
from ventanilla.store.pipeline import CaseFacts, CaseState
from ventanilla.templates import render_acknowledgement, render_command_reply

RADICADO = "20261000000012"
PRIVACY_URL = "https://www.example.gov.co/politica-de-datos"
HOSTILE_NAME = '<b>Ana & "Jo"</b> _*['


@pytest.fixture
def settings() -> Settings:
    return Settings(
        web=WebSettings(public_url="https://pqrs.example.gov.co"),
        entity=EntitySettings(privacy_policy_url=PRIVACY_URL),
    )


CASE = CaseFacts(
    id=1,
    radicado=RADICADO,
    filed_at=datetime(2026, 11, 23, 15, 5, tzinfo=UTC),
    due_date=date(2026, 12, 15),
    type="reclamo",
)


def pending(name: str, body: str = "") -> PendingAck:
    return PendingAck(
        outbox_id=3,
        channel="telegram",
        recipient="4242",
        case=CASE,
        message_channel="telegram",
        thread_id="17",
        sender_name=name,
        references=[],
        body=body,
    )


@pytest.mark.parametrize("part", ["text", "html"])
@pytest.mark.parametrize(
    "expected",
    [
        f"Radicado: {RADICADO}",
        "23 de noviembre de 2026, 10:05 (hora de Colombia)",
        "Tipo de solicitud: Reclamo",
        "Fecha límite de respuesta: 15 de diciembre de 2026",
        f"/estado {RADICADO}",
        f"https://pqrs.example.gov.co/estado/{RADICADO}",
        PRIVACY_URL,
        "Ley 1581 de 2012",
    ],
)
def test_the_acknowledgement_states_what_the_law_asks(
    settings: Settings, part: str, expected: str
) -> None:
    ack = render_acknowledgement(pending("Ana"), settings)
    shown = ack.text if part == "text" else parse_html(ack.html)[0]

    assert expected in shown
    assert shown.startswith(f"Radicado: {RADICADO}\nFecha y hora de radicación:")


@pytest.mark.parametrize(
    ("name", "greeting"),
    [
        ("Ana O'Neill-Ruiz", "Hola, Ana O'Neill-Ruiz."),
        # Not a name (routing/names.py): left out, the message still parses.
        (HOSTILE_NAME, "Hola. Recibimos"),
    ],
)
def test_the_name_is_shown_as_typed_or_left_out_and_only_the_radicado_is_bold(
    settings: Settings, name: str, greeting: str
) -> None:
    ack = render_acknowledgement(pending(name), settings)

    text, entities = parse_html(ack.html)  # raises ApiError as Telegram would answer 400

    assert greeting in text and greeting in ack.text
    assert "Jo" not in text
    assert entities == [{"type": "bold", "offset": 0, "length": len(f"Radicado: {RADICADO}")}]
    assert ack.in_reply_to == "17" and ack.recipient == "4242"


def test_the_fake_refuses_what_telegram_refuses() -> None:
    for unescaped in ("<b>Ana & Jo</b>", "Ana <3", "<p>hola</p>", "<b>sin cerrar", "1 > 0"):
        with pytest.raises(ApiError, match="can't parse entities"):
            parse_html(unescaped)


def test_the_acknowledgement_fits_one_telegram_message(settings: Settings) -> None:
    ack = render_acknowledgement(pending("N" * 200), settings)

    assert len(parse_html(ack.html)[0]) < 4096 and len(ack.text) < 4096


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (CommandAnswer("start"), ["petición, queja, reclamo, sugerencia, denuncia o felicitación",
                                  "número de radicado", "/estado 2026", PRIVACY_URL]),
        (CommandAnswer("not_found"), ["No encontramos una solicitud con ese número en este chat"]),
        (CommandAnswer("status_usage"), ["Escriba /estado seguido de su número de radicado"]),
        (CommandAnswer("help"), ["/start", "/estado"]),
    ],
)  # fmt: skip
def test_command_answers_in_plain_spanish(
    settings: Settings, answer: CommandAnswer, expected: list[str]
) -> None:
    text = render_command_reply(answer, None, "Ana", settings)

    for words in expected:
        assert words in text


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        ("radicado", "Estado: radicada, la estamos atendiendo"),
        ("respondido", "Estado: respondida"),
        ("anulado", "Estado: anulada"),
    ],
)
def test_the_status_answer_names_the_case_and_its_state(
    settings: Settings, status: str, shown: str
) -> None:
    state = CaseState(CASE, status, "tg:4242")
    text = render_command_reply(CommandAnswer("status", RADICADO), state, "Ana", settings)

    assert text.startswith(f"Radicado: {RADICADO}\nTipo de solicitud: Reclamo\n")
    assert shown in text
    assert "Fecha límite de respuesta: 15 de diciembre de 2026" in text
    assert "Ana" not in text  # nothing personal
