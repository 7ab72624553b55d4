"""Media of an MMS or WhatsApp message: fetched with our credentials, within the limits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.fake_twilio import FakeTwilio
from ventanilla.adapters.twilio import TwilioAdapter
from ventanilla.settings import Settings

pytestmark = pytest.mark.integration


def adapter(fake: FakeTwilio, **twilio: object) -> TwilioAdapter:
    settings = Settings(
        twilio={
            "account_sid": fake.account_sid,
            "auth_token": fake.auth_token,
            "api_url": fake.api_url,
            "sms_from": "+15005550006",
            **twilio,
        }
    )
    return TwilioAdapter(settings)


def test_media_within_the_limits_is_kept_and_the_rest_noted():
    with FakeTwilio() as fake:
        small = b"%PDF-1.4 cedula"
        large = b"\xff\xd8\xff" + b"x" * 5000
        sent = fake.add_inbound(
            None,
            "whatsapp:+573001234567",
            "whatsapp:+14155238886",
            "Adjunto documentos",
            datetime.now(UTC),
            media=[("application/pdf", small), ("image/jpeg", large), ("image/png", b"png")],
        )
        form, _ = fake.inbound_webhook(sent["sid"], "https://example.gov.co/webhooks")

        message = adapter(fake, max_media_bytes=1000, max_media=2).message_from_webhook(form)

    assert message.channel == "whatsapp" and message.sender == "+573001234567"
    assert [(a.filename, a.content) for a in message.attachments] == [("adjunto-1.pdf", small)]
    dropped = message.flags["dropped_attachments"]
    assert any("adjunto-2" in reason and "not kept" in reason for reason in dropped)
    assert "1 more media not kept" in dropped


def test_media_that_cannot_be_downloaded_never_loses_the_message():
    with FakeTwilio() as fake:
        sent = fake.add_inbound(
            None, "+573001234567", "+15005550006", "Foto", datetime.now(UTC),
            media=[("image/png", b"\x89PNG")],
        )  # fmt: skip
        form, _ = fake.inbound_webhook(sent["sid"], "https://example.gov.co/webhooks")
        fake.fail_next(500, on="media")

        message = adapter(fake).message_from_webhook(form)

    assert message.text == "Foto" and message.attachments == ()
    [reason] = message.flags["dropped_attachments"]
    assert "could not be downloaded" in reason


def test_check_connect_names_the_twilio_setting_that_is_wrong():
    from ventanilla.settings_check import connection_problems

    with FakeTwilio() as fake:
        good = adapter(fake).settings
        settings = Settings(
            twilio=good.model_dump() | {"enabled": True},
            queue={"redis_url": "redis://127.0.0.1:1/0"},
        )
        assert not [p for p in connection_problems(settings) if "twilio" in p]
        wrong = Settings(twilio=good.model_dump() | {"enabled": True, "auth_token": "otro"})
        problems = connection_problems(wrong)
    assert any(p.startswith("twilio.auth_token: Twilio 401") for p in problems), problems
