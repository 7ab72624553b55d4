"""The Telegram channel: the entity's bot, through python-telegram-bot (22.x).

Input: in polling mode the poller reads updates with getUpdates after the cursor (the last
update id stored); the offset that confirms them at Telegram is sent only with the next
getUpdates, after the store commit (DESIGN rule 1). In webhook mode `web/telegram.py` hands
each update to `inbound`. Updates are read as raw JSON and parsed one by one
(`telegram_updates.read_update`), so one malformed update never loses the batch; files are
downloaded with getFile within `telegram.max_files` and `telegram.max_file_bytes`.
Output: `send` answers in the citizen's chat, under their message.

The library is asyncio and these methods are called from the poller thread and from many
worker threads: each thread gets its own event loop and Bot, made once and kept (as the
e-mail adapter keeps one SMTP session per thread).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import warnings
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any, TypeVar

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning, PTBUserWarning

from ventanilla.adapters.base import Acknowledgement, Batch
from ventanilla.adapters.telegram_updates import FileLimits, FileToFetch, read_update, too_big
from ventanilla.errors import ChannelError
from ventanilla.logs import log
from ventanilla.message import Attachment, InboundMessage, attachment_type
from ventanilla.settings import TelegramSettings

T = TypeVar("T")

# The token is part of every Bot API URL: the HTTP libraries must never log one.
for _name in ("httpx", "httpcore", "telegram"):
    logging.getLogger(_name).setLevel(logging.WARNING)
# Reading getUpdates as raw JSON is on purpose (one malformed update must not lose the
# batch), and 22.x announces that time periods become timedeltas: neither is news to us.
warnings.filterwarnings("ignore", message="Please use 'Bot.", category=PTBUserWarning)
warnings.filterwarnings(
    "ignore", message=".*will be of type `datetime.timedelta`", category=PTBDeprecationWarning
)


def bot_id(token: str) -> int:
    """The bot's own user id: the number before the colon of its token."""
    head = token.split(":", 1)[0]
    return int(head) if head.isdigit() else 0


