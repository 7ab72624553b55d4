"""Our OAuth 1.0a signer signs exactly as oauthlib (the reference) does."""

from __future__ import annotations

import pytest
import requests
from oauthlib.oauth1 import Client

from ventanilla.adapters.x_oauth import OAuth1Signer, base_uri

KEYS = ("ck-Ω", "cs &+/=", "at-123", "as ~!*")
NONCE, TIMESTAMP = "3f1c0a9be2d84d1f9a7e6b5c4d3e2f10", 1765150000


def reference(method: str, url: str, body: str | None = None) -> dict[str, str]:
    client = Client(
        KEYS[0],
        client_secret=KEYS[1],
        resource_owner_key=KEYS[2],
        resource_owner_secret=KEYS[3],
        nonce=NONCE,
        timestamp=str(TIMESTAMP),
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    _, signed, _ = client.sign(url, method, body=body, headers=headers)
    return fields(signed["Authorization"])


def fields(header: str) -> dict[str, str]:
    assert header.startswith("OAuth ")
    pairs = (part.strip().split("=", 1) for part in header[6:].split(","))
    return {key: value.strip('"') for key, value in pairs}


def ours() -> OAuth1Signer:
    return OAuth1Signer(*KEYS, clock=lambda: TIMESTAMP + 0.7, nonce=lambda: NONCE)


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("POST", "http://127.0.0.1:8123/2/tweets"),
        ("post", "https://API.X.com/2/dm_conversations/with/1864/messages"),
        ("GET", "https://api.x.com:443/2/users/42/mentions?max_results=100&since_id=7"),
        (
            "GET",
            "http://127.0.0.1:9/base/2/dm_events?dm_event.fields=attachments%2Ccreated_at"
            "&event_types=MessageCreate&expansions=sender_id&empty=&a=2&a=1&q=caf%C3%A9+sin+%2B",
        ),
        ("GET", "https://api.x.com/2/users/by/username/Servicio%20Empleo?x=%7E"),
    ],
)
def test_the_signature_is_oauthlibs(method, url):
    assert fields(ours().header(method, url)) == reference(method.upper(), url)


def test_a_form_body_is_signed_and_a_json_body_is_not():
    url = "https://api.x.com/1.1/direct_messages/new.json?x=1"
    form = "text=hola+mundo&screen_name=ana"
    assert fields(ours().header("POST", url, form)) == reference("POST", url, form)
    signer = ours()
    json_request = requests.Request("POST", url, json={"text": "hola"}).prepare()
    form_request = requests.Request("POST", url, data={"text": "hola mundo"}).prepare()
    assert fields(signer(json_request).headers["Authorization"]) == fields(
        signer.header("POST", url)
    )
    assert fields(signer(form_request).headers["Authorization"]) == reference(
        "POST", url, "text=hola+mundo"
    )


def test_the_base_uri_drops_the_default_port_and_the_query():
    assert base_uri("HTTPS://Api.X.com:443/2/tweets?a=1") == "https://api.x.com/2/tweets"
    assert base_uri("http://127.0.0.1:80/") == "http://127.0.0.1/"
    assert base_uri("http://127.0.0.1:8080") == "http://127.0.0.1:8080/"
