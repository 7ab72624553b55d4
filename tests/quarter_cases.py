"""A seeded quarter of cases for the report tests, filed through the store's own functions.

`plan_cases` draws what should happen to each case (received when, type, channel, office,
answered after how many business days, forwarded, denied, grouped, prioritised, annulled);
`load` files it as the pipeline would (`persist_many`, `BuiltinRegistry.radicate_many`) and
records the rest with the store's writes. The tests compute what the report must say from
the plan itself, never from the report code.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from ventanilla.docsys.builtin import BuiltinRegistry
from ventanilla.docsys.registry import Filing
from ventanilla.message import InboundMessage
from ventanilla.routing.terms import BusinessCalendar, OfficeHours
from ventanilla.store.engine import Database
from ventanilla.store.intake import persist_many
from ventanilla.store.report import (
    group_analogous,
    record_answer,
    record_forwarding,
    record_priority,
)

BOGOTA = ZoneInfo("America/Bogota")
CALENDAR = BusinessCalendar(OfficeHours.parse("mon-fri 08:00-16:00"), "America/Bogota")
REGISTRY = BuiltinRegistry(
    number_format="{year}{office}{number:06d}{kind}",
    office_code="100",
    kind_digit="2",
    timezone="America/Bogota",
)
TYPES = {
    "peticion": 40,
    "informacion": 20,
    "consulta": 8,
    "queja": 10,
    "reclamo": 12,
    "sugerencia": 4,
    "denuncia": 4,
    "felicitacion": 2,
}
CHANNELS = {"email": 35, "web": 30, "whatsapp": 12, "sms": 6, "telegram": 6, "x": 6, "voice": 5}
OFFICES = {
    "Grupo de Relacionamiento con el Ciudadano": 40,
    "Subdirección de Prestadores": 20,
    "Oficina Asesora Jurídica": 15,
    "Subdirección de Gestión y Promoción": 15,
    "Oficina de Tecnologías de la Información": 8,
    "": 2,
}
ENTITIES = ["Ministerio del Trabajo", "SENA", "Colpensiones", "Unidad de Pensiones y Parafiscales"]
FLAGS = ["nna", "periodista", "derechos_fundamentales"]
THE_QUARTER = (datetime(2026, 1, 1, tzinfo=BOGOTA), datetime(2026, 4, 1, tzinfo=BOGOTA))


def term_of(kind: str) -> int:
    """Ley 1755 de 2015 art. 14, written out again here rather than read from routing."""
    return {"informacion": 10, "consulta": 30}.get(kind, 15)


@dataclass
class Planned:
    provider_id: str
    received_at: datetime
    channel: str
    type: str
    office: str
    due_date: date
    answered_at: datetime | None = None
    answer_days: int | None = None  # business days after the effective receipt day
    forwarded_to: str = ""
    forwarded_at: datetime | None = None
    forward_days: int | None = None
    access_denied: bool = False
    flags: list[str] = field(default_factory=list)
    group: int | None = None
    annul_reason: str = ""
    radicado: str = ""

    @property
    def in_quarter(self) -> bool:
        return THE_QUARTER[0] <= self.received_at < THE_QUARTER[1]

    @property
    def counted(self) -> bool:
        return self.in_quarter and not self.annul_reason


@dataclass(frozen=True)
class Filed:
    id: int
    channel: str
    received_at: datetime


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(7, 18), rng.randint(0, 59)), BOGOTA)


def plan_cases(
    count: int, *, seed: int = 1712, as_of: datetime, outside: int = 40, groups: int = 3
) -> list[Planned]:
    """`count` cases received in 2026-Q1 (Bogotá), `outside` before and after it, four on
    the boundaries, some annulled; outcomes drawn up to `as_of` (later ones stay open)."""
    rng = random.Random(seed)
    moments = [
        datetime(2026, 1, 1, tzinfo=BOGOTA) + timedelta(seconds=rng.randrange(90 * 86400))
        for _ in range(count)
    ]
    moments += [
        datetime(2025, 12, 1, tzinfo=BOGOTA) + timedelta(seconds=rng.randrange(31 * 86400))
        for _ in range(outside // 2)
    ]
    moments += [
        datetime(2026, 4, 1, tzinfo=BOGOTA) + timedelta(seconds=rng.randrange(15 * 86400))
        for _ in range(outside - outside // 2)
    ]
    moments += [
        datetime(2026, 3, 31, 23, 30, tzinfo=BOGOTA),  # Q1
        datetime(2026, 4, 1, 0, 10, tzinfo=BOGOTA),  # Q2
        datetime(2026, 1, 1, 0, 0, tzinfo=BOGOTA),  # Q1: the first instant
        datetime(2025, 12, 31, 23, 59, 59, tzinfo=BOGOTA),  # Q4 of 2025 (04:59 UTC in Q1)
    ]
    cutoff = as_of.astimezone(BOGOTA).date()
    plans = []
    for n, received in enumerate(moments):
        kind = _pick(rng, TYPES)
        plan = Planned(
            provider_id=f"report-{seed}-{n}",
            received_at=received,
            channel=_pick(rng, CHANNELS),
            type=kind,
            office=_pick(rng, OFFICES),
            due_date=CALENDAR.due_date(received, kind),
        )
        receipt_day = CALENDAR.effective_receipt_day(received)
        draw = rng.random()
        if draw < 0.015:
            plan.annul_reason = "Radicado por error: mensaje de prueba"
        elif draw < 0.64:
            days = rng.randint(0, term_of(kind) + 12)
            answered_on = CALENDAR.add_business_days(receipt_day, days)
            if answered_on <= cutoff:
                plan.answered_at, plan.answer_days = _at(answered_on, rng), days
                denial_rate = 0.2 if kind == "informacion" else 0.02
                plan.access_denied = rng.random() < denial_rate
        elif draw < 0.72:
            days = rng.randint(0, 8)
            forwarded_on = CALENDAR.add_business_days(receipt_day, days)
            if forwarded_on <= cutoff:
                plan.forwarded_at, plan.forward_days = _at(forwarded_on, rng), days
                plan.forwarded_to = rng.choice(ENTITIES)
        if rng.random() < 0.05:
            plan.flags = sorted(rng.sample(FLAGS, rng.randint(1, 2)))
        plans.append(plan)
    petitions = [p for p in plans if p.type == "peticion" and not p.annul_reason]
    rng.shuffle(petitions)
    start = 0
    for group in range(groups):
        size = rng.randint(11, 25)
        for plan in petitions[start : start + size]:
            plan.group = group
        start += size
    # One group also holds petitions received outside the quarter: only its members in
    # the quarter are counted, and the group once.
    for plan in [p for p in petitions[start:] if not p.in_quarter][:2]:
        plan.group = 0
    return plans


def load(db: Database, plans: list[Planned], attachments: Path) -> None:
    """File every planned case through the store, then record what happened to it."""
    for start in range(0, len(plans), 500):
        chunk = plans[start : start + 500]
        messages = [
            InboundMessage(
                channel=p.channel,
                provider_id=p.provider_id,
                received_at=p.received_at,
                text=f"Solicitud de prueba {p.provider_id}",
                sender=f"ciudadano{n}@example.com",
            )
            for n, p in enumerate(chunk, start=start)
        ]
        with db.transaction() as session:
            accepted = persist_many(session, messages, attachments)
            items = [
                (
                    Filed(a.message_id, p.channel, p.received_at),
                    Filing(
                        type=p.type,
                        office=p.office,
                        filed_at=p.received_at + timedelta(minutes=1),
                        due_date=p.due_date,
                    ),
                )
                for a, p in zip(accepted, chunk, strict=True)
            ]
            filed = REGISTRY.radicate_many(session, items)
        for plan, case in zip(chunk, filed, strict=True):
            plan.radicado = case.radicado
    with db.transaction() as session:
        for plan in plans:
            if plan.answered_at:
                record_answer(
                    session, plan.radicado, plan.answered_at, access_denied=plan.access_denied
                )
            if plan.forwarded_at:
                record_forwarding(session, plan.radicado, plan.forwarded_to, plan.forwarded_at)
            if plan.flags:
                record_priority(session, plan.radicado, plan.flags)
            if plan.annul_reason:
                REGISTRY.annul(session, plan.radicado, plan.annul_reason, "tests")
        for group in sorted({p.group for p in plans if p.group is not None}):
            members = [p.radicado for p in plans if p.group == group]
            group_analogous(session, members, f"Grupo de prueba {group}")


def as_of_moment() -> datetime:
    """The report date the tests use: 20 April 2026, 10:00 in Bogotá."""
    return datetime(2026, 4, 20, 10, 0, tzinfo=BOGOTA).astimezone(UTC)
