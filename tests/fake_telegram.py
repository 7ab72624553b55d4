"""A local fake of the Telegram Bot API for the Telegram adapter's tests.

It answers what the real ``python-telegram-bot`` (22.x) sends to ``{api_url}/bot{token}/{method}``
(form-encoded, multipart or JSON bodies, or a query string; method names are case-insensitive
as Telegram's are) with the Bot API's JSON: ``{"ok": true, "result": ...}`` or
``{"ok": false, "error_code": N, "description": "...", "parameters": {"retry_after": S}}``.

Served:

- ``getMe``; a wrong token gets 401 ``Unauthorized``, an unknown method 404 ``Not Found``
- ``getUpdates`` with ``offset`` (confirms every update below it; negative counts from the
  end), ``limit`` (1-100), ``timeout`` (a real long poll: it answers as soon as an update is
  queued), ``allowed_updates`` (remembered between calls, as Telegram does); 409 Conflict
  while a webhook is set, and for a long poll cut short by a newer getUpdates
- ``sendMessage``: ``parse_mode=HTML`` checked like Telegram (only the supported tags, ``<``,
  ``>`` and ``&`` escaped, else 400 ``Bad Request: can't parse entities: ...``), the 4096
  character limit after parsing, ``reply_parameters`` (and the legacy
  ``reply_to_message_id``), unknown chats, blocked users (403)
- ``getFile`` and the download at ``{api_url}/file/bot{token}/{file_path}`` (20 MB limit)
- ``setWebhook``/``deleteWebhook``/``getWebhookInfo``; ``deliver_webhooks`` POSTs queued
  updates to the webhook with its secret header, like Telegram

Test hooks: queue updates (built with :meth:`FakeTelegram.message` or raw, malformed JSON
included), register files, block chats, make the next calls of a method fail or be
rate-limited, read what was sent (:attr:`FakeTelegram.sent`). Binds to 127.0.0.1 on a port
the OS picks.
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx

from tests.local_http import LocalHTTPServer

JSON = "application/json"
MAX_TEXT = 4096
MAX_DOWNLOAD = 20 * 1024 * 1024
# What Telegram sends without allowed_updates (or with an empty list).
NOT_BY_DEFAULT = ("chat_member", "message_reaction", "message_reaction_count")
# Parameters whose value is a JSON-serialised object or array.
JSON_PARAMETERS = ("reply_parameters", "allowed_updates", "entities", "reply_markup",
                   "link_preview_options")  # fmt: skip
SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

# Telegram's HTML style: these tags, and the entities they make.
HTML_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler", "a": "text_link", "code": "code", "pre": "pre",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}  # fmt: skip
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_VALUE = r"""(?:"[^"]*"|'[^']*'|[^\s"'>]+)"""
_TAG = re.compile(rf"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s=>]+(?:\s*=\s*{_VALUE})?)*)\s*>")
_ATTRIBUTE = re.compile(r"([^\s=>]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?")
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]+);")


