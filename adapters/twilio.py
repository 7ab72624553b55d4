"""Telephony channels through Twilio: SMS, WhatsApp and voice mail (the `twilio` library).

Input: the web app hands each signed webhook here (`signature_valid`, then
`message_from_webhook`, `voice_twiml`, `recording_message`); the poller's `fetch` lists
inbound Messages as a safety net for webhooks that never arrived (the Message SID is the
provider id, so nothing is stored twice). Output: `send` delivers SMS and WhatsApp
acknowledgements (voice mail is acknowledged by SMS) with a status callback.

Every request to Twilio goes to `twilio.api_url` through `RoutedHttpClient`, so a
self-hosted gateway or a local test server stands in for api.twilio.com.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from xml.sax.saxutils import escape

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from ventanilla.adapters.base import Acknowledgement, Batch, raw_json
from ventanilla.adapters.email_parsing import MAX_TEXT_CHARS, clean
from ventanilla.errors import ChannelError
from ventanilla.logs import log
from ventanilla.message import Attachment, InboundMessage, attachment_type
from ventanilla.routing.identity import phone_e164
from ventanilla.routing.sms import fit_sms, segments, to_gsm7
from ventanilla.settings import Settings

WHATSAPP = "whatsapp:"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
NO_TRANSCRIPTION = "Mensaje de voz sin transcripción: escuche el audio adjunto."


class RoutedHttpClient(TwilioHttpClient):
    """The library's HTTP client, with every *.twilio.com URL sent to `api_url` instead."""

    def __init__(self, api_url: str, **options: Any) -> None:
        super().__init__(**options)
        self.api = urlsplit(api_url.rstrip("/"))

    def route(self, url: str) -> str:
        parts = urlsplit(url)
        if not (parts.hostname or "").endswith("twilio.com"):
            return url
        return urlunsplit(
            (self.api.scheme, self.api.netloc, self.api.path + parts.path, parts.query, "")
        )

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        return super().request(method, self.route(url), *args, **kwargs)


def e164(number: str, region: str = "CO") -> str:
    """+573001234567 for "300 123 4567", "whatsapp:+57300...", "(57) 300..."; "" if not a number.

    One form for every channel, so the same citizen is recognised by SMS, WhatsApp and voice
    (and by the phone the web form gives: routing/identity.py).
    """
    return phone_e164(number.removeprefix(WHATSAPP), region)


