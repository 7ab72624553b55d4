"""The X fake answers the real ``tweepy.Client`` the way X's API v2 does."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
import tweepy
from requests.adapters import HTTPAdapter

from tests.fake_x import FakeX
from tests.fake_x_rules import weighted_length

pytestmark = pytest.mark.integration


class ToFake(HTTPAdapter):
    """Sends api.twitter.com to the fake as it is (the OAuth signature stays tweepy's)."""

    def __init__(self, api_url: str) -> None:
        super().__init__()
        self.target = urlsplit(api_url)

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        parts = urlsplit(request.url or "")
        request.url = urlunsplit(
            parts._replace(scheme=self.target.scheme, netloc=self.target.netloc)
        )
        return super().send(request, *args, **kwargs)


@pytest.fixture
def fake() -> Iterator[FakeX]:
    with FakeX() as server:
        yield server
    assert server.errors == []


def client_for(fake: FakeX, **credentials: str | None) -> tweepy.Client:
    values: dict[str, str | None] = {
        "bearer_token": fake.bearer_token,
        "consumer_key": fake.consumer_key,
        "consumer_secret": fake.consumer_secret,
        "access_token": fake.access_token,
        "access_token_secret": fake.access_token_secret,
    } | credentials
    client = tweepy.Client(**values, return_type=dict)  # type: ignore[arg-type]
    client.session.mount("https://api.twitter.com/", ToFake(fake.api_url))
    return client


@pytest.fixture
def client(fake: FakeX) -> tweepy.Client:
    return client_for(fake)


MENTION_PARAMS: dict[str, Any] = {
    "expansions": ["author_id", "referenced_tweets.id"],
    "tweet_fields": ["author_id", "created_at", "conversation_id", "lang", "referenced_tweets"],
    "user_fields": ["name", "username"],
}


def test_users_me_is_our_account_in_user_context_only(fake, client):
    me = client.get_me(user_auth=True)["data"]
    assert me == {
        "id": fake.account_id,
        "username": "ServiciodEmpleo",
        "name": "Servicio de Empleo",
    }
    [call] = fake.calls_to("me")
    assert call.auth == "oauth1" and call.signed_for == "https://api.twitter.com/2/users/me"
    with pytest.raises(tweepy.Forbidden) as refused:
        client.get_me(user_auth=False)
    assert "Application-Only is forbidden" in str(refused.value)


def test_user_lookup_by_username_and_an_unknown_name_is_a_partial_error(fake, client):
    ana = fake.add_user("ana_co", "Ana Pérez")
    found = client.get_user(username="ANA_CO", user_fields=["created_at"])["data"]
    assert found["id"] == ana and found["name"] == "Ana Pérez" and "created_at" in found
    assert fake.calls_to("user")[-1].auth == "bearer"
    missing = client.get_user(username="nadie")
    assert "data" not in missing
    assert missing["errors"][0]["title"] == "Not Found Error"
    assert missing["errors"][0]["detail"] == "Could not find user with username: [nadie]."


def test_mentions_are_newest_first_with_their_authors_and_meta(fake, client):
    ana = fake.add_user("ana_co", "Ana Pérez")
    luis = fake.add_user("luis", "Luis Gómez")
    first = fake.add_mention(ana, "Necesito mi certificado")
    second = fake.add_mention(luis, "Quiero poner una queja")
    page = client.get_users_mentions(fake.account_id, **MENTION_PARAMS)

    assert [t["id"] for t in page["data"]] == [second["id"], first["id"]]
    assert page["data"][1]["text"] == "@ServiciodEmpleo Necesito mi certificado"
    assert page["data"][1]["author_id"] == ana
    assert page["data"][1]["created_at"].endswith("Z")
    assert {u["username"] for u in page["includes"]["users"]} == {"ana_co", "luis"}
    assert page["meta"] == {"result_count": 2, "newest_id": second["id"], "oldest_id": first["id"]}
    # Without fields asked for, only the defaults come back, as on X.
    bare = client.get_users_mentions(fake.account_id)["data"][0]
    assert set(bare) == {"id", "text", "edit_history_tweet_ids"}


def test_mentions_since_id_and_pagination(fake, client):
    author = fake.add_user("ana_co")
    tweets = [fake.add_mention(author, f"Solicitud {n}") for n in range(12)]
    newer = client.get_users_mentions(fake.account_id, since_id=tweets[8]["id"])
    assert [t["id"] for t in newer["data"]] == [t["id"] for t in reversed(tweets[9:])]

    seen: list[str] = []
    token = None
    while True:
        page = client.get_users_mentions(fake.account_id, max_results=5, pagination_token=token)
        seen += [t["id"] for t in page["data"]]
        token = page["meta"].get("next_token")
        if not token:
            break
    assert seen == [t["id"] for t in reversed(tweets)]
    nothing = client.get_users_mentions(fake.account_id, since_id=tweets[-1]["id"])
    assert nothing == {"meta": {"result_count": 0}}
    start = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
    assert client.get_users_mentions(fake.account_id, start_time=start)["meta"]["result_count"] == 0


def test_a_bad_parameter_is_x_invalid_request(fake, client):
    with pytest.raises(tweepy.BadRequest) as bad:
        client.get_users_mentions(fake.account_id, max_results=3)
    assert "is not between 5 and 100" in str(bad.value)
    with pytest.raises(tweepy.BadRequest) as unknown:
        client.get_users_mentions(fake.account_id, tweet_fields=["colour"])
    assert "[colour] is not one of" in str(unknown.value)


def test_replies_bring_the_referenced_tweet_and_missing_things_are_partial_errors(fake, client):
    ana = fake.add_user("ana_co")
    ours = client.create_tweet(text="Radicado 20261000000012", user_auth=True)["data"]
    reply = fake.add_mention(ana, "Gracias, ya escribí por DM", reply_to=ours["id"])
    fake.add_mention(ana, "Respuesta a algo borrado", reply_to="123")
    fake.add_mention(fake.add_user("suspendida", shown=False), "No me ven")
    page = client.get_users_mentions(fake.account_id, **MENTION_PARAMS)

    replied = next(t for t in page["data"] if t["id"] == reply["id"])
    assert replied["referenced_tweets"] == [{"type": "replied_to", "id": ours["id"]}]
    [included] = page["includes"]["tweets"]
    assert included["id"] == ours["id"] and included["author_id"] == fake.account_id
    assert {(e["parameter"], e["value"]) for e in page["errors"]} >= {
        ("referenced_tweets.id", "123")
    }
    assert any(e["parameter"] == "author_id" for e in page["errors"])
    assert "suspendida" not in {u["username"] for u in page["includes"]["users"]}


def test_raw_mentions_are_listed_verbatim(fake, client):
    fake.add_raw_mention({"id": "5", "author_id": "77", "mystery": {"nested": True}})
    fake.add_raw_mention({"text": "sin id ni autor"})
    page = client.get_users_mentions(fake.account_id, since_id="4", **MENTION_PARAMS)
    assert {"id": "5", "author_id": "77", "mystery": {"nested": True}} in page["data"]
    assert {"text": "sin id ni autor"} in page["data"]


def test_dm_events_are_newest_first_and_include_our_own(fake, client):
    ana = fake.add_user("ana_co", "Ana Pérez")
    first = fake.add_dm(ana, "Hola, necesito ayuda")
    client.create_direct_message(participant_id=ana, text="Recibimos su mensaje", user_auth=True)
    second = fake.add_dm(ana, "Gracias")
    page = client.get_direct_message_events(
        event_types="MessageCreate",
        dm_event_fields=["created_at", "sender_id", "dm_conversation_id"],
        expansions=["sender_id"],
        user_fields=["name", "username"],
        max_results=2,
    )
    assert [e["id"] for e in page["data"]][0] == second["id"]
    assert page["data"][1]["sender_id"] == fake.account_id  # ours, as X lists it
    assert page["data"][0]["dm_conversation_id"] == first["dm_conversation_id"]
    assert {u["id"] for u in page["includes"]["users"]} == {ana, fake.account_id}
    rest = client.get_direct_message_events(pagination_token=page["meta"]["next_token"])
    assert [e["id"] for e in rest["data"]] == [first["id"]]
    assert set(rest["data"][0]) == {"id", "event_type", "text"}
    with pytest.raises(tweepy.Forbidden):
        client.get_direct_message_events(user_auth=False)


def test_create_tweet_counts_weighted_characters_and_refuses_duplicates(fake, client):
    url = "https://www.serviciodeempleo.gov.co/" + "a" * 200
    long_url_post = client.create_tweet(text=f"Consulte {url}", user_auth=True)["data"]
    assert fake.posted[-1]["text"] == f"Consulte {url}"  # the URL counts 23
    assert long_url_post["edit_history_tweet_ids"] == [long_url_post["id"]]
    with pytest.raises(tweepy.BadRequest) as too_long:
        client.create_tweet(text="ñ" * 281, user_auth=True)
    assert "too long" in str(too_long.value)
    client.create_tweet(text="ñ" * 280, user_auth=True)
    with pytest.raises(tweepy.Forbidden) as duplicate:
        client.create_tweet(text="ñ" * 280, user_auth=True)
    assert "duplicate content" in str(duplicate.value)
    with pytest.raises(tweepy.Forbidden):
        client.create_tweet(text="Respuesta", in_reply_to_tweet_id="999", user_auth=True)


def test_reply_is_recorded_with_its_target(fake, client):
    ana = fake.add_user("ana_co")
    mention = fake.add_mention(ana, "Solicito información")
    client.create_tweet(text="Radicado 1", in_reply_to_tweet_id=mention["id"], user_auth=True)
    [posted] = fake.posted
    assert posted["in_reply_to_tweet_id"] == mention["id"]
    assert posted["author_id"] == fake.account_id
    assert posted["conversation_id"] == mention["conversation_id"]
    assert fake.calls_to("create_tweet")[0].json == {
        "text": "Radicado 1",
        "reply": {"in_reply_to_tweet_id": mention["id"]},
    }


def test_direct_messages_to_closed_accounts_are_forbidden(fake, client):
    open_ = fake.add_user("abierta")
    closed = fake.add_user("cerrada", dms_open=False)
    sent = client.create_direct_message(participant_id=open_, text="Hola", user_auth=True)["data"]
    assert fake.dms_sent == [
        {"participant_id": open_, "text": "Hola", "dm_event_id": sent["dm_event_id"]}
    ]
    assert sent["dm_conversation_id"].count("-") == 1
    with pytest.raises(tweepy.Forbidden) as refused:
        client.create_direct_message(participant_id=closed, text="Hola", user_auth=True)
    assert refused.value.api_messages == ["You are not allowed to send a DM to this user"]
    assert len(fake.dms_sent) == 1


@pytest.mark.parametrize(
    "credentials",
    [{"bearer_token": "otro"}, {"bearer_token": None}],
)
def test_missing_or_wrong_bearer_token_is_401(fake, credentials):
    client = client_for(fake, **credentials)
    with pytest.raises(tweepy.Unauthorized) as refused:
        client.get_user(username="ServiciodEmpleo")
    assert refused.value.response.json()["title"] == "Unauthorized"


def test_oauth_signed_with_the_wrong_secret_is_401(fake):
    client = client_for(fake, access_token_secret="no-es-el-secreto")
    with pytest.raises(tweepy.Unauthorized):
        client.create_tweet(text="Hola", user_auth=True)
    assert fake.calls_to("create_tweet")[0].auth == "invalid"
    assert fake.posted == []


def test_rate_limit_carries_the_reset_and_503_is_a_server_error(fake, client):
    reset = fake.rate_limit_next("mentions", reset_in=30)
    with pytest.raises(tweepy.TooManyRequests) as limited:
        client.get_users_mentions(fake.account_id)
    assert limited.value.reset_time == reset
    headers = limited.value.response.headers
    assert headers["x-rate-limit-remaining"] == "0" and headers["x-rate-limit-limit"] == "180"
    assert limited.value.response.json()["status"] == 429
    fake.fail_next("any", 503, times=2)
    for _ in range(2):
        with pytest.raises(tweepy.TwitterServerError):
            client.get_me(user_auth=True)
    assert client.get_me(user_auth=True)["data"]["id"] == fake.account_id


def test_a_dropped_connection_is_a_requests_error(fake, client):
    fake.disconnect_next("create_dm")
    with pytest.raises(requests.ConnectionError):
        client.create_direct_message(participant_id=fake.add_user("a"), text="Hola", user_auth=True)
    assert fake.dms_sent == []


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("Hola", 4),
        ("Petición recibida", 17),  # Latin letters with accents weigh 1
        ("文字", 4),  # CJK weighs 2
        ("😀", 2),
        ("ver https://example.com/" + "x" * 100, 27),
        ("e\u0301", 1),  # NFC: e + combining acute is one é
    ],
)
def test_weighted_length_is_how_x_counts(text, length):
    assert weighted_length(text) == length


def test_every_answer_carries_rate_limit_headers(fake, client):
    response = client.session.get(
        "https://api.twitter.com/2/users/me",
        auth=tweepy.OAuth1UserHandler(
            fake.consumer_key, fake.consumer_secret, fake.access_token, fake.access_token_secret
        ).apply_auth(),
    )
    assert response.status_code == 200
    assert int(response.headers["x-rate-limit-reset"]) > time.time()