class ApiError(Exception):
    """An answer with ``"ok": false``."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Text and entities of a ``parse_mode=HTML`` message, or ApiError(400) as Telegram says.

    Offsets in errors are UTF-8 byte offsets into ``source``; entity offsets and lengths are
    UTF-16 code units of the resulting text, as the Bot API counts them.
    """
    out: list[str] = []
    units = 0  # UTF-16 length of the text so far
    stack: list[tuple[str, int, dict[str, str]]] = []
    entities: list[dict[str, Any]] = []
    i = 0

    def fail(why: str) -> ApiError:
        return ApiError(400, f"Bad Request: can't parse entities: {why}")

    def at(index: int) -> int:
        return len(source[:index].encode("utf-8"))

    while i < len(source):
        char = source[i]
        if char == "<":
            match = _TAG.match(source, i)
            if match is None:
                if ">" not in source[i:]:
                    raise fail(f"Unclosed start tag at byte offset {at(i)}")
                name = re.match(r"</?([^\s>]*)", source[i:])
                found = name.group(1) if name else ""
                raise fail(f'Unsupported start tag "{found}" at byte offset {at(i)}')
            closing, name, attributes = match.group(1), match.group(2).lower(), match.group(3)
            if closing:
                if not stack:
                    raise fail(f"Unexpected end tag at byte offset {at(i)}")
                opened, start, attrs = stack.pop()
                if opened != name:
                    raise fail(
                        f'Unmatched end tag at byte offset {at(i)}, expected "</{opened}>", '
                        f'found "</{name}>"'
                    )
                if units > start:
                    entity: dict[str, Any] = {
                        "type": HTML_TAGS[opened],
                        "offset": start,
                        "length": units - start,
                    }
                    if opened == "a":
                        entity["url"] = attrs.get("href", "")
                    entities.append(entity)
            else:
                attrs = {
                    m.group(1).lower(): next((g for g in m.groups()[1:] if g is not None), "")
                    for m in _ATTRIBUTE.finditer(attributes)
                }
                if name not in HTML_TAGS or (name == "span" and attrs.get("class") != "tg-spoiler"):
                    raise fail(f'Unsupported start tag "{name}" at byte offset {at(i)}')
                stack.append((name, units, attrs))
            i = match.end()
            continue
        if char == ">":
            raise fail(f"Character '>' is reserved and must be escaped at byte offset {at(i)}")
        if char == "&":
            match = _ENTITY.match(source, i)
            if match is None:
                raise fail(f"Character '&' must be escaped as &amp; at byte offset {at(i)}")
            name = match.group(1)
            if name.startswith("#x"):
                char = chr(int(name[2:], 16))
            elif name.startswith("#"):
                char = chr(int(name[1:]))
            elif name in NAMED_ENTITIES:
                char = NAMED_ENTITIES[name]
            else:
                raise fail(f'Unsupported HTML entity "&{name};" at byte offset {at(i)}')
            i = match.end()
        else:
            i += 1
        out.append(char)
        units += len(char.encode("utf-16-le")) // 2
    if stack:
        raise fail(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Call:
    """One request the fake answered: its method (as Telegram spells it), parameters and
    HTTP status."""

    method: str
    params: dict[str, Any]
    status: int = 0
    token_ok: bool = True
    at: float = field(default_factory=time.monotonic)  # when it arrived


@dataclass
class _Fault:
    method: str  # lower-case, or "*"
    error: ApiError
    remaining: int


@dataclass
class _File:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    file_size: int  # what Telegram reports (a test may declare more than it serves)


@dataclass
class Sent:
    """A message our bot sent, as the fake accepted it."""

    chat_id: int
    message_id: int
    text: str  # after HTML parsing: what the citizen reads
    source: str  # the text parameter as sent
    parse_mode: str
    entities: list[dict[str, Any]]
    reply_to_message_id: int | None
    message: dict[str, Any]  # the Message JSON returned
    params: dict[str, Any] = field(default_factory=dict)


_API = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[A-Za-z_]+)$")
_DOWNLOAD = re.compile(r"^/file/bot(?P<token>[^/]+)/(?P<path>.+)$")


