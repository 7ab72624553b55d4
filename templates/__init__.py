"""What the citizen reads: Jinja2 templates for acknowledgements and web pages.

`render_acknowledgement` builds one channel's acknowledgement; every one states the
radicado, the date and time of radication, the type, the legal response date, how to
check the status and where the data-protection policy is (DESIGN).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ventanilla.adapters.base import Acknowledgement
from ventanilla.routing.types import TYPE_LABELS
from ventanilla.settings import Settings
from ventanilla.store.outbox import PendingAck
from ventanilla.store.pipeline import CaseFacts

TEMPLATES_DIR = Path(__file__).parent
MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)

environment = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(["html", "html.j2"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def spanish_date(day: date) -> str:
    """23 de noviembre de 2026: the way a citizen reads a date, with no ambiguity."""
    return f"{day.day} de {MONTHS[day.month - 1]} de {day.year}"


def spanish_datetime(moment: datetime, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    # Colombia has one time zone; an entity configured elsewhere gets the zone's name.
    where = "hora de Colombia" if zone == "America/Bogota" else f"hora de {zone}"
    return f"{spanish_date(local.date())}, {local:%H:%M} ({where})"


def _as_moment(value: date | datetime | str) -> date | datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def date_filter(value: date | datetime | str | None) -> str:
    """`fecha` in templates: a date (or the local date of an ISO date-time) in words."""
    if value is None or value == "":
        return ""
    moment = _as_moment(value)
    return spanish_date(moment.date() if isinstance(moment, datetime) else moment)


def datetime_filter(value: datetime | str | None, zone: str) -> str:
    """`fecha_hora(zone)` in templates: day in words and the local time."""
    if value is None or value == "":
        return ""
    moment = _as_moment(value)
    assert isinstance(moment, datetime)
    local = moment.astimezone(ZoneInfo(zone))
    return f"{spanish_date(local.date())}, {local:%H:%M}"


environment.filters["fecha"] = date_filter
environment.filters["fecha_hora"] = datetime_filter


def case_context(case: CaseFacts, settings: Settings) -> dict[str, Any]:
    """What every citizen-facing text says about a case (no personal data)."""
    public = settings.web.public_url.rstrip("/")
    return {
        "radicado": case.radicado,
        "filed_at": spanish_datetime(case.filed_at, settings.office.timezone),
        "type_label": TYPE_LABELS.get(case.type, case.type),
        "due_date": spanish_date(case.due_date),
        "status_url": f"{public}/estado/{case.radicado}",
        "privacy_url": settings.entity.privacy_policy_url,
        "entity": settings.entity.name,
        "contact_phone": settings.entity.contact_phone,
    }


def _template_exists(name: str) -> bool:
    return (TEMPLATES_DIR / name).is_file()


def render_acknowledgement(pending: PendingAck, settings: Settings) -> Acknowledgement:
    """`ack/{channel}.txt.j2` for an acknowledgement, `ack/{channel}_{kind}.txt.j2` for
    another kind; an `.html.j2` beside it (e-mail, Telegram) fills `html`."""
    case = pending.case
    context = case_context(case, settings) | {"name": pending.sender_name}
    name = pending.channel if pending.kind == "ack" else f"{pending.channel}_{pending.kind}"
    text = environment.get_template(f"ack/{name}.txt.j2").render(context)
    html = ""
    if _template_exists(f"ack/{name}.html.j2"):
        html = environment.get_template(f"ack/{name}.html.j2").render(context)
    # Thread under the citizen's own message when we answer on the channel they used.
    in_reply_to = pending.thread_id if pending.message_channel == pending.channel else ""
    return Acknowledgement(
        channel=pending.channel,
        recipient=pending.recipient,
        radicado=case.radicado,
        subject=f"{case.radicado} - Recibimos su solicitud",
        text=text,
        html=html,
        in_reply_to=in_reply_to,
        references=tuple(pending.references),
        key=f"{case.radicado}-{pending.channel}"
        + ("" if pending.kind == "ack" else f"-{pending.kind}"),
        kind=pending.kind,
    )
