"""The rules of X's API v2 that the fake X (``tests/fake_x.py``) applies, each on its own.

- ``weighted_length``: how X counts a post against its 280-character limit (twitter-text
  configuration v3): text normalised to NFC; code points in the Latin, general
  punctuation and similar ranges weigh 1, every other code point (CJK, emoji) 2; every URL
  counts 23 whatever its length. Emoji sequences joined with ZWJ are counted per code
  point (X counts a sequence once), so the fake is stricter there, never more lenient.
- ``oauth1_signed_for``: checks an OAuth 1.0a ``Authorization`` header (HMAC-SHA1) and
  tells which URL it was signed for.
- ``Snowflakes``: increasing 64-bit ids, like X's (time in the high bits).
- ``problem``: X's error JSON (``title``, ``detail``, ``type``, ``status``).

Independent of ventanilla's own code on purpose: a fake that reused the code under test
would agree with its mistakes.
"""

from __future__ import annotations

import json
import re
import threading
import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from oauthlib.oauth1.rfc5849 import signature, utils

from tests.fake_http import Response

MAX_WEIGHTED_LENGTH = 280
URL_LENGTH = 23
# twitter-text v3: these code point ranges weigh 100 (one character), the rest 200.
_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
_URL = re.compile(
    r"(?:https?://[^\s<>\"]+)"
    r"|(?:\b(?:www\.)?[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*"
    r"\.(?:com|co|org|net|gov|edu|io|info|me|ly)(?:\.[a-z]{2})?\b(?:/[^\s<>\"]*)?)",
    re.IGNORECASE,
)
TWITTER_EPOCH_MS = 1288834974657
TWEET_FIELDS = {
    "attachments", "author_id", "context_annotations", "conversation_id", "created_at",
    "edit_controls", "edit_history_tweet_ids", "entities", "geo", "id", "in_reply_to_user_id",
    "lang", "note_tweet", "possibly_sensitive", "public_metrics", "referenced_tweets",
    "reply_settings", "source", "text", "withheld",
}  # fmt: skip
USER_FIELDS = {
    "created_at", "description", "entities", "id", "location", "name", "pinned_tweet_id",
    "profile_image_url", "protected", "public_metrics", "url", "username", "verified",
    "verified_type", "withheld",
}  # fmt: skip
DM_EVENT_FIELDS = {
    "attachments", "created_at", "dm_conversation_id", "event_type", "id", "participant_ids",
    "referenced_tweets", "sender_id", "text",
}  # fmt: skip
MENTION_EXPANSIONS = {
    "attachments.media_keys", "attachments.poll_ids", "author_id", "edit_history_tweet_ids",
    "entities.mentions.username", "geo.place_id", "in_reply_to_user_id", "referenced_tweets.id",
    "referenced_tweets.id.author_id",
}  # fmt: skip
DM_EXPANSIONS = {"attachments.media_keys", "participant_ids", "referenced_tweets.id", "sender_id"}
DEFAULT_TWEET = ("id", "text", "edit_history_tweet_ids")
DEFAULT_USER = ("id", "name", "username")
DEFAULT_EVENT = ("id", "event_type", "text")
UNSUPPORTED_AUTH = (
    "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  "
    "Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context]."
)
DM_CLOSED = "You are not allowed to send a DM to this user"


