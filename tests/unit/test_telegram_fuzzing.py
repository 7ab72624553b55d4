"""Fuzzing Telegram update parsing (hypothesis): an update of any shape, or a real-looking
one with any field of the wrong type, a lone surrogate or a huge number, always comes back
as one storable message (read, skipped or quarantined with the reason), never an error."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzzing import FUZZ, any_json, any_text, assert_storable, or_anything
from ventanilla.adapters.telegram_updates import FileLimits, read_update

BOT_ID = 5550001
LIMITS = FileLimits(max_files=3, max_file_bytes=1_000_000)
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
numbers = st.one_of(st.integers(-(2**53), 2**53), st.integers(), st.just(10**300))

user = st.fixed_dictionaries(
    {"id": or_anything(numbers), "is_bot": or_anything(st.booleans())},
    optional={
        "first_name": or_anything(any_text),
        "last_name": or_anything(any_text),
        "username": or_anything(any_text),
    },
)
chat = st.fixed_dictionaries(
    {"id": or_anything(numbers), "type": or_anything(st.sampled_from(["private", "group"]))}
)
photo_size = st.fixed_dictionaries(
    {
        "file_id": or_anything(any_text),
        "file_unique_id": or_anything(any_text),
        "width": or_anything(st.integers(0, 5000)),
        "height": or_anything(st.integers(0, 5000)),
    },
    optional={"file_size": or_anything(numbers)},
)
document = st.fixed_dictionaries(
    {"file_id": or_anything(any_text), "file_unique_id": or_anything(any_text)},
    optional={
        "file_name": or_anything(any_text),
        "mime_type": or_anything(any_text),
        "file_size": or_anything(numbers),
    },
)
entity = st.fixed_dictionaries(
    {
        "type": or_anything(st.sampled_from(["bot_command", "url", "bold"])),
        "offset": or_anything(st.integers(-5, 50)),
        "length": or_anything(st.integers(-5, 50)),
    }
)
message = st.fixed_dictionaries(
    {"message_id": or_anything(numbers), "date": or_anything(numbers), "chat": or_anything(chat)},
    optional={
        "from": or_anything(user),
        "text": or_anything(any_text),
        "caption": or_anything(any_text),
        "entities": or_anything(st.lists(entity, max_size=3)),
        "photo": or_anything(st.lists(photo_size, max_size=4)),
        "document": or_anything(document),
        "voice": or_anything(document),
        "reply_to_message": or_anything(
            st.fixed_dictionaries(
                {"message_id": numbers, "date": numbers, "chat": chat},
                optional={"from": user, "text": any_text},
            )
        ),
    },
)
update = st.fixed_dictionaries(
    {"update_id": or_anything(numbers)},
    optional={
        "message": or_anything(message),
        "edited_message": or_anything(message),
        "channel_post": or_anything(message),
        "callback_query": any_json,
        "something_new": any_json,
    },
)


def read(data: object) -> object:
    return read_update(data, bot_id=BOT_ID, limits=LIMITS, now=NOW)


@FUZZ
@given(data=any_json)
def test_any_json_is_one_storable_message(data):
    read_message = read(data)

    assert_storable(read_message.message)


@FUZZ
@given(data=update)
def test_real_looking_updates_give_a_storable_message(data):
    read_message = read(data)

    assert_storable(read_message.message)
    assert read_message.update_id is None or read_message.update_id == data["update_id"]
    for item in read_message.files:
        assert item.size is None or item.size <= LIMITS.max_file_bytes
    assert len(read_message.files) <= LIMITS.max_files
