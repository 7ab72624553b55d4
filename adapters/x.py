"""The X (Twitter) channel through tweepy's API v2 client: mentions of our account and
direct messages in; public replies and direct messages out.

Input: `fetch` reads the mentions after the cursor's since_id and the DM events newer than
the last one seen (the DM endpoint has no since_id: it is paged newest first until that
event), and yields them oldest first in batches, each with the cursor
`v1;m=<since_id>;d=<last DM event id>` that the poller stores with it. Reading each item
is `x_items.py`'s job: our own DMs (the acknowledgements we sent) are passed over, never
stored; an item that cannot be read is kept raw and quarantined with the reason.

Output: `send` posts the public reply to a mention (the radicado only: DESIGN rule 6) or
sends the full acknowledgement by direct message.

Every request goes to `x.api_url` through `RoutedSession`, the requests session the tweepy
Client is given (tweepy itself is not patched), signed once for where it goes. Rate limits are
never slept on here: a 429 raises ChannelError with `retry_after`, for the poller or the
acknowledge actor to wait out.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
import tweepy
from requests.auth import AuthBase

from ventanilla.adapters.base import Acknowledgement, Batch
from ventanilla.adapters.x_items import (
    Entry,
    by_id,
    created_at,
    direct_message,
    is_snowflake,
    mention,
    oldest_first,
    snowflake,
)
from ventanilla.adapters.x_oauth import OAuth1Signer
from ventanilla.errors import ChannelError
from ventanilla.logs import log
from ventanilla.settings import Settings

X_HOSTS = ("api.twitter.com", "api.x.com")
TWEET_FIELDS = [
    "attachments",
    "author_id",
    "conversation_id",
    "created_at",
    "in_reply_to_user_id",
    "lang",
    "referenced_tweets",
]
DM_EVENT_FIELDS = ["attachments", "created_at", "dm_conversation_id", "event_type", "sender_id"]
USER_FIELDS = ["name", "username"]
PAGE_SIZE = 100
# A listing longer than this many pages in one round is taken over several rounds.
MAX_PAGES = 200
USER_KEYS = "x.access_token and x.access_token_secret (with x.consumer_key, x.consumer_secret)"


class RoutedSession(requests.Session):
    """tweepy's session: every request for X's hosts goes to `api_url`, with a timeout.

    A user-context request is signed once, with one OAuth 1.0a signer made at start
    (`x_oauth.OAuth1Signer`), for the URL it really goes to (the signature covers the host:
    one signed for api.twitter.com would not verify elsewhere); tweepy's own signer, made
    for each request, is set aside before it signs. The environment's proxy and CA settings
    are read once, for `api_url`, instead of at every request (requests reads them per
    request, scanning the whole environment twice).
    """

    def __init__(self, api_url: str, oauth: AuthBase | None, timeout: float = 20) -> None:
        super().__init__()
        self.api = urlsplit(api_url.rstrip("/"))
        self.oauth = oauth
        self.timeout = timeout
        found = self.merge_environment_settings(api_url, {}, None, None, None)
        self.proxies.update(found["proxies"])
        self.verify = found["verify"]
        self.trust_env = False

    def route(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.hostname not in X_HOSTS:
            return url
        path = self.api.path + parts.path
        return urlunsplit((self.api.scheme, self.api.netloc, path, parts.query, ""))

    def prepare_request(self, request: requests.Request) -> requests.PreparedRequest:
        if isinstance(request.url, str):
            request.url = self.route(request.url)
        if request.auth is not None and self.oauth is not None:
            request.auth = self.oauth
        return super().prepare_request(request)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        # tweepy sets no timeout: a server that never answers must not hold a thread.
        kwargs["timeout"] = kwargs.get("timeout") or self.timeout
        return super().send(request, **kwargs)


@dataclass(frozen=True)
class Cursor:
    """Where intake stands: the newest mention and the newest DM event stored."""

    mentions: str = ""
    dms: str = ""

    @classmethod
    def parse(cls, text: str) -> Cursor:
        """An empty or unreadable cursor starts afresh (the lookback window): provider
        ids are unique in the store, so nothing is stored twice either way."""
        version, *parts = (text or "").split(";")
        if version != "v1":
            return cls()
        values = dict(part.split("=", 1) for part in parts if "=" in part)
        mentions, dms = values.get("m", ""), values.get("d", "")
        return cls(mentions if is_snowflake(mentions) else "", dms if is_snowflake(dms) else "")

    def __str__(self) -> str:
        return f"v1;m={self.mentions};d={self.dms}"


class XAdapter:
    channel = "x"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings.x
        s = self.settings
        self.client = tweepy.Client(
            bearer_token=s.bearer_token or None,
            consumer_key=s.consumer_key or None,
            consumer_secret=s.consumer_secret or None,
            access_token=s.access_token or None,
            access_token_secret=s.access_token_secret or None,
            return_type=dict,  # our own reading: a malformed item must not crash a model
            wait_on_rate_limit=False,  # it would sleep inside a worker thread
        )
        oauth = None
        if s.consumer_key and s.access_token:
            oauth = OAuth1Signer(
                s.consumer_key, s.consumer_secret, s.access_token, s.access_token_secret
            )
        self.client.session = RoutedSession(s.api_url, oauth)
        self._account_id = s.account_id
        self._lock = threading.Lock()

    # -- intake --------------------------------------------------------------------------

    def fetch(self, cursor: str) -> Iterator[Batch]:
        """New mentions, then new DMs, oldest first, in batches of `x.fetch_batch`."""
        position = Cursor.parse(cursor)
        account = self.account_id()
        entries = self._mentions(account, position.mentions)
        for batch, newest in self._batches(entries):
            position = replace(position, mentions=newest or position.mentions)
            yield replace(batch, cursor=str(position))
        if not self.settings.dm_enabled:
            return
        entries = self._direct_messages(account, position.dms)
        for batch, newest in self._batches(entries):
            position = replace(position, dms=newest or position.dms)
            yield replace(batch, cursor=str(position))

    def commit(self, cursor: str) -> None:
        """Nothing to tell X: the cursor lives in our store."""

    def wait(self, seconds: float) -> None:
        time.sleep(max(seconds, self.settings.poll_every_seconds))

    def account_id(self) -> str:
        """Our account's id: `x.account_id`, else looked up once by `x.account` (or the
        access token's own account)."""
        with self._lock:
            if not self._account_id:
                self._account_id = self._look_up_account()
            return self._account_id

    def _look_up_account(self) -> str:
        name = self.settings.account.lstrip("@")
        if name:
            app_only = bool(self.settings.bearer_token)
            found = self._call(
                "looking up x.account", self.client.get_user, username=name, user_auth=not app_only
            )
        else:
            found = self._call("reading our account", self.client.get_me, user_auth=True)
        user_id = str((found.get("data") or {}).get("id") or "")
        if not is_snowflake(user_id):
            raise ChannelError("x", f"x.account: X has no account @{name}", retryable=False)
        return user_id

    def _mentions(self, account: str, since_id: str) -> list[Entry]:
        params: dict[str, Any] = {
            "id": account,
            "max_results": PAGE_SIZE,
            "expansions": ["author_id", "referenced_tweets.id"],
            "tweet_fields": TWEET_FIELDS,
            "user_fields": USER_FIELDS,
            "user_auth": not self.settings.bearer_token,
        }
        if since_id:
            params["since_id"] = since_id
        else:  # a first start: the recent past only
            params["start_time"] = self._lookback_start()
        listing = self.client.get_users_mentions
        items, users, tweets = self._pages("listing mentions", listing, params)
        return oldest_first(
            [(snowflake(item), mention(item, users, tweets, account)) for item in items]
        )

    def _direct_messages(self, account: str, last_seen: str) -> list[Entry]:
        params: dict[str, Any] = {
            "event_types": "MessageCreate",
            "dm_event_fields": DM_EVENT_FIELDS,
            "expansions": ["sender_id"],
            "user_fields": USER_FIELDS,
            "max_results": PAGE_SIZE,
            "user_auth": True,
        }
        floor = int(last_seen) if last_seen else None
        since = None if floor is not None else self._lookback_start()

        def older(event: Any) -> bool:
            number = snowflake(event)
            if floor is not None:
                return number is not None and number <= floor
            created = created_at(event)
            return created is not None and since is not None and created < since

        params["forbidden"] = (
            "x.dm_enabled: X refuses to list our direct messages; give the app the Direct "
            "Messages permission, or set x.dm_enabled = false"
        )
        items, users, _ = self._pages(
            "listing direct messages", self.client.get_direct_message_events, params, older
        )
        return oldest_first(
            [(snowflake(event), direct_message(event, users, account)) for event in items]
        )

    def _pages(
        self,
        what: str,
        method: Callable[..., Any],
        params: dict[str, Any],
        reached: Callable[[Any], bool] | None = None,
    ) -> tuple[list[Any], dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
        """Every page of a newest-first listing (until `reached` says an item is old)."""
        items: list[Any] = []
        users: dict[str, dict[str, Any]] = {}
        tweets: dict[str, dict[str, Any]] = {}
        token = None
        for _ in range(MAX_PAGES):
            page = self._call(what, method, pagination_token=token, **params)
            data = page.get("data") or []
            includes = page.get("includes") or {}
            users.update(by_id(includes.get("users")))
            tweets.update(by_id(includes.get("tweets")))
            done = False
            for item in data if isinstance(data, list) else [data]:
                if reached is not None and reached(item):
                    done = True
                    break
                items.append(item)
            token = (page.get("meta") or {}).get("next_token")
            if done or not token or not data:
                break
        else:
            # X serves at most 800 mentions (8 pages) and 30 days of DMs: this only guards
            # against a server whose pages never end.
            log.warning("x_listing_truncated", channel="x", pages=MAX_PAGES, items=len(items))
        return items, users, tweets

    def _batches(self, entries: list[Entry]) -> Iterator[tuple[Batch, str]]:
        """Store-sized batches; each with the newest snowflake taken so far ("" if none)."""
        size = self.settings.fetch_batch
        newest: int | None = None
        for start in range(0, len(entries), size):
            chunk = entries[start : start + size]
            numbers = [number for number, _ in chunk if number is not None]
            if numbers:
                newest = max(numbers + ([newest] if newest is not None else []))
            messages = [message for _, message in chunk if message is not None]
            left = len(entries) - start - len(chunk)
            yield Batch(messages, "", left), "" if newest is None else str(newest)

    def _lookback_start(self) -> datetime:
        lookback = timedelta(hours=self.settings.poll_lookback_hours)
        return (datetime.now(UTC) - lookback).replace(microsecond=0)

    # -- acknowledgements ----------------------------------------------------------------

    def send(self, ack: Acknowledgement) -> str:
        """A public reply under the mention, or a direct message; the provider's id."""
        if ack.kind == "public_reply":
            if not ack.in_reply_to:
                raise ChannelError("x", "a public reply needs the mention's id", retryable=False)
            try:
                posted = self._call(
                    "posting the public reply",
                    self.client.create_tweet,
                    text=ack.text,
                    in_reply_to_tweet_id=ack.in_reply_to,
                    user_auth=True,
                )
            except _AlreadyPosted:
                # The text names the radicado: X refusing it as a duplicate means a send
                # whose answer we lost (a crash, a timeout) went through.
                log.info("x_public_reply_already_posted", radicado=ack.radicado, channel="x")
                return "tweet:already-posted"
            return f"tweet:{posted['data']['id']}"
        sent = self._call(
            "sending the direct message",
            self.client.create_direct_message,
            participant_id=ack.recipient,
            text=ack.text,
            user_auth=True,
            forbidden="direct messages closed: the account does not accept our direct messages",
        )
        return f"dm:{sent['data']['dm_event_id']}"

    def probe(self) -> None:
        """Reach X with our credentials (`ventanilla check --connect`); the error names
        the setting that is wrong."""
        me = self._call("reading our account (users/me)", self.client.get_me, user_auth=True)
        data = me.get("data") or {}
        username, user_id = str(data.get("username") or ""), str(data.get("id") or "")
        account = self.settings.account.lstrip("@")
        if account and username.lower() != account.lower():
            reason = f"x.account: the access token is @{username}'s, not @{account}'s"
            raise ChannelError("x", reason, retryable=False)
        if self.settings.account_id and user_id != self.settings.account_id:
            reason = f"x.account_id: @{username} is {user_id}, not {self.settings.account_id}"
            raise ChannelError("x", reason, retryable=False)
        if self.settings.bearer_token:
            self._call(
                "looking up our account", self.client.get_user, username=username, user_auth=False
            )

    # -- shared --------------------------------------------------------------------------

    def _call(
        self, what: str, method: Callable[..., Any], *, forbidden: str = "", **params: Any
    ) -> dict[str, Any]:
        """One API call; every failure becomes a ChannelError that says whether retrying
        helps, and names the setting to check when it is ours."""
        user_auth = bool(params.get("user_auth"))
        try:
            answer = method(**params)
        except tweepy.TooManyRequests as error:
            wait = None if error.reset_time is None else max(1.0, error.reset_time - time.time())
            after = f"; resets in {wait:.0f} s" if wait is not None else ""
            raise ChannelError(
                "x", f"rate limited (X 429) {what}{after}", retryable=True, retry_after=wait
            ) from None
        except tweepy.Unauthorized:
            keys = USER_KEYS if user_auth else "x.bearer_token"
            reason = f"{keys.split(' ')[0]}: X refused our credentials (401) {what}; check {keys}"
            raise ChannelError("x", reason, retryable=False) from None
        except tweepy.TwitterServerError as error:
            raise ChannelError("x", f"{_describe(error)} {what}", retryable=True) from None
        except tweepy.Forbidden as error:
            if "duplicate content" in " ".join(error.api_messages):
                raise _AlreadyPosted() from None
            reason = forbidden or _describe(error)
            raise ChannelError("x", f"{reason} ({what})", retryable=False) from None
        except tweepy.HTTPException as error:
            raise ChannelError("x", f"{_describe(error)} {what}", retryable=False) from None
        except requests.RequestException as error:
            reason = f"x.api_url: cannot reach X ({type(error).__name__}) {what}"
            raise ChannelError("x", reason, retryable=True) from None
        if not isinstance(answer, dict):
            raise ChannelError("x", f"an answer that is not JSON {what}", retryable=True)
        return answer


class _AlreadyPosted(Exception):
    """X refused a post as a duplicate of one we made."""


def _describe(error: tweepy.HTTPException) -> str:
    status = getattr(error.response, "status_code", "?")
    detail = error.api_messages[0] if error.api_messages else ""
    return f"X {status}" + (f" ({detail[:200]})" if detail else "")
