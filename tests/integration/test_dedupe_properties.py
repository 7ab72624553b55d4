"""Properties of dedupe through the real pipeline and store (hypothesis): it never merges
two different citizens, nor one citizen's materially different requests, and it always
recognises one citizen's identical request across channels linked by an identity."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ventanilla.message import InboundMessage
from ventanilla.routing.dedupe import comparable_text
from ventanilla.routing.identity import speaks_for_another
from ventanilla.routing.similarity import jaccard, shingles

pytestmark = pytest.mark.integration

# Words of requests; no figures, no words that speak for someone else.
_WORDS = """
certificado inscripción vacante empleo oficina cita orientación hoja vida empresa
convocatoria subsidio curso formación Bogotá Cali Medellín Pasto semana mes trámite
estado respuesta documento copia información ruta empleabilidad prestador bolsa
entrevista salario contrato horario taller virtual presencial registro actualizar
datos correo teléfono dirección mañana tarde lunes viernes urgente pronto favor
"""
VOCABULARY = tuple(_WORDS.split())
# The channels this branch acknowledges (Telegram and X identities: tests/unit/test_identity.py).
CHANNELS = ("email", "web", "sms", "whatsapp")
PROPERTY = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_serial = count(1)

requests = st.lists(st.sampled_from(VOCABULARY), min_size=2, max_size=40).map(
    lambda words: "Solicito " + " ".join(words)
)


class NullSender:
    def send(self, ack: Any) -> str:
        return "ref"


@pytest.fixture
def app(app_with) -> Any:
    app = app_with()
    for channel in CHANNELS:
        app.senders[channel] = NullSender()
    return app


def citizen(channel: str) -> dict[str, str]:
    """The sender fields of a citizen nobody else in the store is."""
    n = next(_serial)
    if channel == "email":
        return {"sender": f"persona{n}@example.com"}
    if channel == "web":
        return {"sender": f"persona{n}@example.com", "reply_email": f"persona{n}@example.com"}
    if channel in ("sms", "whatsapp"):
        phone = f"+57300{n:07d}"
        return {"sender": phone, "reply_phone": phone}
    return {"sender": f"{'tg' if channel == 'telegram' else 'x'}:{n}"}


def send(channel: str, text: str, who: dict[str, str]) -> int:
    from ventanilla.workers.intake import accept_batch

    n = next(_serial)
    flags = {"chat_id": who["sender"][3:]} if channel == "telegram" else {}
    if channel == "x":
        flags = {"author_id": who["sender"][2:]}
    message = InboundMessage(
        channel=channel,
        provider_id=f"prop-{n}",
        received_at=datetime.now(UTC),
        text=text,
        flags=flags,
        **who,
    )
    [accepted] = accept_batch([message], start_now=False)
    return accepted.message_id


def outcomes(app: Any, ids: list[int], together: bool) -> list[tuple[str, str | None]]:
    from ventanilla.store.cases import request_state
    from ventanilla.workers.pipeline import advance_batch

    if together:
        advance_batch(ids)
    else:
        for message_id in ids:
            advance_batch([message_id])
    with app.db.read() as session:
        states = [request_state(session, message_id) for message_id in ids]
    return [(s["status"], s["case"]["radicado"] if s["case"] else None) for s in states]


@PROPERTY
@given(
    channels=st.tuples(st.sampled_from(CHANNELS), st.sampled_from(CHANNELS)),
    texts=st.one_of(requests.map(lambda t: (t, t)), st.tuples(requests, requests)),
    together=st.booleans(),
)
def test_two_different_citizens_are_never_merged(app, channels, texts, together):
    ids = [
        send(channel, text, citizen(channel)) for channel, text in zip(channels, texts, strict=True)
    ]

    results = outcomes(app, ids, together)

    assert [status for status, _ in results] == ["case", "case"]
    assert results[0][1] != results[1][1]


@PROPERTY
@given(
    channel=st.sampled_from(CHANNELS), texts=st.tuples(requests, requests), together=st.booleans()
)
def test_one_citizens_materially_different_requests_are_two_cases(app, channel, texts, together):
    first, second = (shingles(comparable_text(text)) for text in texts)
    assume(jaccard(first, second) <= 0.5)  # materially different
    who = citizen(channel)
    ids = [send(channel, text, who) for text in texts]

    results = outcomes(app, ids, together)

    assert [status for status, _ in results] == ["case", "case"]


def _linked(link: str, first: str, second: str) -> tuple[dict[str, str], dict[str, str], str]:
    """Two senders on two channels that one identity makes one citizen, and a sentence the
    texts carry for it (a cédula)."""
    n = next(_serial)
    if link == "cedula":
        return citizen(first), citizen(second), f"Mi cédula es {10_000_000 + n}."
    if link == "email":
        address = f"enlazada{n}@example.com"
        form = {"sender": address, "reply_email": address}
        return form, {"sender": address}, ""
    phone = f"+57310{n:07d}"
    form = {"sender": phone, "reply_phone": phone}
    return form, {"sender": phone, "reply_phone": phone}, ""


@PROPERTY
@given(
    link=st.sampled_from(["cedula", "email", "phone"]),
    channels=st.tuples(st.sampled_from(CHANNELS), st.sampled_from(CHANNELS)),
    text=requests,
    together=st.booleans(),
)
def test_one_citizens_identical_request_across_linked_channels_is_a_duplicate(
    app, link, channels, text, together
):
    first_channel, second_channel = channels
    if link == "email":
        first_channel, second_channel = "web", "email"
    elif link == "phone":
        phone_channel = second_channel if second_channel in ("sms", "whatsapp") else "whatsapp"
        first_channel, second_channel = "web", phone_channel
    one, other, sentence = _linked(link, first_channel, second_channel)
    assert not speaks_for_another(text)
    ids = [
        send(first_channel, f"{sentence} {text}".strip(), one),
        send(second_channel, f"{sentence} {text}".strip(), other),
    ]

    results = outcomes(app, ids, together)

    assert [status for status, _ in results] == ["case", "duplicate"]
    assert results[0][1] == results[1][1]
