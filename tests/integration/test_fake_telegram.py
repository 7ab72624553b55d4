"""The Telegram bot_api answers the real python-telegram-bot the way the Bot API does."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import pytest
from telegram import Bot, ReplyParameters
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter

from tests.fake_telegram import FakeTelegram

pytestmark = pytest.mark.integration


def bot_for(bot_api: FakeTelegram, token: str | None = None) -> Bot:
    return Bot(
        token or bot_api.token,
        base_url=f"{bot_api.api_url}/bot",
        base_file_url=f"{bot_api.api_url}/file/bot",
    )


def run(bot_api: FakeTelegram, call: Any, token: str | None = None) -> Any:
    """Run `call(bot)` with a fresh Bot on a fresh loop (as each adapter thread does)."""

    async def go() -> Any:
        async with bot_for(bot_api, token) as bot:
            return await call(bot)

    return asyncio.run(go())


def test_get_me_names_the_bot_and_a_wrong_token_is_unauthorized(bot_api: FakeTelegram) -> None:
    me = run(bot_api, lambda bot: bot.get_me())
    assert (me.id, me.username, me.is_bot) == (bot_api.bot_id, "ventanilla_bot", True)

    with pytest.raises(InvalidToken):
        run(bot_api, lambda bot: bot.get_me(), token="123:otro")
    assert bot_api.calls[-1].status == 401


def test_updates_come_oldest_first_and_an_offset_confirms_everything_below_it(
    bot_api: FakeTelegram,
) -> None:
    ana = bot_api.user(42, "Ana")
    first = bot_api.writes(ana, "uno")
    bot_api.writes(ana, "dos")
    third = bot_api.writes(ana, "tres")

    async def read(bot: Bot) -> tuple[Any, Any, Any]:
        two = await bot.get_updates(limit=2, timeout=0)
        again = await bot.get_updates(timeout=0)  # nothing confirmed yet: the same again
        rest = await bot.get_updates(offset=two[-1].update_id + 1, timeout=0)
        return two, again, rest

    two, again, rest = run(bot_api, read)

    assert [u.message.text for u in two] == ["uno", "dos"]
    assert two[0].update_id == first["update_id"]
    assert [u.message.text for u in again] == ["uno", "dos", "tres"]
    assert [u.update_id for u in rest] == [third["update_id"]]
    assert bot_api.unconfirmed == 1


def test_a_long_poll_answers_as_soon_as_an_update_is_queued(bot_api: FakeTelegram) -> None:
    got: list[Any] = []
    poll = threading.Thread(
        target=lambda: got.extend(run(bot_api, lambda bot: bot.get_updates(timeout=50)))
    )
    poll.start()
    bot_api.writes(bot_api.user(42), "hola")
    poll.join(20)  # far less than the 50 s the poll may wait

    assert not poll.is_alive()
    assert [u.message.text for u in got] == ["hola"]


def test_a_newer_get_updates_ends_a_waiting_long_poll_with_conflict(bot_api: FakeTelegram) -> None:
    errors: list[Exception] = []

    def waiting() -> None:
        try:
            run(bot_api, lambda bot: bot.get_updates(timeout=50))
        except Conflict as error:
            errors.append(error)

    poll = threading.Thread(target=waiting)
    poll.start()
    while not bot_api.calls_of("getUpdates"):
        threading.Event().wait(0.01)
    run(bot_api, lambda bot: bot.get_updates(timeout=0))
    poll.join(20)

    [conflict] = errors
    assert "terminated by other getupdates request" in str(conflict).lower()


def test_allowed_updates_filters_and_is_remembered(bot_api: FakeTelegram) -> None:
    ana = bot_api.user(42)
    bot_api.writes(ana, "mensaje")
    bot_api.queue("edited_message", bot_api.message(ana, "editado"))
    bot_api.queue("message_reaction", {"chat": {"id": 42, "type": "private"}, "message_id": 1})

    async def read(bot: Bot) -> tuple[Any, Any, Any]:
        default = await bot.get_updates(timeout=0)
        only = await bot.get_updates(timeout=0, allowed_updates=["edited_message"])
        remembered = await bot.get_updates(timeout=0)
        return default, only, remembered

    default, only, remembered = run(bot_api, read)

    assert [u.message is not None for u in default] == [True, False]  # no reactions by default
    assert [u.edited_message.text for u in only] == ["editado"]
    assert len(remembered) == 1


def test_malformed_updates_are_served_verbatim(bot_api: FakeTelegram) -> None:
    bot_api.queue_raw({"update_id": 5, "message": "no soy un mensaje"})
    bot_api.queue_raw(["ni", "siquiera", "un objeto"])

    raw = run(bot_api, lambda bot: bot.do_api_request("getUpdates", {"timeout": 0}))

    assert raw == [
        {"update_id": 5, "message": "no soy un mensaje"},
        ["ni", "siquiera", "un objeto"],
    ]


def test_send_message_checks_html_as_telegram_does(bot_api: FakeTelegram) -> None:
    ana = bot_api.user(42)
    written = bot_api.writes(ana, "hola")["message"]

    sent = run(
        bot_api,
        lambda bot: bot.send_message(
            42,
            "<b>Radicado: 1</b>\nHola, &lt;Ana&gt; &amp; &quot;Jo&quot; &#39;",
            parse_mode="HTML",
            reply_parameters=ReplyParameters(written["message_id"]),
        ),
    )

    assert sent.text == 'Radicado: 1\nHola, <Ana> & "Jo" \''
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 11)]
    assert sent.reply_to_message.message_id == written["message_id"]
    assert bot_api.sent[-1].reply_to_message_id == written["message_id"]
    for broken in ("<b>Ana & Jo</b>", "<p>párrafo</p>", "<b>sin cerrar", "<b><i>x</b></i>"):
        with pytest.raises(BadRequest, match="parse entities"):
            run(bot_api, lambda bot, text=broken: bot.send_message(42, text, parse_mode="HTML"))
    plain = run(bot_api, lambda bot: bot.send_message(42, "<b>Ana & Jo</b>"))  # no parse mode
    assert plain.text == "<b>Ana & Jo</b>"


def test_send_message_refusals(bot_api: FakeTelegram) -> None:
    bot_api.writes(bot_api.user(42), "hola")
    with pytest.raises(BadRequest, match="Message is too long"):
        run(bot_api, lambda bot: bot.send_message(42, "x" * 4097))
    with pytest.raises(BadRequest, match="Chat not found"):
        run(bot_api, lambda bot: bot.send_message(999, "hola"))
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        run(bot_api, lambda bot: bot.send_message(42, "hola", reply_parameters=ReplyParameters(77)))
    lenient = ReplyParameters(77, allow_sending_without_reply=True)
    assert run(bot_api, lambda bot: bot.send_message(42, "hola", reply_parameters=lenient)).text
    bot_api.block(42)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        run(bot_api, lambda bot: bot.send_message(42, "hola"))


def test_rate_limits_and_failures_on_demand(bot_api: FakeTelegram) -> None:
    bot_api.writes(bot_api.user(42), "hola")
    bot_api.rate_limit_next("sendMessage", retry_after=7)
    with pytest.raises(RetryAfter) as limited:
        run(bot_api, lambda bot: bot.send_message(42, "hola"))
    assert "Retry in 7 seconds" in str(limited.value)
    assert bot_api.calls[-1].status == 429

    bot_api.fail_next("getMe", 502, "Bad Gateway", times=2)
    for _ in range(2):
        with pytest.raises(Exception, match="Bad Gateway"):
            run(bot_api, lambda bot: bot.get_me())
    assert run(bot_api, lambda bot: bot.get_me()).id == bot_api.bot_id


def test_files_are_fetched_with_get_file_within_the_download_limit(bot_api: FakeTelegram) -> None:
    document = bot_api.media("document", b"%PDF-1.7 cedula", file_name="cedula.pdf")
    huge = bot_api.media("video", b"x", file_size=21 * 1024 * 1024)

    async def download(bot: Bot) -> bytes:
        found = await bot.get_file(document["file_id"])
        assert found.file_size == len(b"%PDF-1.7 cedula")
        return bytes(await found.download_as_bytearray())

    assert run(bot_api, download) == b"%PDF-1.7 cedula"
    with pytest.raises(BadRequest, match="File is too big"):
        run(bot_api, lambda bot: bot.get_file(huge["file_id"]))
    with pytest.raises(BadRequest, match="Invalid file_id"):
        run(bot_api, lambda bot: bot.get_file("nada"))
    download_url = f"{bot_api.api_url}/file/bot123:otro/documents/file_0.pdf"
    assert httpx.get(download_url).status_code == 401


def test_get_updates_answers_conflict_while_a_webhook_is_set(bot_api: FakeTelegram) -> None:
    url = "https://pqrs.example.gov.co/webhooks/telegram"

    async def cycle(bot: Bot) -> tuple[Any, Any]:
        assert await bot.set_webhook(url, secret_token="s3creto_-")
        info = await bot.get_webhook_info()
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates(timeout=0)
        with pytest.raises(BadRequest, match="unallowed characters"):
            await bot.set_webhook(url, secret_token="con espacios")
        assert await bot.delete_webhook()
        return info, await bot.get_updates(timeout=0)

    info, updates = run(bot_api, cycle)

    assert info.url == url and updates == ()
    assert bot_api.webhook is None


def test_json_and_multipart_bodies_are_read_too(bot_api: FakeTelegram) -> None:
    bot_api.writes(bot_api.user(42), "hola")
    base = f"{bot_api.api_url}/bot{bot_api.token}"

    as_json = httpx.post(f"{base}/sendMessage", json={"chat_id": 42, "text": "por JSON"})
    multipart = httpx.post(
        f"{base}/SENDMESSAGE",  # method names are case-insensitive
        data={"chat_id": "42", "text": "por multipart"},
        files={"ignored": ("a.txt", b"x", "text/plain")},
    )
    unknown = httpx.post(f"{base}/sendCarrierPigeon", json={})

    assert as_json.json()["result"]["text"] == "por JSON"
    assert multipart.json()["result"]["text"] == "por multipart"
    assert (unknown.status_code, unknown.json()["description"]) == (404, "Not Found")
