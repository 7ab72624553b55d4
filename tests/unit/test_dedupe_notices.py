"""The duplicate notice on every channel: the existing radicado first, no new number, and
the SMS within two GSM-7 segments with the longest values."""

from __future__ import annotations

import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from ventanilla.routing.acknowledgements import AckPlan
from ventanilla.routing.sms import fit_sms, segments, to_gsm7
from ventanilla.routing.types import REQUEST_TYPES, TYPE_LABELS
from ventanilla.settings import Settings, WebSettings
from ventanilla.store.outbox import PendingAck
from ventanilla.store.pipeline import CaseFacts
from ventanilla.templates import case_context, render_acknowledgement
from ventanilla.workers.dedupe import notices

LONG_RADICADO = "20261000000001234567"
DEFAULT_RADICADO = "20261000001234562"
PUBLIC_URL = "https://www.serviciodeempleo.gov.co"
FILED_AT = datetime(2026, 9, 30, 15, 59, tzinfo=ZoneInfo("America/Bogota"))
CHANNELS = ("email", "sms", "whatsapp", "telegram", "x")


@pytest.fixture(autouse=True)
def no_outside_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("VENTANILLA_"):
            monkeypatch.delenv(name)


def settings() -> Settings:
    return Settings(web=WebSettings(public_url=PUBLIC_URL))


def notice(channel: str, radicado: str = LONG_RADICADO, request_type: str = "informacion") -> str:
    case = CaseFacts(
        id=1,
        radicado=radicado,
        filed_at=FILED_AT,
        due_date=date(2026, 9, 30),
        type=request_type,
        status_token="Ab-_Cd3eFg4hIj5k",  # its status link at full length
    )
    pending = PendingAck(
        outbox_id=9,
        channel=channel,
        recipient="someone",
        case=case,
        message_channel=channel,
        thread_id="",
        sender_name="María de los Ángeles Rodríguez",
        references=[],
        kind="duplicate",
    )
    ack = render_acknowledgement(pending, settings())
    assert ack.kind == "duplicate" and ack.radicado == radicado
    return ack.text


@pytest.mark.parametrize("radicado", [LONG_RADICADO, DEFAULT_RADICADO])
@pytest.mark.parametrize("request_type", REQUEST_TYPES)
def test_sms_duplicate_fits_two_segments_with_the_longest_values(
    radicado: str, request_type: str
) -> None:
    text = fit_sms(notice("sms", radicado, request_type))

    assert segments(text).segments <= 2, f"{segments(text)}:\n{text}"
    assert segments(text).encoding == "GSM-7"


def test_sms_duplicate_starts_with_the_radicado_and_says_no_new_one_was_opened() -> None:
    text = fit_sms(notice("sms"))
    context = case_context(
        CaseFacts(1, LONG_RADICADO, FILED_AT, date(2026, 9, 30), "informacion"), settings()
    )

    assert text.startswith(f"Radicado {LONG_RADICADO}\n")
    assert "No abrimos otra" in text
    for item in ("filed_at", "due_date", "status_url"):
        assert to_gsm7(context[item]) in text, item
    assert "María" not in text  # no name on a lock screen


@pytest.mark.parametrize("channel", CHANNELS)
def test_every_channel_names_the_existing_radicado_and_its_dates(channel: str) -> None:
    text = notice(channel)
    context = case_context(
        CaseFacts(1, LONG_RADICADO, FILED_AT, date(2026, 9, 30), "informacion"), settings()
    )

    assert LONG_RADICADO in text.splitlines()[0] or LONG_RADICADO in text[:400]
    assert context["due_date"] in to_gsm7(text) or context["due_date"] in text
    assert context["status_url"] in text
    assert "{" not in text and "}" not in text


@pytest.mark.parametrize("channel", ["whatsapp", "telegram", "x", "email"])
def test_the_long_notices_state_type_and_privacy(channel: str) -> None:
    text = notice(channel)

    assert TYPE_LABELS["informacion"] in text
    assert settings().entity.privacy_policy_url in text


def test_the_x_notice_leaves_the_display_name_out() -> None:
    assert "María" not in notice("x")


@pytest.mark.parametrize(
    ("plans", "expected"),
    [
        ([AckPlan("email", "ana@example.com")], [("email", "ana@example.com")]),
        ([AckPlan("sms", "+573001234567")], [("sms", "+573001234567")]),
        # An X mention: the public reply is not repeated, the notice goes by DM.
        ([AckPlan("x", "42", "public_reply"), AckPlan("x", "42")], [("x", "42")]),
        ([], []),
    ],
)
def test_one_notice_per_message_on_the_acknowledgements_private_channel(
    plans: list[AckPlan], expected: list[tuple[str, str]]
) -> None:
    made = notices(7, 3, plans)

    assert [(reply.channel, reply.recipient) for reply in made] == expected
    assert all(
        (r.kind, r.message_id, r.case_id, r.key) == ("duplicate", 7, 3, "message:7:duplicate")
        for r in made
    )