class TwilioAdapter:
    # The poller's safety net lists SMS and WhatsApp together under this checkpoint.
    channel = "sms"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings.twilio
        self.public_url = settings.web.public_url.rstrip("/")
        self.http = RoutedHttpClient(self.settings.api_url, timeout=20)
        self.client = Client(
            self.settings.account_sid, self.settings.auth_token, http_client=self.http
        )
        self.validator = RequestValidator(self.settings.auth_token)

    # -- webhooks ------------------------------------------------------------------------

    def signature_valid(self, urls: list[str], params: Mapping[str, str], signature: str) -> bool:
        """Whether Twilio signed this request for one of the URLs it may have called."""
        if not signature:
            return False
        return any(self.validator.validate(url, dict(params), signature) for url in urls)

    def message_from_webhook(self, params: Mapping[str, str]) -> InboundMessage:
        """An incoming SMS or WhatsApp message; its media downloaded (with our credentials)."""
        count = _count(params.get("NumMedia"))
        # Only what can be kept is looked at: a NumMedia of 10^8 must not build a list.
        media = [
            (params.get(f"MediaUrl{n}", ""), params.get(f"MediaContentType{n}", ""))
            for n in range(min(count, self.settings.max_media))
        ]
        return self._message(
            sid=message_sid(params["MessageSid"]),
            sender=params["From"],
            to=params.get("To", ""),
            body=params.get("Body", ""),
            received_at=datetime.now(UTC),
            media=media,
            raw=params,
            media_count=count,
        )

    def voice_twiml(self) -> str:
        """The call's answer: greeting, data-protection notice, then record a message."""
        s = self.settings
        action = escape(f"{self.public_url}/webhooks/twilio/recording", {'"': "&quot;"})
        say = f'<Say language="es-MX" voice="{escape(s.voice)}">'
        return (
            '<?xml version="1.0" encoding="UTF-8"?><Response>'
            f"{say}{escape(s.voice_greeting)}</Say>"
            f"{say}{escape(s.voice_privacy_notice)}</Say>"
            f'<Record maxLength="{s.recording_max_seconds}" playBeep="true" timeout="5"'
            f' action="{action}" transcribe="true" transcribeCallback="{action}"/>'
            f"{say}No recibimos ningún mensaje. Hasta luego.</Say><Hangup/></Response>"
        )

    def recording_done_twiml(self) -> str:
        s = self.settings
        return (
            '<?xml version="1.0" encoding="UTF-8"?><Response>'
            f'<Say language="es-MX" voice="{escape(s.voice)}">{escape(s.voice_thanks)}</Say>'
            "<Hangup/></Response>"
        )

    def recording_message(self, params: Mapping[str, str]) -> InboundMessage | None:
        """The voice mail of a call, or None when the caller left no recording."""
        url = params.get("RecordingUrl", "")
        if not url or _count(params.get("RecordingDuration")) == 0:
            return None
        audio = self._download(f"{url}.mp3", "audio/mpeg", "mensaje-de-voz.mp3")
        caller = e164(params.get("From", "") or params.get("Caller", ""), self.settings.region)
        return InboundMessage(
            channel="voice",
            # One voice mail per call: a repeated callback finds the same message.
            provider_id=params.get("CallSid") or params["RecordingSid"],
            received_at=datetime.now(UTC),
            text=NO_TRANSCRIPTION,
            sender=caller,
            reply_phone=caller,
            attachments=(audio,) if isinstance(audio, Attachment) else (),
            flags={
                "awaiting_transcription": True,
                "recording_sid": params.get("RecordingSid", ""),
                **({"dropped_attachments": [audio]} if isinstance(audio, str) else {}),
            },
            raw=raw_json(dict(params)),
        )

    def probe(self) -> None:
        """Reach the API with our credentials (`ventanilla check --connect`)."""
        try:
            self.client.messages.list(limit=1)
        except (TwilioException, requests.RequestException) as error:
            status = _status(error)
            key = "twilio.auth_token" if status in (401, 403) else "twilio.api_url"
            raise ChannelError("sms", f"{key}: {_describe(error)}", retryable=False) from None

    # -- safety net ----------------------------------------------------------------------

    def fetch(self, cursor: str) -> Iterator[Batch]:
        """Inbound messages sent after the cursor (`ISO date sent|SID`), oldest first."""
        cursor_time, _, last_sid = cursor.partition("|")
        since = (
            datetime.fromisoformat(cursor_time)
            if cursor_time
            else datetime.now(UTC) - timedelta(hours=self.settings.poll_lookback_hours)
        )
        found = []
        try:
            for number in (self.settings.sms_from, self.settings.whatsapp_from):
                if not number:
                    continue
                # Twilio filters by date sent; the cursor's exact time and SID skip the rest.
                # The library writes the time as given followed by "Z": UTC it must be.
                utc = since.astimezone(UTC)
                for item in self.client.messages.stream(to=number, date_sent_after=utc):
                    sent = item.date_sent or item.date_created
                    if item.direction != "inbound" or sent is None:
                        continue
                    if (sent, item.sid) > (since, last_sid):
                        found.append((sent, item))
        except (TwilioException, requests.RequestException) as error:
            reason = f"listing messages: {_describe(error)}"
            raise ChannelError("sms", reason, retryable=True) from None
        found.sort(key=lambda pair: (pair[0], pair[1].sid))
        for start in range(0, len(found), 50):
            chunk = found[start : start + 50]
            messages = [self._listed(item, sent) for sent, item in chunk]
            last_sent, last_item = chunk[-1]
            yield Batch(messages, f"{last_sent.isoformat()}|{last_item.sid}", len(found) - start)

    def _listed(self, item: Any, sent: datetime) -> InboundMessage:
        media = []
        if _count(item.num_media):
            for medium in self.client.messages(item.sid).media.list():
                uri = medium.uri.removesuffix(".json")
                media.append((f"https://api.twilio.com{uri}", medium.content_type))
        return self._message(
            sid=item.sid,
            sender=item.from_,
            to=item.to,
            body=item.body or "",
            received_at=sent,
            media=media,
            raw={"MessageSid": item.sid, "From": item.from_, "To": item.to, "Body": item.body},
        )

    def commit(self, cursor: str) -> None:
        """Nothing to tell Twilio: the cursor lives in our store."""

    def wait(self, seconds: float) -> None:
        # Webhooks are the intake; the list is only a safety net, polled now and then.
        time.sleep(max(seconds, self.settings.poll_every_seconds))

    # -- acknowledgements ----------------------------------------------------------------

    def send(self, ack: Acknowledgement) -> str:
        whatsapp = ack.channel == "whatsapp"
        sender = self.settings.whatsapp_from if whatsapp else self.settings.sms_from
        if not sender:
            key = "whatsapp_from" if whatsapp else "sms_from"
            raise ChannelError(ack.channel, f"twilio.{key} is not set", retryable=False)
        prefix = WHATSAPP if whatsapp else ""
        try:
            message = self.client.messages.create(
                to=f"{prefix}{ack.recipient}",
                from_=f"{prefix}{sender.removeprefix(WHATSAPP)}",
                body=ack.text if whatsapp else sms_text(ack.text),
                status_callback=f"{self.public_url}/webhooks/twilio/status",
            )
        except TwilioRestException as error:
            # Throttled or a Twilio outage: later. Anything else (bad number...): staff.
            retryable = error.status == 429 or error.status >= 500
            raise ChannelError(ack.channel, _describe(error), retryable=retryable) from None
        except (TwilioException, requests.RequestException) as error:
            raise ChannelError(ack.channel, _describe(error), retryable=True) from None
        return str(message.sid)

    # -- shared --------------------------------------------------------------------------

    def _message(
        self,
        *,
        sid: str,
        sender: str,
        to: str,
        body: str,
        received_at: datetime,
        media: list[tuple[str, str]],
        raw: Mapping[str, Any],
        media_count: int | None = None,
    ) -> InboundMessage:
        """`media_count` is how many media the message had, when `media` lists only the
        first ones."""
        media_count = len(media) if media_count is None else media_count
        phone = e164(sender, self.settings.region)
        attachments: list[Attachment] = []
        dropped: list[str] = []
        for number, (url, content_type) in enumerate(media[: self.settings.max_media], 1):
            got = self._download(url, content_type, f"adjunto-{number}")
            if isinstance(got, Attachment):
                attachments.append(got)
            else:
                dropped.append(got)
        if media_count > self.settings.max_media:
            dropped.append(f"{media_count - self.settings.max_media} more media not kept")
        flags: dict[str, Any] = {"to": e164(to, self.settings.region)}
        if dropped:
            flags["dropped_attachments"] = dropped
        return InboundMessage(
            channel="whatsapp" if sender.startswith(WHATSAPP) else "sms",
            provider_id=sid,
            received_at=received_at,
            # NUL and other control characters: PostgreSQL refuses the first, staff pages
            # and terminals should never see the rest.
            text=clean(body, MAX_TEXT_CHARS),
            sender=phone,
            reply_phone=phone,
            attachments=tuple(attachments),
            flags=flags,
            raw=raw_json(dict(raw)),
        )

    def _download(self, url: str, content_type: str, name: str) -> Attachment | str:
        """Media or a recording, fetched with our credentials; a reason string if not kept."""
        limit = self.settings.max_media_bytes
        session = self.http.session or requests.Session()
        try:
            with session.get(
                self.http.route(url),
                auth=(self.settings.account_sid, self.settings.auth_token),
                timeout=20,
                stream=True,
            ) as response:
                response.raise_for_status()
                content = response.raw.read(limit + 1, decode_content=True)
                kind = response.headers.get("Content-Type", content_type) or content_type
        except requests.RequestException as error:
            # Never a reason to lose the message: it is stored, with the reason and the URL.
            log.warning("twilio_media_not_downloaded", error=type(error).__name__)
            return f"{name}: could not be downloaded ({_describe(error)}) from {clean(url, 500)}"
        if len(content) > limit:
            return f"{name}: over the {limit / 1_048_576:.2g} MB limit, not kept"
        kind = attachment_type(kind, content)
        extension = {"audio/mpeg": ".mp3", "image/jpeg": ".jpg", "image/png": ".png",
                     "application/pdf": ".pdf"}.get(kind, "")  # fmt: skip
        return Attachment(name if "." in name else f"{name}{extension}", kind, content)


