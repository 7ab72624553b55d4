"""A hostile e-mail corpus, built in code: what a public mailbox really receives.

`hostile_corpus()` returns (name, raw bytes) pairs; each name says what the item tests
("nested-5000-parts", "inject-subject-q-crlf-bcc", ...). Everything is generated from a
fixed seed, so two calls return the same bytes. Two items carry a 20 MB attachment (over the
15 MB default limit); `hostile_corpus_small()` leaves out every item over 1 MiB.
"""

from __future__ import annotations

import base64
import functools
import gzip
import io
import quopri
import random
import zipfile
from collections.abc import Iterable

CRLF = b"\r\n"
SEED = 20261123
SMALL_LIMIT = 1024 * 1024
BIG_ATTACHMENT_BYTES = 20 * 1024 * 1024
DATE = "Mon, 23 Nov 2026 09:15:00 -0500"
OUR_ADDRESS = "atencionalciudadano@example.gov.co"

TEXT = "Buenos días, solicito información sobre mi petición de pensión. Gracias, José Núñez."
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
TNEF = b"\x78\x9f\x3e\x22" + b"\x00\x01\x06\x90\x08\x00\x04\x00\x00\x00\x00\x00" * 8

Headers = Iterable[str | bytes]


def _b(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


def _lines(headers: Headers, eol: bytes = CRLF) -> bytes:
    return b"".join(_b(line) + eol for line in headers)


def part(
    content_type: str | bytes, body: bytes, *extra: str | bytes, cte: str | bytes | None = None
) -> bytes:
    """One MIME body part: its headers, a blank line, its body."""
    headers = [b"Content-Type: " + _b(content_type)]
    if cte is not None:
        headers.append(b"Content-Transfer-Encoding: " + _b(cte))
    headers.extend(_b(line) for line in extra)
    return _lines(headers) + CRLF + body


def multipart(
    parts: Iterable[bytes], boundary: str | bytes, *, close: bool = True, preamble: bytes = b""
) -> bytes:
    """A multipart body (without the container's own headers)."""
    marker = b"--" + _b(boundary)
    out = [preamble] if preamble else []
    for item in parts:
        out.append(marker + CRLF + item + CRLF)
    if close:
        out.append(marker + b"--" + CRLF)
    return b"".join(out)


def b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", CRLF)


def qp(data: bytes) -> bytes:
    return quopri.encodestring(data).replace(b"\n", CRLF)


def encoded_word(text: str | bytes, charset: str = "utf-8", encoding: str = "q") -> str:
    """An RFC 2047 encoded word that may carry bytes a raw header never could (CR, LF, NUL)."""
    data = text.encode(charset) if isinstance(text, str) else text
    if encoding == "b":
        return f"=?{charset}?b?{base64.b64encode(data).decode()}?="
    chars = []
    for byte in data:
        char = chr(byte)
        if char.isalnum() and byte < 128:
            chars.append(char)
        elif char == " ":
            chars.append("_")
        else:
            chars.append(f"={byte:02X}")
    return f"=?{charset}?q?{''.join(chars)}?="


def zip_bytes(entries: Iterable[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(2026, 11, 23, 9, 15, 0))
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return buffer.getvalue()


class _Corpus:
    def __init__(self) -> None:
        self.items: list[tuple[str, bytes]] = []
        self.names: set[str] = set()

    def add(self, name: str, raw: bytes) -> None:
        if name in self.names:
            raise ValueError(f"duplicate corpus name {name!r}")
        self.names.add(name)
        self.items.append((name, raw))

    def mail(
        self,
        name: str,
        body: bytes = b"",
        *,
        content_type: str | bytes | None = "text/plain; charset=utf-8",
        cte: str | bytes | None = None,
        headers: Headers = (),
        replace: dict[str, str | bytes | None] | None = None,
        eol: bytes = CRLF,
        message_id: str | bytes | None = None,
    ) -> bytes:
        """A message with sane standard headers, some replaced or dropped (value None)."""
        standard: dict[str, str | bytes | None] = {
            "From": "Ciudadana Prueba <ciudadana@example.com>",
            "To": OUR_ADDRESS,
            "Subject": f"Prueba {name}",
            "Date": DATE,
            "Message-ID": f"<{name}@corpus.ventanilla.test>" if message_id is None else message_id,
            "MIME-Version": "1.0",
        }
        standard.update(replace or {})
        lines: list[str | bytes] = [
            _b(key) + b": " + _b(value) for key, value in standard.items() if value is not None
        ]
        if content_type is not None:
            lines.append(b"Content-Type: " + _b(content_type))
        if cte is not None:
            lines.append(b"Content-Transfer-Encoding: " + _b(cte))
        lines.extend(headers)
        raw = _lines(lines, eol) + eol + body
        self.add(name, raw)
        return raw


def _boundaries(c: _Corpus) -> None:
    text = part("text/plain; charset=utf-8", TEXT.encode())
    pdf = part(
        "application/pdf",
        b64(PDF),
        'Content-Disposition: attachment; filename="a.pdf"',
        cte="base64",
    )
    for subtype in ("mixed", "alternative", "related", "signed"):
        ct = f'multipart/{subtype}; boundary="limite"'
        c.mail(
            f"boundary-{subtype}-missing-close",
            multipart([text, pdf], "limite", close=False),
            content_type=ct,
        )
        c.mail(f"boundary-{subtype}-never-appears", text + CRLF + pdf, content_type=ct)
    c.mail(
        "boundary-in-headers-only",
        text,
        content_type='multipart/mixed; boundary="zzz"',
        headers=["X-Boundary: --zzz", "X-Note: --zzz--"],
    )
    c.mail("boundary-param-missing", multipart([text], "x"), content_type="multipart/mixed")
    c.mail("boundary-empty", multipart([text], ""), content_type='multipart/mixed; boundary=""')
    long = "b" * 500
    c.mail(
        "boundary-500-chars",
        multipart([text], long),
        content_type=f"multipart/mixed; boundary={long}",
    )
    c.mail(
        "boundary-prefix-of-inner",
        multipart([part('multipart/alternative; boundary="ab"', multipart([text], "ab"))], "a"),
        content_type='multipart/mixed; boundary="a"',
    )
    c.mail(
        "boundary-preamble-only",
        b"Este mensaje es MIME.\r\n" * 20,
        content_type='multipart/mixed; boundary="nunca"',
    )
    c.mail(
        "boundary-closed-twice-then-text",
        multipart([text], "q") + b"--q--\r\n--q\r\nContent-Type: text/plain\r\n\r\ntarde\r\n",
        content_type='multipart/mixed; boundary="q"',
    )
    c.mail(
        "boundary-with-nul",
        multipart([text], b"a\x00b"),
        content_type=b'multipart/mixed; boundary="a\x00b"',
    )
    c.mail(
        "boundary-part-without-headers",
        b"--s\r\n\r\nsin cabeceras\r\n--s\r\nno-blank-line\r\n--s--\r\n",
        content_type='multipart/mixed; boundary="s"',
    )
    c.mail("multipart-empty-body", b"", content_type='multipart/mixed; boundary="vacio"')


def _nesting(c: _Corpus) -> None:
    for depth in (31, 200, 5000):
        opening = b"".join(
            f'--n{i}\r\nContent-Type: multipart/mixed; boundary="n{i + 1}"\r\n\r\n'.encode()
            for i in range(depth - 1)
        )
        leaf = f"--n{depth - 1}\r\nContent-Type: text/plain\r\n\r\nhola profundo\r\n".encode()
        closing = b"".join(f"--n{i}--\r\n".encode() for i in reversed(range(depth)))
        c.mail(
            f"nested-{depth}-parts",
            opening + leaf + closing,
            content_type='multipart/mixed; boundary="n0"',
        )
    # Unclosed nesting: every level opens, none closes.
    opening = b"".join(
        f'--u{i}\r\nContent-Type: multipart/mixed; boundary="u{i + 1}"\r\n\r\n'.encode()
        for i in range(2000)
    )
    c.mail("nested-2000-unclosed", opening, content_type='multipart/mixed; boundary="u0"')
    for count, kind in ((3000, "text"), (3000, "attachments")):
        if kind == "text":
            parts = (part("text/plain", f"parte {i}".encode()) for i in range(count))
        else:
            parts = (
                part(
                    "application/octet-stream",
                    b64(f"adjunto {i}".encode()),
                    f'Content-Disposition: attachment; filename="f{i}.txt"',
                    cte="base64",
                )
                for i in range(count)
            )
        c.mail(
            f"wide-{count}-{kind}-parts",
            multipart(parts, "ancho"),
            content_type='multipart/mixed; boundary="ancho"',
        )
    # 50 (and 300) forwards of forwards.
    for depth in (50, 300):
        inner = (
            b"From: origen@example.com\r\nSubject: original\r\nContent-Type: text/plain\r\n\r\n"
            b"el mensaje original\r\n"
        )
        for level in range(depth):
            inner = (
                f"From: reenvio{level}@example.com\r\nSubject: Fwd {level}\r\n"
                f'Content-Type: multipart/mixed; boundary="f{level}"\r\n\r\n'
            ).encode() + multipart(
                [part("text/plain", b"reenvio"), part("message/rfc822", inner)], f"f{level}"
            )
        c.mail(
            f"rfc822-nested-{depth}-deep",
            multipart([part("message/rfc822", inner)], "top"),
            content_type='multipart/mixed; boundary="top"',
        )


def _injection(c: _Corpus) -> None:
    payloads = {
        "crlf-bcc": "Hola\r\nBcc: victim@x.co",
        "lf-bcc": "Hola\nBcc: victim@x.co",
        "cr-bcc": "Hola\rBcc: victim@x.co",
        "crlfcrlf-body": "Hola\r\n\r\ncuerpo inyectado victim@x.co",
        "nul": "Hola\x00victim@x.co",
        "ansi-escape": "Hola\x1b[2J\x1b[31mvictim@x.co",
        "c1-csi": "Hola\x9b31mvictim@x.co",
        "unicode-line-separators": "Hola\u2028Bcc: victim@x.co\u0085",
    }
    for label, payload in payloads.items():
        for enc in ("q", "b"):
            word = encoded_word(payload, "utf-8", enc)
            c.mail(f"inject-subject-{enc}-{label}", TEXT.encode(), replace={"Subject": word})
            c.mail(
                f"inject-from-name-{enc}-{label}",
                TEXT.encode(),
                replace={"From": f"{word} <ana@example.com>"},
            )
            if enc == "q":
                c.mail(f"inject-to-{enc}-{label}", TEXT.encode(), replace={"To": word})
    c.mail(
        "inject-from-address-encoded-word",
        TEXT.encode(),
        replace={"From": encoded_word("a@b.co\r\nBcc: victim@x.co")},
    )
    c.mail(
        "inject-from-address-encoded-word-latin1",
        TEXT.encode(),
        replace={"From": encoded_word("a@b.co\r\nBcc: victim@x.co", "iso-8859-1", "b")},
    )
    froms: dict[str, str | bytes] = {
        "from-two-addresses-comma": "ana@example.com, victim@x.co",
        "from-two-addresses-semicolon": "ana@example.com; victim@x.co",
        "from-quoted-name-with-address": '"victim@x.co" <ana@example.com>',
        "from-quoted-name-with-comma-and-brackets": '"Ana, <victim@x.co>" <ana@example.com>',
        "from-escaped-quotes": r'"Ana \"la jefa\" <x>" <ana@example.com>',
        "from-unbalanced-quote": '"Ana <ana@example.com>',
        "from-unbalanced-angle": "Ana <ana@example.com",
        "from-two-angle-addresses": "Ana <ana@example.com> <victim@x.co>",
        "from-address-folded-newline": "Ana <ana@\r\n example.com>",
        "from-address-with-space": "Ana <ana perez@example.com>",
        "from-group-syntax": "undisclosed-recipients:;",
        "from-group-with-members": "Grupo: ana@example.com, victim@x.co;",
        "from-comment": "ana@example.com (Ana Pérez)",
        "from-nested-comments": "ana@example.com (((((((((((((((((((((((((((()",
        "from-empty": "",
        "from-empty-angle": "<>",
        "from-route-addr": "<@relay.example.com:ana@example.com>",
        "from-no-domain": "ana",
        "from-double-at": "ana@@example.com",
        "from-display-name-only": "Ana Pérez",
        "from-backslash-address": "Ana <ana\\@example.com>",
        "from-raw-utf8-name": "José Núñez <jose@example.com>".encode(),
        "from-mixed-case": "ANA.Perez@Example.COM",
        "from-encoded-word-address": "=?utf-8?q?ana=40example=2Ecom?=",
        "from-bcc-inside-angle": "Ana <ana@example.com\r\n\tBcc: victim@x.co>",
        "from-very-many-addresses": ", ".join(f"u{i}@example.com" for i in range(2000)),
    }
    for name, value in froms.items():
        c.mail(name, TEXT.encode(), replace={"From": value})
    c.mail(
        "from-header-twice",
        TEXT.encode(),
        headers=["From: victim@x.co"],
    )
    c.mail(
        "to-cc-bcc-injected-lists",
        TEXT.encode(),
        headers=["Cc: " + encoded_word("a@b.co\r\nBcc: victim@x.co"), "Bcc: victim@x.co"],
    )


def _big_attachments(c: _Corpus) -> None:
    rng = random.Random(SEED + 1)
    block = PDF + rng.randbytes(64 * 1024)
    content = (block * (BIG_ATTACHMENT_BYTES // len(block) + 1))[:BIG_ATTACHMENT_BYTES]
    c.mail(
        "attachment-20mb-base64",
        multipart(
            [
                part("text/plain; charset=utf-8", b"Adjunto el expediente completo."),
                part(
                    "application/pdf",
                    b64(content),
                    'Content-Disposition: attachment; filename="expediente-20mb.pdf"',
                    cte="base64",
                ),
            ],
            "grande",
        ),
        content_type='multipart/mixed; boundary="grande"',
    )
    text_line = b"linea de un anexo muy largo en texto plano, repetida sin fin 0123456789\r\n"
    content = (text_line * (BIG_ATTACHMENT_BYTES // len(text_line) + 1))[:BIG_ATTACHMENT_BYTES]
    c.mail(
        "attachment-20mb-8bit",
        multipart(
            [
                part("text/plain; charset=utf-8", b"Adjunto el anexo en texto."),
                part(
                    "text/plain; charset=utf-8",
                    content,
                    'Content-Disposition: attachment; filename="anexo-20mb.txt"',
                    cte="8bit",
                ),
            ],
            "grande8",
        ),
        content_type='multipart/mixed; boundary="grande8"',
    )


def _attach_one(
    c: _Corpus, name: str, content_type: str | bytes, data: bytes, *extra: str | bytes
) -> None:
    c.mail(
        name,
        multipart(
            [
                part("text/plain; charset=utf-8", TEXT.encode()),
                part(content_type, b64(data), *extra, cte="base64"),
            ],
            "adj",
        ),
        content_type='multipart/mixed; boundary="adj"',
    )


def _bombs(c: _Corpus) -> None:
    zeros = bytes(10 * 1024 * 1024)
    bomb = zip_bytes([("ceros.txt", zeros)])
    disposition = 'Content-Disposition: attachment; filename="{}"'
    _attach_one(c, "zip-bomb-10mb-zeros", "application/zip", bomb, disposition.format("a.zip"))
    _attach_one(
        c,
        "zip-bomb-as-octet-stream-pdf-name",
        "application/octet-stream",
        bomb,
        disposition.format("factura.pdf"),
    )
    middle = zip_bytes([(f"capa{i}.zip", bomb) for i in range(10)])
    outer = zip_bytes([(f"nivel{i}.zip", middle) for i in range(10)])
    _attach_one(c, "zip-bomb-nested-1gb", "application/zip", outer, disposition.format("42.zip"))
    many = zip_bytes([(f"../../../tmp/f{i}.txt", b"x" * 1024) for i in range(500)])
    _attach_one(
        c, "zip-path-traversal-entries", "application/zip", many, disposition.format("z.zip")
    )
    _attach_one(
        c,
        "gzip-bomb-10mb",
        "application/gzip",
        gzip.compress(zeros, mtime=0),
        disposition.format("ceros.gz"),
    )
    _attach_one(
        c, "zip-truncated", "application/zip", bomb[: len(bomb) // 2], disposition.format("t.zip")
    )


def _base64_and_qp(c: _Corpus) -> None:
    good = base64.b64encode(TEXT.encode())
    bad_b64 = {
        "bad-chars": good[:20] + b"!!*&%$#\x00\xff" + good[20:],
        "wrong-padding": good.rstrip(b"=") + b"===",
        "missing-padding": good.rstrip(b"=")[:-1],
        "truncated": good[: len(good) // 2 + 1],
        "only-padding": b"====",
        "whitespace-inside": b" \t".join(good[i : i + 3] for i in range(0, len(good), 3)),
        "data-after-padding": b"aGk=aGk=aGk=",
        "single-char": b"A",
        "non-ascii": "ñandú€".encode(),
        "very-long-line": base64.b64encode(TEXT.encode() * 2000),
    }
    for label, data in bad_b64.items():
        c.mail(f"base64-{label}-text", data, cte="base64")
        broken = part(
            "application/octet-stream",
            data,
            'Content-Disposition: attachment; filename="roto.bin"',
            cte="base64",
        )
        c.mail(
            f"base64-{label}-attachment",
            multipart([part("text/plain; charset=utf-8", TEXT.encode()), broken], "adj"),
            content_type='multipart/mixed; boundary="adj"',
        )
    bad_qp = {
        "bad-hex": b"Petici=ZZn =G1 =\xff",
        "equals-at-end": b"peticion =",
        "half-escape": b"peticion =4",
        "soft-break-at-eof": b"peticion=\r\n",
        "long-lines": b"a" * 20000,
        "encoded-nul": b"Hola=00mundo=00",
        "encoded-escape": b"Hola=1B[2J=1B]0;titulo=07 mundo",
        "encoded-crlf-cr": b"uno=0Ddos=0D=0Atres=0D",
        "lowercase-hex": b"Petici=c3=b3n",
        "raw-8bit-in-qp": "Petición con ñ sin codificar".encode(),
    }
    for label, data in bad_qp.items():
        c.mail(f"qp-{label}-text", data, cte="quoted-printable")
        c.mail(
            f"qp-{label}-html",
            b"<p>" + data + b"</p>",
            content_type="text/html; charset=utf-8",
            cte="quoted-printable",
        )


def _nul_and_8bit(c: _Corpus) -> None:
    c.mail("nul-in-subject", TEXT.encode(), replace={"Subject": b"Hola\x00mundo"})
    c.mail("nul-in-from-name", TEXT.encode(), replace={"From": b"Ana\x00 <ana@example.com>"})
    c.mail("nul-in-from-address", TEXT.encode(), replace={"From": b"Ana <ana\x00@example.com>"})
    c.mail("nul-in-to", TEXT.encode(), replace={"To": b"aten\x00cion@example.gov.co"})
    c.mail("nul-in-message-id", TEXT.encode(), message_id=b"<abc\x00def@example.com>")
    c.mail("nul-in-header-name", TEXT.encode(), headers=[b"X-Nu\x00ll: valor"])
    c.mail("nul-in-content-type", TEXT.encode(), content_type=b"text/pl\x00ain; charset=utf-8")
    c.mail("nul-in-charset", TEXT.encode(), content_type=b'text/plain; charset="utf-8\x00"')
    c.mail("nul-in-text-body", b"Hola\x00\x00 mundo\x00\r\n" * 10)
    c.mail("nul-in-html-body", b"<p>Hola\x00mundo</p>", content_type="text/html; charset=utf-8")
    c.mail("nul-only-body", bytes(4096))
    c.mail("nul-in-references", TEXT.encode(), headers=[b"References: <a\x00b@example.com>"])
    c.mail(
        "nul-in-filename",
        multipart(
            [
                part(
                    "application/pdf",
                    b64(PDF),
                    b'Content-Disposition: attachment; filename="a\x00.pdf"',
                    cte="base64",
                )
            ],
            "nul",
        ),
        content_type='multipart/mixed; boundary="nul"',
    )
    c.mail("control-chars-in-text-body", bytes(range(32)) + b"fin\x7f\r\n")
    samples = {
        "latin1": "Petición de información".encode("latin-1"),
        "utf8": "Petición de información".encode(),
        "invalid-utf8": b"Petici\xc3\x28n \xff\xfe\xfd",
        "c1-bytes": b"Hola\x85\x9b31m\x9d",
        "cp1252-quotes": b"\x93Petici\xf3n\x94 \x96 urgente",
    }
    for label, value in samples.items():
        c.mail(f"8bit-subject-{label}", TEXT.encode(), replace={"Subject": value})
        c.mail(
            f"8bit-from-name-{label}",
            TEXT.encode(),
            replace={"From": value + b" <ana@example.com>"},
        )
        c.mail(
            f"8bit-filename-{label}",
            multipart(
                [
                    part(
                        "application/pdf",
                        b64(PDF),
                        b'Content-Disposition: attachment; filename="' + value + b'.pdf"',
                        cte="base64",
                    )
                ],
                "ocho",
            ),
            content_type='multipart/mixed; boundary="ocho"',
        )
    c.mail("8bit-message-id-invalid-utf8", TEXT.encode(), message_id=b"<\xff\xfe@example.com>")
    c.mail("8bit-header-name", TEXT.encode(), headers=[b"X-Cabe\xc3\xa7a: valor"])


def _charsets(c: _Corpus) -> None:
    bodies = {
        "utf8-bytes": TEXT.encode("utf-8"),
        "latin1-bytes": TEXT.encode("latin-1"),
    }
    labels = [
        "utf-8",
        "iso-8859-1",
        "windows-1252",
        "us-ascii",
        "x-unknown",
        "",
        "utf-7",
        "utf-16",
        "utf-32",
        "koi8-r",
        "shift_jis",
        "gb2312",
        "punycode",
        "unicode_escape",
        "idna",
        "rot13",
        "base64",
        "../../etc/passwd",
        "a" * 300,
        "latin-1",
    ]
    for label in labels:
        short = label if len(label) < 40 else f"long{len(label)}"
        short = short.replace("/", "_").replace(".", "") or "empty"
        for kind, data in bodies.items():
            c.mail(
                f"charset-{short}-{kind}",
                data,
                content_type=f'text/plain; charset="{label}"',
                cte="8bit",
            )
    for label in ("utf-8", "iso-8859-1", "x-unknown", "utf-7"):
        for kind, data in bodies.items():
            c.mail(
                f"charset-{label}-{kind}-base64",
                b64(data),
                content_type=f"text/plain; charset={label}",
                cte="base64",
            )
            c.mail(
                f"charset-{label}-{kind}-qp",
                qp(data),
                content_type=f"text/plain; charset={label}",
                cte="quoted-printable",
            )
            c.mail(
                f"charset-{label}-{kind}-html",
                b"<p>" + data + b"</p>",
                content_type=f"text/html; charset={label}",
                cte="8bit",
            )
    c.mail(
        "charset-utf7-script",
        b"+ADw-script+AD4-alert(1)+ADw-/script+AD4-",
        content_type="text/html; charset=utf-7",
    )
    c.mail("charset-missing-latin1", TEXT.encode("latin-1"), content_type="text/plain", cte="8bit")
    c.mail("charset-no-content-type-utf8", TEXT.encode(), content_type=None)
    c.mail(
        "charset-unknown-in-encoded-subject",
        TEXT.encode(),
        replace={"Subject": "=?x-unknown?q?Petici=F3n?="},
    )
    c.mail(
        "charset-utf7-in-encoded-subject",
        TEXT.encode(),
        replace={"Subject": "=?utf-7?q?+ADw-script+AD4-?="},
    )
    c.mail(
        "charset-unicode-escape-in-encoded-subject",
        TEXT.encode(),
        replace={"Subject": "=?unicode_escape?q?=5Cx00=5Cx1b?="},
    )
    c.mail(
        "charset-meta-conflict-html",
        '<html><head><meta charset="koi8-r"></head><body>Petición</body></html>'.encode(),
        content_type="text/html; charset=iso-8859-1",
    )


def _headers(c: _Corpus) -> None:
    rng = random.Random(SEED + 2)
    c.mail("header-subject-100kb-line", TEXT.encode(), replace={"Subject": "A" * 100_000})
    words = " ".join(rng.choice(["petición", "queja", "urgente", "señor"]) for _ in range(12_000))
    c.mail("header-subject-100kb-words", TEXT.encode(), replace={"Subject": words.encode()})
    c.mail(
        "header-from-100kb-name",
        TEXT.encode(),
        replace={"From": "N" * 100_000 + " <ana@example.com>"},
    )
    c.mail("header-message-id-100kb", TEXT.encode(), message_id="<" + "m" * 100_000 + "@x.co>")
    c.mail(
        "header-x-100kb-unfolded-spaces", TEXT.encode(), headers=["X-Big: " + " " * 100_000 + "x"]
    )
    c.mail(
        "header-references-5000-ids",
        TEXT.encode(),
        headers=[
            "References: " + "\r\n ".join(f"<r{i}@example.com>" for i in range(5000)),
            "In-Reply-To: <r4999@example.com>",
        ],
    )
    c.mail(
        "header-content-type-100kb-param",
        TEXT.encode(),
        content_type="text/plain; charset=utf-8; x=" + "p" * 100_000,
    )
    c.mail(
        "header-5000-x-headers", TEXT.encode(), headers=[f"X-Campo-{i}: {i}" for i in range(5000)]
    )
    c.mail(
        "header-3000-received",
        TEXT.encode(),
        headers=[
            f"Received: from relay{i}.example.com by mx.example.gov.co; {DATE}" for i in range(3000)
        ],
    )
    c.mail(
        "header-1000-subjects", TEXT.encode(), headers=[f"Subject: asunto {i}" for i in range(1000)]
    )
    c.mail(
        "header-1000-content-types",
        TEXT.encode(),
        headers=[f"Content-Type: text/html; charset=x-{i}" for i in range(1000)],
    )
    c.mail(
        "header-5000-folded-continuations",
        TEXT.encode(),
        replace={"Subject": "inicio" + "\r\n cont" * 5000},
    )
    long_subject = " ".join(
        encoded_word(f"petición número {i}", "utf-8", "bq"[i % 2]) for i in range(3000)
    )
    c.mail("header-subject-3000-encoded-words", TEXT.encode(), replace={"Subject": long_subject})
    adjacent = "".join(encoded_word("ñ", "utf-8", "b") for _ in range(5000))
    c.mail(
        "header-subject-5000-adjacent-encoded-words", TEXT.encode(), replace={"Subject": adjacent}
    )
    c.mail(
        "header-encoded-word-broken",
        TEXT.encode(),
        replace={"Subject": "=?utf-8?q?Petici=C3 =?utf-8?b?!!!?= =?utf-8?x?hola?= =?=?="},
    )
    c.mail(
        "header-encoded-word-split-utf8",
        TEXT.encode(),
        replace={"Subject": "=?utf-8?q?Petici=C3?= =?utf-8?q?=B3n?="},
    )
    c.mail("header-no-colon-line", b"cuerpo", headers=["Esto no es una cabecera", "X-After: si"])
    c.mail(
        "header-name-with-space", TEXT.encode(), headers=["X Bad Name: valor", "From : otra@x.co"]
    )
    c.mail("header-colon-only", TEXT.encode(), headers=[":", ": sin nombre"])
    c.add(
        "header-continuation-first-line",
        b" continuacion sin cabecera\r\nFrom: ana@example.com\r\n\r\nHola",
    )
    c.add("header-no-colon-first-line", b"Hola buenas tardes\r\nFrom: ana@example.com\r\n\r\nHola")
    c.mail("header-date-garbage", TEXT.encode(), replace={"Date": "ayer por la tarde"})
    c.mail("header-date-no-timezone", TEXT.encode(), replace={"Date": "Mon, 23 Nov 2026 09:15:00"})
    c.mail(
        "header-date-year-99999",
        TEXT.encode(),
        replace={"Date": "Mon, 23 Nov 99999 09:15:00 +0000"},
    )
    c.mail(
        "header-date-huge-offset",
        TEXT.encode(),
        replace={"Date": "Mon, 23 Nov 2026 09:15:00 +9999"},
    )
    c.mail("header-date-missing", TEXT.encode(), replace={"Date": None})
    for label, value in {
        "auto-submitted-garbage": "Auto-Submitted: \x00;;;",
        "list-id-100kb": "List-Id: <" + "l" * 100_000 + ">",
        "precedence-encoded": "Precedence: =?utf-8?q?bulk?=",
        "return-path-garbage": "Return-Path: <<<>>>",
    }.items():
        c.mail(f"header-signal-{label}", TEXT.encode(), headers=[value])


def _structure(c: _Corpus) -> None:
    rng = random.Random(SEED + 3)
    c.add("empty-message", b"")
    c.add("whitespace-only", b" \r\n\t\r\n  ")
    c.add("crlf-only-1000", CRLF * 1000)
    c.add("single-byte", b"x")
    c.add("only-headers-no-body", b"From: ana@example.com\r\nSubject: solo cabeceras\r\n")
    c.add("only-headers-no-final-newline", b"From: ana@example.com\r\nSubject: sin salto")
    c.add("body-no-headers-leading-blank", b"\r\nHola, esto no tiene cabeceras.\r\n")
    c.add("body-no-headers-plain-text", "Hola, quiero radicar una queja.\r\n¿Me ayudan?".encode())
    c.add("garbage-all-0xff", b"\xff" * 4096)
    c.add("garbage-nul-64kb", bytes(65536))
    for size in (1, 17, 1024, 65536, 512 * 1024):
        c.add(f"garbage-random-{size}", rng.randbytes(size))
    c.add(
        "garbage-random-after-headers",
        b"From: ana@example.com\r\nSubject: basura\r\n\r\n" + rng.randbytes(4096),
    )
    c.add("garbage-random-as-headers", rng.randbytes(2048).replace(b"\n", b":") + b"\r\n\r\nHola")
    for label, message_id in {
        "non-ascii-utf8": "<ñandú@ejemplo.co>".encode(),
        "encoded-word": b"<=?utf-8?q?=C3=B1@x.co?=>",
        "no-angle-brackets": b"sin-corchetes@example.com",
        "two-ids": b"<uno@example.com> <dos@example.com>",
        "300-chars": b"<" + b"x" * 300 + b"@example.com>",
        "empty": b"",
        "spaces-inside": b"<a b c@example.com>",
        "newline-folded": b"<abc@exa\r\n mple.com>",
    }.items():
        c.mail(f"message-id-{label}", TEXT.encode(), message_id=message_id)
    c.mail("message-id-missing", TEXT.encode(), replace={"Message-ID": None})
    c.mail(
        "duplicate-message-id-body-a",
        "Primera queja: el bus no pasó.".encode(),
        message_id="<repetido@example.com>",
    )
    c.mail(
        "duplicate-message-id-body-b",
        b"Segunda queja: la luz se fue.",
        message_id="<repetido@example.com>",
    )
    for label, ctype in {
        "charset-without-value": "text/plain; charset",
        "only-semicolons": ";;;;",
        "slash-only": "/",
        "no-subtype": "text/",
        "no-type": "/plain",
        "unclosed-quote": 'text/plain; charset="utf-8',
        "garbage": "%%%$$$###",
        "params-1000": "text/plain; " + "; ".join(f"p{i}=v{i}" for i in range(1000)),
        "equals-in-value": "text/plain; charset=utf=8=x",
        "rfc2231-charset-garbage": "text/plain; charset*=x-unknown''%FF%FE",
        "duplicate-charsets": "text/plain; charset=utf-8; charset=koi8-r",
        "uppercase": "TEXT/PLAIN; CHARSET=UTF-8",
        "multipart-leaf": "multipart/mixed; boundary=nothere",
        "message-rfc822-top": "message/rfc822",
        "image-png-top": "image/png",
    }.items():
        c.mail(f"content-type-{label}", TEXT.encode(), content_type=ctype)
    ctes: dict[str, str | bytes] = {
        "x-uuencode-garbage": "x-uuencode",
        "gzip": "gzip",
        "base65": "base65",
        "qp-with-params": "quoted-printable; foo=bar",
        "empty": "",
        "binary": "binary",
        "7bit-with-8bit-data": "7bit",
        "nul": b"base\x00",
    }
    for label, cte in ctes.items():
        c.mail(f"cte-{label}", TEXT.encode(), cte=cte)
    c.mail(
        "cte-x-uuencode-valid", b"begin 644 a.txt\r\n%:&]L80H`\r\n`\r\nend\r\n", cte="x-uuencode"
    )
    c.mail("cte-x-uuencode-truncated", b"begin 644 a.txt\r\nM:&]L80H", cte="x-uuencode")
    plain = c.mail("line-endings-crlf-reference", TEXT.encode())
    c.add("line-endings-lone-cr", plain.replace(CRLF, b"\r"))
    c.add("line-endings-lf-only", plain.replace(CRLF, b"\n"))
    c.add("line-endings-mixed", plain.replace(CRLF, b"\n", 3))
    c.add("line-endings-cr-cr-lf", plain.replace(CRLF, b"\r\r\n"))
    c.add("line-endings-lf-cr", plain.replace(CRLF, b"\n\r"))


def _filenames(c: _Corpus) -> None:
    names: dict[str, bytes] = {
        "dotdot-etc-passwd": b'filename="../../etc/passwd"',
        "dotdot-windows": b'filename="..\\..\\windows\\system32\\cmd.exe"',
        "absolute": b'filename="/etc/shadow"',
        "drive-letter": b'filename="C:\\Users\\Public\\evil.exe"',
        "dot": b'filename="."',
        "dotdot": b'filename=".."',
        "trailing-slash": b'filename="carpeta/"',
        "spaces-dotdot": b'filename=" .. "',
        "rfc2231-dotdot": b"filename*=utf-8''..%2F..%2Fetc%2Fpasswd",
        "rfc2231-dotdot-only": b"filename*=utf-8''%2E%2E",
        "rfc2231-nul": b"filename*=utf-8''a%00b.pdf",
        "rfc2231-crlf": b"filename*=utf-8''a%0D%0ABcc%3A%20victim%40x.co.pdf",
        "rfc2231-dotdot-nul": b"filename*=utf-8''..%00",
        "rfc2231-continuations": (
            b"filename*0*=utf-8''..%2F..; filename*1*=%2Fetc; filename*2=passwd"
        ),
        "rfc2231-bad-charset": b"filename*=x-unknown''%FF%FE.pdf",
        "rfc2231-windows-backslashes": b"filename*=utf-8''..%5C..%5Cwindows%5Cevil.exe",
        "rfc2231-latin1-c1": b"filename*=iso-8859-1''a%9B31m%85.pdf",
        "rfc2231-no-quotes": b"filename*=..%2F..%2Fpasswd",
        "rfc2231-10000-continuations": b"; ".join(f"filename*{i}=a".encode() for i in range(10000)),
        "very-long-5000": b'filename="' + b"n" * 5000 + b'.pdf"',
        "very-long-rfc2231": b"filename*=utf-8''" + b"%C3%B1" * 3000 + b".pdf",
        "encoded-word-traversal": b'filename="=?utf-8?q?..=2F..=2Fetc=2Fpasswd?="',
        "encoded-word-newline": b'filename="=?utf-8?q?a=0D=0Ab.pdf?="',
        "backslash-only": b'filename="\\"',
        "slash-only": b'filename="/"',
        "rtl-override": 'filename="factura\u202efdp.exe"'.encode(),
        "control-chars": b'filename="a\x01\x02\x1b[31m.pdf"',
        "empty": b'filename=""',
        "name-param-only": b"",
    }
    for label, param in names.items():
        disposition = b"Content-Disposition: attachment; " + param if param else b"X-None: 1"
        ctype = (
            b'application/pdf; name="../../ct/name.pdf"'
            if label == "name-param-only"
            else b"application/pdf"
        )
        c.mail(
            f"filename-{label}",
            multipart(
                [
                    part("text/plain; charset=utf-8", TEXT.encode()),
                    part(ctype, b64(PDF), disposition, cte="base64"),
                ],
                "nombres",
            ),
            content_type='multipart/mixed; boundary="nombres"',
        )


def _forwards_and_types(c: _Corpus) -> None:
    rng = random.Random(SEED + 4)
    text = part("text/plain; charset=utf-8", TEXT.encode())
    for label, inner in {
        "garbage": rng.randbytes(2048),
        "empty": b"",
        "only-headers": b"From: x@y.co\r\nSubject: solo",
        "bad-base64-inside": (
            b"From: x@y.co\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            b"!!!@@@###"
        ),
        "nul-bytes": bytes(1000),
    }.items():
        c.mail(
            f"rfc822-{label}",
            multipart([text, part("message/rfc822", inner)], "fw"),
            content_type='multipart/mixed; boundary="fw"',
        )
    c.mail(
        "rfc822-base64-encoded",
        multipart(
            [text, part("message/rfc822", b64(b"From: x@y.co\r\n\r\nhola"), cte="base64")], "fw"
        ),
        content_type='multipart/mixed; boundary="fw"',
    )
    c.mail(
        "winmail-dat-with-name",
        multipart(
            [
                text,
                part(
                    "application/ms-tnef",
                    b64(TNEF),
                    'Content-Disposition: attachment; filename="winmail.dat"',
                    cte="base64",
                ),
            ],
            "tnef",
        ),
        content_type='multipart/mixed; boundary="tnef"',
    )
    c.mail(
        "winmail-dat-without-name",
        multipart([text, part("application/ms-tnef", b64(TNEF), cte="base64")], "tnef"),
        content_type='multipart/mixed; boundary="tnef"',
    )
    c.mail(
        "winmail-dat-garbage",
        multipart([text, part("application/ms-tnef", b"\x00garbage", cte="8bit")], "tnef"),
        content_type='multipart/mixed; boundary="tnef"',
    )
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
        "UID:reunion@example.com\r\nDTSTART:20261124T150000Z\r\nSUMMARY:Audiencia pública\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    c.mail(
        "calendar-invite-alternative",
        multipart(
            [
                part("text/plain; charset=utf-8", b"Invitacion a audiencia"),
                part("text/calendar; method=REQUEST; charset=utf-8", ics),
            ],
            "cal",
        ),
        content_type='multipart/alternative; boundary="cal"',
    )
    c.mail("calendar-invite-only", ics, content_type="text/calendar; method=REQUEST")
    c.mail("calendar-malformed", b"BEGIN:VCALENDAR\r\n" * 500, content_type="text/calendar")
    c.mail(
        "calendar-ics-attachment",
        multipart(
            [
                text,
                part(
                    "application/ics",
                    b64(ics),
                    'Content-Disposition: attachment; filename="invite.ics"',
                    cte="base64",
                ),
            ],
            "cal",
        ),
        content_type='multipart/mixed; boundary="cal"',
    )
    signature = b64(b"\x30\x82\x05\x00" + rng.randbytes(600))
    c.mail(
        "smime-signed",
        multipart(
            [
                text,
                part(
                    'application/pkcs7-signature; name="smime.p7s"',
                    signature,
                    'Content-Disposition: attachment; filename="smime.p7s"',
                    cte="base64",
                ),
            ],
            "firma",
        ),
        content_type=(
            'multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; '
            'boundary="firma"'
        ),
    )
    c.mail(
        "smime-signed-missing-signature",
        multipart([text], "firma"),
        content_type='multipart/signed; protocol="application/pkcs7-signature"; boundary="firma"',
    )
    c.mail(
        "smime-enveloped-opaque",
        signature,
        cte="base64",
        content_type='application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"',
        headers=['Content-Disposition: attachment; filename="smime.p7m"'],
    )
    c.mail(
        "pgp-encrypted",
        multipart(
            [
                part("application/pgp-encrypted", b"Version: 1"),
                part(
                    "application/octet-stream",
                    b"-----BEGIN PGP MESSAGE-----\r\nhQ==\r\n-----END PGP MESSAGE-----",
                ),
            ],
            "pgp",
        ),
        content_type='multipart/encrypted; protocol="application/pgp-encrypted"; boundary="pgp"',
    )
    c.mail(
        "inline-image-cid",
        multipart(
            [
                part("text/html; charset=utf-8", b'<p>Foto del hueco:</p><img src="cid:foto1">'),
                part(
                    "image/png",
                    b64(PNG),
                    "Content-ID: <foto1>",
                    "Content-Disposition: inline",
                    cte="base64",
                ),
            ],
            "rel",
        ),
        content_type='multipart/related; boundary="rel"',
    )
    c.mail(
        "delivery-status-report",
        multipart(
            [
                part("text/plain", b"No se pudo entregar"),
                part(
                    "message/delivery-status",
                    b"Reporting-MTA: dns; mx.example.com\r\n\r\nAction: failed\r\n",
                ),
            ],
            "dsn",
        ),
        content_type='multipart/report; report-type=delivery-status; boundary="dsn"',
        replace={"From": "MAILER-DAEMON@example.com"},
        headers=["Return-Path: <>"],
    )


def _html(c: _Corpus) -> None:
    html = "text/html; charset=utf-8"
    c.mail(
        "html-script-style-iframe",
        (
            "<html><head><title>titulo oculto</title><style>body{color:red} .x{}</style>"
            "<script>alert('xss'); document.cookie</script></head><body>"
            "<p>Solicito información</p><iframe src='http://evil.example/'>marco</iframe>"
            "<script type='text/javascript'>var secreto = 1;</script>"
            "<object data='x.swf'></object><embed src='y'><svg><script>alert(2)</script></svg>"
            "<a href='javascript:alert(1)'>enlace</a></body></html>"
        ).encode(),
        content_type=html,
    )
    for size in (500 * 1024, 2 * 1024 * 1024):
        data = base64.b64encode(PNG * (size // len(PNG)))
        c.mail(
            f"html-data-uri-{size // 1024}kb",
            b'<p>Adjunto foto</p><img src="data:image/png;base64,' + data + b'"><p>fin</p>',
            content_type=html,
        )
    c.mail(
        "html-nested-divs-1mb",
        b"<div>" * 95_000 + b"texto profundo" + b"</div>" * 95_000,
        content_type=html,
    )
    c.mail(
        "html-nested-divs-unclosed-200kb",
        b"<div><span><b>" * 14_000 + b"sin cerrar",
        content_type=html,
    )
    c.mail(
        "html-unclosed-script",
        b"<p>visible</p><script>var oculto = 'todo lo demas';",
        content_type=html,
    )
    c.mail(
        "html-unclosed-comment",
        b"<p>visible</p><!-- comentario sin cerrar <p>x</p>",
        content_type=html,
    )
    c.mail(
        "html-entities-control",
        b"<p>a&#0;b&#x1b;[31mc&#x7f;d&#x85;e&#xd800;f&#x110000;g&#1114111;</p>",
        content_type=html,
    )
    c.mail("html-10000-br", b"<p>" + b"<br>" * 10_000 + b"fin</p>", content_type=html)
    c.mail(
        "html-deep-tables",
        b"<table><tr><td>" * 3000 + b"celda" + b"</td></tr></table>" * 3000,
        content_type=html,
    )
    c.mail(
        "html-cdata-and-pi",
        b"<![CDATA[ oculto ]]><?php system('id'); ?><p>hola</p>",
        content_type=html,
    )
    c.mail(
        "html-noscript-template",
        b"<noscript>ns</noscript><template>tpl</template><p>ok</p>",
        content_type=html,
    )
    c.mail(
        "html-attribute-100kb", b'<p title="' + b"t" * 100_000 + b'">hola</p>', content_type=html
    )
    c.mail(
        "html-garbage-tags", b"<<<<>>>><//p><p <p <p>>>></ / / >texto<a href=", content_type=html
    )
    c.mail("html-empty", b"", content_type=html)
    c.mail("html-only-whitespace-tags", b"<p> </p>" * 1000, content_type=html)
    c.mail(
        "html-and-empty-plain-alternative",
        multipart(
            [
                part("text/plain; charset=utf-8", b"   \r\n"),
                part(html, "<p>Solo HTML útil</p>".encode()),
            ],
            "alt",
        ),
        content_type='multipart/alternative; boundary="alt"',
    )
    c.mail(
        "html-style-with-text-payload",
        b"<style>@import url(http://evil/);</style><style>p{}/* comentario */</style><p>ok</p>",
        content_type=html,
    )


def _addresses(c: _Corpus) -> None:
    for label, value in {
        "homoglyph-cyrillic-local": "Soporte <раураl@example.com>".encode(),
        "homoglyph-cyrillic-domain": "Soporte <ana@ехаmple.com>".encode(),
        "homoglyph-fullwidth-at": "ana＠example.com".encode(),
        "homoglyph-zero-width": "Ana <an\u200ba@example.com>".encode(),
        "homoglyph-rtl-override": "Ana \u202emoc.live\u202c <ana@example.com>".encode(),
        "idn-raw-utf8-domain": "Ana <ana@ejémplo.co>".encode(),
        "idn-punycode-domain": b"Ana <ana@xn--ejmplo-9ua.co>",
        "idn-encoded-word-domain": b"Ana <ana@=?utf-8?q?ej=C3=A9mplo?=.co>",
        "idn-raw-utf8-local": "Ana <añá@example.co>".encode(),
        "address-trailing-dot": b"Ana <ana@example.com.>",
        "address-ip-literal": b"Ana <ana@[127.0.0.1]>",
        "address-quoted-local": b'Ana <"ana perez"@example.com>',
    }.items():
        c.mail(f"address-{label}", TEXT.encode(), replace={"From": value})


def _variants(c: _Corpus) -> None:
    """Parametric variants: one hostile thing moved around positions, encodings and parts."""
    rng = random.Random(SEED + 5)
    for position in ("first", "middle", "last"):
        for cte in ("base64", "quoted-printable", "8bit"):
            data = TEXT.encode("latin-1")
            body = b64(data) if cte == "base64" else qp(data) if cte == "quoted-printable" else data
            bad = part("text/plain; charset=utf-8", body, cte=cte)
            good = part(
                "application/pdf",
                b64(PDF),
                'Content-Disposition: attachment; filename="a.pdf"',
                cte="base64",
            )
            garbage = part("application/octet-stream", rng.randbytes(256), cte="8bit")
            parts = [good, garbage]
            parts.insert({"first": 0, "middle": 1, "last": 2}[position], bad)
            c.mail(
                f"variant-latin1-as-utf8-{cte}-{position}",
                multipart(parts, "var"),
                content_type='multipart/mixed; boundary="var"',
            )
    for eol_label, eol in (("lf", b"\n"), ("cr", b"\r")):
        for charset in ("utf-8", "iso-8859-1"):
            c.mail(
                f"variant-{eol_label}-eol-{charset}",
                TEXT.encode(charset).replace(b",", eol),
                content_type=f"text/plain; charset={charset}",
                eol=eol,
            )


def _long_text(c: _Corpus) -> None:
    """A request followed by 200,000 characters (the text limit) that a pattern could
    rescan from every position: one such e-mail took 110 s of routing when `\\S+@` did."""
    size = 200_000
    image = base64.b64encode(random.Random(1755).randbytes(size)).decode()[:size]
    shapes = {
        "no-spaces": ("abcdefghij" * (size // 10))[:size],
        "amp": ("&amp;" * (size // 5))[:size],
        "unclosed-base64-image": "data:image/png;base64," + image,
        "one-char": "a" * size,
        "a-at": ("a@" * (size // 2))[:size],
        "digits": "7" * size,
    }
    for label, text in shapes.items():
        body = f"Solicito información sobre mi inscripción ({label}).\n\n{text}"
        c.mail(f"long-text-{label}", body.encode(), cte="8bit")


@functools.cache
def _build() -> tuple[tuple[str, bytes], ...]:
    c = _Corpus()
    for section in (
        _boundaries,
        _nesting,
        _injection,
        _big_attachments,
        _bombs,
        _base64_and_qp,
        _nul_and_8bit,
        _charsets,
        _headers,
        _structure,
        _filenames,
        _forwards_and_types,
        _html,
        _addresses,
        _variants,
        _long_text,
    ):
        section(c)
    return tuple(c.items)


def hostile_corpus() -> list[tuple[str, bytes]]:
    """Every hostile item, (name, raw bytes); deterministic."""
    return list(_build())


def hostile_corpus_small() -> list[tuple[str, bytes]]:
    """The corpus without the items over 1 MiB."""
    return [(name, raw) for name, raw in _build() if len(raw) <= SMALL_LIMIT]
