"""The Telegram channel as it runs: `ventanilla poll`, `worker` and `web` as processes, the
real python-telegram-bot inside them talking to a local fake of the Bot API."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import Deployment, wait_until
from tests.fake_telegram import FakeTelegram

pytestmark = pytest.mark.e2e

SECRET = "secreto_del_webhook-1"


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server
    assert server.errors == []


@pytest.fixture
def bot(deployment_factory, fake, tmp_path) -> Deployment:
    deployment = deployment_factory(
        f"sqlite:///{tmp_path / 'v.db'}",
        telegram__enabled="true",
        telegram__token=fake.token,
        telegram__api_url=fake.api_url,
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


def test_a_batch_of_updates_becomes_cases_acknowledged_under_each_message(bot, fake):
    ana, luis, marta = fake.user(1001, "Ana"), fake.user(1002, "Luis"), fake.user(1003, "Marta")
    pedro = fake.user(1004, "Pedro")
    written = {
        1001: fake.writes(ana, "Solicito copia del certificado de mi inscripción"),
        1002: fake.writes(luis, "Quiero poner una queja por la mala atención en la oficina"),
        1003: fake.writes(
            marta,
            caption="Denuncio un cobro indebido en la oficina de empleo, adjunto la foto",
            photo=fake.photo(b"small", b"\xff\xd8\xff\xe0" + b"recibo" * 200),
        ),
        1004: fake.writes(pedro, "/start"),
    }
    fake.queue("edited_message", fake.message(ana, "Solicito copia del certificado (corregido)"))

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
        [ack] = fake.sent_to(chat)
        radicado = case_of(cases, request_type)["radicado"]
        assert ack.reply_to_message_id == written[chat]["message"]["message_id"]
        assert ack.text.startswith(f"Radicado: {radicado}\n")
        assert f"Tipo de solicitud: {label}" in ack.text
        assert f"/estado {radicado}" in ack.text
    [greeting] = fake.sent_to(1004)
    assert greeting.text.startswith("Hola, Pedro.")
    statuses = sorted(row["status"] for row in bot.cli_json("messages", "list"))
    assert statuses == ["case", "case", "case", "ignored", "ignored"]

    bot.cli("poll", "--channel", "telegram", "--once")  # the offset confirms them all
    assert fake.unconfirmed == 0
    bot.cli("drain", "--timeout", "60")
    assert len(fake.sent) == 4


def test_poller_killed_mid_backlog_stores_and_acknowledges_each_update_once(bot, fake):
    total = 400
    for n in range(total):
        fake.writes(fake.user(50_000 + n, f"Ciudadano {n}"), f"Solicito información del trámite {n}")
    bot.env["VENTANILLA_TELEGRAM__FETCH_LIMIT"] = "5"
    bot.start("poller", "poll", "--channel", "telegram")
    wait_until(lambda: stored(bot) >= 60, 120, "the poller to start on the backlog")
    bot.kill("poller")  # SIGKILL: between any store commit and its offset
    assert stored(bot) < total  # killed in the middle

    bot.start("poller", "poll", "--channel", "telegram")
    wait_until(lambda: stored(bot) == total, 300, "the rest of the backlog")
    bot.cli("drain", "--timeout", "300")
    wait_until(lambda: fake.unconfirmed == 0, 60, "the last offset to reach Telegram")

    rows = bot.cli_json("messages", "list")
    assert len(rows) == total
    assert {row["status"] for row in rows} == {"case"}
    assert len({row["radicado"] for row in rows}) == total
    assert len(fake.sent) == total
    assert len({sent.chat_id for sent in fake.sent}) == total  # one acknowledgement each
    assert all(sent.reply_to_message_id == 1 for sent in fake.sent)


def test_webhook_mode_registers_takes_pushed_updates_and_refuses_forgeries(
    deployment_factory, fake, tmp_path
):
    import httpx

    deployment = deployment_factory(
        f"sqlite:///{tmp_path / 'w.db'}",
        telegram__enabled="true",
        telegram__token=fake.token,
        telegram__api_url=fake.api_url,
        telegram__mode="webhook",
        telegram__webhook_secret=SECRET,
    )
    deployment.start("web", "web")
    deployment.start("worker", "worker")
    wait_until(lambda: fake.webhook is not None, 30, "the web app to register its webhook")
    assert fake.webhook == {
        "url": f"{deployment.base_url}/webhooks/telegram",
        "secret_token": SECRET,
    }

    update = fake.writes(fake.user(1001, "Ana"), "Solicito copia de mi hoja de vida registrada")
    fake.writes(fake.user(1002, "Luis"), "Quiero presentar un reclamo por mi subsidio")
    assert fake.deliver_webhooks() == [200, 200]
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
    assert sorted(sent.chat_id for sent in fake.sent) == [1001, 1002]
    assert fake.calls_of("getUpdates") == []
    assert "telegram_secret_rejected" in deployment.log("web")


def test_check_connect_names_the_telegram_setting_that_is_wrong(bot, fake):
    assert "services reachable" in bot.cli("check", "--connect").stdout

    bot.env["VENTANILLA_TELEGRAM__TOKEN"] = "123:equivocado"
    refused = bot.cli("check", "--connect", check=False)
    assert refused.returncode == 2
    assert "telegram.token: the Bot API refused the token" in refused.stderr
    assert "equivocado" not in refused.stderr

    bot.env["VENTANILLA_TELEGRAM__TOKEN"] = ""
    missing = bot.cli("check", check=False)
    assert "telegram.token: required when telegram.enabled is true" in missing.stderr