class TelegramAdapter:
    channel = "telegram"

    def __init__(self, settings: TelegramSettings) -> None:
        self.settings = settings
        self.bot_id = bot_id(settings.token)
        self.limits = FileLimits(settings.max_files, settings.max_file_bytes)
        self._local = threading.local()
        self._sessions: list[tuple[asyncio.AbstractEventLoop, Bot]] = []
        self._sessions_lock = threading.Lock()
        # Polling state, used by the poller's one thread only.
        self._offset: int | None = None  # confirms at Telegram every update below it
        self._waited: list[Any] = []  # what the last long poll brought, for `fetch`
        self._webhook_cleared = False

    # -- input ---------------------------------------------------------------------------

    def fetch(self, cursor: str) -> Iterator[Batch]:
        """Updates after `cursor` (the last update id stored), oldest first, in batches.

        The generator resumes after a batch only once the poller has stored it and called
        `commit`, so the offset that confirms a batch at Telegram follows the store commit.
        """
        last = int(cursor) if cursor else None
        if last is not None:
            self._offset = max(self._offset or 0, last + 1)
        while True:
            if self._waited:
                updates, self._waited = self._waited, []
            else:
                updates = self._get_updates(last + 1 if last is not None else None, timeout=0)
            fresh = [u for u in updates if not _taken(u, last)]
            if not fresh:
                return
            ids = [i for i in map(_update_id, fresh) if i is not None]
            newest = max(ids) if ids else last
            backlog = (
                self._backlog(len(updates)) if len(updates) >= self.settings.fetch_limit else 0
            )
            yield Batch(
                [self.inbound(update) for update in fresh],
                "" if newest is None else str(newest),
                backlog,
            )
            if newest is None or newest == last or len(updates) < self.settings.fetch_limit:
                return
            last = newest

    def commit(self, cursor: str) -> None:
        """Remember the offset; the next getUpdates (a long poll or a fetch) confirms it."""
        if cursor:
            self._offset = int(cursor) + 1

    def wait(self, seconds: float) -> None:
        """A long poll with the committed offset; what it brings is the next `fetch`'s."""
        if self._waited:
            return
        timeout = int(min(self.settings.poll_timeout, seconds))
        if timeout < 1:
            time.sleep(max(seconds, 0))
            return
        self._waited = self._get_updates(self._offset, timeout=timeout)

    def inbound(self, update: Any, raw: bytes | None = None) -> InboundMessage:
        """One update as a message, its files downloaded; never raises for bad input (a
        temporary failure to download raises ChannelError: the update is taken later)."""
        read = read_update(update, bot_id=self.bot_id, limits=self.limits, raw=raw)
        message = read.message
        if "quarantine" in message.flags:
            log.warning("telegram_update_quarantined", update_id=read.update_id)
        if not read.files:
            return message
        attachments: list[Attachment] = []
        dropped = list(message.flags.get("dropped_attachments", []))
        for item in read.files:
            got = self._download(item)
            if isinstance(got, Attachment):
                attachments.append(got)
            else:
                dropped.append(got)
        flags = dict(message.flags)
        if dropped:
            flags["dropped_attachments"] = dropped
        return replace(message, attachments=tuple(attachments), flags=flags)

    def _get_updates(self, offset: int | None, *, timeout: int) -> list[Any]:
        self._clear_webhook()
        arguments: dict[str, Any] = {
            "limit": self.settings.fetch_limit,
            "timeout": timeout,
            # Every type Telegram sends by default, including types newer than this code:
            # each one is stored, the ones we do not take with the reason.
            "allowed_updates": [],
        }
        if offset is not None:
            arguments["offset"] = offset
        result = self._call(
            lambda bot: bot.do_api_request(
                "getUpdates", arguments, return_type=None, read_timeout=timeout + 10
            ),
            "reading updates",
        )
        return list(result) if isinstance(result, list) else []

    def _backlog(self, in_batch: int) -> int:
        """Updates still waiting at Telegram after this batch (for the progress log and
        /metrics); 0 if Telegram does not say."""
        try:
            info = self._call(lambda bot: bot.get_webhook_info(), "counting pending updates")
        except ChannelError:
            return 0
        return max(0, info.pending_update_count - in_batch)

    def _clear_webhook(self) -> None:
        # getUpdates answers 409 while a webhook is set: polling mode removes it, once.
        if not self._webhook_cleared:
            self._call(lambda bot: bot.delete_webhook(), "removing the webhook")
            self._webhook_cleared = True

    def _download(self, item: FileToFetch) -> Attachment | str:
        limit = self.settings.max_file_bytes

        async def download(bot: Bot) -> bytes | str:
            found = await bot.get_file(item.file_id)
            if found.file_size is not None and found.file_size > limit:
                return too_big(item.filename, found.file_size, limit)
            return bytes(await found.download_as_bytearray())

        try:
            content = self._call(download, "downloading a file", permanent=(BadRequest,))
        except ChannelError as error:
            if error.retryable:
                raise
            log.warning("telegram_file_not_downloaded", error=str(error))
            return f"{item.filename}: could not be downloaded ({error})"
        if isinstance(content, str):
            return content
        if len(content) > limit:
            return too_big(item.filename, len(content), limit)
        return Attachment(item.filename, attachment_type(item.content_type, content), content)

    # -- output --------------------------------------------------------------------------

    def send(self, ack: Acknowledgement) -> str:
        """The acknowledgement (or a command's answer) in the citizen's chat."""
        try:
            chat_id = int(ack.recipient)
        except ValueError:
            raise ChannelError(
                "telegram", "the recipient is not a chat id", retryable=False
            ) from None
        # sendMessage's own JSON, its answer read as JSON: building the library's objects
        # for the request and for the Message it answers was a fifth of a send's CPU.
        fields: dict[str, Any] = {
            "chat_id": chat_id,
            "link_preview_options": {"is_disabled": True},
        }
        if ack.html:
            fields |= {"text": ack.html, "parse_mode": ParseMode.HTML.value}
        else:
            fields["text"] = ack.text
        if ack.in_reply_to.isdigit():
            # Under the citizen's message; if they deleted it, sent all the same.
            fields["reply_parameters"] = {
                "message_id": int(ack.in_reply_to),
                "allow_sending_without_reply": True,
            }
        sent = self._call(
            lambda bot: bot.do_api_request("sendMessage", fields, return_type=None),
            "sending a message",
        )
        # Telegram answered ok: the message went, even in the unheard-of case of an answer
        # without its id (sending it again would repeat it).
        message_id = sent.get("message_id", "") if isinstance(sent, dict) else ""
        return f"{chat_id}:{message_id}"

    def set_webhook(self, url: str, secret: str) -> None:
        """Ask Telegram to POST updates to `url` with `secret` in the header."""
        self._call(
            lambda bot: bot.set_webhook(url=url, secret_token=secret, allowed_updates=[]),
            "registering the webhook",
        )

    def probe(self) -> None:
        """getMe with our token (`ventanilla check --connect`), naming the setting to fix."""
        loop, bot = self._bot()
        try:
            loop.run_until_complete(bot.get_me())
        except InvalidToken as error:
            reason = f"telegram.token: the Bot API refused the token ({error})"
            raise ChannelError("telegram", reason, retryable=False) from None
        except TelegramError as error:
            reason = f"telegram.api_url: cannot reach the Bot API ({self._describe(error)})"
            raise ChannelError("telegram", reason, retryable=False) from None

    def close(self) -> None:
        """Close every thread's Bot (when nothing is being sent)."""
        with self._sessions_lock:
            sessions, self._sessions = self._sessions, []
        for loop, bot in sessions:
            try:
                loop.run_until_complete(bot.shutdown())
            finally:
                loop.close()
        self._local = threading.local()

    # -- shared --------------------------------------------------------------------------

    def _bot(self) -> tuple[asyncio.AbstractEventLoop, Bot]:
        session = getattr(self._local, "session", None)
        if session is None:
            api = self.settings.api_url.rstrip("/")
            bot = Bot(
                self.settings.token,
                base_url=f"{api}/bot",
                base_file_url=f"{api}/file/bot",
                request=HTTPXRequest(
                    connection_pool_size=4, read_timeout=30, write_timeout=30, connect_timeout=10
                ),
                get_updates_request=HTTPXRequest(connection_pool_size=1, connect_timeout=10),
            )
            session = self._local.session = (asyncio.new_event_loop(), bot)
            with self._sessions_lock:
                self._sessions.append(session)
        return session  # type: ignore[no-any-return]

    def _call(
        self,
        make: Callable[[Bot], Awaitable[T]],
        doing: str,
        *,
        permanent: tuple[type[TelegramError], ...] = (BadRequest, Forbidden, InvalidToken),
    ) -> T:
        """Run one Bot API call on this thread's loop; failures become ChannelError."""
        loop, bot = self._bot()
        try:
            return loop.run_until_complete(make(bot))
        except RetryAfter as error:
            wait = _seconds(error.retry_after)
            raise ChannelError(
                "telegram",
                f"{doing}: rate limited for {wait:g} s",
                retryable=True,
                retry_after=wait,
            ) from None
        except TelegramError as error:
            # A 409 (another poller, a webhook set meanwhile) or the network: try again.
            retryable = not isinstance(error, permanent)
            raise ChannelError(
                "telegram", f"{doing}: {self._describe(error)}", retryable=retryable
            ) from None

    def _describe(self, error: TelegramError) -> str:
        text = f"{type(error).__name__}: {error}"
        return text.replace(self.settings.token, "<token>") if self.settings.token else text


def _taken(update: Any, last: int | None) -> bool:
    """Whether the store already has this update (its id is at or below the cursor)."""
    found = _update_id(update)
    return last is not None and found is not None and found <= last


def _update_id(update: Any) -> int | None:
    found = update.get("update_id") if isinstance(update, dict) else None
    return found if isinstance(found, int) and not isinstance(found, bool) else None


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
