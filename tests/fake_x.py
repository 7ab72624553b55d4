"""A local fake of X's API v2 for the X adapter's tests, spoken to by the real ``tweepy``.

It answers the routes, parameters and JSON that ``tweepy.Client`` (4.17) sends and reads,
as read from its source (``client.py``: ``request``, ``get_me``, ``get_user``,
``get_users_mentions``, ``get_direct_message_events``, ``create_tweet``,
``create_direct_message``; ``errors.py``) and X's API reference:

- ``GET /2/users/me`` (user context), ``GET /2/users/by/username/{username}`` (an unknown
  name is a 200 with an ``errors`` array, as X answers it)
- ``GET /2/users/{id}/mentions``: ``since_id``, ``until_id``, ``start_time``, ``end_time``,
  ``max_results`` (5-100, default 10), ``pagination_token``, ``expansions`` (``author_id``,
  ``referenced_tweets.id``...), ``tweet.fields``, ``user.fields``; newest first; ``meta``
  with ``result_count``, ``newest_id``, ``oldest_id``, ``next_token``; ``includes.users``
  and ``includes.tweets``; a referenced tweet or author that cannot be shown is a
  partial error in ``errors``; no ``data`` key when nothing matches
- ``GET /2/dm_events`` (user context): ``event_types``, ``dm_event.fields``, ``expansions``
  (``sender_id``...), ``max_results`` (1-100, default 100), ``pagination_token``; newest
  first, our own sent events included, as X lists them
- ``POST /2/tweets`` (user context): ``text``, ``reply.in_reply_to_tweet_id``; 280 weighted
  characters (``fake_x_rules.weighted_length``); no duplicate text from one account
- ``POST /2/dm_conversations/with/{participant_id}/messages`` (user context); 403
  "You are not allowed to send a DM to this user" for an account whose DMs are closed

Only the fields a request names are returned (plus ``id``, ``text`` and
``edit_history_tweet_ids`` for tweets, ``id``, ``name``, ``username`` for users, ``id``,
``event_type``, ``text`` for DM events), and an unknown field or expansion is a 400, as on
X. Authentication: ``Bearer`` with the app's token (app-only), or OAuth 1.0a HMAC-SHA1
signed with the consumer and access-token secrets (user context); none or a wrong one is
a 401, app-only on a user-context route a 403. The signature is checked against the
fake's own URL and X's two host names, and ``Call.signed_for`` says which one it matched.

Hooks for tests: ``add_user``, ``close_dms``, ``add_mention``, ``add_raw_mention`` (any JSON,
malformed included), ``add_dm``, ``add_raw_dm``, ``fail_next`` / ``rate_limit_next`` /
``disconnect_next`` (the next N calls of an endpoint), and what was posted: ``posted``
(tweets) and ``dms_sent``. Everything binds to 127.0.0.1 on a port the OS picks.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from tests.fake_http import LocalFake, Request, Response, take_fault
from tests.fake_x_listing import Item, Query, listing, page_of
from tests.fake_x_rules import (
    DEFAULT_EVENT,
    DEFAULT_TWEET,
    DEFAULT_USER,
    DM_CLOSED,
    DM_EVENT_FIELDS,
    DM_EXPANSIONS,
    MAX_WEIGHTED_LENGTH,
    MENTION_EXPANSIONS,
    TWEET_FIELDS,
    UNSUPPORTED_AUTH,
    USER_FIELDS,
    Snowflakes,
    invalid,
    json_response,
    not_found_error,
    oauth1_signed_for,
    pick,
    problem,
    requested,
    snowflake,
    weighted_length,
    x_time,
)

Endpoint = Literal["me", "user", "mentions", "dm_events", "create_tweet", "create_dm", "any"]
Auth = Literal["bearer", "oauth1", "none", "invalid"]

ROUTES = (
    ("GET", re.compile(r"^/2/users/me$"), "me"),
    ("GET", re.compile(r"^/2/users/by/username/(?P<username>[^/]+)$"), "user"),
    ("GET", re.compile(r"^/2/users/(?P<user_id>[^/]+)/mentions$"), "mentions"),
    ("GET", re.compile(r"^/2/dm_events$"), "dm_events"),
    ("POST", re.compile(r"^/2/tweets$"), "create_tweet"),
    (
        "POST",
        re.compile(r"^/2/dm_conversations/with/(?P<participant>[^/]+)/messages$"),
        "create_dm",
    ),
)
# Routes X serves only on behalf of a user (OAuth 1.0a here), never app-only.
USER_CONTEXT = ("me", "dm_events", "create_tweet", "create_dm")


@dataclass
class Call:
    """One request the fake received, with how it was authenticated."""

    endpoint: str
    request: Request
    auth: Auth
    # The URL an OAuth 1.0a signature matched (the fake's own, or an X host name).
    signed_for: str | None = None
    route: dict[str, str] = field(default_factory=dict)
    at: float = field(default_factory=time.time)  # when it arrived (Unix seconds)

    @property
    def status(self) -> int:
        return self.request.status

    @property
    def json(self) -> Any:
        return json.loads(self.request.body) if self.request.body else None

    def param(self, name: str) -> str | None:
        return self.request.one(name)


@dataclass
class _Fault:
    on: str
    status: int | None  # None: drop the connection
    remaining: int
    detail: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


class FakeX(LocalFake):
    """X's API v2 on 127.0.0.1 in a background thread; use ``with FakeX() as x``.

    ``account_id`` is our account (@``account``); its OAuth 1.0a access token starts with
    that id, as X's do. ``mentions_window`` keeps only that many newest mentions
    reachable (X keeps 800); None keeps all.
    """

    name = "fake-x"

    def __init__(
        self,
        account: str = "ServiciodEmpleo",
        *,
        mentions_window: int | None = None,
    ) -> None:
        self.ids = Snowflakes()
        self.account = account
        self.account_id = self.ids.next()
        self.bearer_token = "AAAA" + secrets.token_hex(20)
        self.consumer_key = secrets.token_hex(12)
        self.consumer_secret = secrets.token_hex(24)
        self.access_token = f"{self.account_id}-{secrets.token_hex(16)}"
        self.access_token_secret = secrets.token_hex(24)
        self.mentions_window = mentions_window
        self.users: dict[str, dict[str, Any]] = {}
        self.tweets: dict[str, dict[str, Any]] = {}
        self.posted: list[dict[str, Any]] = []  # tweets created through the API
        self.dms_sent: list[dict[str, Any]] = []  # DMs created through the API
        self.calls: list[Call] = []
        self.errors: list[Exception] = []  # exceptions raised by the fake itself
        self._closed_dms: set[str] = set()
        self._hidden: set[str] = set()
        self._posted_texts: set[str] = set()
        self._mention_items: list[Item] = []
        self._event_items: list[Item] = []
        self._faults: list[_Fault] = []
        self._seq = 0
        self._lock = threading.RLock()
        self.users[self.account_id] = self._user(self.account_id, account, "Servicio de Empleo")

    # -- programming the fake ----------------------------------------------------------------

    def add_user(
        self, username: str, name: str = "", *, dms_open: bool = True, shown: bool = True
    ) -> str:
        """A citizen's account; returns its id. An account X does not show (suspended,
        deactivated) is left out of ``includes`` with a partial error in ``errors``."""
        user_id = self.ids.next()
        with self._lock:
            self.users[user_id] = self._user(user_id, username, name or username)
            if not dms_open:
                self._closed_dms.add(user_id)
            if not shown:
                self._hidden.add(user_id)
        return user_id

    def close_dms(self, user_id: str) -> None:
        with self._lock:
            self._closed_dms.add(user_id)

    def add_mention(
        self,
        author_id: str,
        text: str,
        *,
        reply_to: str | None = None,
        retweet_of: str | None = None,
        lang: str = "es",
        created_at: datetime | None = None,
    ) -> dict[str, Any]:
        """A tweet by ``author_id`` naming our account (``@account`` is put first when the
        text lacks it)."""
        if f"@{self.account}".lower() not in text.lower():
            text = f"@{self.account} {text}"
        tweet = self._tweet(author_id, text, lang, created_at, reply_to, retweet_of)
        with self._lock:
            self._mention_items.append(Item(tweet, self._next_seq()))
        return tweet

    def add_raw_mention(self, item: dict[str, Any]) -> None:
        """Any JSON listed verbatim as a mention (malformed ones too); an item without a
        numeric ``id`` is listed by every request, since_id cannot filter it."""
        with self._lock:
            self._mention_items.append(Item(dict(item), self._next_seq(), raw=True))

    def add_dm(
        self, sender_id: str, text: str, *, created_at: datetime | None = None
    ) -> dict[str, Any]:
        """A direct message from ``sender_id`` to our account (a MessageCreate event)."""
        event = self._event(sender_id, self.account_id, text, created_at)
        with self._lock:
            self._event_items.append(Item(event, self._next_seq()))
        return event

    def add_raw_dm(self, event: dict[str, Any]) -> None:
        with self._lock:
            self._event_items.append(Item(dict(event), self._next_seq(), raw=True))

    def fail_next(
        self,
        on: Endpoint,
        status: int,
        times: int = 1,
        *,
        detail: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """The next ``times`` authenticated calls of ``on`` answer X's error JSON."""
        with self._lock:
            self._faults.append(_Fault(on, status, times, detail, dict(headers or {})))

    def rate_limit_next(self, on: Endpoint, reset_in: float = 2, times: int = 1) -> int:
        """429 with ``x-rate-limit-*`` headers, resetting ``reset_in`` seconds from now;
        returns the reset time (Unix seconds, as the header carries it)."""
        reset = int(time.time() + reset_in)
        headers = {
            "x-rate-limit-limit": "180",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(reset),
        }
        self.fail_next(on, 429, times, headers=headers)
        return reset

    def disconnect_next(self, on: Endpoint, times: int = 1) -> None:
        with self._lock:
            self._faults.append(_Fault(on, None, times))

    def calls_to(self, endpoint: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.endpoint == endpoint]

    # -- request handling --------------------------------------------------------------------

    def answer(self, request: Request) -> Response | None:
        routed = next(
            (
                (name, match.groupdict())
                for method, pattern, name in ROUTES
                if request.method == method and (match := pattern.match(request.path))
            ),
            ("unknown", {}),
        )
        call = Call(routed[0], request, "none", route=routed[1])
        with self._lock:
            self.calls.append(call)
            try:
                return self._dispatch(call)
            except Exception as exc:  # a bug in the fake: answer, and keep it for the test
                self.errors.append(exc)
                return json_response(500, problem(500, f"fake_x failed: {exc!r}"))

    def _dispatch(self, call: Call) -> Response | None:
        request = call.request
        if call.endpoint == "unknown":
            return json_response(404, problem(404, f"no route {request.method} {request.path}"))
        call.auth, call.signed_for = self._authenticate(request)
        if call.auth in ("none", "invalid"):
            return json_response(401, problem(401))
        if call.endpoint in USER_CONTEXT and call.auth != "oauth1":
            return json_response(403, problem(403, UNSUPPORTED_AUTH, "unsupported-authentication"))
        fault = take_fault(self._faults, call.endpoint)
        if fault is not None:
            if fault.status is None:
                return None
            return json_response(fault.status, problem(fault.status, fault.detail), fault.headers)
        handlers = {
            "me": self._me,
            "user": self._user_lookup,
            "mentions": self._mentions,
            "dm_events": self._dm_events,
            "create_tweet": self._create_tweet,
            "create_dm": self._create_dm,
        }
        response = handlers[call.endpoint](call)
        response.headers.setdefault("x-rate-limit-limit", "900")
        response.headers.setdefault("x-rate-limit-remaining", "899")
        response.headers.setdefault("x-rate-limit-reset", str(int(time.time()) + 900))
        return response

    def _authenticate(self, request: Request) -> tuple[Auth, str | None]:
        header = request.headers.get("authorization", "")
        if not header:
            return "none", None
        if header.startswith("Bearer "):
            return ("bearer" if header[7:] == self.bearer_token else "invalid"), None
        path = request.path
        urls = [
            f"{self.api_url}{path}",
            f"https://api.x.com{path}",
            f"https://api.twitter.com{path}",
        ]
        signed_for = oauth1_signed_for(
            request.method,
            urls,
            request.raw_query,
            header,
            (self.consumer_key, self.consumer_secret),
            (self.access_token, self.access_token_secret),
        )
        return ("oauth1" if signed_for else "invalid"), signed_for

    # -- users -------------------------------------------------------------------------------

    def _me(self, call: Call) -> Response:
        fields = requested(call.param("user.fields"), "user.fields", USER_FIELDS)
        if isinstance(fields, Response):
            return fields
        return json_response(200, {"data": pick(self.users[self.account_id], DEFAULT_USER, fields)})

    def _user(self, user_id: str, username: str, name: str) -> dict[str, Any]:
        return {
            "id": user_id,
            "username": username,
            "name": name,
            "created_at": x_time(datetime.now(UTC)),
            "protected": False,
            "verified": False,
        }

    def _user_lookup(self, call: Call) -> Response:
        fields = requested(call.param("user.fields"), "user.fields", USER_FIELDS)
        if isinstance(fields, Response):
            return fields
        wanted = call.route["username"]
        user = next(
            (u for u in self.users.values() if u["username"].lower() == wanted.lower()), None
        )
        if user is None:
            return json_response(200, {"errors": [not_found_error(wanted, "username", "user")]})
        return json_response(200, {"data": pick(user, DEFAULT_USER, fields)})

    # -- listings ----------------------------------------------------------------------------

    def _mentions(self, call: Call) -> Response:
        user_id = call.route["user_id"]
        if user_id not in self.users:
            return json_response(200, {"errors": [not_found_error(user_id, "id", "user")]})
        query = Query.read(call.param, MENTION_EXPANSIONS, "tweet.fields", TWEET_FIELDS, (5, 10))
        if isinstance(query, Response):
            return query
        items = sorted(self._mention_items, key=lambda item: item.seq, reverse=True)
        if self.mentions_window is not None:
            items = items[: self.mentions_window]
        since, until = snowflake(call.param("since_id")), snowflake(call.param("until_id"))
        start, end = call.param("start_time"), call.param("end_time")

        def keep(item: Item) -> bool:
            number = snowflake(item.data.get("id"))
            if number is not None and since is not None and number <= since:
                return False
            if number is not None and until is not None and number >= until:
                return False
            created = str(item.data.get("created_at") or "")
            return not (created and ((start and created < start) or (end and created > end)))

        page, token = page_of(
            call.param("pagination_token"), [item for item in items if keep(item)], query.size
        )
        if isinstance(page, Response):
            return page
        errors: list[dict[str, Any]] = []
        includes: dict[str, list[dict[str, Any]]] = {}
        if "author_id" in query.expansions:
            authors = [i.data.get("author_id") for i in page]
            includes["users"] = self._users_for(authors, query.user_fields, "author_id", errors)
        if "referenced_tweets.id" in query.expansions:
            includes["tweets"] = self._referenced(page, query.fields, errors)
        meta: dict[str, Any] = {"result_count": len(page)}
        numbered = [str(i.data["id"]) for i in page if snowflake(i.data.get("id")) is not None]
        if numbered:
            meta |= {"newest_id": numbered[0], "oldest_id": numbered[-1]}
        return listing(page, DEFAULT_TWEET, query.fields, includes, errors, meta, token)

    def _dm_events(self, call: Call) -> Response:
        query = Query.read(call.param, DM_EXPANSIONS, "dm_event.fields", DM_EVENT_FIELDS, (1, 100))
        if isinstance(query, Response):
            return query
        wanted_types = (call.param("event_types") or "").split(",")
        items = sorted(self._event_items, key=lambda item: item.seq, reverse=True)
        if wanted_types != [""]:
            items = [i for i in items if i.raw or i.data.get("event_type") in wanted_types]
        page, token = page_of(call.param("pagination_token"), items, query.size)
        if isinstance(page, Response):
            return page
        errors: list[dict[str, Any]] = []
        includes: dict[str, list[dict[str, Any]]] = {}
        if "sender_id" in query.expansions:
            senders = [i.data.get("sender_id") for i in page]
            includes["users"] = self._users_for(senders, query.user_fields, "sender_id", errors)
        meta = {"result_count": len(page)}
        return listing(page, DEFAULT_EVENT, query.fields, includes, errors, meta, token)

    def _users_for(
        self,
        ids: list[Any],
        fields: list[str],
        parameter: str,
        errors: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for user_id in ids:
            key = str(user_id) if user_id is not None else ""
            if not key or key in found:
                continue
            user = self.users.get(key)
            if user is None or key in self._hidden:
                errors.append(not_found_error(key, parameter, "user"))
                continue
            found[key] = pick(user, DEFAULT_USER, fields)
        return list(found.values())

    def _referenced(
        self, page: list[Item], fields: list[str], errors: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for item in page:
            references = item.data.get("referenced_tweets")
            for reference in references if isinstance(references, list) else []:
                tweet_id = str(reference.get("id", "")) if isinstance(reference, dict) else ""
                if not tweet_id or tweet_id in found:
                    continue
                tweet = self.tweets.get(tweet_id)
                if tweet is None:
                    errors.append(not_found_error(tweet_id, "referenced_tweets.id", "tweet"))
                    continue
                found[tweet_id] = pick(tweet, DEFAULT_TWEET, fields)
        return list(found.values())

    # -- posting -----------------------------------------------------------------------------

    def _create_tweet(self, call: Call) -> Response:
        body = call.json if isinstance(call.json, dict) else {}
        text = body.get("text")
        if not isinstance(text, str) or not text:
            return invalid({"message": "$.text: is missing but it is required"})
        if weighted_length(text) > MAX_WEIGHTED_LENGTH:
            return invalid({"message": "Your Tweet text is too long."})
        reply = body.get("reply") or {}
        target = str(reply.get("in_reply_to_tweet_id") or "")
        if target and target not in self.tweets:
            detail = "You attempted to reply to a Tweet that is deleted or not visible to you."
            return json_response(403, problem(403, detail))
        if text in self._posted_texts:
            detail = "You are not allowed to create a Tweet with duplicate content."
            return json_response(403, problem(403, detail))
        tweet = self._tweet(self.account_id, text, "es", None, target or None, None)
        self.posted.append(tweet | {"in_reply_to_tweet_id": target or None})
        self._posted_texts.add(text)
        return json_response(201, {"data": pick(tweet, DEFAULT_TWEET, [])})

    def _create_dm(self, call: Call) -> Response:
        participant = call.route["participant"]
        body = call.json if isinstance(call.json, dict) else {}
        text = body.get("text")
        if not isinstance(text, str) or not text:
            return invalid({"message": "$.text: is missing but it is required"})
        if len(text) > 10_000:
            return invalid({"message": "$.text: must be at most 10000 characters"})
        if participant not in self.users or participant == self.account_id:
            error = {"parameters": {"participant_id": [participant]}, "message": "Invalid user"}
            return invalid(error)
        if participant in self._closed_dms:
            return json_response(403, problem(403, DM_CLOSED))
        event = self._event(self.account_id, participant, text, None)
        self._event_items.append(Item(event, self._next_seq()))
        self.dms_sent.append(
            {"participant_id": participant, "text": text, "dm_event_id": event["id"]}
        )
        conversation = event["dm_conversation_id"]
        return json_response(
            201, {"data": {"dm_conversation_id": conversation, "dm_event_id": event["id"]}}
        )

    # -- resources ---------------------------------------------------------------------------

    def _next_seq(self) -> int:
        with self._lock:
            self._seq += 1
            return self._seq

    def _tweet(
        self,
        author_id: str,
        text: str,
        lang: str,
        created_at: datetime | None,
        reply_to: str | None,
        retweet_of: str | None,
    ) -> dict[str, Any]:
        tweet_id = self.ids.next()
        tweet: dict[str, Any] = {
            "id": tweet_id,
            "text": text,
            "author_id": author_id,
            "created_at": x_time(created_at or datetime.now(UTC)),
            "conversation_id": tweet_id,
            "lang": lang,
            "edit_history_tweet_ids": [tweet_id],
        }
        with self._lock:
            parent = self.tweets.get(reply_to or "")
            if reply_to:
                tweet["referenced_tweets"] = [{"type": "replied_to", "id": reply_to}]
                if parent is not None:
                    tweet["conversation_id"] = parent["conversation_id"]
                    tweet["in_reply_to_user_id"] = parent["author_id"]
            if retweet_of:
                tweet["referenced_tweets"] = [{"type": "retweeted", "id": retweet_of}]
            self.tweets[tweet_id] = tweet
        return tweet

    def _event(
        self, sender_id: str, recipient_id: str, text: str, created_at: datetime | None
    ) -> dict[str, Any]:
        low, high = sorted((sender_id, recipient_id), key=int)
        return {
            "id": self.ids.next(),
            "event_type": "MessageCreate",
            "text": text,
            "sender_id": sender_id,
            "participant_ids": [sender_id, recipient_id],
            "dm_conversation_id": f"{low}-{high}",
            "created_at": x_time(created_at or datetime.now(UTC)),
        }
