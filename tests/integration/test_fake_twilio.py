"""The Twilio fake answers the real ``twilio`` Client the way api.twilio.com does."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from tests.conftest import wait_until
from tests.fake_twilio import FakeTwilio, num_segments

pytestmark = pytest.mark.integration

US = "+15005550006"
CITIZEN = "+573001234567"


class RoutedHttpClient(TwilioHttpClient):
    """Sends every request for api.twilio.com (or any *.twilio.com) to ``api_url`` instead."""

    def __init__(self, api_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._target = urlsplit(api_url)

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if host == "twilio.com" or host.endswith(".twilio.com"):
            path = self._target.path.rstrip("/") + parts.path
            url = urlunsplit(
                parts._replace(scheme=self._target.scheme, netloc=self._target.netloc, path=path)
            )
        return super().request(method, url, *args, **kwargs)


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    with FakeTwilio() as server:
        yield server
    assert server.errors == []


def client_for(fake: FakeTwilio, auth_token: str | None = None) -> Client:
    http = RoutedHttpClient(fake.api_url, timeout=5)
    return Client(fake.account_sid, auth_token or fake.auth_token, http_client=http)


@pytest.fixture
def client(fake: FakeTwilio) -> Client:
    return client_for(fake)


def test_create_message_is_recorded_and_returned(fake: FakeTwilio, client: Client) -> None:
    message = client.messages.create(
        to=CITIZEN,
        from_=US,
        body="Radicado 2026100000012 recibido",
        status_callback="https://ventanilla.example/twilio/status",
    )

    assert message.sid.startswith("SM") and len(message.sid) == 34
    assert message.status == "queued"
    assert message.direction == "outbound-api"
    assert message.account_sid == fake.account_sid
    assert (message.to, message.from_, message.body) == (
        CITIZEN,
        US,
        "Radicado 2026100000012 recibido",
    )
    assert message.num_segments == "1" and message.price is None
    assert message.date_created is not None and message.date_created.tzinfo is not None
    assert message.uri == f"/2010-04-01/Accounts/{fake.account_sid}/Messages/{message.sid}.json"
    assert fake.sent == [
        {
            "To": CITIZEN,
            "From": US,
            "Body": "Radicado 2026100000012 recibido",
            "StatusCallback": "https://ventanilla.example/twilio/status",
        }
    ]
    logged = fake.requests_log[-1]
    assert (logged.method, logged.path, logged.status) == (
        "POST",
        f"/2010-04-01/Accounts/{fake.account_sid}/Messages.json",
        201,
    )
    assert logged.username == fake.account_sid
    assert logged.headers["user-agent"].startswith("twilio-python/")
    # The library can read back what it created.
    assert client.messages(message.sid).fetch().body == "Radicado 2026100000012 recibido"


def test_media_urls_are_sent_as_repeated_fields(fake: FakeTwilio, client: Client) -> None:
    urls = ["https://ventanilla.example/a.pdf", "https://ventanilla.example/b.png"]
    message = client.messages.create(to=CITIZEN, from_=US, media_url=urls)
    assert message.sid.startswith("MM") and message.num_media == "2"
    assert fake.sent[0]["MediaUrl"] == urls


def test_spanish_accents_cost_ucs2_segments() -> None:
    assert num_segments("a" * 160) == 1
    assert num_segments("a" * 161) == 2
    assert num_segments("Petición recibida") == 1  # ó is not GSM-7: UCS-2, 70 per segment
    assert num_segments("ó" * 71) == 2
    assert num_segments("ñé" * 80) == 1  # ñ and é are GSM-7


def test_wrong_auth_token_is_401(fake: FakeTwilio) -> None:
    client = client_for(fake, auth_token="not-the-token")
    with pytest.raises(TwilioRestException) as caught:
        client.messages.create(to=CITIZEN, from_=US, body="hola")
    assert caught.value.status == 401
    assert caught.value.code == 20003
    assert fake.sent == [] and fake.create_attempts == []
    assert fake.requests_log[-1].status == 401


def test_fail_next_400_is_a_permanent_error_once(fake: FakeTwilio, client: Client) -> None:
    fake.fail_next(400, 21211, "The 'To' number is not a valid phone number.")
    with pytest.raises(TwilioRestException) as caught:
        client.messages.create(to=CITIZEN, from_=US, body="hola")
    assert (caught.value.status, caught.value.code) == (400, 21211)
    assert "not a valid phone number" in caught.value.msg
    assert fake.sent == [] and len(fake.create_attempts) == 1

    client.messages.create(to=CITIZEN, from_=US, body="hola")  # only the next one failed
    assert len(fake.sent) == 1 and len(fake.create_attempts) == 2


def test_validation_errors_use_twilio_codes(fake: FakeTwilio, client: Client) -> None:
    with pytest.raises(TwilioRestException) as caught:
        client.messages.create(to="3001234567", from_=US, body="hola")
    assert caught.value.code == 21211
    with pytest.raises(TwilioRestException) as caught:
        client.messages.create(to=CITIZEN, body="hola")
    assert caught.value.code == 21603
    with pytest.raises(TwilioRestException) as caught:
        client.messages.create(to=CITIZEN, from_=US)
    assert caught.value.code == 21602
    assert fake.sent == []


def test_rate_limit_and_server_errors(fake: FakeTwilio, client: Client) -> None:
    fake.rate_limit_next(times=2, retry_after_seconds=3)
    fake.fail_next(500)
    for expected in (429, 429, 500):
        with pytest.raises(TwilioRestException) as caught:
            client.messages.create(to=CITIZEN, from_=US, body="hola")
        assert caught.value.status == expected
        assert caught.value.code == {429: 20429, 500: 20500}[expected]
        if expected == 429:
            # TwilioRestException carries no headers; the http client keeps the last response.
            last = client.http_client._test_only_last_response
            assert last is not None and last.headers["Retry-After"] == "3"
    assert client.messages.create(to=CITIZEN, from_=US, body="hola").status == "queued"
    assert len(fake.sent) == 1 and len(fake.create_attempts) == 4


def test_connection_lost_after_twilio_accepted(fake: FakeTwilio, client: Client) -> None:
    fake.disconnect_next(after_accept=True)
    with pytest.raises(requests.ConnectionError):
        client.messages.create(to=CITIZEN, from_=US, body="hola")
    assert len(fake.sent) == 1  # sent although the client never heard back
    assert fake.requests_log[-1].status == 0


def test_list_date_sent_after_pages_newest_first(fake: FakeTwilio, client: Client) -> None:
    for day in (8, 9):
        fake.add_inbound(None, CITIZEN, US, f"vieja {day}", datetime(2026, 3, day, 15, tzinfo=UTC))
    for day in range(10, 15):
        fake.add_inbound(None, CITIZEN, US, f"nueva {day}", datetime(2026, 3, day, 15, tzinfo=UTC))
    fake.add_inbound(None, "+573009999999", US, "otro", datetime(2026, 3, 12, tzinfo=UTC))

    listed = client.messages.list(
        to=US, from_=CITIZEN, date_sent_after=datetime(2026, 3, 10, tzinfo=UTC), page_size=2
    )

    assert [m.body for m in listed] == [f"nueva {day}" for day in (14, 13, 12, 11, 10)]
    assert all(m.direction == "inbound" and m.status == "received" for m in listed)
    assert listed[0].date_sent == datetime(2026, 3, 14, 15, tzinfo=UTC)
    pages = [r for r in fake.requests_log if r.method == "GET"]
    assert len(pages) == 3
    # How the library encodes the filter: key "DateSent>", value %Y-%m-%dT%H:%M:%SZ.
    assert pages[0].query == {
        "To": [US],
        "From": [CITIZEN],
        "DateSent>": ["2026-03-10T00:00:00Z"],
        "PageSize": ["2"],
    }
    assert [r.query["Page"] for r in pages[1:]] == [["1"], ["2"]]
    assert all(r.query["PageToken"][0].startswith("PA") for r in pages[1:])
    assert all(r.query["DateSent>"] == ["2026-03-10T00:00:00Z"] for r in pages[1:])


def test_list_page_json_shape(fake: FakeTwilio, client: Client) -> None:
    for hour in range(3):
        fake.add_inbound(None, CITIZEN, US, f"m{hour}", datetime(2026, 3, 10, hour, tzinfo=UTC))
    page = client.messages.page(page_size=2)
    assert [m.body for m in page] == ["m2", "m1"]
    payload = page._payload
    assert set(payload) == {
        "messages",
        "first_page_uri",
        "next_page_uri",
        "previous_page_uri",
        "page",
        "page_size",
        "start",
        "end",
        "uri",
    }
    assert (payload["page"], payload["page_size"], payload["start"], payload["end"]) == (0, 2, 0, 1)
    assert payload["previous_page_uri"] is None
    second = page.next_page()
    assert second is not None and [m.body for m in second] == ["m0"]
    assert second._payload["next_page_uri"] is None
    assert second._payload["previous_page_uri"] is not None
    previous = second.previous_page()
    assert previous is not None and [m.body for m in previous] == ["m2", "m1"]


def test_date_filter_precision() -> None:
    cases: list[tuple[Literal["day", "second"], list[str]]] = [
        ("day", ["late", "early"]),
        ("second", ["late"]),
    ]
    for precision, expected in cases:
        with FakeTwilio(date_filter_precision=precision) as fake:
            fake.add_inbound(None, CITIZEN, US, "early", datetime(2026, 3, 10, 8, tzinfo=UTC))
            fake.add_inbound(None, CITIZEN, US, "late", datetime(2026, 3, 10, 18, tzinfo=UTC))
            fake.add_inbound(None, CITIZEN, US, "before", datetime(2026, 3, 9, 23, tzinfo=UTC))
            listed = client_for(fake).messages.list(
                date_sent_after=datetime(2026, 3, 10, 12, tzinfo=UTC)
            )
            assert [m.body for m in listed] == expected
            # Inclusive: Twilio's syntax is DateSent>=...
            exact = client_for(fake).messages.list(
                date_sent_after=datetime(2026, 3, 10, 18, tzinfo=UTC),
                date_sent_before=datetime(2026, 3, 10, 18, tzinfo=UTC),
            )
            assert "late" in [m.body for m in exact]


def test_media_needs_basic_auth(fake: FakeTwilio, client: Client) -> None:
    photo = b"\x89PNG\r\n\x1a\n fake png"
    fake.add_inbound(
        "MM" + "a" * 32,
        CITIZEN,
        US,
        "foto del hueco",
        datetime(2026, 3, 10, tzinfo=UTC),
        media=[("image/png", photo), ("application/pdf", b"%PDF-1.4")],
    )
    urls = fake.media_urls("MM" + "a" * 32)
    assert len(urls) == 2 and urls[0].startswith(fake.api_url)

    auth = (fake.account_sid, fake.auth_token)
    with httpx.Client(timeout=5) as http:
        answer = http.get(urls[0], auth=auth)
        assert answer.status_code == 200
        assert answer.content == photo
        assert answer.headers["content-type"] == "image/png"
        refused = http.get(urls[0])
        assert refused.status_code == 401
        assert refused.json()["code"] == 20003
        assert http.get(urls[1], auth=("AC" + "0" * 32, fake.auth_token)).status_code == 401

    media = client.messages("MM" + "a" * 32).media.list()
    assert [m.content_type for m in media] == ["image/png", "application/pdf"]
    assert media[0].parent_sid == "MM" + "a" * 32
    assert client.messages("MM" + "a" * 32).fetch().num_media == "2"


def test_media_redirect_to_cdn() -> None:
    with FakeTwilio(media_redirect=True) as redirecting:
        sid = redirecting.add_inbound(
            None, CITIZEN, US, "", datetime(2026, 3, 10, tzinfo=UTC), media=[("image/jpeg", b"j")]
        )["sid"]
        url = redirecting.media_urls(sid)[0]
        auth = (redirecting.account_sid, redirecting.auth_token)
        with httpx.Client(timeout=5) as http:
            assert http.get(url, auth=auth).status_code == 307  # httpx does not follow by default
            followed = http.get(url, auth=auth, follow_redirects=True)
        assert followed.content == b"j" and followed.headers["content-type"] == "image/jpeg"


def test_recordings(fake: FakeTwilio, client: Client) -> None:
    url = fake.add_recording("RE" + "b" * 32, b"RIFF....WAVE", mp3=b"ID3 mp3")
    assert url == f"{fake.api_url}/2010-04-01/Accounts/{fake.account_sid}/Recordings/RE{'b' * 32}"
    auth = (fake.account_sid, fake.auth_token)
    with httpx.Client(timeout=5) as http:
        wav = http.get(url, auth=auth)
        assert (wav.content, wav.headers["content-type"]) == (b"RIFF....WAVE", "audio/x-wav")
        assert http.get(url + ".wav", auth=auth).content == b"RIFF....WAVE"
        mp3 = http.get(url + ".mp3", auth=auth)
        assert (mp3.content, mp3.headers["content-type"]) == (b"ID3 mp3", "audio/mpeg")
        assert http.get(url + ".mp3").status_code == 401
    recording = client.recordings("RE" + "b" * 32).fetch()
    assert recording.status == "completed" and recording.duration == "1"


def test_inbound_webhook_is_signed(fake: FakeTwilio) -> None:
    sid = fake.add_inbound(
        None, CITIZEN, US, "hola", datetime(2026, 3, 10, tzinfo=UTC), media=[("image/png", b"p")]
    )["sid"]
    url = "https://ventanilla.example/twilio/sms"
    form, headers = fake.inbound_webhook(sid, url)
    assert form["MessageSid"] == sid and form["NumMedia"] == "1"
    assert form["MediaUrl0"] == fake.media_urls(sid)[0]
    assert form["MediaContentType0"] == "image/png"
    validator = RequestValidator(fake.auth_token)
    assert validator.validate(url, form, headers["X-Twilio-Signature"])
    assert not RequestValidator("other").validate(url, form, headers["X-Twilio-Signature"])


def test_close_ends_keep_alive_connections() -> None:
    fake = FakeTwilio().start()
    client = client_for(fake)
    client.messages.create(to=CITIZEN, from_=US, body="hola")  # leaves a pooled connection
    server, thread = fake._http._server, fake._http._thread
    assert server is not None and server.connections
    fake.close()
    assert thread is not None and not thread.is_alive()
    wait_until(lambda: not server.connections, 5, "the keep-alive handler to end")
    with pytest.raises(requests.ConnectionError):
        client.messages.create(to=CITIZEN, from_=US, body="hola")
