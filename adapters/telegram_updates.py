"""Telegram updates as InboundMessages: one update at a time, and never an exception.

`read_update` takes one update as Telegram sent it (decoded JSON of any shape) and says
what it is: a citizen's message in a private chat (with the files the adapter must still
download), something stored for the record and skipped with the reason (an edited
message, a group or channel post, a bot, a button press, a member update, an update type
this version does not know), or something that cannot be read (kept raw and quarantined
with the reason). No I/O here: the adapter fetches updates and files.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeGuard

from telegram import Message, MessageEntity, Update

from ventanilla.adapters.base import raw_json
from ventanilla.adapters.email_parsing import clean, one_line, safe_filename
from ventanilla.message import InboundMessage
from ventanilla.routing.followups import quoted_radicados

CHANNEL = "telegram"
MAX_TEXT_CHARS = 20_000
# What a skipped update was, as staff read it in `messages list`.
SKIPPED = {
    "edited_message": "edited message (the first version was taken as it was sent)",
    "channel_post": "channel post",
    "edited_channel_post": "edited channel post",
    "callback_query": "callback query (a button press)",
    "inline_query": "inline query",
    "chosen_inline_result": "chosen inline result",
    "my_chat_member": "member update (the bot was added, removed or blocked)",
    "chat_member": "member update",
    "chat_join_request": "chat join request",
    "message_reaction": "message reaction",
    "message_reaction_count": "message reaction count",
    "poll": "poll update",
    "poll_answer": "poll answer",
    "business_message": "business message",
    "edited_business_message": "edited business message",
    "business_connection": "business connection",
    "deleted_business_messages": "deleted business messages",
    "shipping_query": "shipping query",
    "pre_checkout_query": "pre-checkout query",
    "purchased_paid_media": "purchased paid media",
    "chat_boost": "chat boost",
    "removed_chat_boost": "removed chat boost",
}


@dataclass(frozen=True)
class FileLimits:
    max_files: int
    max_file_bytes: int


@dataclass(frozen=True)
class FileToFetch:
    """A file a message carries, to download with getFile within the limits."""

    file_id: str
    filename: str
    content_type: str
    size: int | None  # as Telegram declared it (None: unknown until getFile)


@dataclass(frozen=True)
class ReadUpdate:
    message: InboundMessage
    # The update's id (None when it has none): the intake cursor moves past it.
    update_id: int | None
    files: tuple[FileToFetch, ...] = ()


def read_update(
    data: Any,
    *,
    bot_id: int,
    limits: FileLimits,
    now: datetime | None = None,
    raw: bytes | None = None,
) -> ReadUpdate:
    """What one update is; `raw` is its bytes as received when the caller has them."""
    now = now or datetime.now(UTC)
    if raw is None:
        raw = raw_json(data, separators=(",", ":"))
    update_id = data.get("update_id") if isinstance(data, dict) else None
    if not _is_id(update_id):
        digest = hashlib.sha256(raw).hexdigest()[:32]
        return _quarantined(f"malformed:{digest}", None, raw, now, "not an update: no update_id")
    kinds = [key for key in data if key != "update_id"]
    kind = kinds[0] if kinds else ""
    provider_id = f"update:{update_id}"
    if not kind:
        return _quarantined(provider_id, update_id, raw, now, "empty update: no content")
    try:
        update = Update.de_json(data, None)
    except Exception as error:  # any shape at all: the reason is kept, the poller goes on
        # The library's message may quote the update's own text (a lone surrogate, a NUL).
        reason = one_line(f"malformed {kind} update ({type(error).__name__}: {error})", 300)
        return _quarantined(provider_id, update_id, raw, now, reason)
    if kind in update.api_kwargs:
        # An update type this version does not know: its name is the sender's text.
        label = one_line(kind, 64)
        return _skipped(provider_id, update_id, raw, now, label, f"unknown update type {label!r}")
    if kind != "message":
        # An edited message or a post keeps its chat and text for staff to read.
        posted = getattr(update, kind, None)
        posted = posted if isinstance(posted, Message) and posted.chat is not None else None
        return _skipped(provider_id, update_id, raw, now, kind, SKIPPED.get(kind, kind), posted)
    message = update.message
    if message is None:  # "message": null, or not an object
        return _quarantined(provider_id, update_id, raw, now, "message update without a message")
    if message.chat is None or not _is_id(message.chat.id, signed=True):
        return _quarantined(provider_id, update_id, raw, now, "message without a chat")
    if not _is_id(message.message_id):
        return _quarantined(provider_id, update_id, raw, now, "message without a valid id")
    if message.chat.type != "private":
        reason = f"message in a {_chat_type(message)} chat (only private chats are taken)"
        return _skipped(provider_id, update_id, raw, now, kind, reason, message)
    author = message.from_user
    if author is None or not _is_id(author.id):
        return _skipped(provider_id, update_id, raw, now, kind, "message without a sender")
    if author.is_bot:
        return _skipped(provider_id, update_id, raw, now, kind, "message from a bot", message)
    return _citizen_message(message, update_id, raw, bot_id, limits)


def _is_id(value: Any, *, signed: bool = False) -> TypeGuard[int]:
    """A Telegram id: an integer that fits 64 bits (chats of groups are negative)."""
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    return (-(2**63) if signed else 0) <= value < 2**63


def _citizen_message(
    message: Message, update_id: int, raw: bytes, bot_id: int, limits: FileLimits
) -> ReadUpdate:
    author = message.from_user
    assert author is not None
    text = clean(_said(message), MAX_TEXT_CHARS)
    flags: dict[str, Any] = {
        "chat_id": message.chat.id,
        "telegram_message_id": message.message_id,
        "chat_type": _chat_type(message),
        "update_type": "message",
        "public": False,
    }
    if isinstance(author.username, str) and author.username:
        flags["username"] = one_line(author.username.lstrip("@"), 100)
    command = _command(message)
    if command:
        flags["command"], flags["command_args"] = command
    files, dropped = _files(message, limits)
    if dropped:
        flags["dropped_attachments"] = dropped
    return ReadUpdate(
        InboundMessage(
            channel=CHANNEL,
            provider_id=f"{message.chat.id}:{message.message_id}",
            received_at=_sent_at(message, datetime.now(UTC)),
            text=text,
            sender=f"tg:{author.id}",
            sender_name=one_line(str(author.full_name), 200),
            references=_references(message, bot_id),
            flags=flags,
            raw=raw,
        ),
        update_id,
        tuple(files),
    )


def _said(message: Message) -> str:
    """The text or caption (library objects take any JSON: a list there is no text)."""
    for value in (message.text, message.caption):
        if isinstance(value, str) and value:
            return value
    return ""


def _chat_type(message: Message) -> str:
    return one_line(str(message.chat.type), 40)


def _sent_at(message: Message, default: datetime) -> datetime:
    """When Telegram says the message was sent; `default` when it sent no date."""
    date = message.date
    return date.astimezone(UTC) if isinstance(date, datetime) else default


def _command(message: Message) -> tuple[str, str] | None:
    """("/estado", "2026...") for a message that starts with a bot command."""
    text = message.text if isinstance(message.text, str) else ""
    for entity in message.entities:
        if not isinstance(entity.length, int) or isinstance(entity.length, bool):
            continue  # a malformed entity names no command
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            # Commands are ASCII, so UTF-16 offsets are string offsets here.
            name = one_line(text[: entity.length].split("@", 1)[0].lower(), 64)
            return name, clean(text[entity.length :], 500)
    return None


def _references(message: Message, bot_id: int) -> tuple[str, ...]:
    """A reply to one of our bot's messages that names a radicado follows that case up:
    the reference has the shape of our e-mail Message-IDs, which `routing.followups` reads."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != bot_id:
        return ()
    named = quoted_radicados("", _said(replied))
    return (f"<radicado.{named[0]}.0@telegram>",) if named else ()


