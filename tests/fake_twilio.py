"""A local fake of Twilio's REST API (2010-04-01) for the Twilio adapter's tests.

It answers the URLs, form fields and JSON shapes that the real ``twilio`` library (9.x) uses,
as read from its source (``rest/api/v2010/account/message/__init__.py``, ``.../media.py``,
``base/page.py``, ``base/version.py``), so tests drive the real ``twilio.rest.Client`` against
it through an http client that rewrites ``https://api.twilio.com`` to :attr:`FakeTwilio.api_url`.

Served, all under ``/2010-04-01/Accounts/{AccountSid}``:

- ``POST /Messages.json``: create (HTTP Basic auth, Twilio's validation errors, 201 + resource)
- ``GET /Messages.json``: list, newest first, filters ``To``, ``From``, ``DateSent``,
  ``DateSent<``, ``DateSent>``, paging with ``PageSize``/``Page``/``PageToken``
- ``GET /Messages/{Sid}.json``, ``/Messages/{Sid}/Media.json``, ``/Messages/{Sid}/Media/{Sid}``
  (raw bytes; ``.json`` for the media resource)
- ``GET /Recordings/{Sid}`` (WAV), ``.wav``, ``.mp3``, ``.json``

How the library talks to it: ``date_sent_after=datetime`` becomes the query parameter
``DateSent>`` (percent-encoded ``DateSent%3E``) with the value formatted
``%Y-%m-%dT%H:%M:%SZ`` (``DateSent<`` for ``date_sent_before``). The ``=`` of the query string
completes Twilio's documented ``DateSent>=YYYY-MM-DD`` syntax, so both inequalities are
inclusive. Twilio documents only day granularity for them; ``date_filter_precision="day"``
(the default) compares dates, ``"second"`` compares the full timestamp. Paging: the library
sends ``PageSize`` on the first request, then GETs each ``next_page_uri`` (made absolute on
``https://api.twilio.com``) as is, until it is null; errors while paging surface as a plain
``TwilioException("Unable to fetch page", response)``, not ``TwilioRestException``.

Everything binds to 127.0.0.1 on a port the OS picks.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import email.utils
import json
import math
import re
import secrets
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from http.server import BaseHTTPRequestHandler
from typing import Any, Literal
from urllib.parse import parse_qs, urlencode, urlsplit

from twilio.request_validator import RequestValidator

from tests.local_http import LocalHTTPServer

API_VERSION = "2010-04-01"

# Twilio's error codes for the statuses a test is likely to ask for without naming one.
DEFAULT_ERRORS: dict[int, tuple[int, str]] = {
    400: (20001, "Invalid parameter"),
    401: (20003, "Authenticate"),
    403: (20403, "Forbidden"),
    404: (20404, "The requested resource was not found"),
    405: (20004, "Method not allowed"),
    429: (20429, "Too Many Requests"),
    500: (20500, "Internal Server Error"),
    503: (20503, "Service Unavailable"),
}

DATE_FILTERS = ("DateSent", "DateSent<", "DateSent>")

Endpoint = Literal["create", "list", "fetch", "media", "recording", "any"]

# GSM 03.38: the basic table costs one septet, the extension table two.
_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("\f^{}\\[~]|€")
_VALID_TO = re.compile(r"^(whatsapp:)?\+[1-9]\d{6,14}$|^(?!whatsapp:)[a-z]+:.+$")


def num_segments(body: str) -> int:
    """How many SMS segments Twilio bills for ``body`` (GSM-7 if it fits, else UCS-2)."""
    if all(c in _GSM_BASIC or c in _GSM_EXTENDED for c in body):
        units = sum(2 if c in _GSM_EXTENDED else 1 for c in body)
        single, multi = 160, 153
    else:
        units = len(body.encode("utf-16-le")) // 2
        single, multi = 70, 67
    return 1 if units <= single else math.ceil(units / multi)


def rfc2822(moment: datetime | None) -> str | None:
    """Twilio's date format: ``Thu, 24 Aug 2023 05:01:45 +0000``."""
    return None if moment is None else email.utils.format_datetime(moment.astimezone(UTC))


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


