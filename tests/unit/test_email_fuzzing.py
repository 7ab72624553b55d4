"""Fuzzing the e-mail parser (hypothesis): arbitrary bytes and mutated real-looking
messages always come back as one storable InboundMessage (read, or quarantined with the
reason), never an exception, and a well-formed message is read, never quarantined."""

from __future__ import annotations

import base64
import quopri

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzzing import FUZZ, assert_storable
from ventanilla.adapters.email_parsing import parse_email

CRLF = b"\r\n"
CHARSETS = ["utf-8", "iso-8859-1", "windows-1252", "utf-16", "us-ascii", "x-unknown", "rot13",
            "idna", "utf-7", "shift_jis", "", "utf-8\x00", "latin1; format=flowed"]  # fmt: skip
PART_TYPES = ["text/plain", "text/html", "application/pdf", "image/png", "message/rfc822",
              "application/ms-tnef", "x/y/z", ""]  # fmt: skip
ENCODINGS = ["7bit", "8bit", "base64", "quoted-printable", "binary", "x-uuencode", "bogus"]
HEADER_NAMES = ["From", "To", "Subject", "Date", "Message-ID", "In-Reply-To", "References",
                "Reply-To", "Auto-Submitted", "Precedence", "List-Id", "Return-Path",
                "Content-Type", "Content-Disposition", "X-Loop"]  # fmt: skip

# Header values as a mailer (or an attacker) writes them: any text in UTF-8 or Latin-1,
# RFC 2047 encoded words (valid or broken), folding, stray CR/LF and NUL.
header_text = st.text(max_size=80)
encoded_word = st.builds(
    lambda charset, kind, payload: f"=?{charset}?{kind}?{payload}?=",
    st.sampled_from(CHARSETS),
    st.sampled_from(["B", "Q", "b", "x"]),
    st.text(alphabet="ABCDEFabcdef0123456789=+/_?", max_size=30),
)
header_value = st.one_of(
    header_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
    header_text.map(lambda t: t.encode("latin-1", "replace")),
    encoded_word.map(str.encode),
    st.binary(max_size=60),
    st.just(b"Ana <ana@example.com>"),
    st.just(b'"=?utf-8?q?Jos=C3=A9?=" <jose@example.com>, <x@y>'),
)
header = st.tuples(st.sampled_from(HEADER_NAMES), header_value).map(
    lambda pair: pair[0].encode() + b": " + pair[1]
)


def encoded_body(text: bytes, encoding: str) -> bytes:
    if encoding == "base64":
        return base64.encodebytes(text)
    if encoding == "quoted-printable":
        return quopri.encodestring(text)
    return text


@st.composite
def leaf(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(PART_TYPES))
    charset = draw(st.sampled_from(CHARSETS))
    encoding = draw(st.sampled_from(ENCODINGS))
    content = draw(st.one_of(st.text(max_size=200).map(lambda t: t.encode("utf-8", "replace")),
                             st.binary(max_size=200)))  # fmt: skip
    head = [f'Content-Type: {kind}; charset="{charset}"'.encode(),
            f"Content-Transfer-Encoding: {encoding}".encode()]  # fmt: skip
    if draw(st.booleans()):
        name = draw(st.text(max_size=40)).encode("utf-8", "surrogatepass")
        head.append(b'Content-Disposition: attachment; filename="' + name + b'"')
    if draw(st.booleans()):
        head.append(b"Content-Disposition: attachment; filename*=utf-8''%E2%82%AC%00..%2F")
    return CRLF.join(head) + CRLF + CRLF + encoded_body(content, encoding)


def multipart(parts: list[bytes], boundary: str = "b0undary") -> bytes:
    head = f'Content-Type: multipart/mixed; boundary="{boundary}"'.encode()
    marker = b"--" + boundary.encode()
    body = b"".join(marker + CRLF + part + CRLF for part in parts) + marker + b"--" + CRLF
    return head + CRLF + CRLF + body


@st.composite
def real_looking(draw: st.DrawFn) -> bytes:
    headers = draw(st.lists(header, max_size=8))
    depth = draw(st.integers(0, 3))
    body = multipart(draw(st.lists(leaf(), min_size=0, max_size=4)))
    for level in range(depth):
        body = multipart([body, draw(leaf())], boundary=f"level{level}")
    return CRLF.join(headers) + CRLF + body


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    message = bytearray(draw(real_looking()))
    for _ in range(draw(st.integers(1, 8))):
        if not message:
            break
        at = draw(st.integers(0, len(message) - 1))
        action = draw(st.sampled_from(["flip", "delete", "insert", "duplicate"]))
        if action == "flip":
            message[at] = draw(st.integers(0, 255))
        elif action == "delete":
            del message[at : at + draw(st.integers(1, 40))]
        elif action == "insert":
            message[at:at] = draw(st.sampled_from([b"\r\n", b"\x00", b"--", b"=?", b"\xff\xfe",
                                                   b"\r\n\r\n", b"Content-Type: multipart/mixed",
                                                   b'; boundary=""', b"=\r\n", b"\\"]))  # fmt: skip
        else:
            message[at:at] = message[at : at + draw(st.integers(1, 200))]
    return bytes(message)


@FUZZ
@given(raw=st.one_of(st.binary(max_size=4096), mutated()))
def test_arbitrary_and_mutated_bytes_give_a_storable_message(raw):
    message = parse_email(raw)

    assert message.raw == raw
    assert_storable(message)


@FUZZ
@given(raw=real_looking())
def test_well_formed_messages_are_read_never_quarantined(raw):
    message = parse_email(raw)

    assert "quarantine" not in message.flags, message.flags
    assert_storable(message)