def _files(message: Message, limits: FileLimits) -> tuple[list[FileToFetch], list[str]]:
    found: list[FileToFetch] = []
    if message.photo:
        # Telegram sends every size of a photo, smallest first: the largest is the photo.
        # file_size is optional: an unknown size sorts as 0.
        largest = max(
            message.photo, key=lambda size: (size.width * size.height, size.file_size or 0)
        )
        found.append(FileToFetch(largest.file_id, "foto.jpg", "image/jpeg", largest.file_size))
    named = (
        (message.document, "documento", "application/octet-stream"),
        (message.audio, "audio.mp3", "audio/mpeg"),
        (message.voice, "nota-de-voz.ogg", "audio/ogg"),
        (message.video, "video.mp4", "video/mp4"),
        (message.video_note, "video-nota.mp4", "video/mp4"),
    )
    for media, default_name, default_type in named:
        if media is None:
            continue
        name = safe_filename(str(getattr(media, "file_name", None) or default_name))
        kind = getattr(media, "mime_type", None) or default_type
        found.append(FileToFetch(media.file_id, name or default_name, kind, media.file_size))
    kept: list[FileToFetch] = []
    dropped: list[str] = []
    for item in found[: limits.max_files]:
        if item.size is not None and item.size > limits.max_file_bytes:
            dropped.append(too_big(item.filename, item.size, limits.max_file_bytes))
        else:
            kept.append(item)
    if len(found) > limits.max_files:
        extra = len(found) - limits.max_files
        dropped.append(f"{extra} more files not kept (telegram.max_files is {limits.max_files})")
    return kept, dropped


def too_big(filename: str, size: int, limit: int) -> str:
    return (
        f"{filename}: {size / 1_048_576:.1f} MB, over the {limit / 1_048_576:.3g} MB limit "
        "(telegram.max_file_bytes); not downloaded"
    )


def _skipped(
    provider_id: str,
    update_id: int,
    raw: bytes,
    now: datetime,
    kind: str,
    reason: str,
    message: Message | None = None,
) -> ReadUpdate:
    flags: dict[str, Any] = {"skip": reason, "update_type": kind}
    received_at = now
    text = ""
    if message is not None:
        if _is_id(message.chat.id, signed=True):  # the sender's JSON: any value at all
            flags["chat_id"] = message.chat.id
        flags["chat_type"] = _chat_type(message)
        received_at = _sent_at(message, now)
        text = clean(_said(message), MAX_TEXT_CHARS)
    return ReadUpdate(
        InboundMessage(
            channel=CHANNEL,
            provider_id=provider_id,
            received_at=received_at,
            text=text,
            flags=flags,
            raw=raw,
        ),
        update_id,
    )


def _quarantined(
    provider_id: str, update_id: int | None, raw: bytes, now: datetime, reason: str
) -> ReadUpdate:
    message = InboundMessage(
        channel=CHANNEL,
        provider_id=provider_id,
        received_at=now,
        text="",
        flags={"quarantine": reason},
        raw=raw,
    )
    return ReadUpdate(message, update_id)
