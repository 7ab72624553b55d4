"""The Spanish words the published report uses for slugs, outcomes and headings.

Pure data and formatting of values; every renderer (CSV, spreadsheet, page) reads the same
words from here, so the three say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from ventanilla.reports.figures import QuarterReport, RequestRow
from ventanilla.routing.types import TYPE_LABELS
from ventanilla.templates import MONTHS

CHANNEL_LABELS: Final[dict[str, str]] = {
    "email": "Correo electrónico",
    "web": "Formulario web",
    "telegram": "Telegram",
    "x": "X (Twitter)",
    "sms": "SMS",
    "whatsapp": "WhatsApp",
    "voice": "Buzón de voz",
}

OUTCOME_LABELS: Final[dict[str, str]] = {
    "answered": "Respondida",
    "forwarded": "Trasladada",
    "open": "En trámite",
}

BUCKET_LABELS: Final[dict[str, str]] = {
    "0-5": "0 a 5 días",
    "6-10": "6 a 10 días",
    "11-15": "11 a 15 días",
    "16-30": "16 a 30 días",
    ">30": "Más de 30 días",
}

FLAG_LABELS: Final[dict[str, str]] = {
    "nna": "Niños, niñas y adolescentes (Ley 1098 de 2006)",
    "periodista": "Periodista (Ley 1755 de 2015, art. 20)",
    "derechos_fundamentales": "Riesgo para derechos fundamentales (art. 20)",
}

# The detail table's columns, in order: (heading, what a cell holds).
DETAIL_HEADINGS: Final[tuple[str, ...]] = (
    "Radicado",
    "Tipo",
    "Canal",
    "Dependencia",
    "Fecha de recibo",
    "Fecha de vencimiento",
    "Estado",
    "Fecha de respuesta",
    "Días hábiles",
    "Dentro del término",
    "Trasladada a",
    "Fecha de traslado",
    "Acceso negado",
    "Prioritaria",
)


def type_label(slug: str) -> str:
    return TYPE_LABELS.get(slug, slug)


def channel_label(slug: str) -> str:
    return CHANNEL_LABELS.get(slug, slug)


def month_label(key: str) -> str:
    """'2026-03' -> 'Marzo de 2026'."""
    year, month = key.split("-")
    return f"{MONTHS[int(month) - 1].capitalize()} de {year}"


def yes_no(value: bool) -> str:
    return "Sí" if value else "No"


def quarter_label(report: QuarterReport) -> str:
    """'Primer trimestre de 2026 (1 de enero a 31 de marzo)'."""
    quarter = report.quarter
    ordinal = ("Primer", "Segundo", "Tercer", "Cuarto")[quarter.number - 1]
    first, last = quarter.first_day, quarter.last_day
    return (
        f"{ordinal} trimestre de {quarter.year} ({first.day} de {MONTHS[first.month - 1]} "
        f"a {last.day} de {MONTHS[last.month - 1]})"
    )


def local_time(report: QuarterReport, moment: datetime) -> datetime:
    """A naive local time (spreadsheets keep no time zone; the report states which)."""
    return moment.astimezone(report.zone).replace(tzinfo=None, microsecond=0)


def detail_values(report: QuarterReport, row: RequestRow) -> list[object]:
    """One detail line as typed values (dates as dates), in `DETAIL_HEADINGS` order."""
    return [
        row.radicado,
        type_label(row.type),
        channel_label(row.channel),
        row.office,
        local_time(report, row.received_at),
        row.due_date,
        OUTCOME_LABELS[row.outcome],
        row.answered_on,
        row.business_days,
        yes_no(row.within_term),
        row.forwarded_to,
        row.forwarded_on,
        yes_no(row.access_denied),
        yes_no(row.priority),
    ]


def as_text(value: object) -> str:
    """A cell as the CSV and the page print it: ISO dates, local times to the minute."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def flag_label(slug: str) -> str:
    return FLAG_LABELS.get(slug, slug)


Value = int | float | None


