"""The Twilio adapter's pure parts: phone numbers, routing to api_url, the voice answer."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from ventanilla.adapters.twilio import RoutedHttpClient, TwilioAdapter, e164
from ventanilla.settings import Settings


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("+573001234567", "+573001234567"),
        ("whatsapp:+573001234567", "+573001234567"),
        ("300 123 4567", "+573001234567"),
        ("(300) 123-4567", "+573001234567"),
        ("573001234567", "+573001234567"),
        ("6017560009", "+576017560009"),  # Bogotá landline, new national format
        ("+1 415 523 8886", "+14155238886"),
        ("whatsapp:+14155238886", "+14155238886"),
        ("anonymous", ""),
        ("", ""),
        ("12", ""),
    ],
)
def test_numbers_are_one_e164_form_across_channels(number, expected):
    assert e164(number) == expected


@pytest.mark.parametrize(
    ("url", "routed"),
    [
        (
            "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json",
            "http://127.0.0.1:9999/base/2010-04-01/Accounts/AC1/Messages.json",
        ),
        (
            "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?PageSize=50&Page=1",
            "http://127.0.0.1:9999/base/2010-04-01/Accounts/AC1/Messages.json?PageSize=50&Page=1",
        ),
        ("https://messaging.twilio.com/v1/Services", "http://127.0.0.1:9999/base/v1/Services"),
        ("https://cdn.example.com/media/1", "https://cdn.example.com/media/1"),
    ],
)
def test_every_twilio_host_is_routed_to_api_url(url, routed):
    assert RoutedHttpClient("http://127.0.0.1:9999/base/").route(url) == routed


def test_the_call_is_answered_in_spanish_and_recorded():
    settings = Settings(web={"public_url": "https://pqrsdf.example.gov.co/"})
    settings.twilio.account_sid = "AC" + "0" * 32
    adapter = TwilioAdapter(settings)

    root = ET.fromstring(adapter.voice_twiml())

    says = [say.text or "" for say in root.iter("Say")]
    assert all(say.get("language") == "es-MX" for say in root.iter("Say"))
    assert "Después del tono" in says[0] and "protección de datos" in says[1]
    [record] = root.iter("Record")
    assert record.get("maxLength") == "120"
    assert record.get("action") == "https://pqrsdf.example.gov.co/webhooks/twilio/recording"
    assert record.get("transcribe") == "true"
    assert record.get("transcribeCallback") == record.get("action")
