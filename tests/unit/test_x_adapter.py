"""The X adapter's pure parts: its cursor, and routing to api_url."""

from __future__ import annotations

import pytest
import requests
from requests_oauthlib import OAuth1

from ventanilla.adapters.x import Cursor, RoutedSession


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Cursor()),
        ("v1;m=1864;d=1870", Cursor("1864", "1870")),
        ("v1;m=;d=1870", Cursor("", "1870")),
        ("v1;d=5;m=7", Cursor("7", "5")),
        ("v1;m=12ab;d=-3", Cursor()),  # not snowflakes: start afresh
        ("v2;m=1;d=2", Cursor()),  # a version this code does not know
        ("1864", Cursor()),
    ],
)
def test_cursor_is_read_back_or_starts_afresh(text, expected):
    assert Cursor.parse(text) == expected


def test_cursor_round_trips():
    cursor = Cursor("1864000000000000001", "1864000000000000002")
    assert str(cursor) == "v1;m=1864000000000000001;d=1864000000000000002"
    assert Cursor.parse(str(cursor)) == cursor


@pytest.mark.parametrize(
    ("url", "routed"),
    [
        (
            "https://api.twitter.com/2/users/42/mentions?since_id=7",
            "http://127.0.0.1:9999/base/2/users/42/mentions?since_id=7",
        ),
        ("https://api.x.com/2/tweets", "http://127.0.0.1:9999/base/2/tweets"),
        ("https://upload.twitter.com/1.1/media", "https://upload.twitter.com/1.1/media"),
        ("https://example.com/2/tweets", "https://example.com/2/tweets"),
    ],
)
def test_x_hosts_are_routed_to_api_url(url, routed):
    assert RoutedSession("http://127.0.0.1:9999/base/", None).route(url) == routed


def test_a_user_context_request_is_signed_once_with_our_signer_for_where_it_goes():
    ours = OAuth1("ck", client_secret="cs", resource_owner_key="at", resource_owner_secret="as")
    tweepys = OAuth1("other", client_secret="x", resource_owner_key="y", resource_owner_secret="z")
    session = RoutedSession("http://127.0.0.1:9/base", ours, timeout=0.5)
    request = requests.Request(
        "POST", "https://api.twitter.com/2/tweets", json={"text": "Hola"}, auth=tweepys
    )
    prepared = session.prepare_request(request)
    assert prepared.url == "http://127.0.0.1:9/base/2/tweets"
    header = _text(prepared.headers["Authorization"])
    assert header.startswith("OAuth ") and 'oauth_consumer_key="ck"' in header
    with pytest.raises(requests.ConnectionError):  # nothing listens there, and it says so
        session.request("POST", "https://api.twitter.com/2/tweets", json={}, auth=tweepys)


def test_the_environment_is_read_once_for_api_url(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "")
    session = RoutedSession("https://api.x.com", None)
    assert session.proxies["https"] == "http://proxy.example:3128"
    assert not session.trust_env  # not read again at each request


def _text(header: str | bytes) -> str:
    return header.decode() if isinstance(header, bytes) else header
