"""Raw RFC 822 bytes → one `InboundMessage` (no I/O; the IMAP side and `ingest` share it).

Hostile mail is the normal case for a public mailbox: every step is bounded (parts, depth,
sizes) and a message this module cannot read comes back flagged for quarantine with the
reason, its raw bytes kept, instead of raising.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.policy import EmailPolicy
from email.utils import getaddresses, parsedate_to_datetime

import filetype
from bs4 import BeautifulSoup
from charset_normalizer import from_bytes

from ventanilla.message import Attachment, InboundMessage, attachment_type


class _RememberingPolicy(EmailPolicy):
    """`policy.default`, remembering the MIME headers it parsed.

    The modern header parser was two thirds of the poller's CPU: each part's Content-Type
    is read again for its type, its charset, its file name, and most mail carries the same
    few of them. Parsed headers are immutable, so one object can serve every message. Only
    these headers: a sender's or subject's parse tree is big and never seen twice.
    """

    def header_fetch_parse(self, name: str, value: str) -> str:
        if (
            hasattr(value, "name")
            or len(value) > _REMEMBERED_HEADER_CHARS
            or name.lower() not in _REMEMBERED_HEADERS
        ):
            return super().header_fetch_parse(name, value)
        return _parsed_header(name, value)


_REMEMBERED_HEADERS = frozenset(
    ("content-type", "content-transfer-encoding", "content-disposition", "mime-version")
)
# Longer values (hostile mail) are parsed each time rather than kept.
_REMEMBERED_HEADER_CHARS = 500


@functools.lru_cache(maxsize=512)
def _parsed_header(name: str, value: str) -> str:
    return policy.default.header_fetch_parse(name, value)


# Our loop header: a message carrying it came from us and is never acknowledged.
LOOP_HEADER = "X-Ventanilla-Loop"
_PARSER = BytesParser(policy=_RememberingPolicy())
_MSG_ID = re.compile(r"<[^<>\s\x00-\x1f\x7f-\x9f]{1,250}>")
_ADDRESS = re.compile(
    r"^[^@\s<>(),;:\"\[\]\\\x00-\x1f\x7f-\x9f]{1,64}@[\w-]{1,63}(\.[\w-]{1,63})*\.[\w-]{2,63}$"
)
# Control characters a database or a terminal should never see (tab and newline stay):
# C0, DEL, C1 (\x9b starts a terminal escape), the bidi overrides that disguise text, and
# lone surrogates (JSON can carry "\ud800"; no store can encode it, so the message would be
# quarantined with its text blanked).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_BLANK_LINES = re.compile(r"\n[ \t]*(\n[ \t]*)+\n")
MAX_TEXT_CHARS = 200_000
MAX_HTML_BYTES = 4 * 1024 * 1024
MAX_PARTS = 1000
MAX_DEPTH = 30
MAX_REFERENCES = 50
# Labels trusted over UTF-8: in these, valid UTF-8 bytes can be a real text.
_MULTIBYTE = {
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "utf-32",
    "utf-32-le",
    "utf-32-be",
    "shift_jis",
    "euc_jp",
    "euc_kr",
    "gb2312",
    "gbk",
    "gb18030",
    "big5",
    "iso2022_jp",
    "iso2022_kr",
}
# Codecs Python knows that are not charsets a mail client could mean.
_NOT_CHARSETS = {"idna", "punycode", "unicode_escape", "raw_unicode_escape", "utf-7"}


@dataclass(frozen=True)
class MailLimits:
    max_attachments: int = 20
    max_attachment_bytes: int = 15 * 1024 * 1024


@dataclass
class _Body:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def parse_email(
    raw: bytes, *, received_at: datetime | None = None, limits: MailLimits | None = None
) -> InboundMessage:
    """Read one e-mail; never raises for bad input (it is flagged for quarantine)."""
    limits = limits or MailLimits()
    try:
        return _parse(raw, received_at, limits)
    except RecursionError:
        return quarantined_email(
            raw, "unreadable e-mail: MIME structure nested too deep", received_at
        )
    except Exception as error:  # anything the stdlib parser chokes on: keep it raw
        return quarantined_email(raw, f"unreadable e-mail ({type(error).__name__})", received_at)


def quarantined_email(raw: bytes, reason: str, received_at: datetime | None) -> InboundMessage:
    """A message kept only as raw bytes, for staff, with why it was not read."""
    return InboundMessage(
        channel="email",
        provider_id=f"sha256:{hashlib.sha256(raw).hexdigest()}",
        received_at=received_at or datetime.now(UTC),
        text="",
        raw=raw,
        flags={"quarantine": reason},
    )


def _parse(raw: bytes, received_at: datetime | None, limits: MailLimits) -> InboundMessage:
    if not raw.strip():
        return quarantined_email(raw, "empty message", received_at)
    message = _PARSER.parsebytes(raw)
    message_id = _first_id(header(message, "Message-ID"))
    name, address = _from(message)
    subject = one_line(header(message, "Subject"), 500)
    body = _Body()
    _collect(message, body, limits)
    text = "\n\n".join(part for part in body.plain if part.strip())
    if not text.strip() and body.html:
        text = "\n\n".join(html_to_text(html) for html in body.html)
    text = clean(text, MAX_TEXT_CHARS)
    flags: dict[str, object] = {"message_id": message_id, **machine_signals(message, address)}
    if body.dropped:
        flags["dropped_attachments"] = _summary(body.dropped)
    if message.defects:
        flags["defects"] = sorted({type(d).__name__ for d in message.defects})[:10]
    return InboundMessage(
        channel="email",
        provider_id=provider_id(raw, message_id),
        received_at=received_at or _date(message) or datetime.now(UTC),
        text=text,
        sender=address,
        sender_name=name,
        subject=subject,
        attachments=tuple(body.attachments),
        references=_references(message),
        flags=flags,
        raw=raw,
    )


def html_body(raw: bytes) -> str:
    """The HTML part of a stored e-mail as text (unsanitized: the caller cleans it), or ""
    when it has none or cannot be read. Same bounds as intake."""
    try:
        body = _Body()
        _collect(_PARSER.parsebytes(raw), body, MailLimits(max_attachments=0))
    except Exception:  # hostile mail was kept raw; staff still see its text
        return ""
    return "\n".join(body.html)


def _summary(reasons: list[str], keep: int = 20) -> list[str]:
    """At most `keep` reasons for staff; the count of the rest says nothing was hidden."""
    if len(reasons) <= keep:
        return reasons
    return [*reasons[: keep - 1], f"and {len(reasons) - keep + 1} more"]


def provider_id(raw: bytes, message_id: str) -> str:
    """Message-ID plus a hash of what the citizen wrote.

    The same e-mail delivered twice (or listed again after a UIDVALIDITY change) gets the
    same id even when its Received trace differs; two different e-mails that reuse one
    Message-ID (broken mailers do) stay two messages.
    """
    head, _, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    identity = [
        line
        for line in head.split(b"\n")
        if line.split(b":", 1)[0].strip().lower() in (b"from", b"to", b"date", b"subject")
    ]
    digest = hashlib.sha256(b"\n".join([*identity, body])).hexdigest()
    if not message_id:
        return f"sha256:{digest}"
    if len(message_id) > 180:
        message_id = "sha256:" + hashlib.sha256(message_id.encode()).hexdigest()
    return f"{message_id}#{digest[:16]}"


def header(message: Message, name: str) -> str:
    """A header as text; a header the modern parser cannot read comes back raw."""
    try:
        value = message.get(name)
        return "" if value is None else str(value)
    except Exception:
        for key, value in message.raw_items():
            if key.lower() == name.lower():
                return str(value)
        return ""


def clean(text: str, limit: int) -> str:
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text[:limit].strip()


def one_line(text: str, limit: int) -> str:
    """`clean` for a field shown on one line: a name, a subject, a provider's label."""
    return clean(text, limit).replace("\n", " ")


