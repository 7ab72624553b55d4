"""Every social message lands in the communications feed with its class, author, link and
case; a spike in the feed raises one alert per period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from ventanilla.message import InboundMessage

pytestmark = pytest.mark.integration


@pytest.fixture
def app(app_with) -> Any:
    return app_with(mentions__spike_threshold="2", mentions__alert_telegram_chat="-1001")


def _mention(n: int, text: str, *, public: bool = True) -> InboundMessage:
    kind = "mention" if public else "dm"
    return InboundMessage(
        channel="x",
        provider_id=f"{'tweet' if public else 'dm'}:{n}",
        received_at=datetime.now(UTC) - timedelta(minutes=n),
        text=text,
        sender=f"x:{900 + n}",
        sender_name=f"Persona {n}",
        flags={
            "x_kind": kind,
            "author_id": str(900 + n),
            "username": f"persona{n}",
            "tweet_id": str(n),
            "url": f"https://x.com/persona{n}/status/{n}" if public else "",
            "public": public,
        },
    )


def _run(messages: list[InboundMessage]) -> list[int]:
    from ventanilla.workers.intake import accept_batch
    from ventanilla.workers.pipeline import advance_batch

    ids = [a.message_id for a in accept_batch(messages, start_now=False)]
    advance_batch(ids)
    return ids


def test_each_social_message_is_listed_once_with_its_author_link_and_case(app):
    from ventanilla.store.mentions import list_mentions

    ids = _run(
        [
            _mention(1, "Denuncio que en la agencia de Soacha cobran por inscribir hojas de vida"),
            _mention(2, "Excelente la feria de empleo de hoy 👏"),
            _mention(3, "Solicito copia de mi certificado de inscripción", public=False),
        ]
    )
    _run([_mention(1, "the same tweet delivered again")])  # stored once, listed once

    with app.db.read() as session:
        feed = list_mentions(session)
    assert sorted(row["message_id"] for row in feed) == sorted(ids)
    by_author = {row["author"]: row for row in feed}
    request = by_author["persona1"]
    assert request["klass"] == "solicitud" and request["radicado"]
    assert request["url"] == "https://x.com/persona1/status/1" and request["public"]
    dm = by_author["persona3"]
    assert (dm["klass"], dm["public"], bool(dm["radicado"])) == ("solicitud", False, True)
    assert [row["author"] for row in feed] == ["persona1", "persona2", "persona3"]  # newest first


def test_a_spike_raises_one_alert_per_period_and_tells_the_team_chat(app):
    from ventanilla.store.schema import Alert, Outbox
    from ventanilla.workers.alerts import check_mention_spike

    now = datetime.now(UTC)
    _run([_mention(n, f"mensaje número {n} sobre la feria") for n in range(1, 4)])

    assert check_mention_spike(now) is True
    assert check_mention_spike(now + timedelta(minutes=1)) is False  # same period: once

    with app.db.read() as session:
        alerts = session.scalar(select(func.count()).select_from(Alert))
        row = session.execute(
            select(Outbox.kind, Outbox.channel, Outbox.recipient, Outbox.body).where(
                Outbox.kind == "alert"
            )
        ).one()
    assert alerts == 1
    assert tuple(row[:3]) == ("alert", "telegram", "-1001")
    assert "3 mensajes" in row.body and "/menciones" in row.body


def test_below_the_threshold_there_is_no_alert(app):
    from ventanilla.workers.alerts import check_mention_spike

    _run([_mention(1, "hola @ServiciodEmpleo")])

    assert check_mention_spike() is False


def test_the_spike_alert_reaches_the_team_chat_through_the_real_bot(app_with, bot_api):
    from sqlalchemy import select

    from ventanilla.store.schema import Outbox
    from ventanilla.workers.alerts import check_mention_spike
    from ventanilla.workers.pipeline import deliver

    app = app_with(
        mentions__spike_threshold="1",
        mentions__alert_telegram_chat="-100777",
        **bot_api.settings(),
    )
    # The team's group, which the bot was added to.
    bot_api.known_chat({"id": -100777, "type": "supergroup", "title": "Comunicaciones"})
    _run([_mention(n, f"@ServiciodEmpleo otra vez sin sistema {n}") for n in (1, 2)])
    assert check_mention_spike() is True
    with app.db.read() as session:
        [outbox_id] = session.scalars(select(Outbox.id).where(Outbox.kind == "alert"))

    deliver(outbox_id, inline=False)  # what the worker's acknowledge actor runs

    [alert] = [sent for sent in bot_api.sent if sent.chat_id == -100777]
    assert alert.text.startswith("Alerta de menciones: 2 mensajes")
    with app.db.read() as session:
        assert session.scalar(select(Outbox.status).where(Outbox.id == outbox_id)) == "sent"