def sms_text(text: str) -> str:
    """The acknowledgement in at most two segments; longer (and logged) rather than unsent."""
    try:
        return fit_sms(text)
    except ValueError:
        # Longer URLs in the settings than the template was measured with: the citizen
        # still gets the radicado; `ventanilla check` names the settings to shorten.
        log.warning("sms_over_two_segments", segments=segments(to_gsm7(text)).segments)
        return to_gsm7(text)


def message_sid(value: str) -> str:
    """The SID as our provider id: Twilio's are 34 ASCII characters; anything unlike that
    (too long for the column, control characters) is named by its hash instead."""
    if 0 < len(value) <= 64 and value.isascii() and value.isprintable():
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def _count(value: Any) -> int:
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError):
        return 0


def _status(error: Exception) -> int | None:
    """The HTTP status of a Twilio error: a list page that fails is a plain
    TwilioException carrying the response, not a TwilioRestException."""
    if isinstance(error, TwilioRestException):
        return int(error.status)
    response = error.args[1] if len(error.args) > 1 else None
    return getattr(response, "status_code", None)


def _describe(error: Exception) -> str:
    if isinstance(error, TwilioRestException):
        return f"Twilio {error.status} (code {error.code})"
    status = _status(error)
    return f"Twilio {status}" if status else type(error).__name__