class FakeTelegram:
    """The Bot API on 127.0.0.1 in background threads; use ``with FakeTelegram() as fake``.

    ``api_url`` is what stands in for ``https://api.telegram.org``; ``calls`` logs every
    request; ``sent`` every message accepted; ``errors`` exceptions raised by the fake itself.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        username: str = "ventanilla_bot",
        https_only: bool = False,
    ) -> None:
        self.token = token or f"{secrets.randbelow(9 * 10**9) + 10**9}:{secrets.token_urlsafe(26)}"
        self.bot_id = int(self.token.split(":", 1)[0])
        self.username = username
        # Telegram requires HTTPS webhooks; a local Bot API server (what this stands for)
        # accepts plain HTTP.
        self.https_only = https_only
        self.calls: list[Call] = []
        self.sent: list[Sent] = []
        self.errors: list[Exception] = []
        self.webhook: dict[str, Any] | None = None
        self.delete_webhook_calls = 0
        self._updates: list[tuple[int, Any]] = []  # (update id, JSON) not yet confirmed
        self._next_update_id = 700_000_000 + secrets.randbelow(10**6)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._chats: dict[int, dict[str, Any]] = {}  # chats the bot may write to
        self._messages: dict[int, set[int]] = {}  # message ids that exist, per chat
        self._blocked: set[int] = set()
        self._files: dict[str, _File] = {}
        self._faults: list[_Fault] = []
        self._allowed: list[str] = []
        self._poll_generation = 0
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._closing = False
        self._http = LocalHTTPServer(
            self._handle, name="fake-telegram", server_version="FakeTelegram/1", timeout=120
        )

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeTelegram:
        self._http.start()
        return self

    def close(self) -> None:
        if not self._http.running:
            return
        with self._changed:
            self._closing = True
            self._poll_generation += 1  # end every waiting long poll
            self._changed.notify_all()
        self._http.close()

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def settings(self) -> dict[str, str]:
        """The settings overrides (for `app_with` or a deployment) of a bot on this fake."""
        return {
            "telegram__enabled": "true",
            "telegram__token": self.token,
            "telegram__api_url": self.api_url,
        }

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self._http.port}"

    # -- building updates --------------------------------------------------------------------

    @staticmethod
    def user(
        user_id: int,
        first_name: str = "Ana",
        last_name: str | None = None,
        username: str | None = None,
        *,
        is_bot: bool = False,
    ) -> dict[str, Any]:
        found: dict[str, Any] = {"id": user_id, "is_bot": is_bot, "first_name": first_name}
        if last_name:
            found["last_name"] = last_name
        if username:
            found["username"] = username
        if not is_bot:
            found["language_code"] = "es"
        return found

    @staticmethod
    def private_chat(user: dict[str, Any]) -> dict[str, Any]:
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        for key in ("last_name", "username"):
            if key in user:
                chat[key] = user[key]
        return chat

    def message(
        self,
        user: dict[str, Any],
        text: str | None = None,
        *,
        chat: dict[str, Any] | None = None,
        date: datetime | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """A Message JSON from ``user`` (in their private chat unless ``chat`` is given);
        a text starting with "/" carries its bot_command entity, as Telegram's does."""
        chat = chat or self.private_chat(user)
        moment = date or datetime.now(UTC)
        with self._lock:
            message_id = next(self._message_ids.setdefault(chat["id"], itertools.count(1)))
            self._messages.setdefault(chat["id"], set()).add(message_id)
            if chat["type"] == "private":
                self._chats[chat["id"]] = chat
        found: dict[str, Any] = {
            "message_id": message_id,
            "from": user,
            "chat": chat,
            "date": int(moment.timestamp()),
        }
        if text is not None:
            found["text"] = text
            command = re.match(r"^/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
            if command:
                entity = {"type": "bot_command", "offset": 0, "length": len(command.group())}
                found["entities"] = [entity]
        found.update(fields)
        return found

    def queue(self, kind: str, payload: Any) -> dict[str, Any]:
        """Queue an update of type ``kind`` (``message``, ``edited_message``, ``callback_query``,
        or any name at all); returns it."""
        with self._changed:
            update_id = self._next_update_id
            self._next_update_id += 1
            update = {"update_id": update_id, kind: payload}
            self._updates.append((update_id, update))
            self._changed.notify_all()
        return update

    def queue_raw(self, update: Any) -> None:
        """Queue any JSON value as it is (a malformed update). An int ``update_id`` in it is
        what confirms it; without one it takes the next id (and is confirmed with it)."""
        with self._changed:
            given = update.get("update_id") if isinstance(update, dict) else None
            update_id = given if isinstance(given, int) else self._next_update_id
            self._next_update_id = max(self._next_update_id, update_id) + 1
            self._updates.append((update_id, update))
            self._changed.notify_all()

    def writes(
        self, user: dict[str, Any], text: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        """``user`` writes to the bot in private: the message update, queued."""
        return self.queue("message", self.message(user, text, **fields))

    def add_file(
        self,
        content: bytes,
        *,
        folder: str = "documents",
        file_size: int | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Register a file; returns its JSON (file_id, file_unique_id, file_size, and any
        ``fields`` such as file_name, mime_type, width). ``file_size`` may declare more than
        ``content`` holds (a file too big to be worth serving)."""
        unique = secrets.token_urlsafe(8)
        file_id = f"BQAC{secrets.token_urlsafe(24)}"
        extension = {"photos": ".jpg", "voice": ".oga", "music": ".mp3", "video_notes": ".mp4",
                     "documents": "", "videos": ".mp4"}.get(folder, "")  # fmt: skip
        if folder == "documents" and "." in str(fields.get("file_name", "")):
            extension = "." + str(fields["file_name"]).rsplit(".", 1)[-1][:8]
        # Telegram names the file itself, whatever the sender called it.
        name = f"file_{len(self._files)}{extension}"
        size = len(content) if file_size is None else file_size
        with self._lock:
            self._files[file_id] = _File(file_id, unique, f"{folder}/{name}", content, size)
        return {"file_id": file_id, "file_unique_id": unique, "file_size": size, **fields}

    def media(self, kind: str, content: bytes, **fields: Any) -> dict[str, Any]:
        """A ``document``, ``audio``, ``voice``, ``video`` or ``video_note`` field with the
        members the Bot API always sends for it (duration, size...) and a registered file."""
        required: dict[str, dict[str, Any]] = {
            "document": {},
            "audio": {"duration": 31, "mime_type": "audio/mpeg"},
            "voice": {"duration": 12, "mime_type": "audio/ogg"},
            "video": {"duration": 20, "width": 640, "height": 360, "mime_type": "video/mp4"},
            "video_note": {"duration": 9, "length": 240},
        }
        folders = {"document": "documents", "audio": "music", "voice": "voice",
                   "video": "videos", "video_note": "video_notes"}  # fmt: skip
        return self.add_file(content, folder=folders[kind], **(required[kind] | fields))

    def photo(self, *contents: bytes) -> list[dict[str, Any]]:
        """A ``photo`` field: one PhotoSize per content, smallest first (as Telegram sends)."""
        return [
            self.add_file(content, folder="photos", width=90 * (n + 1), height=60 * (n + 1))
            for n, content in enumerate(contents)
        ]

    # -- programming the fake ----------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        code: int,
        description: str,
        times: int = 1,
        *,
        retry_after: int | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` ("*" for any) answer this error."""
        with self._lock:
            self._faults.append(
                _Fault(method.lower(), ApiError(code, description, retry_after), times)
            )

    def rate_limit_next(self, method: str, retry_after: int, times: int = 1) -> None:
        """429 ``Too Many Requests: retry after N`` with ``parameters.retry_after``."""
        self.fail_next(
            method, 429, f"Too Many Requests: retry after {retry_after}", times,
            retry_after=retry_after,
        )  # fmt: skip

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: sending to them answers 403."""
        with self._lock:
            self._blocked.add(chat_id)

    def known_chat(self, chat: dict[str, Any]) -> None:
        """A chat the bot may write to without an update from it (someone who started it
        before)."""
        with self._lock:
            self._chats[chat["id"]] = chat

    def sent_to(self, chat_id: int) -> list[Sent]:
        with self._lock:
            return [sent for sent in self.sent if sent.chat_id == chat_id]

    @property
    def unconfirmed(self) -> int:
        """Updates queued that no getUpdates offset has confirmed yet."""
        with self._lock:
            return len(self._updates)

    def calls_of(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.method.lower() == method.lower()]

    def deliver_webhooks(self, timeout: float = 30) -> list[int]:
        """POST each queued update to the webhook, as Telegram does; an update the server
        answers 2xx is confirmed. Returns the HTTP status of each delivery."""
        with self._lock:
            assert self.webhook is not None, "no webhook is set"
            hook = dict(self.webhook)
            queued = list(self._updates)
        headers = {"Content-Type": "application/json"}
        if hook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
        statuses = []
        for update_id, update in queued:
            response = httpx.post(
                hook["url"], content=json.dumps(update).encode(), headers=headers, timeout=timeout
            )
            statuses.append(response.status_code)
            if response.is_success:
                with self._lock:
                    self._updates = [(i, u) for i, u in self._updates if i != update_id]
        return statuses

    # -- request handling --------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        split = urlsplit(handler.path)
        path = unquote(split.path)  # the library percent-encodes the token's ":"
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        download = _DOWNLOAD.match(path)
        if download:
            status, content, kind = self._download(download["token"], download["path"])
            self._answer(handler, status, content, kind)
            return
        match = _API.match(path)
        if match is None:
            payload: dict[str, Any] = ApiError(404, "Not Found").payload()
            self._answer(handler, 404, json.dumps(payload).encode(), "application/json")
            return
        call = Call(match["method"], {}, token_ok=match["token"] == self.token)
        with self._lock:
            self.calls.append(call)
        try:
            call.params = _parameters(split.query, body, handler.headers.get("Content-Type", ""))
            result = self._call(call)
            status, payload = 200, {"ok": True, "result": result}
        except ApiError as error:
            status, payload = error.code, error.payload()
        except Exception as exc:  # a bug in the fake: answer, and keep it for the test
            self.errors.append(exc)
            status, payload = 500, ApiError(500, f"fake_telegram failed: {exc!r}").payload()
        call.status = status
        self._answer(handler, status, json.dumps(payload).encode(), "application/json")

    @staticmethod
    def _answer(handler: BaseHTTPRequestHandler, status: int, body: bytes, kind: str) -> None:
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", kind)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except OSError:  # the client went away (a long poll it stopped waiting for)
            handler.close_connection = True

    def _call(self, call: Call) -> Any:
        if not call.token_ok:
            raise ApiError(401, "Unauthorized")
        method = call.method.lower()
        handlers = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "sendmessage": self._send_message,
            "getfile": self._get_file,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._webhook_info,
        }
        if method not in handlers:
            raise ApiError(404, "Not Found")
        with self._lock:
            for fault in self._faults:
                if fault.method in (method, "*"):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    raise fault.error
        return handlers[method](call.params)

    def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Ventanilla",
            "username": self.username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _get_updates(self, params: dict[str, Any]) -> list[Any]:
        offset = _integer(params, "offset", 0)
        limit = _integer(params, "limit", 100)
        timeout = _integer(params, "timeout", 0)
        if not 1 <= limit <= 100:
            limit = 100  # Telegram clamps it
        with self._changed:
            if self.webhook is not None:
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            if "allowed_updates" in params:
                allowed = params["allowed_updates"]
                if not isinstance(allowed, list):
                    raise ApiError(400, "Bad Request: can't parse allowed updates")
                self._allowed = [str(kind) for kind in allowed]
            if offset > 0:
                self._updates = [(i, u) for i, u in self._updates if i >= offset]
            elif offset < 0:
                self._updates = self._updates[offset:]
            self._poll_generation += 1
            generation = self._poll_generation
            self._changed.notify_all()  # a long poll still waiting is cut short (409)
            deadline = time.monotonic() + max(0, timeout)
            while True:
                found = [u for _, u in self._updates if self._wanted(u)][:limit]
                left = deadline - time.monotonic()
                if found or left <= 0:
                    return found
                self._changed.wait(left)
                if self._poll_generation != generation:
                    if self._closing:
                        return []
                    raise ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; make sure that "
                        "only one bot instance is running",
                    )

    def _wanted(self, update: Any) -> bool:
        if not isinstance(update, dict):
            return True
        kinds = [key for key in update if key != "update_id"]
        if self._allowed:
            return any(kind in self._allowed for kind in kinds) or not kinds
        return not any(kind in NOT_BY_DEFAULT for kind in kinds)

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        try:
            chat_id = int(chat_id)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None
        source = params.get("text")
        if not isinstance(source, str) or not source.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        parse_mode = str(params.get("parse_mode") or "")
        entities: list[dict[str, Any]] = []
        if parse_mode.lower() == "html":
            text, entities = parse_html(source)
        elif parse_mode and parse_mode.lower() not in ("markdown", "markdownv2"):
            raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode!r}")
        else:
            text = source
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_length(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        reply = params.get("reply_parameters") or {}
        if not isinstance(reply, dict):
            raise ApiError(400, "Bad Request: can't parse reply parameters JSON object")
        reply_to = reply.get("message_id", params.get("reply_to_message_id"))
        allow_without = reply.get(
            "allow_sending_without_reply", params.get("allow_sending_without_reply", False)
        )
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None:
                raise ApiError(400, "Bad Request: chat not found")
            if chat_id in self._blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            replied: int | None = None
            if reply_to is not None:
                replied = int(reply_to)
                if replied not in self._messages.get(chat_id, set()):
                    if not _truthy(allow_without):
                        raise ApiError(400, "Bad Request: message to be replied not found")
                    replied = None
            message_id = next(self._message_ids.setdefault(chat_id, itertools.count(1)))
            self._messages.setdefault(chat_id, set()).add(message_id)
            message: dict[str, Any] = {
                "message_id": message_id,
                "from": {
                    "id": self.bot_id,
                    "is_bot": True,
                    "first_name": "Ventanilla",
                    "username": self.username,
                },
                "chat": chat,
                "date": int(time.time()),
                "text": text,
            }
            if entities:
                message["entities"] = entities
            if replied is not None:
                message["reply_to_message"] = {"message_id": replied, "chat": chat, "date": 0}
            self.sent.append(
                Sent(chat_id, message_id, text, source, parse_mode, entities, replied, message,
                     dict(params))
            )  # fmt: skip
        return message

    def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            found = self._files.get(str(params.get("file_id") or ""))
        if found is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if found.file_size > MAX_DOWNLOAD:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": found.file_id,
            "file_unique_id": found.file_unique_id,
            "file_size": found.file_size,
            "file_path": found.file_path,
        }

    def _download(self, token: str, path: str) -> tuple[int, bytes, str]:
        if token != self.token:
            return 401, json.dumps(ApiError(401, "Unauthorized").payload()).encode(), JSON
        with self._lock:
            found = next((f for f in self._files.values() if f.file_path == path), None)
        if found is None:
            return 404, json.dumps(ApiError(404, "Not Found").payload()).encode(), JSON
        return 200, found.content, "application/octet-stream"

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        if not url:
            return self._delete_webhook(params)
        if not url.startswith(("https://", "http://")) or (
            self.https_only and not url.startswith("https://")
        ):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = params.get("secret_token")
        if secret is not None and not SECRET_TOKEN.match(str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        with self._lock:
            self.webhook = {"url": url, "secret_token": secret}
            if "allowed_updates" in params:
                self._allowed = list(params["allowed_updates"] or [])
            if _truthy(params.get("drop_pending_updates")):
                self._updates.clear()
        return True

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        with self._lock:
            self.delete_webhook_calls += 1
            self.webhook = None
            if _truthy(params.get("drop_pending_updates")):
                self._updates.clear()
        return True

    def _webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            return {
                "url": self.webhook["url"] if self.webhook else "",
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates),
                **({"allowed_updates": self._allowed} if self._allowed else {}),
            }


def _parameters(query: str, body: bytes, content_type: str) -> dict[str, Any]:
    """A method's parameters from the query string and the body, JSON values decoded."""
    raw: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    kind = content_type.split(";")[0].strip().lower()
    if body and kind == "application/json":
        decoded = json.loads(body)
        if not isinstance(decoded, dict):
            raise ApiError(400, "Bad Request: parameters must be a JSON object")
        return raw | decoded
    if body and kind == "application/x-www-form-urlencoded":
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        raw |= {k: v[-1] for k, v in form.items()}
    elif body and kind == "multipart/form-data":
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name and part.get_filename() is None:
                raw[str(name)] = part.get_content()
    for key in JSON_PARAMETERS:
        if isinstance(raw.get(key), str):
            try:
                raw[key] = json.loads(raw[key])
            except ValueError:
                raise ApiError(400, f"Bad Request: can't parse {key} JSON object") from None
    return raw


def _integer(params: dict[str, Any], key: str, default: int) -> int:
    value = params.get(key, default)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Bad Request: wrong parameter {key}") from None


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1")
