"""The X adapter through the real tweepy client against the local fake of X's API v2:
mentions and DMs in, replies and DMs out, rate limits, bad items, and the store.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import wait_until
from tests.fake_x import FakeX
from ventanilla.adapters.base import Acknowledgement
from ventanilla.adapters.x import XAdapter
from ventanilla.errors import ChannelError
from ventanilla.settings import Settings

pytestmark = pytest.mark.integration


@pytest.fixture
def fake() -> Iterator[FakeX]:
    with FakeX() as server:
        yield server
    assert server.errors == []


def x_keys(fake: FakeX, **extra: Any) -> dict[str, Any]:
    return {
        "enabled": True,
        "api_url": fake.api_url,
        "bearer_token": fake.bearer_token,
        "consumer_key": fake.consumer_key,
        "consumer_secret": fake.consumer_secret,
        "access_token": fake.access_token,
        "access_token_secret": fake.access_token_secret,
        "account": fake.account,
        "poll_every_seconds": 0.05,
    } | extra


@pytest.fixture
def adapter_for(fake: FakeX, monkeypatch: pytest.MonkeyPatch) -> Any:
    """An XAdapter on the fake, settings from keyword arguments (no store needed)."""
    for name in list(os.environ):
        if name.upper().startswith("VENTANILLA_"):
            monkeypatch.delenv(name)

    def make(**extra: Any) -> XAdapter:
        return XAdapter(Settings(x=x_keys(fake, **extra)))

    return make


def x_overrides(fake: FakeX, **extra: Any) -> dict[str, str]:
    """`x_keys` as `app_with` takes them (VENTANILLA_X__* values)."""
    return {
        f"x__{key}": str(value).lower() if isinstance(value, bool) else str(value)
        for key, value in x_keys(fake, **extra).items()
    }


@pytest.fixture
def app(app_with, fake) -> Any:
    """The process App on a fresh store (SQLite and PostgreSQL), X enabled on the fake."""
    return app_with(**x_overrides(fake))


def fetch_all(adapter: XAdapter, cursor: str = "") -> list[Any]:
    return list(adapter.fetch(cursor))


def messages_of(batches: list[Any]) -> list[Any]:
    return [message for batch in batches for message in batch.messages]


def stored(app: Any) -> list[Any]:
    from ventanilla.store.schema import Message

    with app.db.read() as session:
        return list(session.scalars(select(Message).order_by(Message.id)))


# -- intake ------------------------------------------------------------------------------


def test_mentions_and_dms_become_inbound_messages(fake, adapter_for):
    adapter = adapter_for()
    ana = fake.add_user("ana_co", "Ana Pérez")
    luis = fake.add_user("luis", "Luis Gómez")
    mention = fake.add_mention(ana, "Necesito mi certificado de inscripción")
    adapter.send(Acknowledgement("x", luis, "R", "Hola, le escribimos nosotros"))  # ours
    dm = fake.add_dm(luis, "Quiero poner una queja")

    batches = fetch_all(adapter)
    first, second = messages_of(batches)
    assert first.channel == "x" and first.provider_id == f"tweet:{mention['id']}"
    assert first.text == "@ServiciodEmpleo Necesito mi certificado de inscripción"
    assert first.sender == f"x:{ana}" and first.sender_name == "Ana Pérez"
    assert first.received_at == datetime.fromisoformat(mention["created_at"])
    assert first.received_at.tzinfo is not None
    assert first.flags == {
        "x_kind": "mention",
        "tweet_id": mention["id"],
        "author_id": ana,
        "username": "ana_co",
        "url": f"https://x.com/ana_co/status/{mention['id']}",
        "public": True,
        "conversation_id": mention["id"],
        "lang": "es",
    }
    assert json.loads(first.raw)["id"] == mention["id"]
    assert second.provider_id == f"dm:{dm['id']}" and second.sender == f"x:{luis}"
    assert second.text == "Quiero poner una queja" and second.sender_name == "Luis Gómez"
    assert second.flags == {
        "x_kind": "dm",
        "dm_event_id": dm["id"],
        "author_id": luis,
        "username": "luis",
        "public": False,
        "dm_conversation_id": dm["dm_conversation_id"],
    }
    # Our own DM was passed over but counted: the cursor is past it and past Luis's.
    assert batches[-1].cursor == f"v1;m={mention['id']};d={dm['id']}"


def test_requests_are_authenticated_as_x_expects(fake, adapter_for):
    adapter = adapter_for()
    fetch_all(adapter)
    [lookup] = fake.calls_to("user")
    assert lookup.auth == "bearer" and lookup.route["username"] == "ServiciodEmpleo"
    assert fake.calls_to("mentions")[0].auth == "bearer"
    [dms] = fake.calls_to("dm_events")
    assert dms.auth == "oauth1"
    # Signed again for the URL it really went to, not for tweepy's api.twitter.com.
    assert dms.signed_for == f"{fake.api_url}/2/dm_events"
    assert dms.param("event_types") == "MessageCreate"
    fetch_all(adapter)
    assert len(fake.calls_to("user")) == 1  # the account id is looked up once


def test_each_request_is_signed_once(fake, adapter_for, monkeypatch):
    """tweepy signs for api.twitter.com and the request was signed again for api_url: two
    HMAC signatures per acknowledgement, a third of its CPU. Now one, for where it goes."""
    from requests_oauthlib import OAuth1

    from ventanilla.adapters.x_oauth import OAuth1Signer

    signed: list[str] = []
    for signer in (OAuth1, OAuth1Signer):  # tweepy's, and ours

        def counting(self: Any, request: Any, sign: Any = signer.__call__) -> Any:
            signed.append(request.url)
            return sign(self, request)

        monkeypatch.setattr(signer, "__call__", counting)
    adapter = adapter_for()
    author = fake.add_user("ciudadana", "Ciudadana")
    tweet = fake.add_mention(author, "hola")
    adapter.send(
        Acknowledgement(
            "x", author, "R-1", "Radicado R-1", in_reply_to=tweet["id"], kind="public_reply"
        )
    )
    adapter.send(Acknowledgement("x", author, "R-1", "Radicado R-1, su solicitud", kind="ack"))
    assert signed == [
        f"{fake.api_url}/2/tweets",
        f"{fake.api_url}/2/dm_conversations/with/{author}/messages",
    ]
    assert [call.signed_for for call in fake.calls if call.auth == "oauth1"] == signed


def test_account_id_comes_from_settings_or_from_the_access_token(fake, adapter_for):
    fetch_all(adapter_for(account_id=fake.account_id))
    assert fake.calls_to("user") == [] and fake.calls_to("me") == []
    fetch_all(adapter_for(account="", bearer_token=""))
    assert fake.calls_to("me")[0].auth == "oauth1"
    assert fake.calls_to("mentions")[-1].auth == "oauth1"  # no bearer token: user context


def test_a_backlog_comes_oldest_first_in_store_sized_batches(fake, adapter_for):
    adapter = adapter_for(fetch_batch=100)
    authors = [fake.add_user(f"ciudadano{n}") for n in range(5)]
    tweets = [fake.add_mention(authors[n % 5], f"Solicitud número {n}") for n in range(250)]
    batches = fetch_all(adapter)
    assert [len(b.messages) for b in batches] == [100, 100, 50]
    assert [b.remaining for b in batches] == [150, 50, 0]
    ids = [m.flags["tweet_id"] for m in messages_of(batches)]
    assert ids == [t["id"] for t in tweets]
    assert [b.cursor.split(";")[1] for b in batches] == [
        f"m={tweets[99]['id']}",
        f"m={tweets[199]['id']}",
        f"m={tweets[249]['id']}",
    ]
    assert len(fake.calls_to("mentions")) == 3  # pages of 100


def test_dm_listing_stops_at_the_last_event_seen(fake, adapter_for):
    adapter = adapter_for()
    citizen = fake.add_user("ana_co")
    for n in range(150):
        fake.add_dm(citizen, f"Mensaje {n}")
    cursor = fetch_all(adapter)[-1].cursor
    assert len(fake.calls_to("dm_events")) == 2
    newer = [fake.add_dm(citizen, f"Nuevo {n}") for n in range(3)]
    batches = fetch_all(adapter, cursor)
    assert [m.text for m in messages_of(batches)] == ["Nuevo 0", "Nuevo 1", "Nuevo 2"]
    assert len(fake.calls_to("dm_events")) == 3  # one page reached the last one seen
    assert batches[-1].cursor.endswith(f"d={newer[-1]['id']}")


def test_first_start_reads_only_the_lookback_window(fake, adapter_for):
    adapter = adapter_for(poll_lookback_hours=1)
    citizen = fake.add_user("ana_co")
    fake.add_mention(citizen, "Hace dos días", created_at=datetime.now(UTC) - timedelta(days=2))
    fake.add_dm(citizen, "DM viejo", created_at=datetime.now(UTC) - timedelta(days=2))
    fake.add_mention(citizen, "Ahora")
    fake.add_dm(citizen, "DM nuevo")
    texts = [m.text for m in messages_of(fetch_all(adapter))]
    assert texts == ["@ServiciodEmpleo Ahora", "DM nuevo"]
    assert fake.calls_to("mentions")[0].param("start_time")


def test_cursor_resumes_after_a_restart_and_nothing_is_imported_twice(fake, app):
    from ventanilla.store.intake import load_checkpoint
    from ventanilla.workers.poller import poll_channel

    citizen = fake.add_user("ana_co")
    for n in range(7):
        fake.add_mention(citizen, f"Solicitud {n}")
    fake.add_dm(citizen, "Un mensaje directo")
    assert poll_channel(XAdapter(app.settings)) == 8
    assert poll_channel(XAdapter(app.settings)) == 0  # a restart: a new adapter, same store
    last = fake.add_mention(citizen, "Una más")
    assert poll_channel(XAdapter(app.settings)) == 1
    rows = stored(app)
    assert len(rows) == 9 and len({row.provider_id for row in rows}) == 9
    with app.db.read() as session:
        assert load_checkpoint(session, "x").startswith(f"v1;m={last['id']};d=")
    assert fake.calls_to("mentions")[-1].param("since_id") is not None


def test_malformed_and_unknown_items_are_kept_with_a_reason(fake, app):
    from ventanilla.workers.poller import poll_channel

    citizen = fake.add_user("ana_co", "Ana")
    fake.add_raw_mention({"id": "11", "text": "@ServiciodEmpleo sin autor"})
    fake.add_raw_mention({"id": "12", "author_id": citizen})  # no text
    fake.add_raw_mention({"text": "ni id ni autor"})
    fake.add_raw_mention({"id": "13", "author_id": citizen, "text": "Hola", "colour": "azul"})
    ours = fake.add_mention(fake.account_id, "@ServiciodEmpleo nuestra propia publicación")
    retweet = fake.add_mention(citizen, "RT @otra: @ServiciodEmpleo mal servicio", retweet_of="7")
    hidden = fake.add_mention(fake.add_user("suspendida", shown=False), "Solicito información")
    fake.add_raw_dm({"id": "21", "event_type": "ParticipantsJoin", "sender_id": citizen})
    fake.add_raw_dm({"id": "22", "event_type": "MessageCreate", "text": "¿sin remitente?"})
    assert poll_channel(XAdapter(app.settings)) == 9
    poll_channel(XAdapter(app.settings))  # X lists the one without an id again: known by now
    assert len(stored(app)) == 9

    flags = {row.provider_id: row.flags for row in stored(app)}
    assert flags["tweet:11"]["quarantine"] == "mention without author_id"
    assert flags["tweet:12"]["quarantine"] == "mention without text"
    [no_id] = [pid for pid in flags if pid.startswith("tweet:sha256:")]
    assert flags[no_id]["quarantine"] == "mention without a valid id"
    assert "quarantine" not in flags["tweet:13"]  # an unknown field is no reason to refuse
    assert flags[f"tweet:{ours['id']}"]["skip"] == "our own post"
    assert flags[f"tweet:{retweet['id']}"]["skip"] == "a repost of a post that names us"
    # An author X would not show is still a citizen who wrote: radicated, no handle.
    assert "quarantine" not in flags[f"tweet:{hidden['id']}"]
    assert flags[f"tweet:{hidden['id']}"]["username"] == ""
    assert flags[f"tweet:{hidden['id']}"]["url"] == f"https://x.com/i/status/{hidden['id']}"
    assert flags["dm:21"]["skip"] == "a direct-message event of type 'ParticipantsJoin'"
    assert flags["dm:22"]["quarantine"] == "direct message without sender_id"


def test_bad_items_end_quarantined_or_ignored_through_the_pipeline(fake, app):
    from ventanilla.store.cases import list_messages
    from ventanilla.workers.pipeline import advance_batch
    from ventanilla.workers.poller import poll_channel

    fake.add_raw_mention({"id": "11", "text": "@ServiciodEmpleo sin autor"})
    fake.add_mention(fake.account_id, "@ServiciodEmpleo nuestra propia publicación")
    poll_channel(XAdapter(app.settings))
    advance_batch([row.id for row in stored(app)])
    with app.db.read() as session:
        rows = list_messages(session)
    assert [(row["status"], row["reason"]) for row in rows] == [
        ("quarantined", "mention without author_id"),
        ("ignored", "not radicated: our own post"),
    ]
    assert fake.posted == [] and fake.dms_sent == []


def test_a_reply_to_our_public_reply_refers_to_its_radicado(fake, adapter_for):
    adapter = adapter_for()
    citizen = fake.add_user("ana_co")
    mention = fake.add_mention(citizen, "Solicito información")
    ref = adapter.send(
        Acknowledgement("x", citizen, "20261000000012", "Radicado 20261000000012: recibimos su "
                        "solicitud.", in_reply_to=mention["id"], kind="public_reply")
    )  # fmt: skip
    reply = fake.add_mention(citizen, "Ya les escribí por DM", reply_to=ref.removeprefix("tweet:"))
    other = fake.add_mention(citizen, "Respuesta a otra persona", reply_to=mention["id"])
    by_id = {m.flags["tweet_id"]: m for m in messages_of(fetch_all(adapter))}
    assert by_id[reply["id"]].references == ("<radicado.20261000000012.0@x>",)
    assert by_id[other["id"]].references == ()


# -- failures ----------------------------------------------------------------------------


def test_rate_limit_is_a_retryable_error_with_the_time_to_reset(fake, adapter_for):
    adapter = adapter_for()
    adapter.account_id()
    reset = fake.rate_limit_next("mentions", reset_in=30)
    with pytest.raises(ChannelError) as limited:
        fetch_all(adapter)
    assert limited.value.retryable
    assert limited.value.retry_after is not None
    assert 1 <= limited.value.retry_after <= reset - fake.calls[-1].at + 1
    assert "429" in str(limited.value)


def test_the_poller_waits_out_a_rate_limit_then_takes_the_mentions(fake, app):
    from ventanilla.workers.poller import run_channel

    citizen = fake.add_user("ana_co")
    fake.add_mention(citizen, "Solicito información")
    adapter = XAdapter(app.settings)
    adapter.account_id()
    reset = fake.rate_limit_next("mentions", reset_in=2)
    stop = threading.Event()
    thread = threading.Thread(target=run_channel, args=(adapter, 0.05, stop), daemon=True)
    thread.start()
    try:
        wait_until(lambda: len(stored(app)) == 1, 30, "the mention after the reset")
    finally:
        stop.set()
        thread.join(10)
    limited, taken = fake.calls_to("mentions")[:2]
    assert limited.status == 429 and taken.status == 200
    assert taken.at >= reset - 1  # not before X said the limit resets (whole seconds)


@pytest.mark.parametrize(
    ("status", "retryable", "named"),
    [(401, False, "x.bearer_token"), (503, True, "X 503"), (400, False, "X 400")],
)
def test_listing_failures_say_whether_retrying_helps(fake, adapter_for, status, retryable, named):
    adapter = adapter_for()
    adapter.account_id()
    fake.fail_next("mentions", status)
    with pytest.raises(ChannelError) as failed:
        fetch_all(adapter)
    assert failed.value.retryable is retryable and failed.value.retry_after is None
    assert named in str(failed.value)


def test_refused_user_credentials_name_the_access_token(fake, adapter_for):
    adapter = adapter_for(access_token_secret="otro")
    adapter.account_id()  # with the bearer token
    with pytest.raises(ChannelError) as refused:
        fetch_all(adapter)  # mentions pass (bearer), the DM listing is refused
    assert not refused.value.retryable
    assert str(refused.value).startswith("x: x.access_token: X refused our credentials (401)")


def test_an_unknown_account_or_missing_dm_permission_names_the_setting(fake, adapter_for):
    with pytest.raises(ChannelError) as unknown:
        fetch_all(adapter_for(account="nadie"))
    assert str(unknown.value) == "x: x.account: X has no account @nadie"
    fake.fail_next("dm_events", 403)
    with pytest.raises(ChannelError) as forbidden:
        fetch_all(adapter_for())
    assert not forbidden.value.retryable
    assert str(forbidden.value).startswith("x: x.dm_enabled: X refuses to list our direct")


def test_a_server_that_drops_the_connection_is_retryable_and_names_api_url(fake, adapter_for):
    adapter = adapter_for()
    fake.disconnect_next("user")
    with pytest.raises(ChannelError) as dropped:
        fetch_all(adapter)
    assert dropped.value.retryable and "x.api_url: cannot reach X" in str(dropped.value)


# -- sending -----------------------------------------------------------------------------


def public_reply(recipient: str, tweet_id: str, text: str = "Radicado 20261000000012") -> Any:
    return Acknowledgement(
        "x", recipient, "20261000000012", text, in_reply_to=tweet_id, kind="public_reply"
    )


def test_public_reply_goes_under_the_mention_and_the_dm_to_the_author(fake, adapter_for):
    adapter = adapter_for()
    citizen = fake.add_user("ana_co")
    mention = fake.add_mention(citizen, "Solicito información")
    ref = adapter.send(public_reply(citizen, mention["id"]))
    [posted] = fake.posted
    assert ref == f"tweet:{posted['id']}"
    assert posted["text"] == "Radicado 20261000000012"
    assert posted["in_reply_to_tweet_id"] == mention["id"]
    dm_ref = adapter.send(Acknowledgement("x", citizen, "20261000000012", "Detalles completos"))
    [sent] = fake.dms_sent
    assert dm_ref == f"dm:{sent['dm_event_id']}"
    assert (sent["participant_id"], sent["text"]) == (citizen, "Detalles completos")
    assert all(call.auth == "oauth1" for call in fake.calls_to("create_dm"))


def test_closed_direct_messages_fail_for_good_with_the_reason(fake, adapter_for):
    adapter = adapter_for()
    closed = fake.add_user("cerrada", dms_open=False)
    with pytest.raises(ChannelError) as refused:
        adapter.send(Acknowledgement("x", closed, "20261000000012", "Detalles"))
    assert not refused.value.retryable
    assert "direct messages closed" in str(refused.value)


def test_sends_that_are_rate_limited_or_down_are_retryable(fake, adapter_for):
    adapter = adapter_for()
    citizen = fake.add_user("ana_co")
    mention = fake.add_mention(citizen, "Solicito información")
    fake.rate_limit_next("create_tweet", reset_in=60)
    with pytest.raises(ChannelError) as limited:
        adapter.send(public_reply(citizen, mention["id"]))
    assert limited.value.retryable and limited.value.retry_after is not None
    assert limited.value.retry_after > 30
    fake.fail_next("create_dm", 503)
    with pytest.raises(ChannelError) as down:
        adapter.send(Acknowledgement("x", citizen, "20261000000012", "Detalles"))
    assert down.value.retryable and down.value.retry_after is None


def test_a_public_reply_sent_twice_is_recognised_as_already_posted(fake, adapter_for):
    adapter = adapter_for()
    citizen = fake.add_user("ana_co")
    mention = fake.add_mention(citizen, "Solicito información")
    adapter.send(public_reply(citizen, mention["id"]))
    assert adapter.send(public_reply(citizen, mention["id"])) == "tweet:already-posted"
    assert len(fake.posted) == 1


def test_rate_limited_acknowledgement_waits_for_the_reset(fake, app):
    from ventanilla.store.schema import Outbox
    from ventanilla.workers.broker import broker
    from ventanilla.workers.pipeline import advance_batch
    from ventanilla.workers.poller import poll_channel
    from ventanilla.workers.reconciler import reconcile

    citizen = fake.add_user("ana_co")
    fake.add_mention(citizen, "Solicito copia de mi certificado laboral")
    poll_channel(XAdapter(app.settings))
    fake.rate_limit_next("create_tweet", reset_in=120)
    broker.client.delete(f"{broker.namespace}:pipeline.DQ.msgs", f"{broker.namespace}:pipeline.DQ")
    before = time.time()
    advance_batch([row.id for row in stored(app)])

    with app.db.read() as session:
        rows = {row.kind: row for row in session.scalars(select(Outbox))}
    assert rows["ack"].status == "sent" and len(fake.dms_sent) == 1
    limited = rows["public_reply"]
    assert limited.status == "pending" and "429" in limited.last_error
    # Nothing sends it again before the reset: not the reconciler...
    assert reconcile(older_than=timedelta(0)) == 0
    # ...and the retry is enqueued for then, not after the fixed 2 s.
    queued = [
        json.loads(raw) for raw in broker.client.hvals(f"{broker.namespace}:pipeline.DQ.msgs")
    ]
    [retry] = [m for m in queued if m["actor_name"] == "acknowledge" and m["args"] == [limited.id]]
    assert retry["options"]["eta"] >= (before + 110) * 1000
    assert fake.posted == []


# -- ventanilla check --connect ----------------------------------------------------------


def test_probe_passes_with_good_credentials_and_names_the_wrong_setting(fake, adapter_for):
    adapter_for().probe()
    assert {call.endpoint for call in fake.calls} == {"me", "user"}
    cases = [
        (adapter_for(account="OtraCuenta"), "x.account: the access token is @ServiciodEmpleo's"),
        (adapter_for(account_id="12345"), "x.account_id: @ServiciodEmpleo is"),
        (adapter_for(bearer_token="otro"), "x.bearer_token: X refused our credentials"),
        (adapter_for(access_token_secret="otro"), "x.access_token: X refused our credentials"),
        (adapter_for(api_url="http://127.0.0.1:9"), "x.api_url: cannot reach X"),
    ]
    for adapter, words in cases:
        with pytest.raises(ChannelError) as wrong:
            adapter.probe()
        assert str(wrong.value).startswith(f"x: {words}")


def test_check_connect_reports_x_by_its_key(fake, app_with):
    from ventanilla.settings_check import connection_problems, settings_warnings

    app = app_with(**x_overrides(fake, access_token_secret="otro"))
    problems = connection_problems(app.settings)
    assert [p for p in problems if p.startswith("x.")] == [
        "x.access_token: X refused our credentials (401) reading our account (users/me); "
        "check x.access_token and x.access_token_secret (with x.consumer_key, x.consumer_secret)"
    ]
    assert not any(w.startswith("x.enabled") for w in settings_warnings(app.settings))
