"""One Telegram update at a time: what the adapter makes of it, without a server.

Updates are the Bot API's JSON, built by the fake's builders (no server is started).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.fake_telegram import FakeTelegram
from ventanilla.adapters.telegram_updates import FileLimits, read_update

BOT_ID = 5550001
LIMITS = FileLimits(max_files=3, max_file_bytes=1_000_000)
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


@pytest.fixture
def fake() -> FakeTelegram:
    return FakeTelegram(f"{BOT_ID}:token-de-prueba")


def read(update: Any, limits: FileLimits = LIMITS) -> Any:
    return read_update(update, bot_id=BOT_ID, limits=limits, now=NOW)


def test_a_private_message_becomes_the_citizens_request(fake: FakeTelegram) -> None:
    ana = fake.user(4242, "Ana", "Gómez", "ana_g")
    sent_at = datetime(2026, 11, 23, 13, 30, 5, tzinfo=UTC)
    update = fake.writes(ana, "Solicito mi certificado de inscripción", date=sent_at)

    read_message = read(update)
    message = read_message.message

    assert read_message.update_id == update["update_id"]
    assert message.channel == "telegram"
    assert message.provider_id == "4242:1"
    assert message.received_at == sent_at
    assert message.text == "Solicito mi certificado de inscripción"
    assert (message.sender, message.sender_name) == ("tg:4242", "Ana Gómez")
    assert message.flags == {
        "chat_id": 4242,
        "telegram_message_id": 1,
        "chat_type": "private",
        "update_type": "message",
        "username": "ana_g",
        "public": False,
    }
    assert message.references == ()
    assert b'"Solicito mi certificado' in message.raw


@pytest.mark.parametrize(
    ("text", "command", "args"),
    [
        ("/start", "/start", ""),
        ("/estado 20261000000012", "/estado", "20261000000012"),
        ("/estado@ventanilla_bot  2026 100 000001 2 ", "/estado", "2026 100 000001 2"),
        ("/HELP", "/help", ""),
        ("/inventado algo", "/inventado", "algo"),
    ],
)
def test_bot_commands_are_named_with_their_arguments(
    fake: FakeTelegram, text: str, command: str, args: str
) -> None:
    flags = read(fake.writes(fake.user(7), text)).message.flags

    assert (flags["command"], flags["command_args"]) == (command, args)


def test_a_slash_inside_a_text_is_no_command(fake: FakeTelegram) -> None:
    flags = read(fake.writes(fake.user(7), "Mi cita es el 3/12, no la encuentro")).message.flags

    assert "command" not in flags


def test_a_caption_is_the_text_and_the_largest_photo_is_the_one_fetched(fake: FakeTelegram) -> None:
    photo = fake.photo(b"thumbnail", b"medium" * 10, b"large" * 100)
    update = fake.writes(fake.user(7), caption="Foto de mi cédula", photo=photo)

    read_message = read(update)

    assert read_message.message.text == "Foto de mi cédula"
    [photo_file] = read_message.files
    assert photo_file.file_id == photo[-1]["file_id"]
    assert (photo_file.filename, photo_file.content_type) == ("foto.jpg", "image/jpeg")


def test_files_over_the_limits_are_noted_not_fetched(fake: FakeTelegram) -> None:
    big = fake.media("video", b"x", file_size=25 * 1024 * 1024, file_name="video.mp4")
    document = fake.media("document", b"%PDF", file_name="../../etc/passwd")
    voice = fake.media("voice", b"OggS")
    update = fake.writes(
        fake.user(7), caption="Pruebas", document=document, voice=voice, video=big,
        video_note=fake.media("video_note", b"mp4"),
    )  # fmt: skip

    read_message = read(update, FileLimits(max_files=3, max_file_bytes=20 * 1024 * 1024))

    assert [f.filename for f in read_message.files] == ["passwd", "nota-de-voz.ogg"]
    dropped = read_message.message.flags["dropped_attachments"]
    assert dropped[0].startswith("video.mp4: 25.0 MB, over the 20 MB limit")
    assert dropped[1] == "1 more files not kept (telegram.max_files is 3)"


def test_a_reply_to_our_acknowledgement_references_its_radicado(fake: FakeTelegram) -> None:
    ours = {
        "message_id": 9,
        "from": fake.user(BOT_ID, "Ventanilla", is_bot=True),
        "chat": {"id": 7, "type": "private"},
        "date": 1_790_000_000,
        "text": "Radicado: 20261000000012\nFecha y hora de radicación: ...",
    }
    reply = read(fake.writes(fake.user(7), "Adjunto lo que faltaba", reply_to_message=ours))
    someone_else = dict(ours, **{"from": fake.user(99, "Otro bot", is_bot=True)})
    other = read(fake.writes(fake.user(7), "Reenvío", reply_to_message=someone_else))

    assert reply.message.references == ("<radicado.20261000000012.0@telegram>",)
    assert other.message.references == ()


A = {"id": 7, "is_bot": False, "first_name": "A"}
BOT = {"id": BOT_ID, "is_bot": True, "first_name": "V"}
BLOCKED = {
    "chat": {"id": 7, "type": "private"},
    "from": A,
    "date": 1,
    "old_chat_member": {"status": "member", "user": BOT},
    "new_chat_member": {"status": "kicked", "until_date": 0, "user": BOT},
}


@pytest.mark.parametrize(
    ("kind", "payload", "reason"),
    [
        (
            "edited_message",
            "message",
            "edited message (the first version was taken as it was sent)",
        ),
        (
            "callback_query",
            {"id": "1", "from": A, "chat_instance": "c", "data": "x"},
            "callback query (a button press)",
        ),
        ("my_chat_member", BLOCKED, "member update (the bot was added, removed or blocked)"),
        ("from_the_future", {"text": "hola"}, "unknown update type 'from_the_future'"),
    ],
)
def test_updates_that_are_not_a_citizens_message_are_kept_and_skipped(
    fake: FakeTelegram, kind: str, payload: Any, reason: str
) -> None:
    if payload == "message":
        payload = fake.message(fake.user(7), "texto corregido")
    update = fake.queue(kind, payload)

    message = read(update).message

    assert message.provider_id == f"update:{update['update_id']}"
    assert message.flags["skip"] == reason
    assert message.flags["update_type"] == kind


@pytest.mark.parametrize(
    ("chat", "author", "reason"),
    [
        ({"id": -1001, "type": "supergroup", "title": "Vecinos"}, {},
         "message in a supergroup chat (only private chats are taken)"),
        ({"id": -1002, "type": "group", "title": "Junta"}, {},
         "message in a group chat (only private chats are taken)"),
        (None, {"is_bot": True}, "message from a bot"),
    ],
)  # fmt: skip
def test_groups_and_bots_are_skipped(
    fake: FakeTelegram, chat: dict[str, Any] | None, author: dict[str, Any], reason: str
) -> None:
    user = fake.user(7) | author
    update = fake.queue("message", fake.message(user, "hola", chat=chat))

    assert read(update).message.flags["skip"] == reason


@pytest.mark.parametrize(
    ("update", "reason"),
    [
        ({"update_id": 5, "message": {"message_id": 1, "date": "ayer",
                                      "chat": {"id": 7, "type": "private"}}},
         "malformed message update (TypeError"),
        ({"update_id": 6, "message": "hola"}, "malformed message update (AttributeError"),
        ({"update_id": 7, "message": {"message_id": 1, "date": 1}}, "message without a chat"),
        ({"update_id": 8}, "empty update: no content"),
        ({"message": {"text": "sin id"}}, "not an update: no update_id"),
        (["una", "lista"], "not an update: no update_id"),
        ({"update_id": True, "message": {}}, "not an update: no update_id"),
    ],
)  # fmt: skip
def test_an_update_that_cannot_be_read_is_kept_raw_and_quarantined(
    update: Any, reason: str
) -> None:
    message = read(update).message

    assert message.flags["quarantine"].startswith(reason)
    assert message.received_at == NOW
    assert message.raw  # kept as received, for staff
    if isinstance(update, dict) and type(update.get("update_id")) is int:
        assert message.provider_id == f"update:{update['update_id']}"
    else:
        assert message.provider_id.startswith("malformed:")


def test_control_characters_never_reach_a_name_or_a_text(fake: FakeTelegram) -> None:
    user = fake.user(7, "Ana\u202e", "\x1b[31mGómez")
    message = read(fake.writes(user, "Hola\x00 mundo\u202e")).message

    assert (message.sender_name, message.text) == ("Ana [31mGómez", "Hola mundo")
