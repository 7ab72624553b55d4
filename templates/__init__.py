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
from ventanilla.routing.commands import CommandAnswer
from ventanilla.routing.types import TYPE_LABELS
from ventanilla.settings import Settings
from ventanilla.store.outbox import PendingAck
from ventanilla.store.pipeline import CaseFacts, CaseState

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
    another kind about a case; an `.html.j2` beside it (e-mail, Telegram) fills `html`.
    A row with a `body` (a command reply, an alert) is sent as that plain text."""
    case = pending.case
    # Thread under the citizen's own message when we answer on the channel they used.
    in_reply_to = pending.thread_id if pending.message_channel == pending.channel else ""
    if case is None or pending.body:
        return Acknowledgement(
            channel=pending.channel,
            recipient=pending.recipient,
            radicado=case.radicado if case else "",
            text=pending.body,
            in_reply_to=in_reply_to,
            references=tuple(pending.references),
            key=f"outbox-{pending.outbox_id}",
            kind=pending.kind,
        )
    context = case_context(case, settings) | {"name": pending.sender_name}
    name = pending.channel if pending.kind == "ack" else f"{pending.channel}_{pending.kind}"
    text = environment.get_template(f"ack/{name}.txt.j2").render(context)
    html = ""
    if _template_exists(f"ack/{name}.html.j2"):
        html = environment.get_template(f"ack/{name}.html.j2").render(context)
    subject = f"{case.radicado} - Recibimos su solicitud"
    if pending.kind == "duplicate":
        subject = f"{case.radicado} - Su solicitud ya está radicada"
    return Acknowledgement(
        channel=pending.channel,
        recipient=pending.recipient,
        radicado=case.radicado,
        subject=subject,
        text=text,
        html=html,
        in_reply_to=in_reply_to,
        references=tuple(pending.references),
        # One case's acknowledgement is named by its radicado; other kinds may be several
        # per case (each duplicate notice), so their row names them.
        key=f"{case.radicado}-{pending.channel}"
        + ("" if pending.kind == "ack" else f"-{pending.kind}-{pending.outbox_id}"),
        kind=pending.kind,
    )


def render_command_reply(
    answer: CommandAnswer, state: CaseState | None, name: str, settings: Settings
) -> str:
    """The plain text a bot command is answered with (`ack/telegram_command_*.txt.j2`)."""
    radicado = settings.radicado
    example = radicado.format.format(
        year=date.today().year, office=settings.office.filing_office, number=123456,
        kind=radicado.kind_digit,
    )  # fmt: skip
    context: dict[str, Any] = {
        "name": name,
        "entity": settings.entity.name,
        "privacy_url": settings.entity.privacy_policy_url,
        "contact_phone": settings.entity.contact_phone,
        "example_radicado": example,
    }
    if answer.template == "status":
        assert state is not None, "a status answer needs its case"
        context |= case_context(state.case, settings) | {"status": state.status}
    template = environment.get_template(f"ack/telegram_command_{answer.template}.txt.j2")
    return template.render(context).strip()
