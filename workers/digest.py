"""The daily digest of legal dates: the open cases due in the next business days and the
overdue ones, e-mailed to `staff.digest_to` once a day.

"Once" is the `alerts` row `digest:YYYY-MM-DD`, raised before sending: two pollers (or a
poller and `ventanilla digest send`) cannot both send it. A send that fails withdraws the
row, so the next round tries again. The digest carries radicados, types and dates only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ventanilla.adapters.base import Acknowledgement
from ventanilla.adapters.registry import sender_for
from ventanilla.app import App
from ventanilla.errors import ChannelError
from ventanilla.logs import log
from ventanilla.routing.types import TYPE_LABELS
from ventanilla.store import alerts, review
from ventanilla.store.worklist import open_cases_due_by
from ventanilla.templates import environment, spanish_date


@dataclass(frozen=True)
class Digest:
    day: date
    last_day: date
    overdue: int
    due: int
    review_waiting: int
    subject: str
    text: str
    html: str


def digest_key(day: date) -> str:
    return f"digest:{day.isoformat()}"


def local_today(app: App, now: datetime | None = None) -> date:
    zone = ZoneInfo(app.settings.office.timezone)
    return (now or datetime.now(zone)).astimezone(zone).date()


def build_digest(app: App, day: date | None = None) -> Digest:
    day = day or local_today(app)
    last_day = app.calendar.add_business_days(day, app.settings.staff.digest_days)
    with app.db.read() as session:
        rows = open_cases_due_by(session, last_day)
        # Messages waiting for a person to say whether they are requests: their legal
        # term may be running already.
        waiting = review.waiting_count(session)
    public = app.settings.web.public_url.rstrip("/")
    cases = [
        row
        | {
            "type_label": TYPE_LABELS.get(row["type"], row["type"]),
            "due_label": spanish_date(row["due_date"]),
            "url": f"{public}/casos/{row['radicado']}",
        }
        for row in rows
    ]
    overdue = [c for c in cases if c["due_date"] < day]
    due = [c for c in cases if c["due_date"] >= day]
    context = {
        "entity": app.settings.entity.name,
        "day": spanish_date(day),
        "last_day": spanish_date(last_day),
        "days": app.settings.staff.digest_days,
        "overdue": overdue,
        "due_today": [c for c in due if c["due_date"] == day],
        "due_soon": [c for c in due if c["due_date"] > day],
        "list_url": f"{public}/casos",
        "review_waiting": waiting,
        "review_url": f"{public}/revision",
    }
    return Digest(
        day=day,
        last_day=last_day,
        overdue=len(overdue),
        due=len(due),
        review_waiting=waiting,
        subject=(
            f"Casos por vencer, {spanish_date(day)}: vencidos {len(overdue)}, "
            f"vencen pronto {len(due)}" + (f", por revisar {waiting}" if waiting else "")
        ),
        text=environment.get_template("staff/digest.txt.j2").render(context),
        html=environment.get_template("staff/digest.html.j2").render(context),
    )


def send_digest(app: App, day: date | None = None) -> str:
    """Send the day's digest unless it went already; returns what happened, for operators."""
    built = build_digest(app, day)
    key = digest_key(built.day)
    with app.db.transaction() as session:
        if not alerts.raise_once(session, key, "digest", overdue=built.overdue, due=built.due):
            return f"the digest of {built.day} was already sent"
    ack = Acknowledgement(
        channel="email",
        recipient=", ".join(app.settings.staff.digest_recipients),
        radicado="",
        subject=built.subject,
        text=built.text,
        html=built.html,
        key=f"digest-{built.day.isoformat()}",
        kind="digest",
    )
    try:
        sender_for("email", app).send(ack)
    except ChannelError:
        with app.db.transaction() as session:
            alerts.withdraw(session, key)
        raise
    log.info("digest_sent", day=built.day.isoformat(), overdue=built.overdue, due=built.due)
    return (
        f"digest of {built.day} sent: {built.overdue} overdue, {built.due} due by {built.last_day}"
    )


def digest_due(app: App, now: datetime | None = None) -> date | None:
    """The day whose digest the poller should send now, or None (disabled, too early, a
    day off, or sent already)."""
    settings = app.settings.staff
    if not settings.digest_recipients:
        return None
    zone = ZoneInfo(app.settings.office.timezone)
    local = (now or datetime.now(zone)).astimezone(zone)
    if local.hour < settings.digest_hour or not app.calendar.is_business_day(local.date()):
        return None
    with app.db.read() as session:
        if alerts.raised(session, digest_key(local.date())):
            return None
    return local.date()


def send_digest_when_due(app: App, now: datetime | None = None) -> bool:
    """The poller's daily job: send the digest if it is due; True if it was sent."""
    day = digest_due(app, now)
    if day is None:
        return False
    return send_digest(app, day).startswith("digest of")
