"""Reading X's JSON: a mention or a direct-message event becomes one InboundMessage.

No I/O and no tweepy here: plain dicts in (tweepy's Client returns them as X sent them),
messages out. Whatever cannot be read is kept raw and quarantined with the reason
(DESIGN rule 5); what is no request (our own post, a repost, an event that is no message)
is kept and skipped with the reason.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from ventanilla.adapters.base import raw_json
from ventanilla.adapters.email_parsing import clean, one_line
from ventanilla.logs import log
from ventanilla.message import InboundMessage
from ventanilla.routing.followups import quoted_radicados

MAX_TEXT = 25_000

# (the item's snowflake, its message or None when it is not stored), oldest first.
Entry = tuple[int | None, InboundMessage | None]


def mention(
    item: Any,
    users: dict[str, dict[str, Any]],
    tweets: dict[str, dict[str, Any]],
    account: str,
) -> InboundMessage:
    """A tweet naming our account (`users` and `tweets` are the listing's includes)."""
    if not isinstance(item, dict):
        return unreadable("tweet", item, "a mention that is not a JSON object")
    tweet_id, author = str(item.get("id") or ""), str(item.get("author_id") or "")
    text = item.get("text")
    reason = _missing(tweet_id, author, text, "author_id")
    if reason:
        return unreadable("tweet", item, f"mention {reason}")
    user = users.get(author, {})
    username = _label(user.get("username"))
    flags: dict[str, Any] = {
        "x_kind": "mention",
        "tweet_id": tweet_id,
        "author_id": author,
        "username": username,
        "url": f"https://x.com/{username or 'i'}/status/{tweet_id}",
        "public": True,
        "conversation_id": _label(item.get("conversation_id")),
        "lang": _label(item.get("lang")),
    }
    kinds = _references(item)
    if author == account:
        flags["skip"] = "our own post"
    elif "retweeted" in kinds:
        flags["skip"] = "a repost of a post that names us"
    # A reply to one of our own posts that names a radicado (our public reply) is a
    # follow-up of that case, whoever writes it (routing/followups.py, rule 1).
    parent = tweets.get(kinds.get("replied_to", ""), {})
    references: tuple[str, ...] = ()
    if str(parent.get("author_id") or "") == account:
        found = quoted_radicados("", str(parent.get("text") or ""))
        references = tuple(f"<radicado.{radicado}.0@x>" for radicado in found)
    return _message(f"tweet:{tweet_id}", item, author, user, str(text), flags, references)


def direct_message(
    event: Any, users: dict[str, dict[str, Any]], account: str
) -> InboundMessage | None:
    """A DM event; None for our own (an acknowledgement we sent), which is not stored."""
    if not isinstance(event, dict):
        return unreadable("dm", event, "a direct-message event that is not a JSON object")
    event_id, sender = str(event.get("id") or ""), str(event.get("sender_id") or "")
    text = event.get("text")
    if sender == account:
        return None  # ours: an acknowledgement we sent
    kind = event.get("event_type")
    if kind != "MessageCreate" and is_snowflake(event_id):
        skip = {"x_kind": "dm", "skip": f"a direct-message event of type {kind!r}"}
        return _message(f"dm:{event_id}", event, "", {}, "", skip)
    reason = _missing(event_id, sender, text, "sender_id")
    if reason:
        return unreadable("dm", event, f"direct message {reason}")
    user = users.get(sender, {})
    flags: dict[str, Any] = {
        "x_kind": "dm",
        "dm_event_id": event_id,
        "author_id": sender,
        "username": _label(user.get("username")),
        "public": False,
        "dm_conversation_id": _label(event.get("dm_conversation_id")),
    }
    return _message(f"dm:{event_id}", event, sender, user, str(text), flags)


def oldest_first(entries: list[Entry]) -> list[Entry]:
    # Snowflakes grow with time; items without one (quarantined) go first.
    return sorted(entries, key=lambda entry: -1 if entry[0] is None else entry[0])


def snowflake(item: Any) -> int | None:
    value = str(item.get("id") or "") if isinstance(item, dict) else ""
    return int(value) if is_snowflake(value) else None


def is_snowflake(value: str) -> bool:
    """X's ids are 64-bit numbers in ASCII digits ("²" and "١" are digits to str.isdigit)."""
    return value.isascii() and value.isdigit() and len(value) <= 20


def by_id(resources: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(resources, list):
        return {}
    return {str(r.get("id")): r for r in resources if isinstance(r, dict) and r.get("id")}


def _references(item: dict[str, Any]) -> dict[str, str]:
    """{"replied_to": id, "quoted": id, "retweeted": id} of a tweet."""
    found = item.get("referenced_tweets")
    return {
        str(ref.get("type")): str(ref.get("id"))
        for ref in (found if isinstance(found, list) else [])
        if isinstance(ref, dict)
    }


def _label(value: Any) -> str:
    """A short label X sends (a username, a language, a conversation id) as one clean line."""
    return one_line(str(value or ""), 100)


def _missing(item_id: str, author: str, text: Any, author_field: str) -> str:
    if not is_snowflake(item_id):
        return "without a valid id"
    if not is_snowflake(author):
        return f"without {author_field}"
    if not isinstance(text, str):
        return "without text"
    return ""


def _message(
    provider_id: str,
    item: dict[str, Any],
    author: str,
    user: dict[str, Any],
    text: str,
    flags: dict[str, Any],
    references: tuple[str, ...] = (),
) -> InboundMessage:
    attachments = item.get("attachments")
    keys = attachments.get("media_keys") if isinstance(attachments, dict) else None
    if isinstance(keys, list) and keys:
        # Media on X needs its own download (and permission): noted, never a reason to lose
        # the message.
        flags["dropped_attachments"] = [f"{len(keys)} media item(s) on X, not downloaded"]
    return InboundMessage(
        channel="x",
        provider_id=provider_id,
        received_at=created_at(item) or datetime.now(UTC),
        text=clean(text, MAX_TEXT),
        sender=f"x:{author}" if author else "",
        sender_name=one_line(str(user.get("name") or ""), 200),
        references=references,
        flags=flags,
        raw=_raw(item),
    )


def created_at(item: Any) -> datetime | None:
    """When X says the item was written (aware), or None."""
    value = item.get("created_at") if isinstance(item, dict) else None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _raw(item: Any) -> bytes:
    return raw_json(item, sort_keys=True, default=str)


def unreadable(kind: str, item: Any, reason: str) -> InboundMessage:
    """Kept raw and quarantined (DESIGN rule 5): its own id, else a hash of its JSON."""
    raw = _raw(item)
    number = snowflake(item)
    ident = str(number) if number is not None else "sha256:" + hashlib.sha256(raw).hexdigest()[:32]
    log.warning("x_item_quarantined", channel="x", kind=kind, reason=reason)
    return InboundMessage(
        channel="x",
        provider_id=f"{kind}:{ident}",
        received_at=datetime.now(UTC),
        text="",
        flags={"x_kind": "mention" if kind == "tweet" else "dm", "quarantine": reason},
        raw=raw,
    )
