"""The Telegram channel through the real poller, store and pipeline, with the real
python-telegram-bot talking to the local bot_api Bot API (tests/fake_telegram.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import wait_until
from tests.fake_telegram import FakeTelegram
from ventanilla.adapters.telegram import TelegramAdapter

pytestmark = pytest.mark.integration

HOSTILE_NAME = '<b>Ana & "Jo"</b> _*['


@pytest.fixture
def app(app_with, bot_api: FakeTelegram) -> Any:
    return app_with(
        **bot_api.settings(),
        telegram__fetch_limit="3",
        telegram__max_file_bytes=str(1024 * 1024),
    )


@pytest.fixture
def adapter(app) -> Iterator[TelegramAdapter]:
    made = TelegramAdapter(app.settings.telegram)
    yield made
    made.close()


def stored(app) -> list[dict[str, Any]]:
    from ventanilla.store.cases import list_messages

    with app.db.read() as session:
        return list_messages(session)


def process(app) -> list[dict[str, Any]]:
    """Run the pipeline on everything stored, as a worker would, and list the outcomes."""
    from ventanilla.workers.pipeline import advance_batch

    advance_batch([row["id"] for row in stored(app) if row["stage"] != "done"])
    return stored(app)


def flags_of(app, provider_id: str) -> dict[str, Any]:
    from ventanilla.store.schema import Message

    with app.db.read() as session:
        return dict(
            session.scalar(select(Message.flags).where(Message.provider_id == provider_id)) or {}
        )


def test_a_batch_of_updates_becomes_cases_each_acknowledged_in_its_chat(app, adapter, bot_api):
    from ventanilla.workers.poller import poll_channel

    ana, luis = bot_api.user(1001, "Ana", "Gómez"), bot_api.user(1002, "Luis")
    first = bot_api.writes(ana, "Solicito el certificado de mi inscripción en la bolsa de empleo")
    bot_api.writes(luis, "Quiero poner una queja por la mala atención en la oficina")
    bot_api.queue("edited_message", bot_api.message(ana, "texto corregido"))
    bot_api.queue("message", {"chat": "roto"})  # malformed
    bot_api.queue("from_the_future", {"x": 1})
    group = {"id": -100500, "type": "supergroup", "title": "Vecinos"}
    bot_api.queue("message", bot_api.message(luis, "Solicito información del subsidio", chat=group))

    assert poll_channel(adapter) == 6
    rows = process(app)

    outcome = [(r["status"], r["reason"]) for r in rows]
    assert outcome[:2] == [("case", None), ("case", None)]
    assert outcome[2] == (
        "ignored",
        "not radicated: edited message (the first version was taken as it was sent)",
    )
    assert outcome[3][0] == "quarantined" and outcome[3][1].startswith("malformed message update")
    assert outcome[4] == ("ignored", "not radicated: unknown update type 'from_the_future'")
    assert outcome[5] == (
        "ignored",
        "not radicated: message in a supergroup chat (only private chats are taken)",
    )
    [to_ana], [to_luis] = bot_api.sent_to(1001), bot_api.sent_to(1002)
    assert to_ana.reply_to_message_id == first["message"]["message_id"]
    assert to_ana.parse_mode == "HTML"
    assert to_ana.text.startswith(f"Radicado: {rows[0]['radicado']}\n")
    assert f"/estado {rows[0]['radicado']}" in to_ana.text
    assert rows[1]["radicado"] in to_luis.text
    assert len(bot_api.sent) == 2
    assert bot_api.delete_webhook_calls == 1  # polling removes a webhook once, first


def test_files_are_downloaded_within_the_limits_and_the_rest_noted(app, adapter, bot_api):
    from ventanilla.workers.poller import poll_channel

    photo = bot_api.photo(b"thumb", b"\xff\xd8\xff\xe0" + b"foto grande" * 100)
    pdf = bot_api.media("document", b"%PDF-1.4 cedula", file_name="cédula.pdf")
    too_big = bot_api.media("voice", b"OggS" + b"x" * (1024 * 1024 + 1))  # size known: 1 MB + 5
    update = bot_api.writes(bot_api.user(7), caption="Mis documentos", photo=photo, document=pdf,
                         voice=too_big)  # fmt: skip

    assert poll_channel(adapter) == 1

    from ventanilla.store.schema import Attachment

    with app.db.read() as session:
        kept = session.execute(select(Attachment.filename, Attachment.content_type)).all()
    assert sorted(map(tuple, kept)) == [
        ("cédula.pdf", "application/pdf"),
        ("foto.jpg", "image/jpeg"),
    ]
    [dropped] = flags_of(app, f"7:{update['message']['message_id']}")["dropped_attachments"]
    assert dropped.startswith("nota-de-voz.ogg: 1.0 MB, over the 1 MB limit")
    got = [call.params.get("file_id") for call in bot_api.calls_of("getFile")]
    assert too_big["file_id"] not in got  # never asked for: its size said so


def test_a_file_telegram_refuses_is_noted_and_the_message_kept(app, adapter, bot_api):
    from ventanilla.workers.poller import poll_channel

    pdf = bot_api.media("document", b"%PDF", file_name="a.pdf")
    bot_api.fail_next(
        "getFile", 400, "Bad Request: wrong file_id or the file is temporarily unavailable"
    )
    update = bot_api.writes(bot_api.user(7), caption="Adjunto", document=pdf)

    assert poll_channel(adapter) == 1
    [dropped] = flags_of(app, f"7:{update['message']['message_id']}")["dropped_attachments"]
    assert dropped.startswith("a.pdf: could not be downloaded (")


def test_the_offset_moves_only_after_the_store_commit(app, bot_api):
    """A poller killed between the store commit and the offset: nothing imported twice."""
    from ventanilla.store.intake import load_checkpoint
    from ventanilla.workers.poller import poll_channel

    class KilledBeforeTheOffset(TelegramAdapter):
        def commit(self, cursor: str) -> None:
            raise SystemExit("killed")

    ana = bot_api.user(1001)
    updates = [bot_api.writes(ana, f"Solicito información número {n}") for n in range(5)]
    crashing = KilledBeforeTheOffset(app.settings.telegram)
    with pytest.raises(SystemExit):
        poll_channel(crashing)
    crashing.close()
    assert len(stored(app)) == 3  # the first batch (fetch_limit 3) with its checkpoint
    with app.db.read() as session:
        assert load_checkpoint(session, "telegram") == str(updates[2]["update_id"])
    assert bot_api.unconfirmed == 5  # Telegram never heard back

    restarted = TelegramAdapter(app.settings.telegram)
    assert poll_channel(restarted) == 2
    assert poll_channel(restarted) == 0  # this getUpdates confirms the last batch
    restarted.close()

    assert [r["id"] for r in stored(app)] == sorted({r["id"] for r in stored(app)})
    assert len(stored(app)) == 5
    assert bot_api.unconfirmed == 0


def test_a_backlog_says_how_many_updates_still_wait(app, adapter, bot_api):
    for n in range(7):
        bot_api.writes(bot_api.user(1001 + n), f"Solicito información {n}")

    left = []
    for batch in adapter.fetch(""):
        left.append(batch.remaining)
        adapter.commit(batch.cursor)

    assert left == [4, 1, 0]  # three per batch (fetch_limit); the last one is not full


def test_a_rate_limit_is_waited_out_then_the_updates_are_taken(app, adapter, bot_api):
    from ventanilla.errors import ChannelError
    from ventanilla.workers.poller import run_channel

    bot_api.rate_limit_next("getUpdates", retry_after=2)
    with pytest.raises(ChannelError) as limited:
        list(adapter.fetch(""))
    assert limited.value.retryable and limited.value.retry_after == 2

    bot_api.writes(bot_api.user(1001), "Solicito una cita")
    bot_api.rate_limit_next("getUpdates", retry_after=2)
    stop = threading.Event()
    poller = threading.Thread(target=run_channel, args=(adapter, 0.05, stop), daemon=True)
    poller.start()
    try:
        wait_until(lambda: len(stored(app)) == 1, 30, "the update after the rate limit")
    finally:
        stop.set()
        poller.join(10)
    calls = bot_api.calls_of("getUpdates")
    last_limited = max(n for n, call in enumerate(calls) if call.status == 429)
    waited = calls[last_limited + 1].at - calls[last_limited].at
    assert waited >= 1.9  # what Telegram said, not less


def test_a_long_poll_takes_a_new_message_at_once(app, adapter, bot_api):
    from ventanilla.workers.poller import poll_channel

    assert poll_channel(adapter) == 0
    threading.Timer(0.3, lambda: bot_api.writes(bot_api.user(1001), "Solicito una cita")).start()
    adapter.wait(20)  # returns when the update arrives, not after 20 s
    assert poll_channel(adapter) == 1
    [long_poll] = [c for c in bot_api.calls_of("getUpdates") if c.params.get("timeout") == "20"]
    assert long_poll.status == 200


def test_a_hostile_name_is_left_out_of_the_html_acknowledgement(app, adapter, bot_api):
    from ventanilla.workers.poller import poll_channel

    bot_api.writes(bot_api.user(1001, HOSTILE_NAME), "Solicito copia de mi hoja de vida registrada")
    poll_channel(adapter)
    [row] = process(app)

    [sent] = bot_api.sent
    # Not a name (routing/names.py): left out, and Telegram parsed the rest.
    assert "Hola. Recibimos" in sent.text and "Jo" not in sent.text
    assert [e["type"] for e in sent.entities] == ["bold"]
    assert row["status"] == "case"


def test_a_user_who_blocked_the_bot_gets_a_failed_acknowledgement_not_retried(
    app, adapter, bot_api
):
    from ventanilla.store.cases import list_cases
    from ventanilla.store.schema import Outbox
    from ventanilla.workers.poller import poll_channel

    bot_api.writes(bot_api.user(1001), "Quiero presentar un reclamo por mi subsidio")
    bot_api.block(1001)
    poll_channel(adapter)
    process(app)

    with app.db.read() as session:
        [case] = list_cases(session)
        status, error = session.execute(select(Outbox.status, Outbox.last_error)).one()
    assert case["ack_status"] == "failed"
    assert status == "failed" and "bot was blocked by the user" in error
    assert len(bot_api.calls_of("sendMessage")) == 1


def test_a_rate_limited_acknowledgement_waits_for_a_later_attempt(app, adapter, bot_api):
    from ventanilla.store.schema import Outbox
    from ventanilla.workers.poller import poll_channel

    bot_api.writes(bot_api.user(1001), "Solicito copia de mi certificado laboral")
    bot_api.rate_limit_next("sendMessage", retry_after=30)
    poll_channel(adapter)
    [row] = process(app)

    with app.db.read() as session:
        status, error = session.execute(select(Outbox.status, Outbox.last_error)).one()
    assert row["status"] == "case"
    assert (status, error) == ("pending", "telegram: sending a message: rate limited for 30 s")
    assert bot_api.sent == []  # a later attempt, after the 30 s, sends it


def test_a_reply_to_our_acknowledgement_is_a_follow_up_of_its_case(app, adapter, bot_api):
    from ventanilla.workers.poller import poll_channel

    ana = bot_api.user(1001)
    bot_api.writes(ana, "Solicito el certificado de inscripción")
    poll_channel(adapter)
    [case_row] = process(app)
    [ack] = bot_api.sent
    bot_api.writes(ana, "Olvidé adjuntar mi cédula, aquí está", reply_to_message=ack.message)
    poll_channel(adapter)
    rows = process(app)

    assert rows[1]["status"] == "follow_up"
    assert rows[1]["radicado"] == case_row["radicado"]
    assert len(bot_api.sent) == 1  # a follow-up is not acknowledged again


def test_send_reports_what_retrying_would_help(app, adapter, bot_api):
    from ventanilla.adapters.base import Acknowledgement
    from ventanilla.errors import ChannelError

    bot_api.writes(bot_api.user(1001), "hola")
    ack = Acknowledgement("telegram", "1001", "R", "texto", in_reply_to="999")
    assert adapter.send(ack).startswith("1001:")  # the message it answered is gone: sent anyway
    cases = [
        ("sendMessage", 429, "Too Many Requests: retry after 3", 3, True),
        ("sendMessage", 400, "Bad Request: chat not found", None, False),
        ("sendMessage", 500, "Internal Server Error", None, True),
    ]
    for method, code, description, retry_after, retryable in cases:
        bot_api.fail_next(method, code, description, retry_after=retry_after)
        with pytest.raises(ChannelError) as failed:
            adapter.send(ack)
        assert failed.value.retryable is retryable
        assert failed.value.retry_after == retry_after
        assert bot_api.token not in str(failed.value)


def test_a_send_imports_nothing(app, adapter, bot_api, monkeypatch):
    """httpcore tries `import sniffio` at each request: without the package installed, each
    try searched every folder of sys.path (about 0.2 ms a send)."""
    import sys

    from ventanilla.adapters.base import Acknowledgement

    bot_api.writes(bot_api.user(1002), "hola")
    ack = Acknowledgement("telegram", "1002", "R", "texto", html="<b>R</b>", in_reply_to="1")
    adapter.send(ack)  # the first send may import what the library needs once
    searched: list[str] = []

    class Watch:
        @staticmethod
        def find_spec(name: str, *args: Any) -> None:
            searched.append(name)

    monkeypatch.setattr(sys, "meta_path", [Watch(), *sys.meta_path])
    for _ in range(3):
        assert adapter.send(ack).startswith("1002:")
    assert searched == []
    last = bot_api.sent[-1]
    assert (last.text, last.parse_mode, last.reply_to_message_id) == ("R", "HTML", 1)


def test_probe_names_the_setting_that_is_wrong(app, bot_api):
    from ventanilla.errors import ChannelError
    from ventanilla.settings import TelegramSettings

    TelegramAdapter(app.settings.telegram).probe()
    wrong_token = TelegramSettings(enabled=True, token="1:no", api_url=bot_api.api_url)
    with pytest.raises(ChannelError, match="telegram.token"):
        TelegramAdapter(wrong_token).probe()
    nobody = TelegramSettings(enabled=True, token=bot_api.token, api_url="http://127.0.0.1:9")
    with pytest.raises(ChannelError, match="telegram.api_url"):
        TelegramAdapter(nobody).probe()