PROBLEMS = "https://api.twitter.com/2/problems"
TITLES = {
    400: "Invalid Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found Error",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def weighted_length(text: str) -> int:
    """The length X counts for a post (280 is the limit)."""
    normalised = unicodedata.normalize("NFC", text)
    length = 0
    position = 0
    for match in _URL.finditer(normalised):
        length += _weight(normalised[position : match.start()]) + URL_LENGTH
        position = match.end()
    return length + _weight(normalised[position:])


def _weight(text: str) -> int:
    return sum(
        1 if any(low <= ord(char) <= high for low, high in _LIGHT_RANGES) else 2 for char in text
    )


def oauth1_signed_for(
    method: str,
    urls: list[str],
    query: str,
    header: str,
    consumer: tuple[str, str],
    token: tuple[str, str],
) -> str | None:
    """The URL among ``urls`` this OAuth 1.0a header was signed for with these
    credentials ((key, secret) of the consumer and of the access token), or None.

    The body is left out of the signature: the v2 API takes JSON, which OAuth 1.0a does
    not sign (RFC 5849 section 3.4.1.3.1 signs form-encoded bodies only).
    """
    if not header.startswith("OAuth "):
        return None
    try:
        fields = {k: utils.unescape(v) for k, v in utils.parse_authorization_header(header)}
    except ValueError:
        return None
    if fields.get("oauth_signature_method") != "HMAC-SHA1":
        return None
    if fields.get("oauth_consumer_key") != consumer[0] or fields.get("oauth_token") != token[0]:
        return None
    params = signature.collect_parameters(
        uri_query=query, headers={"Authorization": header}, exclude_oauth_signature=True
    )
    normalised = signature.normalize_parameters(params)
    secrets = _Secrets(consumer[1], token[1])
    for url in urls:
        base = signature.signature_base_string(
            method.upper(), signature.base_string_uri(url), normalised
        )
        if signature.sign_hmac_sha1_with_client(base, secrets) == fields.get("oauth_signature"):
            return url
    return None


@dataclass(frozen=True)
class _Secrets:
    """What oauthlib's signing reads from a client."""

    client_secret: str
    resource_owner_secret: str


class Snowflakes:
    """Increasing ids shaped like X's: milliseconds since X's epoch, shifted by 22 bits."""

    def __init__(self) -> None:
        self._last = 0
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            candidate = (int(time.time() * 1000) - TWITTER_EPOCH_MS) << 22
            self._last = max(candidate, self._last + 1)
            return str(self._last)


def problem(
    status: int, detail: str | None = None, kind: str = "about:blank", **extra: Any
) -> dict[str, Any]:
    """X's error JSON: ``{"title", "detail", "type", "status"}`` (plus ``errors`` when given)."""
    title = TITLES.get(status, "Error")
    body: dict[str, Any] = {
        "title": title,
        "detail": detail or title,
        "type": kind if kind == "about:blank" else f"{PROBLEMS}/{kind}",
        "status": status,
    }
    body.update(extra)
    return body


def not_found_error(value: str, parameter: str, resource_type: str) -> dict[str, Any]:
    """One entry of a 200 answer's ``errors`` array: a referenced resource that is gone."""
    return {
        "value": value,
        "detail": f"Could not find {resource_type} with {parameter}: [{value}].",
        "title": "Not Found Error",
        "resource_type": resource_type,
        "parameter": parameter,
        "resource_id": value,
        "type": f"{PROBLEMS}/resource-not-found",
    }


def requested(value: str | None, name: str, allowed: set[str]) -> list[str] | Response:
    """The fields or expansions a request names, or X's 400 for one it does not know."""
    if value is None:
        return []
    wanted = [part for part in value.split(",") if part]
    unknown = [part for part in wanted if part not in allowed]
    if unknown:
        listed = ",".join(sorted(allowed))
        message = f"The `{name}` query parameter value [{unknown[0]}] is not one of [{listed}]"
        return invalid({"parameters": {name: [unknown[0]]}, "message": message})
    return wanted


def max_results(value: str | None, low: int, high: int, default: int) -> int | Response:
    if value is None:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        message = (
            f"The `max_results` query parameter value [{value}] is not between {low} and {high}"
        )
        return invalid({"parameters": {"max_results": [value]}, "message": message})
    return int(value)


def pick(resource: dict[str, Any], default: tuple[str, ...], fields: list[str]) -> dict[str, Any]:
    """A resource with only the default fields and those asked for, as X returns it."""
    return {k: v for k, v in resource.items() if k in default or k in fields}


def snowflake(value: Any) -> int | None:
    text = str(value) if value is not None else ""
    return int(text) if text.isdigit() else None


def x_time(moment: datetime) -> str:
    """X's timestamps: ``2026-12-02T15:04:05.000Z``."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def invalid(error: dict[str, Any]) -> Response:
    detail = "One or more parameters to your request was invalid."
    return json_response(400, problem(400, detail, "invalid-request", errors=[error]))


def json_response(
    status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
) -> Response:
    return Response(status, json.dumps(payload).encode("utf-8"), headers=dict(headers or {}))
