"""What the citizen reads: Jinja2 templates for acknowledgements and web pages.

`render_acknowledgement` builds one channel's acknowledgement; every one states the
radicado, the date and time of radication, the type, the legal response date, how to
check the status and where the data-protection policy is (DESIGN); when the case has them,
priority attention with its legal basis, a term the entity shortened, and the answer to a
frequent question. `load_faqs` reads the frequent questions (`faq/*.md`): the one place
that opens those files, so `routing.faq` stays pure.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ventanilla.adapters.base import Acknowledgement
from ventanilla.errors import ConfigurationError
from ventanilla.routing.commands import CommandAnswer
from ventanilla.routing.faq import Faq, answer_blocks, duplicate_ids, fill, parse_faq
from ventanilla.routing.names import plausible_name
from ventanilla.routing.priority import applicable_term, priority_basis
from ventanilla.routing.terms import term_days
from ventanilla.routing.types import TYPE_LABELS, is_request
from ventanilla.settings import Settings
from ventanilla.store.outbox import PendingAck
from ventanilla.store.pipeline import CaseFacts, CaseState

TEMPLATES_DIR = Path(__file__).parent
FAQ_DIR = TEMPLATES_DIR / "faq"
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


@functools.cache
def load_faqs(directory: str = "") -> tuple[Faq, ...]:
    """The frequent questions of `directory` (the built-in `faq/` when empty), read once
    per process; ConfigurationError names every file that is wrong."""
    folder = Path(directory) if directory else FAQ_DIR
    faqs: list[Faq] = []
    problems: list[str] = []
    for path in sorted(folder.glob("*.md")):
        try:
            faqs.append(parse_faq(path.read_text(encoding="utf-8")))
        except (ValueError, UnicodeDecodeError) as error:
            problems.append(f"faq.directory: {path}: {error}")
    problems += [
        f"faq.directory: id {faq_id!r} is in more than one file" for faq_id in duplicate_ids(faqs)
    ]
    if problems:
        raise ConfigurationError(problems)
    return tuple(faqs)


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


def status_url(public: str, case: CaseFacts) -> str:
    """The case's status page. Its token lets the holder of the acknowledgement open it
    without typing the e-mail or phone; a case filed before tokens existed has none."""
    link = f"{public}/estado/{case.radicado}"
    return f"{link}?c={case.status_token}" if case.status_token else link


def case_context(
    case: CaseFacts,
    settings: Settings,
    *,
    flags: Sequence[str] = (),
    faq_id: str = "",
    language: str = "",
) -> dict[str, Any]:
    """What every citizen-facing text says about a case (no personal data).

    `flags` (the case's priority flags) and `faq_id` (the frequent question it matched) add
    what the acknowledgement must say about them; the questions are read only for a case
    that has one.
    """
    public = settings.web.public_url.rstrip("/")
    # A case whose type staff later changed to a non-request has no term to shorten.
    term = (
        applicable_term(case.type, flags, settings.priority.term_days)
        if is_request(case.type)
        else None
    )
    return {
        "radicado": case.radicado,
        "filed_at": spanish_datetime(case.filed_at, settings.office.timezone),
        "type_label": TYPE_LABELS.get(case.type, case.type),
        "due_date": spanish_date(case.due_date),
        "status_url": status_url(public, case),
        # Without the token: where two SMS segments leave no room for it (the page asks
        # for the phone number, which the SMS reader holds).
        "status_page_url": f"{public}/estado/{case.radicado}",
        "privacy_url": settings.entity.privacy_policy_url,
        "entity": settings.entity.name,
        "contact_phone": settings.entity.contact_phone,
        # Ley 1755 art. 20 and the others in routing/priority.py; "" when not a priority.
        "priority_basis": priority_basis(flags),
        # The entity's regulation shortened the term: the date above is earlier than the law's.
        "term_shortened": bool(term and term.shortened_by),
        "legal_days": term_days(case.type) if term else 0,
        "faq": _faq_context(faq_id, settings),
        "foreign_language": language if language in FOREIGN_LINES else "",
        "foreign_line": foreign_line(language, case),
    }


# One line in the citizen's own language when they wrote in English, Portuguese or French:
# the acknowledgement itself stays in Spanish, the official language (Constitución art. 10).
FOREIGN_LINES: dict[str, str] = {
    "en": (
        "We received your request and filed it under number {radicado}. We will answer "
        "in Spanish by {due} (year-month-day)."
    ),
    "pt": (
        "Recebemos a sua solicitação e a registramos com o número {radicado}. Vamos "
        "responder em espanhol até {due} (ano-mês-dia)."
    ),
    "fr": (
        "Nous avons bien reçu votre demande, enregistrée sous le numéro {radicado}. Nous "
        "vous répondrons en espagnol au plus tard le {due} (année-mois-jour)."
    ),
}


def foreign_line(language: str, case: CaseFacts) -> str:
    """The line in the citizen's language, "" for Spanish or a language we have none for."""
    line = FOREIGN_LINES.get(language, "")
    return line.format(radicado=case.radicado, due=case.due_date.isoformat()) if line else ""


def _faq_context(faq_id: str, settings: Settings) -> dict[str, Any] | None:
    if not faq_id:
        return None
    faq = next((f for f in load_faqs(settings.faq.directory) if f.id == faq_id), None)
    if faq is None:
        return None  # the file was removed since the case was filed: say nothing
    entity = settings.entity
    answer = fill(faq.answer, contact_phone=entity.contact_phone, entity=entity.name)
    return {"title": faq.title, "blocks": answer_blocks(answer), "source_url": faq.source_url}


# Providers' longest body (Twilio's WhatsApp: 1,600 characters). Past it, a frequent
# question's answer gives way to its title and link, then goes altogether: the facts the
# law asks for always stay.
# What each channel accepts in one message (Twilio WhatsApp, Telegram, an X DM).
BODY_LIMITS: dict[str, int] = {"whatsapp": 1600, "telegram": 4096, "x": 10_000}


def _within_limit(template: str, context: dict[str, Any], limit: int | None) -> str:
    text = environment.get_template(template).render(context)
    faq = context["faq"]
    if limit is None or len(text) <= limit or faq is None:
        return text
    text = environment.get_template(template).render(context | {"faq": faq | {"blocks": ()}})
    if len(text) <= limit:
        return text
    return environment.get_template(template).render(context | {"faq": None})


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
    context = case_context(
        case, settings, flags=pending.flags, faq_id=pending.faq_id, language=pending.language
    ) | {"name": plausible_name(pending.sender_name)}  # unverified: only if it is a name
    name = pending.channel if pending.kind == "ack" else f"{pending.channel}_{pending.kind}"
    text = _within_limit(f"ack/{name}.txt.j2", context, BODY_LIMITS.get(pending.channel))
    html = ""
    if _template_exists(f"ack/{name}.html.j2"):
        html = _within_limit(f"ack/{name}.html.j2", context, BODY_LIMITS.get(pending.channel))
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
        # Named by the radicado, once per case and kind; a duplicate notice may be sent
        # several times for one case (each repeat), so its row names it.
        key=f"{case.radicado}-{pending.channel}"
        + ("" if pending.kind == "ack" else f"-{pending.kind}")
        + (f"-{pending.outbox_id}" if pending.kind == "duplicate" else ""),
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
        "name": plausible_name(name),
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