@dataclass
class LoggedRequest:
    """One request the fake received; ``status`` is what it answered (0: connection dropped)."""

    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, list[str]]
    headers: dict[str, str]  # names lower-cased
    username: str | None
    status: int = 0


@dataclass
class _Media:
    sid: str
    parent_sid: str
    content_type: str
    data: bytes
    date_created: datetime


@dataclass
class _Message:
    sid: str
    direction: str
    from_: str | None
    to: str
    body: str
    status: str
    date_created: datetime
    date_sent: datetime | None
    date_updated: datetime
    messaging_service_sid: str | None = None
    error_code: int | None = None
    error_message: str | None = None
    media: list[_Media] = field(default_factory=list)
    num_media: int = 0


@dataclass
class _Recording:
    sid: str
    audio: bytes
    content_type: str
    mp3: bytes | None
    call_sid: str
    duration: int
    date_created: datetime


@dataclass
class _Fault:
    on: str
    status: int | None  # None: drop the connection without answering
    code: int
    message: str
    headers: dict[str, str]
    remaining: int
    after_accept: bool = False


@dataclass
class _Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


_ACCOUNT = rf"^/{API_VERSION}/Accounts/(?P<account>[^/]+)"
_ROUTES: list[tuple[str, re.Pattern[str]]] = [
    ("messages", re.compile(_ACCOUNT + r"/Messages\.json$")),
    ("fetch", re.compile(_ACCOUNT + r"/Messages/(?P<message>[^/.]+)\.json$")),
    ("media", re.compile(_ACCOUNT + r"/Messages/(?P<message>[^/.]+)/Media\.json$")),
    (
        "media",
        re.compile(
            _ACCOUNT + r"/Messages/(?P<message>[^/.]+)/Media/(?P<media>[^/.]+)(?P<ext>\.json)?$"
        ),
    ),
    (
        "recording",
        re.compile(_ACCOUNT + r"/Recordings/(?P<recording>[^/.]+)(?P<ext>\.json|\.mp3|\.wav)?$"),
    ),
]
_CDN = re.compile(r"^/_cdn/(?P<token>[0-9a-f]+)$")


