"""What the fuzzers found (tests/unit/test_*_fuzzing.py), each pinned by a plain test that
failed before its fix: provider data a parser raised on, or turned into a message the
store would refuse (and so quarantine with its text blanked)."""

from __future__ import annotations

import base64
import socket
from datetime import UTC, datetime
from typing import Any

from tests.fuzzing import assert_storable
from ventanilla.adapters.email_parsing import parse_email
from ventanilla.adapters.telegram_updates import FileLimits, read_update
from ventanilla.adapters.twilio import TwilioAdapter
from ventanilla.adapters.x_items import by_id, direct_message, mention, oldest_first, snowflake
from ventanilla.settings import Settings

LIMITS = FileLimits(max_files=3, max_file_bytes=1_000_000)
ACCOUNT = "1500000000000000001"


def telegram(message: Any, update_id: Any = 7) -> Any:
    return read_update({"update_id": update_id, "message": message}, bot_id=1, limits=LIMITS)


def private(**fields: Any) -> dict[str, Any]:
    return {
        "message_id": 3,
        "date": 1_790_000_000,
        "chat": {"id": 42, "type": "private"},
        "from": {"id": 42, "is_bot": False, "first_name": "Ana"},
        **fields,
    }


# --- Telegram ----------------------------------------------------------------------------


def test_telegram_lone_surrogate_is_dropped_and_the_raw_update_kept_as_utf8():
    read = telegram(private(text="Solicito \ud800copia", **{"from": {
        "id": 42, "is_bot": False, "first_name": "Ana\udfff"}}))  # fmt: skip

    assert read.message.text == "Solicito copia"
    assert read.message.sender_name == "Ana"
    assert b"\\ud800" in read.message.raw
    read.message.raw.decode("utf-8")
    assert_storable(read.message)


def test_telegram_photo_sizes_without_file_size_are_compared():
    photo = [
        {"file_id": "a", "file_unique_id": "a", "width": 90, "height": 60},
        {"file_id": "b", "file_unique_id": "b", "width": 90, "height": 60, "file_size": 10},
    ]

    read = telegram(private(photo=photo))

    assert [item.file_id for item in read.files] == ["b"]


def test_telegram_ids_past_64_bits_are_not_an_update():
    huge = 10**300

    assert "quarantine" in telegram(private(), update_id=huge).message.flags
    read = telegram(private(chat={"id": huge, "type": "private"}))
    assert read.message.flags["quarantine"] == "message without a chat"
    assert_storable(read.message)


def test_telegram_message_null_is_quarantined_not_an_assertion():
    read = telegram(None)

    assert read.message.flags["quarantine"] == "message update without a message"


def test_telegram_text_and_date_of_the_wrong_type_do_not_raise():
    read = telegram(private(text=["not", "text"], caption=5))
    assert read.message.text == ""

    edited = read_update(
        {"update_id": 8, "edited_message": private(date=None)}, bot_id=1, limits=LIMITS
    )
    assert "skip" in edited.message.flags


def test_telegram_chat_type_and_username_with_control_characters_are_cleaned():
    read = telegram(private(chat={"id": 42, "type": "group\x00\n"}))

    assert read.message.flags["chat_type"] == "group"
    assert_storable(read.message)


# --- X -----------------------------------------------------------------------------------


def test_x_ids_in_other_digits_are_not_snowflakes():
    item = {"id": "²", "author_id": "12", "text": "hola"}

    assert snowflake(item) is None
    message = mention(item, {}, {}, ACCOUNT)
    assert message.flags["quarantine"] == "mention without a valid id"


def test_x_lone_surrogates_and_control_characters_are_dropped():
    users = by_id([{"id": "12", "name": "Ana\nGómez\ud800", "username": "ana\x00"}])
    item = {"id": "99", "author_id": "12", "text": "Solicito\ud800 copia", "lang": "es\x00"}

    message = mention(item, users, {}, ACCOUNT)

    assert message.text == "Solicito copia"
    assert message.sender_name == "Ana Gómez"
    assert message.flags["username"] == "ana"
    assert_storable(message)
    assert_storable(mention({"id": "\ud800"}, {}, {}, ACCOUNT))


