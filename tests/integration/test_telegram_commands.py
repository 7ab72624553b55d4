"""The bot's commands through the real pipeline: answered in their chat, once, and never a
case; `/estado` shows a case only to the chat that opened it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from tests.fake_telegram import FakeTelegram

pytestmark = pytest.mark.integration

NOT_FOUND = "No encontramos una solicitud con ese número en este chat."


@pytest.fixture
def app(app_with, bot_api: FakeTelegram) -> Any:
    return app_with(
        **bot_api.settings(),
        entity__privacy_policy_url="https://www.example.gov.co/datos",
    )


def take(app: Any) -> list[dict[str, Any]]:
    """Poll once and run the pipeline on what came in; returns every message's outcome."""
    from ventanilla.adapters.telegram import TelegramAdapter
    from ventanilla.store.cases import list_messages
    from ventanilla.workers.pipeline import advance_batch
    from ventanilla.workers.poller import poll_channel

    adapter = TelegramAdapter(app.settings.telegram)
    poll_channel(adapter)
    adapter.close()
    with app.db.read() as session:
        pending = [row["id"] for row in list_messages(session) if row["stage"] != "done"]
    advance_batch(pending)
    with app.db.read() as session:
        return list_messages(session)


def test_start_greets_explains_and_links_the_privacy_policy(app, bot_api):
    from ventanilla.store.schema import Case, Outbox

    ana = bot_api.user(1001, "Ana")
    start = bot_api.writes(ana, "/start")
    [row] = take(app)

    assert (row["status"], row["reason"]) == ("ignored", "bot command /start")
    [reply] = bot_api.sent_to(1001)
    assert reply.text.startswith("Hola, Ana.")
    assert "petición, queja, reclamo, sugerencia, denuncia o felicitación" in reply.text
    assert "https://www.example.gov.co/datos" in reply.text
    assert reply.parse_mode == ""  # plain text: nothing in it is read as formatting
    assert reply.reply_to_message_id == start["message"]["message_id"]
    with app.db.read() as session:
        assert session.scalar(select(Case.id)) is None
        kind, status, key = session.execute(select(Outbox.kind, Outbox.status, Outbox.key)).one()
    assert (kind, status, key) == ("reply", "sent", f"message:{row['id']}:reply")


def test_estado_answers_the_own_chat_and_nobody_else(app, bot_api):
    ana, intruder = bot_api.user(1001, "Ana"), bot_api.user(2002, "Otro")
    bot_api.writes(ana, "Solicito el certificado de mi inscripción en la bolsa de empleo")
    [case_row] = take(app)
    radicado = case_row["radicado"]

    bot_api.writes(ana, f"/estado {radicado}")
    bot_api.writes(intruder, f"/estado {radicado}")
    bot_api.writes(intruder, "/estado 20269999999992")
    bot_api.writes(ana, "/estado")
    rows = take(app)

    assert [r["reason"] for r in rows[1:]] == ["bot command /estado"] * 4
    _ack, status = bot_api.sent_to(1001)[:2]
    assert status.text.startswith(f"Radicado: {radicado}\nTipo de solicitud: ")
    assert "Estado: radicada, la estamos atendiendo" in status.text
    someone_else, unknown = bot_api.sent_to(2002)
    assert someone_else.text == unknown.text  # nothing tells the two apart
    assert someone_else.text.startswith(NOT_FOUND)
    assert radicado not in someone_else.text
    usage = bot_api.sent_to(1001)[2]
    assert usage.text.startswith("Escriba /estado seguido de su número de radicado.")


def test_an_unknown_command_gets_a_short_help_and_a_repeat_no_second_answer(app, bot_api):
    from ventanilla.workers.pipeline import advance_batch

    bot_api.writes(bot_api.user(1001), "/radicar ahora")
    [row] = take(app)
    advance_batch([row["id"]])  # a re-delivered actor message

    [reply] = bot_api.sent
    assert reply.text.startswith("No conocemos ese comando.")
    assert "/estado" in reply.text
