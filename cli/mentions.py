"""`ventanilla mentions list`: the communications feed in the terminal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click

from ventanilla.routing.mentions import MENTION_CLASSES, SOCIAL_CHANNELS


@click.group(help="The communications feed: social messages and their class.")
def mentions() -> None:
    pass


@mentions.command("list", help="Mentions newest first, with class, author, link and case.")
@click.option("--class", "klass", type=click.Choice(MENTION_CLASSES), help="Only this class.")
@click.option("--channel", type=click.Choice(SOCIAL_CHANNELS), help="Only this channel.")
@click.option("--hours", type=float, help="Only the last N hours.")
@click.option("--limit", type=int, default=200, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def list_(
    klass: str | None, channel: str | None, hours: float | None, limit: int, as_json: bool
) -> None:
    from ventanilla.cli.main import _app, _emit
    from ventanilla.store.cases import local_iso
    from ventanilla.store.mentions import list_mentions

    since = datetime.now(UTC) - timedelta(hours=hours) if hours else None
    with _app().db.read() as session:
        rows = list_mentions(session, klass=klass, channel=channel, since=since, limit=limit)
    shown = [
        {
            "id": row["id"],
            "posted_at": local_iso(row["posted_at"]),
            "channel": row["channel"],
            "class": row["klass"],
            "confidence": round(row["confidence"], 3),
            "author": row["author"],
            "author_name": row["author_name"],
            "public": row["public"],
            "url": row["url"] or None,
            "text": row["text"],
            "message_id": row["message_id"],
            "status": row["status"],
            "radicado": row["radicado"],
        }
        for row in rows
    ]
    _emit(shown, as_json, ("posted_at", "channel", "class", "author", "radicado", "url"))