def test_x_listing_with_a_huge_id_sorts_and_stores():
    events = [{"id": "9" * 300, "sender_id": "12", "text": "hola"}, {"id": "5", "sender_id": "12",
              "text": "hola", "event_type": "MessageCreate"}]  # fmt: skip

    entries = oldest_first([(snowflake(e), direct_message(e, {}, ACCOUNT)) for e in events])

    assert [number for number, _ in entries] == [None, 5]
    for _, message in entries:
        assert message is not None
        assert_storable(message)


# --- Twilio ------------------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def twilio() -> TwilioAdapter:
    # Downloads go to a port where nothing listens: refused at once, no network.
    return TwilioAdapter(Settings(twilio={"api_url": f"http://127.0.0.1:{closed_port()}"}))


def test_twilio_body_with_nul_and_a_long_sid_is_storable():
    params = {"MessageSid": "SM" + "x" * 400, "From": "+573001234567", "Body": "Hola\x00 mundo"}

    message = twilio().message_from_webhook(params)

    assert message.text == "Hola mundo"
    assert message.provider_id.startswith("sha256:")
    assert twilio().message_from_webhook(params).provider_id == message.provider_id
    assert_storable(message)


class Counting(dict[str, str]):
    """Webhook fields that count how many were looked up."""

    lookups = 0

    def get(self, key: str, default: Any = None) -> Any:
        type(self).lookups += 1
        return super().get(key, default)


def test_twilio_num_media_in_the_millions_looks_at_max_media_only():
    params = Counting(MessageSid="SM1", From="+573001234567", NumMedia="2000000")

    message = twilio().message_from_webhook(params)

    assert Counting.lookups < 50  # was two per announced medium: 4,000,000
    assert message.flags["dropped_attachments"][-1] == "1999995 more media not kept"


def test_twilio_download_reason_does_not_carry_control_characters():
    params = {"MessageSid": "SM2", "From": "+573001234567", "NumMedia": "1",
              "MediaUrl0": "https://api.twilio.com/x\x00\x1b[2J"}  # fmt: skip

    message = twilio().message_from_webhook(params)

    assert "could not be downloaded" in message.flags["dropped_attachments"][0]
    assert_storable(message)


# --- e-mail ------------------------------------------------------------------------------


def test_email_attachment_name_with_a_tab_is_one_plain_name():
    raw = (
        b"From: ana@example.com\r\nSubject: carta\r\nContent-Type: multipart/mixed; "
        b'boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nAdjunto.\r\n--b\r\n'
        b'Content-Type: application/pdf\r\nContent-Disposition: attachment; filename="carta\t'
        b'\tfirmada.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + base64.b64encode(b"%PDF-1.4 carta")
        + b"\r\n--b--\r\n"
    )

    message = parse_email(raw, received_at=datetime(2026, 3, 2, tzinfo=UTC))

    assert [a.filename for a in message.attachments] == ["carta firmada.pdf"]
    assert_storable(message)


def test_telegram_unknown_update_type_named_with_a_surrogate_is_storable():
    read = read_update({"update_id": 9, "new\ud800\x00": {}}, bot_id=1, limits=LIMITS)

    assert read.message.flags == {"skip": "unknown update type 'new'", "update_type": "new"}
    assert_storable(read.message)


def test_telegram_skipped_post_with_a_chat_id_that_is_text_is_storable():
    post = private(chat={"id": "\ud800", "type": "channel"})

    read = read_update({"update_id": 10, "edited_message": post}, bot_id=1, limits=LIMITS)

    assert "chat_id" not in read.message.flags
    assert_storable(read.message)