def machine_signals(message: Message, address: str) -> dict[str, bool]:
    """The RFC 3834 and list signals that say a machine sent this (DESIGN rule 4)."""
    signals: dict[str, bool] = {}
    auto = header(message, "Auto-Submitted").split(";")[0].strip().lower()
    if auto and auto != "no":
        signals["auto_submitted"] = True
    if header(message, "X-Autoreply") or header(message, "X-Autorespond"):
        signals["autoreply"] = True
    precedence = header(message, "Precedence").strip().lower()
    if precedence in ("bulk", "junk", "list"):
        signals["bulk"] = True
    if header(message, "List-Id") or header(message, "List-Post"):
        signals["mailing_list"] = True
    content_type = message.get_content_type()
    return_path = header(message, "Return-Path").strip()
    local = address.split("@", 1)[0]
    if (
        content_type == "multipart/report"
        or return_path == "<>"
        or local in ("mailer-daemon", "postmaster")
    ):
        signals["bounce"] = True
    if header(message, LOOP_HEADER) or header(message, "X-Loop"):
        signals["own_loop"] = True
    return signals


def _from(message: Message) -> tuple[str, str]:
    """(display name, lower-cased address); an address we could not trust is empty."""
    value = header(message, "From")
    try:
        pairs = getaddresses([value])
    except Exception:
        return clean(value, 200), ""
    name, address = pairs[0] if pairs else ("", "")
    address = address.strip().lower()
    # A header-injection attempt or garbage never becomes an address we write to.
    if not _ADDRESS.match(address):
        address = ""
    return one_line(name, 200), address


def _first_id(value: str) -> str:
    found = _MSG_ID.search(value)
    return found.group(0) if found else ""


def _references(message: Message) -> tuple[str, ...]:
    ids = _MSG_ID.findall(f"{header(message, 'In-Reply-To')} {header(message, 'References')}")
    return tuple(dict.fromkeys(ids))[-MAX_REFERENCES:]


def _date(message: Message) -> datetime | None:
    try:
        moment = parsedate_to_datetime(header(message, "Date"))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return moment if moment.tzinfo else None


