"""The Telegram channel as it runs: `ventanilla poll`, `worker` and `web` as processes, the
real python-telegram-bot inside them talking to a local bot_api of the Bot API."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from tests.conftest import Deployment, wait_until

pytestmark = pytest.mark.e2e

SECRET = "secreto_del_webhook-1"


@pytest.fixture
def bot(deployment_factory, bot_api, tmp_path) -> Deployment:
    deployment = deployment_factory(
        f"sqlite:///{tmp_path / 'v.db'}",
        **bot_api.settings(),
        store__attachments_dir=str(tmp_path / "attachments"),
    )
    deployment.start("worker", "worker")
    return deployment


def stored(deployment: Deployment) -> int:
    """Messages in the store, read straight from its SQLite file (fast enough to race)."""
    path = deployment.env["VENTANILLA_STORE__URL"].removeprefix("sqlite:///")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as connection:
            return int(connection.execute("SELECT count(*) FROM messages").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


def case_of(cases: list[dict[str, Any]], request_type: str) -> dict[str, Any]:
    [case] = [case for case in cases if case["type"] == request_type]
    return case


def test_a_batch_of_updates_becomes_cases_acknowledged_under_each_message(bot, bot_api):
    ana, luis, marta = (
        bot_api.user(1001, "Ana"),
        bot_api.user(1002, "Luis"),
        bot_api.user(1003, "Marta"),
    )
    pedro = bot_api.user(1004, "Pedro")
    written = {
        1001: bot_api.writes(ana, "Solicito copia del certificado de mi inscripción"),
        1002: bot_api.writes(luis, "Quiero poner una queja por la mala atención en la oficina"),
        1003: bot_api.writes(
            marta,
            caption="Denuncio un cobro indebido en la oficina de empleo, adjunto la foto",
            photo=bot_api.photo(b"small", b"\xff\xd8\xff\xe0" + b"recibo" * 200),
        ),
        1004: bot_api.writes(pedro, "/start"),
    }
    bot_api.queue(
        "edited_message", bot_api.message(ana, "Solicito copia del certificado (corregido)")
    )

    bot.cli("poll", "--channel", "telegram", "--once")  # returns at once: no long poll
    bot.cli("drain", "--timeout", "120")

    cases = bot.cli_json("cases", "list")
    assert sorted(case["type"] for case in cases) == ["denuncia", "informacion", "queja"]
    assert {case["channel"] for case in cases} == {"telegram"}
    assert {case["ack_status"] for case in cases} == {"sent"}
    for chat, request_type, label in [
        (1001, "informacion", "Petición de documentos o información"),
        (1002, "queja", "Queja"),
        (1003, "denuncia", "Denuncia"),
    ]:
        [ack] = bot_api.sent_to(chat)
        radicado = case_of(cases, request_type)["radicado"]
        assert ack.reply_to_message_id == written[chat]["message"]["message_id"]
        assert ack.text.startswith(f"Radicado: {radicado}\n")
        assert f"Tipo de solicitud: {label}" in ack.text
        assert f"/estado {radicado}" in ack.text
    [greeting] = bot_api.sent_to(1004)
    assert greeting.text.startswith("Hola, Pedro.")
    statuses = sorted(row["status"] for row in bot.cli_json("messages", "list"))
    assert statuses == ["case", "case", "case", "ignored", "ignored"]

    bot.cli("poll", "--channel", "telegram", "--once")  # the offset confirms them all
    assert bot_api.unconfirmed == 0
    bot.cli("drain", "--timeout", "60")
    assert len(bot_api.sent) == 4


def test_poller_killed_mid_backlog_stores_and_acknowledges_each_update_once(bot, bot_api):
    total = 400
    for n in range(total):
        bot_api.writes(
            bot_api.user(50_000 + n, f"Ciudadano {n}"),
            f"Solicito copia del certificado del trámite {n}",
        )
    bot.env["VENTANILLA_TELEGRAM__FETCH_LIMIT"] = "5"
    bot.start("poller", "poll", "--channel", "telegram")
    wait_until(lambda: stored(bot) >= 60, 120, "the poller to start on the backlog")
    bot.kill("poller")  # SIGKILL: between any store commit and its offset
    assert stored(bot) < total  # killed in the middle

    bot.start("poller", "poll", "--channel", "telegram")
    wait_until(lambda: stored(bot) == total, 300, "the rest of the backlog")
    bot.cli("drain", "--timeout", "300")
    wait_until(lambda: bot_api.unconfirmed == 0, 60, "the last offset to reach Telegram")

    rows = bot.cli_json("messages", "list")
    assert len(rows) == total
    assert {row["status"] for row in rows} == {"case"}
    assert len({row["radicado"] for row in rows}) == total
    assert len(bot_api.sent) == total
    assert len({sent.chat_id for sent in bot_api.sent}) == total  # one acknowledgement each
    assert all(sent.reply_to_message_id == 1 for sent in bot_api.sent)


def test_webhook_mode_registers_takes_pushed_updates_and_refuses_forgeries(
    deployment_factory, bot_api, tmp_path
):
    import httpx

    deployment = deployment_factory(
        f"sqlite:///{tmp_path / 'w.db'}",
        **bot_api.settings(),
        telegram__mode="webhook",
        telegram__webhook_secret=SECRET,
    )
    deployment.start("web", "web")
    deployment.start("worker", "worker")
    wait_until(lambda: bot_api.webhook is not None, 30, "the web app to register its webhook")
    assert bot_api.webhook == {
        "url": f"{deployment.base_url}/webhooks/telegram",
        "secret_token": SECRET,
    }

    update = bot_api.writes(
        bot_api.user(1001, "Ana"), "Solicito copia de mi hoja de vida registrada"
    )
    bot_api.writes(bot_api.user(1002, "Luis"), "Quiero presentar un reclamo por mi subsidio")
    assert bot_api.deliver_webhooks() == [200, 200]
    replay = httpx.post(
        f"{deployment.base_url}/webhooks/telegram",
        json=update,
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
    )
    forged = httpx.post(f"{deployment.base_url}/webhooks/telegram", json=update)
    assert (replay.status_code, forged.status_code) == (200, 403)
    deployment.cli("poll", "--once")  # nothing to poll in webhook mode: no 409
    deployment.cli("drain", "--timeout", "120")

    cases = deployment.cli_json("cases", "list")
    assert sorted(case["type"] for case in cases) == ["informacion", "reclamo"]
    assert sorted(sent.chat_id for sent in bot_api.sent) == [1001, 1002]
    assert bot_api.calls_of("getUpdates") == []
    assert "telegram_secret_rejected" in deployment.log("web")


def test_check_connect_names_the_telegram_setting_that_is_wrong(bot, bot_api):
    assert "services reachable" in bot.cli("check", "--connect").stdout

    bot.env["VENTANILLA_TELEGRAM__TOKEN"] = "123:equivocado"
    refused = bot.cli("check", "--connect", check=False)
    assert refused.returncode == 2
    assert "telegram.token: the Bot API refused the token" in refused.stderr
    assert "equivocado" not in refused.stderr

    bot.env["VENTANILLA_TELEGRAM__TOKEN"] = ""
    missing = bot.cli("check", check=False)
    assert "telegram.token: required when telegram.enabled is true" in missing.stderr
