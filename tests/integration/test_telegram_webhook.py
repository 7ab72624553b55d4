"""Telegram's webhook mode: the web app checks the secret header, stores each update before
answering 200, and registers itself with the Bot API at start."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import wait_until
from tests.fake_telegram import FakeTelegram

pytestmark = [
    pytest.mark.integration,
    # Starlette's test client announces a successor package; httpx is what we have.
    pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`"),
]

SECRET = "s3creto-de-prueba_1"
PUBLIC_URL = "https://pqrs.example.gov.co"


@pytest.fixture
def app(app_with, bot_api: FakeTelegram) -> Any:
    return app_with(
        **bot_api.settings(),
        telegram__mode="webhook",
        telegram__webhook_secret=SECRET,
        web__public_url=PUBLIC_URL,
    )


@pytest.fixture
def client(app) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from ventanilla.web.app import create_app

    with TestClient(create_app(app)) as running:  # with its lifespan: batcher, registration
        yield running


def post(client: Any, update: Any, secret: str | None = SECRET) -> Any:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    body = update if isinstance(update, bytes) else json.dumps(update).encode()
    return client.post("/webhooks/telegram", content=body, headers=headers)


def stored(app) -> list[dict[str, Any]]:
    from ventanilla.store.cases import list_messages

    with app.db.read() as session:
        return list_messages(session)


def test_the_web_app_registers_its_webhook_with_the_secret(client, bot_api):
    wait_until(lambda: bot_api.webhook is not None, 20, "setWebhook")

    assert bot_api.webhook == {"url": f"{PUBLIC_URL}/webhooks/telegram", "secret_token": SECRET}


def test_an_update_is_stored_before_the_answer_and_a_replay_stored_once(app, client, bot_api):
    update = bot_api.writes(bot_api.user(1001, "Ana"), "Solicito el certificado de inscripción")

    assert post(client, update).status_code == 200
    [row] = stored(app)  # already there when the 200 came back
    assert row["channel"] == "telegram"
    assert post(client, update).status_code == 200  # Telegram sent it again
    assert len(stored(app)) == 1


def test_a_request_without_the_secret_is_refused_and_logged(app, client, bot_api, capsys):
    update = bot_api.writes(bot_api.user(1001), "Solicito información")

    assert post(client, update, secret=None).status_code == 403
    assert post(client, update, secret="otro-secreto").status_code == 403
    assert post(client, update, secret=SECRET[:-1]).status_code == 403
    assert stored(app) == []
    assert capsys.readouterr().out.count("telegram_secret_rejected") == 3


def test_bad_bodies_are_refused_and_bad_updates_kept_in_quarantine(app, client):
    assert post(client, b"{no es json").status_code == 400
    assert post(client, {"update_id": 77, "message": {"chat": "roto"}}).status_code == 200
    assert post(client, ["una", "lista"]).status_code == 200

    rows = stored(app)
    assert [r["status"] for r in rows] == ["pending", "pending"]  # the pipeline quarantines
    from ventanilla.store.schema import Message

    with app.db.read() as session:
        flags = [m.flags for m in session.query(Message).order_by(Message.id)]
        raw = session.query(Message.raw).order_by(Message.id).first()
    assert flags[0]["quarantine"].startswith("malformed message update")
    assert flags[1]["quarantine"] == "not an update: no update_id"
    assert raw is not None and raw[0] == b'{"update_id": 77, "message": {"chat": "roto"}}'


def test_files_sent_to_the_webhook_are_downloaded(app, client, bot_api):
    from ventanilla.store.schema import Attachment

    pdf = bot_api.media("document", b"%PDF-1.4 formulario", file_name="formulario.pdf")
    update = bot_api.writes(bot_api.user(1001), caption="Adjunto el formulario", document=pdf)

    assert post(client, update).status_code == 200
    with app.db.read() as session:
        [name] = session.query(Attachment.filename).all()
    assert name[0] == "formulario.pdf"


def test_in_polling_mode_the_webhook_is_not_served_and_the_poller_reads(app_with, bot_api):
    from fastapi.testclient import TestClient

    from ventanilla.adapters.registry import polling_adapters
    from ventanilla.web.app import create_app

    polling = app_with(**bot_api.settings())
    update = bot_api.writes(bot_api.user(1001), "hola")

    answer = TestClient(create_app(polling)).post(
        "/webhooks/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": ""}
    )

    assert answer.status_code == 404
    assert [a.channel for a in polling_adapters(polling.settings)] == ["telegram"]
    webhook = polling.settings.model_copy(
        update={"telegram": polling.settings.telegram.model_copy(update={"mode": "webhook"})}
    )
    assert polling_adapters(webhook) == []
