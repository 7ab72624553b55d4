"""Fuzzing Twilio's message webhook fields (hypothesis): whatever form a signed webhook
carries (NUL and control characters in the body, SIDs of any length, NumMedia of any
size or no number at all) becomes one storable SMS or WhatsApp message, never an error,
and never more than twilio.max_media download attempts."""

from __future__ import annotations

import socket

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzzing import FUZZ, any_text, assert_storable
from ventanilla.adapters.twilio import TwilioAdapter
from ventanilla.settings import Settings

phones = st.one_of(
    st.from_regex(r"(whatsapp:)?\+57 ?3[0-9]{2} ?[0-9]{3} ?[0-9]{4}", fullmatch=True),
    st.just("anonymous"),
    any_text,
)
counts = st.one_of(
    st.integers(-3, 12).map(str),
    st.just("9" * 4000),  # int() of it is a ValueError past Python's digit limit
    st.just("99999999"),
    any_text,
)


@st.composite
def webhook(draw: st.DrawFn) -> dict[str, str]:
    params = {
        "MessageSid": draw(
            st.one_of(
                st.from_regex(r"SM[0-9a-f]{32}", fullmatch=True),
                any_text,
                st.text(min_size=250, max_size=400),
            )
        ),  # fmt: skip
        "From": draw(phones),
        "To": draw(phones),
        "Body": draw(st.one_of(any_text, st.text(max_size=2000))),
        "NumMedia": draw(counts),
    }
    for n in range(draw(st.integers(0, 3))):
        params[f"MediaUrl{n}"] = draw(st.one_of(any_text, any_text.map(MEDIA.__add__)))
        params[f"MediaContentType{n}"] = draw(st.one_of(any_text, st.just("image/jpeg")))
    return params


def closed_port() -> int:
    with socket.socket() as probe:  # bound and closed: nothing listens there
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# Media URLs go to twilio.api_url, a local port where nothing listens: every download is
# refused at once (no network), and the message must still be stored, with the reason.
SETTINGS = Settings(
    web={"public_url": "https://pqrsdf.example.gov.co/"},
    twilio={"api_url": f"http://127.0.0.1:{closed_port()}"},
)
MEDIA = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/"


@FUZZ
@given(params=webhook())
def test_any_signed_webhook_fields_give_one_storable_message(params):
    message = TwilioAdapter(SETTINGS).message_from_webhook(params)

    assert message.channel in ("sms", "whatsapp")
    assert_storable(message)
    assert not message.attachments
    dropped = message.flags.get("dropped_attachments", [])
    assert len(dropped) <= SETTINGS.twilio.max_media + 1
