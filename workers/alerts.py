"""The mention spike alert: when the feed fills faster than usual, the team is told.

Run by the poller's loop next to the reconciler. The alert is raised once per cooldown
period (its key names the period, so two pollers raise it once), shown as a banner on
`/menciones`, and sent to `mentions.alert_telegram_chat` through the outbox.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ventanilla.app import current_app
from ventanilla.logs import log
from ventanilla.routing.mentions import spike_window_key
from ventanilla.store.alerts import raise_once
from ventanilla.store.mentions import count_since
from ventanilla.store.outbox import Reply, add_replies
from ventanilla.store.schema import utcnow


def mentions_in_window(now: datetime | None = None) -> int:
    app = current_app()
    window = timedelta(minutes=app.settings.mentions.spike_window_minutes)
    with app.db.read() as session:
        return count_since(session, (now or utcnow()) - window)


def spiking(count: int) -> bool:
    return count > current_app().settings.mentions.spike_threshold


def check_mention_spike(now: datetime | None = None) -> bool:
    """Raise the alert if mentions in the window exceed the threshold; True if raised now."""
    from ventanilla.workers.pipeline import acknowledge

    app = current_app()
    settings = app.settings.mentions
    now = now or utcnow()
    count = mentions_in_window(now)
    if not spiking(count):
        return False
    key = spike_window_key(now, timedelta(minutes=settings.alert_cooldown_minutes))
    detail = {"mentions": count, "threshold": settings.spike_threshold}
    text = (
        f"Alerta de menciones: {count} mensajes en redes en los últimos "
        f"{settings.spike_window_minutes} minutos (el umbral es {settings.spike_threshold}). "
        f"Revise el tablero: {app.settings.web.public_url.rstrip('/')}/menciones"
    )
    outbox_ids: list[int] = []
    with app.db.transaction() as session:
        if not raise_once(session, key, "mention_spike", **detail):
            return False
        if settings.alert_telegram_chat:
            reply = Reply("alert", "telegram", settings.alert_telegram_chat, name=key, body=text)
            outbox_ids = add_replies(session, [reply], claimed=False)
    log.warning("mention_spike", mentions=count, threshold=settings.spike_threshold)
    for outbox_id in outbox_ids:
        acknowledge.send(outbox_id)
    return True