class FakeTwilio:
    """Twilio's REST API on 127.0.0.1, in a background thread; use ``with FakeTwilio() as f``.

    ``sent`` holds the form of every message the fake accepted (one value per field; the list
    fields ``MediaUrl`` and ``PersistentAction`` as lists); ``create_attempts`` the form of
    every create request that passed authentication, refused or not; ``requests_log`` every
    request received.
    """

    def __init__(
        self,
        account_sid: str | None = None,
        auth_token: str | None = None,
        *,
        date_filter_precision: Literal["day", "second"] = "day",
        require_media_auth: bool = True,
        media_redirect: bool = False,
    ) -> None:
        self.account_sid = account_sid or _sid("AC")
        self.auth_token = auth_token or secrets.token_hex(16)
        self.date_filter_precision = date_filter_precision
        # Twilio serves media and recordings without auth unless the account enforces it.
        self.require_media_auth = require_media_auth
        # Real media URLs answer with a redirect to a short-lived CDN URL.
        self.media_redirect = media_redirect
        self.sent: list[dict[str, Any]] = []
        self.create_attempts: list[dict[str, Any]] = []
        self.requests_log: list[LoggedRequest] = []
        self.errors: list[Exception] = []  # exceptions raised by the fake itself
        self._messages: list[_Message] = []  # in arrival order
        self._recordings: dict[str, _Recording] = {}
        self._faults: list[_Fault] = []
        self._cdn: dict[str, _Media] = {}
        self._lock = threading.RLock()
        self._http = LocalHTTPServer(
            self._handle, name="fake-twilio", server_version="FakeTwilio/1", timeout=30
        )

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeTwilio:
        self._http.start()
        return self

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> FakeTwilio:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def port(self) -> int:
        return self._http.port

    @property
    def api_url(self) -> str:
        """What stands in for ``https://api.twilio.com``: ``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def account_path(self) -> str:
        return f"/{API_VERSION}/Accounts/{self.account_sid}"

    # -- programming the fake ----------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        code: int | None = None,
        message: str | None = None,
        times: int = 1,
        *,
        on: Endpoint = "create",
        headers: dict[str, str] | None = None,
    ) -> None:
        """The next ``times`` authenticated requests to ``on`` answer Twilio's error JSON."""
        default_code, default_message = DEFAULT_ERRORS.get(status, (status, "Error"))
        with self._lock:
            self._faults.append(
                _Fault(
                    on=on,
                    status=status,
                    code=default_code if code is None else code,
                    message=default_message if message is None else message,
                    headers=dict(headers or {}),
                    remaining=times,
                )
            )

    def rate_limit_next(
        self, times: int = 1, retry_after_seconds: float = 1, *, on: Endpoint = "any"
    ) -> None:
        """The next ``times`` requests get 429 / 20429 with a ``Retry-After`` header."""
        self.fail_next(
            429,
            20429,
            "Too Many Requests",
            times,
            on=on,
            headers={"Retry-After": f"{retry_after_seconds:g}"},
        )

    def disconnect_next(
        self, times: int = 1, *, on: Endpoint = "create", after_accept: bool = False
    ) -> None:
        """Drop the connection without answering; with ``after_accept`` a create is carried out
        first (the message counts as sent, the client never learns it)."""
        with self._lock:
            self._faults.append(
                _Fault(on, None, 0, "", {}, remaining=times, after_accept=after_accept)
            )

    def add_inbound(
        self,
        sid: str | None,
        from_: str,
        to: str,
        body: str,
        date_sent: datetime,
        num_media: int | None = None,
        media: Sequence[tuple[str, bytes]] = (),
        *,
        direction: str = "inbound",
        messaging_service_sid: str | None = None,
    ) -> dict[str, Any]:
        """A message someone sent to one of our numbers (naive datetimes are taken as UTC);
        ``media`` is ``[(content_type, bytes)]``. Returns the message resource JSON."""
        moment = _utc(date_sent)
        sid = sid or _sid("MM" if media else "SM")
        message = _Message(
            sid=sid,
            direction=direction,
            from_=from_,
            to=to,
            body=body,
            status="received" if direction == "inbound" else "delivered",
            date_created=moment,
            date_sent=moment,
            date_updated=moment,
            messaging_service_sid=messaging_service_sid,
        )
        message.media = [_Media(_sid("ME"), sid, ctype, data, moment) for ctype, data in media]
        message.num_media = len(media) if num_media is None else num_media
        with self._lock:
            if self._find(sid) is not None:
                raise ValueError(f"message {sid} already exists")
            self._messages.append(message)
            return self._message_json(message)

    def outbound_sids(self, to: str) -> list[str]:
        """The SIDs of the messages we were asked to send to ``to``, oldest first."""
        with self._lock:
            return [m.sid for m in self._messages if m.direction != "inbound" and m.to == to]

    def media_urls(self, message_sid: str) -> list[str]:
        """The ``MediaUrl{N}`` of a message, as its webhook would carry them."""
        with self._lock:
            message = self._get(message_sid)
            return [self.media_url(message_sid, m.sid) for m in message.media]

    def media_url(self, message_sid: str, media_sid: str) -> str:
        return f"{self.api_url}{self.account_path}/Messages/{message_sid}/Media/{media_sid}"

    def add_recording(
        self,
        sid: str | None,
        audio_bytes: bytes,
        *,
        content_type: str = "audio/x-wav",
        mp3: bytes | None = None,
        call_sid: str | None = None,
        duration: int = 1,
    ) -> str:
        """Register a recording; returns the ``RecordingUrl`` Twilio would send (no extension:
        it serves ``audio_bytes``; ``.mp3`` serves ``mp3``, or the same bytes if not given)."""
        sid = sid or _sid("RE")
        recording = _Recording(
            sid, audio_bytes, content_type, mp3, call_sid or _sid("CA"), duration, _now()
        )
        with self._lock:
            self._recordings[sid] = recording
        return self.recording_url(sid)

    def recording_url(self, sid: str) -> str:
        return f"{self.api_url}{self.account_path}/Recordings/{sid}"

    def message(self, sid: str) -> dict[str, Any]:
        """The message resource JSON as the API would return it now."""
        with self._lock:
            return self._message_json(self._get(sid))

    def set_status(
        self,
        sid: str,
        status: str,
        *,
        error_code: int | None = None,
        error_message: str | None = None,
    ) -> None:
        with self._lock:
            message = self._get(sid)
            message.status = status
            message.error_code = error_code
            message.error_message = error_message
            message.date_updated = _now()

    # -- what Twilio would POST to us --------------------------------------------------------

    def sign(self, url: str, params: dict[str, str]) -> str:
        """``X-Twilio-Signature`` for a webhook POST of ``params`` to ``url``."""
        return str(RequestValidator(self.auth_token).compute_signature(url, params))

    def inbound_webhook(self, message_sid: str, url: str) -> tuple[dict[str, str], dict[str, str]]:
        """(form, headers) of the incoming-message webhook Twilio would POST to ``url``."""
        with self._lock:
            message = self._get(message_sid)
            form = {
                "MessageSid": message.sid,
                "SmsMessageSid": message.sid,
                "SmsSid": message.sid,
                "AccountSid": self.account_sid,
                "From": message.from_ or "",
                "To": message.to,
                "Body": message.body,
                "NumMedia": str(message.num_media),
                "NumSegments": str(num_segments(message.body)),
                "SmsStatus": "received",
                "ApiVersion": API_VERSION,
            }
            if message.messaging_service_sid:
                form["MessagingServiceSid"] = message.messaging_service_sid
            for n, media in enumerate(message.media):
                form[f"MediaContentType{n}"] = media.content_type
                form[f"MediaUrl{n}"] = self.media_url(message.sid, media.sid)
        return form, self._webhook_headers(url, form)

    def status_callback(self, message_sid: str, url: str) -> tuple[dict[str, str], dict[str, str]]:
        """(form, headers) of the status callback for a message's current status."""
        with self._lock:
            message = self._get(message_sid)
            form = {
                "MessageSid": message.sid,
                "SmsSid": message.sid,
                "AccountSid": self.account_sid,
                "From": message.from_ or "",
                "To": message.to,
                "MessageStatus": message.status,
                "SmsStatus": message.status,
                "ApiVersion": API_VERSION,
            }
            if message.error_code is not None:
                form["ErrorCode"] = str(message.error_code)
        return form, self._webhook_headers(url, form)

    def _webhook_headers(self, url: str, form: dict[str, str]) -> dict[str, str]:
        return {
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": "TwilioProxy/1.1",
            "X-Twilio-Signature": self.sign(url, form),
        }

    # -- request handling --------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        split = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        form: dict[str, list[str]] = {}
        if raw and "x-www-form-urlencoded" in (handler.headers.get("Content-Type") or ""):
            form = parse_qs(raw.decode("utf-8"), keep_blank_values=True)
        username, password = _basic_auth(handler.headers.get("Authorization"))
        entry = LoggedRequest(
            method=handler.command,
            path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            form=form,
            headers={k.lower(): v for k, v in handler.headers.items()},
            username=username,
        )
        with self._lock:
            self.requests_log.append(entry)
            try:
                response = self._route(entry, password)
            except Exception as exc:  # a bug in the fake: answer, and keep it for the test
                self.errors.append(exc)
                response = _error(500, 20500, f"fake_twilio failed: {exc!r}")
        if response is None:
            handler.close_connection = True
            with contextlib.suppress(OSError):
                handler.connection.shutdown(socket.SHUT_RDWR)
            return
        entry.status = response.status
        handler.send_response(response.status)
        handler.send_header("Content-Type", response.content_type)
        handler.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(response.body)

    def _route(self, req: LoggedRequest, password: str | None) -> _Response | None:
        cdn = _CDN.match(req.path)
        if cdn:
            media = self._cdn.get(cdn["token"])
            if media is None:
                return _not_found(req.path)
            return _Response(200, media.data, media.content_type)
        routed = next(((e, m) for e, p in _ROUTES if (m := p.match(req.path))), None)
        if routed is None:
            return _not_found(req.path)
        endpoint, match = routed
        if endpoint == "messages":
            endpoint = "create" if req.method == "POST" else "list"
        elif req.method != "GET":
            return _error(405, 20004, "Method not allowed")

        media_like = endpoint in ("media", "recording") and match.groupdict().get("ext") != ".json"
        if not (media_like and not self.require_media_auth) and (
            req.username != self.account_sid
            or password != self.auth_token
            or match["account"] != self.account_sid
        ):
            return _error(
                401, 20003, "Authenticate", {"WWW-Authenticate": 'Basic realm="Twilio API"'}
            )

        if endpoint == "create":
            self.create_attempts.append(_flat_form(req.form))
        fault = self._take_fault(endpoint)
        if fault is not None and fault.status is None:
            if fault.after_accept and endpoint == "create":
                self._create(req.form)
            return None
        if fault is not None:
            return _error(fault.status or 500, fault.code, fault.message, fault.headers)

        if endpoint == "create":
            return self._create(req.form)
        if endpoint == "list":
            return self._list(req)
        if endpoint == "fetch":
            message = self._find(match["message"])
            if message is None:
                return _not_found(req.path)
            return _json(200, self._message_json(message))
        if endpoint == "media":
            return self._media(req, match)
        return self._recording(req, match)

    def _take_fault(self, endpoint: str) -> _Fault | None:
        for fault in self._faults:
            if fault.on in (endpoint, "any"):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _create(self, form: dict[str, list[str]]) -> _Response:
        def one(name: str) -> str | None:
            values = form.get(name)
            return values[-1] if values else None

        to, from_, body = one("To"), one("From"), one("Body") or ""
        service = one("MessagingServiceSid")
        media_urls = form.get("MediaUrl", [])
        if not to:
            return _error(400, 21604, "A 'To' phone number is required.")
        if not _VALID_TO.match(to):
            return _error(400, 21211, f"Invalid 'To' Phone Number: {to}")
        if not from_ and not service:
            return _error(400, 21603, "A 'From' phone number is required.")
        if not body and not media_urls and not one("ContentSid"):
            return _error(400, 21602, "Message body is required.")
        if len(body) > 1600:
            too_long = "The concatenated message body exceeds the 1600 character limit."
            return _error(400, 21617, too_long)
        now = _now()
        message = _Message(
            sid=_sid("MM" if media_urls else "SM"),
            direction="outbound-api",
            from_=from_,
            to=to,
            body=body,
            status="queued" if from_ else "accepted",
            date_created=now,
            date_sent=now,
            date_updated=now,
            messaging_service_sid=service,
            num_media=len(media_urls),
        )
        self._messages.append(message)
        self.sent.append(_flat_form(form))
        return _json(201, self._message_json(message))

    def _list(self, req: LoggedRequest) -> _Response:
        q = {k: v[-1] for k, v in req.query.items()}
        try:
            bounds = {k: _parse_filter_date(q[k]) for k in DATE_FILTERS if k in q}
        except ValueError:
            return _error(400, 20001, "Invalid date value.")
        day = self.date_filter_precision == "day"

        def keep(m: _Message) -> bool:
            if "To" in q and m.to != q["To"]:
                return False
            if "From" in q and m.from_ != q["From"]:
                return False
            if not bounds:
                return True
            if m.date_sent is None:
                return False
            sent: date = m.date_sent.date() if day else m.date_sent
            if "DateSent" in bounds and m.date_sent.date() != bounds["DateSent"].date():
                return False
            low = bounds.get("DateSent>")
            if low is not None and sent < (low.date() if day else low):
                return False
            high = bounds.get("DateSent<")
            return not (high is not None and sent > (high.date() if day else high))

        items = [m for m in self._newest_first() if keep(m)]
        filters = [(k, q[k]) for k in ("To", "From", *DATE_FILTERS) if k in q]
        return self._page(
            req,
            items,
            self.account_path + "/Messages.json",
            "messages",
            filters,
            self._message_json,
        )

    def _page(
        self,
        req: LoggedRequest,
        items: list[Any],
        path: str,
        key: str,
        filters: list[tuple[str, str]],
        render: Any,
    ) -> _Response:
        q = {k: v[-1] for k, v in req.query.items()}
        try:
            size = int(q.get("PageSize", "50"))
            page = int(q.get("Page", "0"))
        except ValueError:
            return _error(400, 20001, "Invalid paging parameter")
        if not 1 <= size <= 1000 or page < 0:
            return _error(400, 20001, "Invalid paging parameter")
        token = q.get("PageToken")
        if token:
            sids = [item.sid for item in items]
            anchor = token[2:]
            if token[:2] not in ("PA", "PB") or anchor not in sids:
                return _error(400, 20001, f"Invalid PageToken: {token}")
            at = sids.index(anchor)
            first = at + 1 if token.startswith("PA") else max(0, at - size)
            chunk = items[first:at] if token.startswith("PB") else items[first : first + size]
        else:
            first = page * size
            chunk = items[first : first + size]

        def uri(*extra: tuple[str, object]) -> str:
            return path + "?" + urlencode([*filters, ("PageSize", size), *extra])

        more = bool(chunk) and first + len(chunk) < len(items)
        start = page * size
        return _json(
            200,
            {
                "end": start + max(len(chunk) - 1, 0),
                "first_page_uri": uri(("Page", 0)),
                key: [render(item) for item in chunk],
                "next_page_uri": uri(("Page", page + 1), ("PageToken", "PA" + chunk[-1].sid))
                if more
                else None,
                "page": page,
                "page_size": size,
                "previous_page_uri": uri(("Page", page - 1), ("PageToken", "PB" + chunk[0].sid))
                if page > 0 and chunk and first > 0
                else None,
                "start": start,
                "uri": uri(("Page", page), *([("PageToken", token)] if token else [])),
            },
        )

    def _media(self, req: LoggedRequest, match: re.Match[str]) -> _Response:
        message = self._find(match["message"])
        if message is None:
            return _not_found(req.path)
        if match.groupdict().get("media") is None:  # the Media.json list
            path = f"{self.account_path}/Messages/{message.sid}/Media.json"
            return self._page(req, list(message.media), path, "media_list", [], self._media_json)
        media = next((m for m in message.media if m.sid == match["media"]), None)
        if media is None:
            return _not_found(req.path)
        if match["ext"] == ".json":
            return _json(200, self._media_json(media))
        if self.media_redirect:
            token = secrets.token_hex(16)
            self._cdn[token] = media
            return _Response(307, b"", "text/plain", {"Location": f"{self.api_url}/_cdn/{token}"})
        return _Response(200, media.data, media.content_type)

    def _recording(self, req: LoggedRequest, match: re.Match[str]) -> _Response:
        recording = self._recordings.get(match["recording"])
        if recording is None:
            return _not_found(req.path)
        if match["ext"] == ".json":
            return _json(200, self._recording_json(recording))
        if match["ext"] == ".mp3":
            return _Response(200, recording.mp3 or recording.audio, "audio/mpeg")
        return _Response(200, recording.audio, recording.content_type)

    # -- resources ---------------------------------------------------------------------------

    def _newest_first(self) -> list[_Message]:
        indexed = list(enumerate(self._messages))
        indexed.sort(key=lambda im: (im[1].date_sent or im[1].date_created, im[0]), reverse=True)
        return [m for _, m in indexed]

    def _find(self, sid: str) -> _Message | None:
        return next((m for m in self._messages if m.sid == sid), None)

    def _get(self, sid: str) -> _Message:
        message = self._find(sid)
        if message is None:
            raise KeyError(sid)
        return message

    def _message_json(self, m: _Message) -> dict[str, Any]:
        uri = f"{self.account_path}/Messages/{m.sid}"
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": m.body,
            "date_created": rfc2822(m.date_created),
            "date_sent": rfc2822(m.date_sent),
            "date_updated": rfc2822(m.date_updated),
            "direction": m.direction,
            "error_code": m.error_code,
            "error_message": m.error_message,
            "from": m.from_,
            "messaging_service_sid": m.messaging_service_sid,
            "num_media": str(m.num_media),
            "num_segments": str(num_segments(m.body)),
            "price": None,
            "price_unit": "USD",
            "sid": m.sid,
            "status": m.status,
            "subresource_uris": {"media": f"{uri}/Media.json"},
            "to": m.to,
            "uri": f"{uri}.json",
        }

    def _media_json(self, media: _Media) -> dict[str, Any]:
        return {
            "account_sid": self.account_sid,
            "content_type": media.content_type,
            "date_created": rfc2822(media.date_created),
            "date_updated": rfc2822(media.date_created),
            "parent_sid": media.parent_sid,
            "sid": media.sid,
            "uri": f"{self.account_path}/Messages/{media.parent_sid}/Media/{media.sid}.json",
        }

    def _recording_json(self, r: _Recording) -> dict[str, Any]:
        uri = f"{self.account_path}/Recordings/{r.sid}"
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "call_sid": r.call_sid,
            "conference_sid": None,
            "date_created": rfc2822(r.date_created),
            "date_updated": rfc2822(r.date_created),
            "start_time": rfc2822(r.date_created),
            "duration": str(r.duration),
            "sid": r.sid,
            "price": None,
            "price_unit": "USD",
            "status": "completed",
            "channels": 1,
            "source": "RecordVerb",
            "error_code": None,
            "uri": f"{uri}.json",
            "encryption_details": None,
            "subresource_uris": {
                "add_on_results": f"{uri}/AddOnResults.json",
                "transcriptions": f"{uri}/Transcriptions.json",
            },
            "media_url": self.recording_url(r.sid),
        }


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _basic_auth(header: str | None) -> tuple[str | None, str | None]:
    if not header or not header.lower().startswith("basic "):
        return None, None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    username, _, password = decoded.partition(":")
    return username, password


def _flat_form(form: dict[str, list[str]]) -> dict[str, Any]:
    return {k: list(v) if k in ("MediaUrl", "PersistentAction") else v[-1] for k, v in form.items()}


def _parse_filter_date(value: str) -> datetime:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return datetime.combine(date.fromisoformat(value), time(), UTC)
    return _utc(datetime.fromisoformat(value))


def _json(status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> _Response:
    return _Response(status, json.dumps(payload).encode("utf-8"), headers=dict(headers or {}))


def _error(
    status: int, code: int, message: str, headers: dict[str, str] | None = None
) -> _Response:
    payload = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return _json(status, payload, headers)


def _not_found(path: str) -> _Response:
    return _error(404, 20404, f"The requested resource {path} was not found")