@dataclass(frozen=True)
class Table:
    """A two-column summary table: what is counted, and how many."""

    key: str  # stable id: the chart that draws it, the HTML anchor
    title: str
    heading: str  # the first column's heading; the second is `unit`
    rows: list[tuple[str, Value]]
    unit: str = "Solicitudes"


def summary_tables(report: QuarterReport) -> list[Table]:
    """Every summary figure, grouped as the published report shows them."""
    r = report
    days = r.response_days_distribution
    return [
        Table(
            "resumen",
            "Resumen del trimestre",
            "Concepto",
            [
                ("Solicitudes recibidas", r.received),
                ("Trasladadas a otra entidad por no ser competente", r.forwarded),
                ("Respondidas dentro del término", r.answered_within_term),
                ("Respondidas fuera del término", r.answered_late),
                ("En trámite dentro del término", r.open_within_term),
                ("En trámite con el término vencido", r.open_overdue),
                ("Con acceso a la información negado", r.access_denied),
                ("Prioritarias", r.priority),
                ("Anuladas (no se cuentan como recibidas)", len(r.annulled)),
            ],
            unit="Cantidad",
        ),
        Table(
            "por_tipo",
            "Solicitudes recibidas por tipo",
            "Tipo",
            [(type_label(k), v) for k, v in r.by_type.items()],
        ),
        Table(
            "por_canal",
            "Solicitudes recibidas por canal",
            "Canal",
            [(channel_label(k), v) for k, v in r.by_channel.items()],
        ),
        Table(
            "por_dependencia",
            "Solicitudes recibidas por dependencia",
            "Dependencia",
            list(r.by_office.items()),
        ),
        Table(
            "por_mes",
            "Solicitudes recibidas por mes",
            "Mes",
            [(month_label(k), v) for k, v in r.by_month.items()],
        ),
        Table(
            "oportunidad",
            "Oportunidad de la respuesta",
            "Estado",
            [
                ("Respondidas dentro del término", r.answered_within_term),
                ("Respondidas fuera del término", r.answered_late),
                ("Trasladadas dentro de 5 días hábiles", r.forwarded_within_term),
                ("Trasladadas después de 5 días hábiles", r.forwarded - r.forwarded_within_term),
                ("En trámite dentro del término", r.open_within_term),
                ("En trámite con el término vencido", r.open_overdue),
            ],
        ),
        Table(
            "traslados",
            "Solicitudes trasladadas por entidad que las recibió",
            "Entidad",
            list(r.forwarded_by_entity.items()),
        ),
        Table(
            "tiempo_respuesta",
            "Tiempo de respuesta de las solicitudes respondidas (días hábiles)",
            "Medida",
            [
                ("Solicitudes respondidas", r.answered),
                ("Promedio de días hábiles", r.response_days_average),
                ("Mediana de días hábiles", r.response_days_median),
            ],
            unit="Valor",
        ),
        Table(
            "distribucion",
            "Solicitudes respondidas según días hábiles que tomó la respuesta",
            "Días hábiles",
            [(BUCKET_LABELS[k], v) for k, v in days.items()],
        ),
        Table(
            "acceso_negado",
            "Solicitudes en las que se negó el acceso a la información",
            "Concepto",
            [
                ("Total con acceso negado", r.access_denied),
                ("Peticiones de documentos o información recibidas", r.informacion_requests),
                (
                    "Peticiones de documentos o información con acceso negado",
                    r.access_denied_informacion,
                ),
            ],
        ),
        Table(
            "analogas",
            "Peticiones análogas agrupadas (Ley 1755 de 2015, art. 22)",
            "Concepto",
            [
                ("Grupos de peticiones análogas", r.analogous_groups),
                ("Solicitudes en esos grupos", r.analogous_cases),
            ],
            unit="Cantidad",
        ),
        Table(
            "prioritarias",
            "Solicitudes prioritarias por motivo",
            "Motivo",
            [("Total prioritarias", r.priority)]
            + [(flag_label(k), v) for k, v in r.priority_by_flag.items()],
        ),
    ]