def _walk(message: Message, body: _Body) -> Iterator[Message]:
    """Leaf parts, depth-first and iteratively; past the bounds the rest is skipped (noted)."""
    stack: list[tuple[Message, int]] = [(message, 0)]
    seen = 0
    while stack:
        part, depth = stack.pop()
        seen += 1
        if seen > MAX_PARTS:
            body.dropped.insert(0, f"more than {MAX_PARTS} MIME parts: the rest was not read")
            return
        # get_payload() of a leaf decodes with its declared charset, which may be garbage;
        # only containers are asked for their parts.
        payload = part.get_payload() if part.is_multipart() else None
        if part.get_content_type() == "message/rfc822":
            yield part  # a forwarded e-mail is kept whole, as an attachment
        elif isinstance(payload, list):
            if depth >= MAX_DEPTH:
                note = f"MIME parts nested deeper than {MAX_DEPTH} were not read"
                if note not in body.dropped:
                    body.dropped.insert(0, note)
                continue
            stack.extend((c, depth + 1) for c in reversed(payload) if isinstance(c, Message))
        else:
            yield part


def _collect(message: Message, body: _Body, limits: MailLimits) -> None:
    for part in _walk(message, body):
        content_type = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        filename = _filename(part)
        is_body = disposition != "attachment" and not filename
        if is_body and content_type == "text/plain":
            body.plain.append(decode_text(_payload(part), part.get_content_charset()))
        elif is_body and content_type == "text/html":
            content = _payload(part)[:MAX_HTML_BYTES]
            body.html.append(decode_text(content, part.get_content_charset()))
        elif content_type == "message/rfc822":
            _attach(body, limits, "mensaje-reenviado.eml", "message/rfc822", _forwarded(part))
        elif content_type.startswith("multipart/"):
            continue  # an empty or broken container: nothing to keep
        else:
            _attach(body, limits, filename or _default_name(content_type), content_type, part)


def _attach(
    body: _Body, limits: MailLimits, filename: str, declared: str, source: Message | bytes
) -> None:
    if len(body.attachments) >= limits.max_attachments:
        body.dropped.append(f"{filename}: more than {limits.max_attachments} attachments")
        return
    content = source if isinstance(source, bytes) else _payload(source)
    if len(content) > limits.max_attachment_bytes:
        size_mb = len(content) / 1_048_576
        body.dropped.append(f"{filename}: {size_mb:.1f} MB is over the size limit")
        return
    body.attachments.append(Attachment(filename, attachment_type(declared, content), content))


def _payload(part: Message) -> bytes:
    """The part's bytes, transfer encoding undone (best effort: broken base64 is kept)."""
    try:
        payload = part.get_payload(decode=True)
    except (LookupError, UnicodeError, ValueError):
        payload = None
    if isinstance(payload, bytes):
        return payload
    raw = getattr(part, "_payload", None)  # the undecoded text, no charset round trip
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _forwarded(part: Message) -> bytes:
    inner = part.get_payload()
    if isinstance(inner, list) and inner and isinstance(inner[0], Message):
        try:
            return inner[0].as_bytes(policy=policy.compat32)
        except Exception:
            pass
    return part.as_bytes(policy=policy.compat32)


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    return safe_filename(name)


def safe_filename(name: str) -> str:
    """A sender's file name as staff download it: never a path, one line, at most 150
    characters ("" when nothing is left)."""
    name = " ".join(clean(name.replace("\\", "/").rsplit("/", 1)[-1], 150).split())
    return "" if name in (".", "..") else name


def _default_name(content_type: str) -> str:
    if content_type == "application/ms-tnef":
        return "winmail.dat"
    extension = filetype.get_type(mime=content_type)
    return f"adjunto.{extension.extension}" if extension else "adjunto.bin"


def decode_text(content: bytes, declared: str | None) -> str:
    """Bytes → text whatever the label says.

    Valid UTF-8 wins over a single-byte label (a UTF-8 body mislabelled as Latin-1 would
    turn into "Ã©"); then the label if it names a text encoding; then Windows-1252, what
    Spanish mail without a label almost always is; then detection; Latin-1 never fails.
    """
    label = (declared or "").strip().lower()
    codec = _text_codec(label)
    if codec is None or codec not in _MULTIBYTE:
        try:
            return content.decode("utf-8")
        except UnicodeDecodeError:
            pass
    if codec is not None:
        try:
            return content.decode(codec)
        except (UnicodeError, ValueError):
            pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        pass
    best = from_bytes(content[:65536]).best()
    if best is not None and best.encoding:
        return content.decode(best.encoding, "replace")
    return content.decode("latin-1")


def _text_codec(label: str) -> str | None:
    """The codec a charset label names, if it is one for text (not rot13, not idna)."""
    if not label or len(label) > 40:
        return None
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return None
    return info.name


def html_to_text(html: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "head", "title"]):
        hidden.decompose()
    # No pass over <br> tags: get_text("\n") already breaks lines between strings, and
    # replacing each tag costs a search of its parent (quadratic on 100,000 of them).
    text = soup.get_text("\n")
    lines = (line.strip() for line in text.splitlines())
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
