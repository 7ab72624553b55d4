"""Fuzzing X items (hypothesis): a listing of mentions or direct-message events of any
shape (ids that are not numbers, fields of the wrong type, lone surrogates, huge numbers)
always comes back as storable messages in snowflake order, never an exception."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzzing import FUZZ, any_json, any_text, assert_storable, or_anything
from ventanilla.adapters.x_items import by_id, direct_message, mention, oldest_first, snowflake

ACCOUNT = "1500000000000000001"
ids = st.one_of(
    st.integers(0, 2**64).map(str),
    st.just(ACCOUNT),
    st.text("0123456789²١٣", min_size=1, max_size=400),
    any_text,
)
dates = st.one_of(
    st.datetimes().map(lambda moment: moment.isoformat() + "Z"),
    st.just("2026-11-23T13:30:05.000Z"),
    any_text,
)
reference = st.fixed_dictionaries(
    {"type": st.sampled_from(["replied_to", "quoted", "retweeted"]), "id": or_anything(ids)}
)
tweet = st.fixed_dictionaries(
    {"id": or_anything(ids), "author_id": or_anything(ids), "text": or_anything(any_text)},
    optional={
        "created_at": or_anything(dates),
        "conversation_id": or_anything(ids),
        "lang": or_anything(any_text),
        "referenced_tweets": or_anything(st.lists(reference, max_size=3)),
        "attachments": or_anything(st.fixed_dictionaries({"media_keys": any_json})),
    },
)
event = st.fixed_dictionaries(
    {"id": or_anything(ids), "sender_id": or_anything(ids), "text": or_anything(any_text)},
    optional={
        "event_type": or_anything(st.sampled_from(["MessageCreate", "ParticipantsJoin"])),
        "created_at": or_anything(dates),
        "dm_conversation_id": or_anything(any_text),
    },
)
user = st.fixed_dictionaries(
    {"id": or_anything(ids)},
    optional={"name": or_anything(any_text), "username": or_anything(any_text)},
)


@FUZZ
@given(
    items=st.lists(or_anything(tweet), max_size=4),
    users=or_anything(st.lists(user, max_size=3)),
    tweets=or_anything(st.lists(tweet, max_size=3)),
)
def test_any_mentions_listing_gives_storable_messages_in_order(items, users, tweets):
    entries = oldest_first(
        [(snowflake(item), mention(item, by_id(users), by_id(tweets), ACCOUNT)) for item in items]
    )

    assert len(entries) == len(items)
    for _, message in entries:
        assert message is not None
        assert_storable(message)


@FUZZ
@given(
    events=st.lists(or_anything(event), max_size=4), users=or_anything(st.lists(user, max_size=3))
)
def test_any_direct_message_listing_gives_storable_messages_in_order(events, users):
    entries = oldest_first(
        [(snowflake(item), direct_message(item, by_id(users), ACCOUNT)) for item in events]
    )

    for _, message in entries:
        if message is not None:  # ours: an acknowledgement we sent, not stored
            assert_storable(message)
