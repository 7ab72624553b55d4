"""`parse_email`: what a citizen wrote comes out clean, and hostile mail never breaks it.

The first half runs every item of the hostile corpus (tests/corpus/hostile.py) through the
parser and checks the invariants the rest of the system relies on; the second half pins the
behaviours one by one with small messages written the way citizens write them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests.corpus.hostile import (
    BIG_ATTACHMENT_BYTES,
    PDF,
    PNG,
    SMALL_LIMIT,
    TNEF,
    b64,
    hostile_corpus,
    hostile_corpus_small,
)
from ventanilla.adapters.email_parsing import LOOP_HEADER, MailLimits, parse_email
from ventanilla.message import InboundMessage

CORPUS = dict(hostile_corpus())
CRLF = "\r\n"
RECEIVED = datetime(2026, 11, 23, 15, 5, tzinfo=UTC)
SIGNALS = {"auto_submitted", "autoreply", "bulk", "mailing_list", "bounce", "own_loop"}
# A sender we may write to: one address, nothing around it.
SENDER = re.compile(r"[^\s,<>;:\"()\[\]\\@]+@[^\s,<>;:\"()\[\]\\@]+\.[^\s,<>;:\"()\[\]\\@]+")
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
CONTENT_TYPE = re.compile(r"[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+")


def mail(
    body: str | bytes = "Buenos días, solicito información sobre mi petición.",
    *,
    headers: Mapping[str, str | None] | None = None,
    content_type: str | None = "text/plain; charset=utf-8",
    extra: tuple[str, ...] = (),
) -> bytes:
    """A small e-mail as raw bytes; `headers` replace the defaults (a None value drops one)."""
    values: dict[str, str | None] = {
        "From": "Ana Pérez <ana.perez@example.com>",
        "To": "atencionalciudadano@example.gov.co",
        "Subject": "Derecho de petición",
        "Date": "Mon, 23 Nov 2026 09:15:00 -0500",
        "Message-ID": "<peticion-1@example.com>",
        "MIME-Version": "1.0",
    }
    values.update(headers or {})
    lines = [f"{key}: {value}" for key, value in values.items() if value is not None]
    if content_type is not None:
        lines.append(f"Content-Type: {content_type}")
    lines.extend(extra)
    head = (CRLF.join(lines) + CRLF + CRLF).encode("utf-8")
    return head + (body.encode("utf-8") if isinstance(body, str) else body)


def multipart(parts: list[bytes], subtype: str = "mixed") -> bytes:
    body = b"".join(b"--limite\r\n" + item + b"\r\n" for item in parts) + b"--limite--\r\n"
    return mail(body, content_type=f'multipart/{subtype}; boundary="limite"')


def part(content_type: str, body: bytes, *headers: str) -> bytes:
    head = CRLF.join([f"Content-Type: {content_type}", *headers])
    return (head + CRLF + CRLF).encode("utf-8") + body


def attachment(content_type: str, filename: str, content: bytes, *headers: str) -> bytes:
    return part(
        content_type,
        b64(content),
        "Content-Transfer-Encoding: base64",
        f'Content-Disposition: attachment; filename="{filename}"',
        *headers,
    )


def controls(value: str) -> set[str]:
    """Control characters (C0, DEL, C1) and lone surrogates, except newline and tab."""
    return {
        char for char in value if unicodedata.category(char) in ("Cc", "Cs") and char not in "\n\t"
    }


# --- the hostile corpus ----------------------------------------------------------------------


def test_corpus_is_large_deterministic_and_bounded() -> None:
    items = hostile_corpus()
    names = [name for name, _ in items]

    assert len(items) >= 220
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z0-9_.-]+", name) for name in names)
    assert sum(len(raw) for _, raw in items) < 62 * 1024 * 1024
    assert 1 <= sum(len(raw) >= BIG_ATTACHMENT_BYTES for _, raw in items) <= 2
    assert [n for n, _ in hostile_corpus_small()] == [
        n for n, raw in items if len(raw) <= SMALL_LIMIT
    ]
    assert hostile_corpus_small() and all(len(r) <= SMALL_LIMIT for _, r in hostile_corpus_small())
    # Rebuilt from scratch (not the cached copy), byte for byte the same.
    from tests.corpus.hostile import _build

    assert _build.__wrapped__() == tuple(items)


def _check_attachment_20mb(message: InboundMessage) -> None:
    dropped = " ".join(message.flags.get("dropped_attachments", []))
    for name in ("expediente-20mb.pdf", "anexo-20mb.txt"):
        assert all(a.filename != name for a in message.attachments)
    assert "20mb" in dropped and "over the size limit" in dropped
    assert all(a.size <= MailLimits().max_attachment_bytes for a in message.attachments)


def _check_too_deep(message: InboundMessage) -> None:
    reason = message.flags.get("quarantine") or " ".join(message.flags["dropped_attachments"])
    assert "nested" in reason


def _check_too_wide(message: InboundMessage) -> None:
    assert any("MIME parts" in r for r in message.flags["dropped_attachments"])
    assert len(message.attachments) <= MailLimits().max_attachments


def _check_no_victim(message: InboundMessage) -> None:
    assert "victim" not in message.sender


def _check_bomb_not_expanded(message: InboundMessage) -> None:
    (bomb,) = message.attachments
    assert bomb.size < 100_000  # kept as the compressed bytes it arrived as


def _check_html_hidden_parts(message: InboundMessage) -> None:
    assert "Solicito información" in message.text
    for hidden in ("alert", "secreto", "color:red", "titulo oculto", "<"):
        assert hidden not in message.text


def _check_empty(message: InboundMessage) -> None:
    assert message.flags["quarantine"] == "empty message"


def _check_forward(message: InboundMessage) -> None:
    assert [a.filename for a in message.attachments] == ["mensaje-reenviado.eml"]


def _check_references_capped(message: InboundMessage) -> None:
    assert 0 < len(message.references) <= 50


# Extra expectations for some corpus items, by name prefix.
SPECIFIC: dict[str, Callable[[InboundMessage], None]] = {
    "attachment-20mb-": _check_attachment_20mb,
    "nested-5000-parts": _check_too_deep,
    "nested-200-parts": _check_too_deep,
    "nested-2000-unclosed": _check_too_deep,
    "wide-3000-": _check_too_wide,
    "inject-": _check_no_victim,
    "from-quoted-name-with-address": _check_no_victim,
    "from-quoted-name-with-comma-and-brackets": _check_no_victim,
    "from-two-angle-addresses": _check_no_victim,
    "from-bcc-inside-angle": _check_no_victim,
    "zip-bomb-": _check_bomb_not_expanded,
    "gzip-bomb-": _check_bomb_not_expanded,
    "html-script-style-iframe": _check_html_hidden_parts,
    "empty-message": _check_empty,
    "whitespace-only": _check_empty,
    "rfc822-nested-50-deep": _check_forward,
    "header-references-5000-ids": _check_references_capped,
}


@pytest.mark.parametrize("name", list(CORPUS))
def test_hostile_item_is_parsed_or_quarantined_never_raised(name: str) -> None:
    raw = CORPUS[name]

    message = parse_email(raw)

    assert message.channel == "email"
    assert message.raw is raw
    assert message.received_at.tzinfo is not None
    reason = message.flags.get("quarantine")
    if reason is not None:
        assert isinstance(reason, str) and reason.strip()
        assert message.text == ""
        assert message.provider_id.startswith("sha256:")
    for field in ("text", "subject", "sender_name", "sender"):
        value = getattr(message, field)
        assert "\x00" not in value, field
        assert not controls(value), f"{field}: {sorted(controls(value))!r}"
    for field in ("subject", "sender_name"):
        assert "\n" not in getattr(message, field) and "\r" not in getattr(message, field)
    assert message.sender == "" or SENDER.fullmatch(message.sender), message.sender
    for item in message.attachments:
        assert "/" not in item.filename and "\\" not in item.filename
        assert item.filename.strip() not in ("", ".", ".."), item.filename
        assert not controls(item.filename), item.filename
        assert CONTENT_TYPE.fullmatch(item.content_type), item.content_type
    # Ids end up as database keys and in logs: no control characters, no whitespace.
    assert not controls(message.provider_id) and " " not in message.provider_id
    message_id = message.flags.get("message_id", "")
    assert message_id == "" or MESSAGE_ID.fullmatch(message_id), message_id
    assert not controls(message_id)
    for reference in message.references:
        assert MESSAGE_ID.fullmatch(reference) and not controls(reference), reference
    for prefix, check in SPECIFIC.items():
        if name.startswith(prefix):
            check(message)


# --- bodies and charsets ---------------------------------------------------------------------


def test_plain_utf8_message() -> None:
    message = parse_email(mail("Buenos días,\r\nsolicito copia de mi petición.\r\n"))

    assert message.flags.get("quarantine") is None
    assert message.text == "Buenos días,\nsolicito copia de mi petición."
    assert message.subject == "Derecho de petición"
    assert message.channel == "email"
    assert message.attachments == ()


def test_declared_iso_8859_1_decodes() -> None:
    body = "Radico esta petición por el daño en la vía.".encode("latin-1")

    message = parse_email(mail(body, content_type="text/plain; charset=iso-8859-1"))

    assert message.text == "Radico esta petición por el daño en la vía."


@pytest.mark.parametrize(
    "label", ["iso-8859-1", "ISO-8859-1", "latin1", "windows-1252", "us-ascii", "iso-8859-15"]
)
def test_utf8_bytes_mislabelled_as_a_western_charset_decode_right(label: str) -> None:
    body = "Quiero saber el estado de mi petición, señores.".encode()

    message = parse_email(mail(body, content_type=f"text/plain; charset={label}"))

    assert message.text == "Quiero saber el estado de mi petición, señores."
    assert "Ã" not in message.text


# Short Spanish sentences, the way citizens write: too short for statistics to be sure.
SENTENCES = [
    pytest.param("Buenas tardes, necesito la certificación de mi petición.", id="certificacion"),
    pytest.param("Solicito información sobre la pensión de mi mamá.", id="pension-mama"),
    pytest.param("El señor no contestó.", id="senor"),
    pytest.param("Mi niño está enfermo y no hay médico en el puesto de salud.", id="nino-medico"),
]


@pytest.mark.parametrize("sentence", SENTENCES)
def test_latin1_bytes_mislabelled_utf8_decode_right(sentence: str) -> None:
    body = sentence.encode("latin-1")

    message = parse_email(mail(body, content_type="text/plain; charset=utf-8"))

    assert message.text == sentence


@pytest.mark.parametrize(
    "content_type", ["text/plain", None], ids=["no-charset-param", "no-content-type"]
)
@pytest.mark.parametrize("encoding", ["utf-8", "latin-1"])
@pytest.mark.parametrize("sentence", SENTENCES)
def test_missing_charset_is_detected(
    content_type: str | None, encoding: str, sentence: str
) -> None:
    message = parse_email(mail(sentence.encode(encoding), content_type=content_type))

    assert message.text == sentence


@pytest.mark.parametrize("label", ["x-unknown", "punycode", "idna", "utf-8\x00", "../../x"])
def test_garbage_charset_label_does_not_quarantine_a_readable_message(label: str) -> None:
    body = "Buenos días, mi petición es sobre el alumbrado público.".encode()

    message = parse_email(mail(body, content_type=f'text/plain; charset="{label}"'))

    assert message.flags.get("quarantine") is None
    assert message.text == "Buenos días, mi petición es sobre el alumbrado público."


def test_html_only_message_becomes_clean_text() -> None:
    html = (
        "<html><head><title>Correo</title><style>p { color: red; }</style>"
        "<script>alert('hola')</script></head><body>"
        "<p>Señores alcaldía:</p><p>Solicito <b>arreglar</b> el hueco de la calle 5.<br>"
        "Gracias.</p><script>robar()</script></body></html>"
    )

    message = parse_email(mail(html, content_type="text/html; charset=utf-8"))

    assert " ".join(message.text.split()) == (
        "Señores alcaldía: Solicito arreglar el hueco de la calle 5. Gracias."
    )
    for leaked in ("alert", "robar", "color", "Correo", "<", ">"):
        assert leaked not in message.text


@pytest.mark.timeout(10)
def test_html_with_many_line_breaks_is_read_in_linear_time() -> None:
    # 400 KB of <br>, a tenth of the 4 MB of HTML the parser accepts.
    html = "<p>Hola" + "<br>" * 100_000 + "fin</p>"

    message = parse_email(mail(html, content_type="text/html; charset=utf-8"))

    assert message.text.startswith("Hola") and message.text.endswith("fin")


def test_multipart_alternative_prefers_the_plain_part() -> None:
    raw = multipart(
        [
            part("text/plain; charset=utf-8", "Texto plano de la petición.".encode()),
            part("text/html; charset=utf-8", "<p>Versión <b>HTML</b></p>".encode()),
        ],
        "alternative",
    )

    message = parse_email(raw)

    assert message.text == "Texto plano de la petición."
    assert message.attachments == ()


# --- attachments -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "declared", "filename", "expected"),
    [
        (PNG, "application/octet-stream", "foto-hueco.png", "image/png"),
        (PDF, "application/octet-stream", "cedula.pdf", "application/pdf"),
        (PDF, "image/jpeg", "escaneo.jpg", "application/pdf"),
        (b"texto sin firma conocida", "text/csv", "datos.csv", "text/csv"),
    ],
)
def test_attachment_type_is_sniffed_from_its_bytes(
    content: bytes, declared: str, filename: str, expected: str
) -> None:
    raw = multipart(
        [
            part("text/plain; charset=utf-8", b"Adjunto el documento."),
            attachment(declared, filename, content),
        ]
    )

    message = parse_email(raw)

    assert message.text == "Adjunto el documento."
    (kept,) = message.attachments
    assert (kept.filename, kept.content_type, kept.content) == (filename, expected, content)


def test_inline_image_with_content_id_is_kept_as_attachment() -> None:
    raw = multipart(
        [
            part(
                "text/html; charset=utf-8",
                '<p>Así está el andén:</p><img src="cid:foto1">'.encode(),
            ),
            part(
                "image/png",
                b64(PNG),
                "Content-Transfer-Encoding: base64",
                "Content-ID: <foto1>",
                "Content-Disposition: inline",
            ),
        ],
        "related",
    )

    message = parse_email(raw)

    assert message.text == "Así está el andén:"
    (image,) = message.attachments
    assert image.content_type == "image/png"
    assert image.content == PNG


def test_forwarded_message_is_kept_as_eml_attachment() -> None:
    inner = (
        b"From: vecino@example.com\r\nSubject: Basuras en el parque\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nHay basura acumulada hace un mes.\r\n"
    )
    raw = multipart(
        [
            part("text/plain; charset=utf-8", "Les reenvío la queja de mi vecino.".encode()),
            part("message/rfc822", inner, "Content-Disposition: attachment"),
        ]
    )

    message = parse_email(raw)

    assert message.text == "Les reenvío la queja de mi vecino."
    (forwarded,) = message.attachments
    assert forwarded.filename == "mensaje-reenviado.eml"
    assert forwarded.content_type == "message/rfc822"
    assert b"Subject: Basuras en el parque" in forwarded.content
    assert "basura acumulada" not in message.text


@pytest.mark.parametrize("named", [True, False], ids=["with-filename", "without-filename"])
def test_winmail_dat_is_kept(named: bool) -> None:
    disposition = ('Content-Disposition: attachment; filename="winmail.dat"',) if named else ()
    raw = multipart(
        [
            part("text/plain; charset=utf-8", "Envío desde Outlook.".encode()),
            part(
                "application/ms-tnef", b64(TNEF), "Content-Transfer-Encoding: base64", *disposition
            ),
        ]
    )

    message = parse_email(raw)

    (tnef,) = message.attachments
    assert (tnef.filename, tnef.content_type, tnef.content) == (
        "winmail.dat",
        "application/ms-tnef",
        TNEF,
    )


def test_max_attachments_drops_the_extras_with_reasons() -> None:
    raw = multipart(
        [
            part("text/plain; charset=utf-8", b"Adjunto cuatro fotos."),
            *(attachment("image/png", f"foto{i}.png", PNG) for i in range(1, 5)),
        ]
    )

    message = parse_email(raw, limits=MailLimits(max_attachments=2))

    assert [a.filename for a in message.attachments] == ["foto1.png", "foto2.png"]
    dropped = message.flags["dropped_attachments"]
    assert len(dropped) == 2
    assert "foto3.png" in dropped[0] and "foto4.png" in dropped[1]
    assert all("more than 2 attachments" in reason for reason in dropped)


def test_max_attachment_bytes_drops_the_big_one_with_a_reason() -> None:
    big = PDF + b"0" * 5000
    raw = multipart(
        [
            part("text/plain; charset=utf-8", b"Adjunto dos documentos."),
            attachment("application/pdf", "grande.pdf", big),
            attachment("application/pdf", "pequeno.pdf", PDF),
        ]
    )

    message = parse_email(raw, limits=MailLimits(max_attachment_bytes=1000))

    assert [a.filename for a in message.attachments] == ["pequeno.pdf"]
    (reason,) = message.flags["dropped_attachments"]
    assert reason.startswith("grande.pdf") and "over the size limit" in reason


def test_message_without_dropped_attachments_has_no_such_flag() -> None:
    message = parse_email(mail())

    assert "dropped_attachments" not in message.flags
    assert "quarantine" not in message.flags


# --- sender, ids, references -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "sender", "name"),
    [
        ("José Núñez <Jose.Nunez@Example.COM>", "jose.nunez@example.com", "José Núñez"),
        ('"Pérez, Ana" <ANA@Example.com>', "ana@example.com", "Pérez, Ana"),
        (
            "=?utf-8?q?Mar=C3=ADa_L=C3=B3pez?= <maria@example.com>",
            "maria@example.com",
            "María López",
        ),
        ("=?iso-8859-1?b?TWFy7WE=?= <maria@example.com>", "maria@example.com", "María"),
        ("MARIA@EXAMPLE.COM", "maria@example.com", ""),
        ("maria@example.com (María)", "maria@example.com", ""),
        ("ana@example.com, otro@example.com", "ana@example.com", ""),
        ("Solo un nombre", "", ""),
        ("", "", ""),
    ],
)
def test_sender_is_normalised(header: str, sender: str, name: str) -> None:
    message = parse_email(mail(headers={"From": header}))

    assert (message.sender, message.sender_name) == (sender, name)


def test_encoded_word_subject_is_decoded_to_one_line() -> None:
    subject = "=?utf-8?q?Queja_por_el_servicio=0D=0ABcc:_otro@example.com?="

    message = parse_email(mail(headers={"Subject": subject}))

    assert message.subject == "Queja por el servicio Bcc: otro@example.com"


def test_message_id_is_in_flags() -> None:
    message = parse_email(mail(headers={"Message-ID": " <CAF+abc.123@mail.example.com> "}))

    assert message.flags["message_id"] == "<CAF+abc.123@mail.example.com>"


def test_in_reply_to_and_references_are_collected() -> None:
    raw = mail(
        headers={
            "In-Reply-To": "<radicado-20261000000012@example.gov.co>",
            "References": "<hilo-1@example.com>\r\n <radicado-20261000000012@example.gov.co>",
        }
    )

    message = parse_email(raw)

    assert message.references == (
        "<radicado-20261000000012@example.gov.co>",
        "<hilo-1@example.com>",
    )


def test_no_references_without_headers() -> None:
    assert parse_email(mail()).references == ()


@pytest.mark.parametrize(
    ("headers", "extra", "expected"),
    [
        ({}, (), set()),
        ({}, ("Auto-Submitted: auto-replied",), {"auto_submitted"}),
        ({}, ("Auto-Submitted: auto-generated",), {"auto_submitted"}),
        ({}, ("Auto-Submitted: auto-replied; owner-email=x@example.com",), {"auto_submitted"}),
        ({}, ("Auto-Submitted: no",), set()),
        ({}, ("Auto-Submitted: No ",), set()),
        ({}, ("Precedence: bulk",), {"bulk"}),
        ({}, ("Precedence: junk",), {"bulk"}),
        ({}, ("Precedence: list",), {"bulk"}),
        ({}, ("Precedence: first-class",), set()),
        ({}, ("List-Id: Vecinos del barrio <vecinos.lists.example.com>",), {"mailing_list"}),
        ({}, ("List-Post: <mailto:vecinos@lists.example.com>",), {"mailing_list"}),
        ({}, ("X-Autoreply: yes",), {"autoreply"}),
        ({}, ("X-Autorespond: Estoy de vacaciones",), {"autoreply"}),
        ({"From": "MAILER-DAEMON@mx.example.com"}, (), {"bounce"}),
        ({"From": "Mail Delivery System <Postmaster@example.com>"}, (), {"bounce"}),
        ({}, ("Return-Path: <>",), {"bounce"}),
        ({}, ("Return-Path: <ana.perez@example.com>",), set()),
        ({}, (f"{LOOP_HEADER}: atencionalciudadano@example.gov.co",), {"own_loop"}),
        ({}, ("X-Loop: atencionalciudadano@example.gov.co",), {"own_loop"}),
        (
            {},
            ("Auto-Submitted: auto-replied", "Precedence: bulk", "X-Autoreply: yes"),
            {"auto_submitted", "bulk", "autoreply"},
        ),
    ],
)
def test_machine_signals(
    headers: dict[str, str], extra: tuple[str, ...], expected: set[str]
) -> None:
    message = parse_email(mail(headers=headers, extra=extra))

    assert {key for key in SIGNALS if message.flags.get(key)} == expected


def test_multipart_report_is_a_bounce() -> None:
    raw = multipart(
        [
            part("text/plain; charset=utf-8", b"No se pudo entregar el mensaje."),
            part("message/delivery-status", b"Reporting-MTA: dns; mx.example.com\r\n"),
        ],
        "report; report-type=delivery-status",
    )

    message = parse_email(raw)

    assert message.flags.get("bounce") is True


def test_same_bytes_give_the_same_provider_id() -> None:
    raw = mail()

    assert parse_email(raw).provider_id == parse_email(bytes(raw)).provider_id


def test_extra_received_header_keeps_the_provider_id() -> None:
    raw = mail()
    relayed = b"Received: from mx2.example.com by imap.example.gov.co; Mon, 23 Nov 2026\r\n" + raw

    assert parse_email(relayed).provider_id == parse_email(raw).provider_id


def test_same_message_id_with_a_different_body_gets_a_different_provider_id() -> None:
    first = parse_email(mail("Primera queja: no pasa el bus."))
    second = parse_email(mail("Segunda queja: no hay luz."))

    assert first.flags["message_id"] == second.flags["message_id"] == "<peticion-1@example.com>"
    assert first.provider_id != second.provider_id
    assert first.provider_id.startswith("<peticion-1@example.com>#")


def test_duplicate_message_id_items_of_the_corpus_stay_two_messages() -> None:
    first = parse_email(CORPUS["duplicate-message-id-body-a"])
    second = parse_email(CORPUS["duplicate-message-id-body-b"])

    assert first.flags["message_id"] == second.flags["message_id"]
    assert first.provider_id != second.provider_id


def test_no_message_id_gives_a_content_hash_id() -> None:
    message = parse_email(mail(headers={"Message-ID": None}))

    assert message.flags["message_id"] == ""
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", message.provider_id)


def test_received_at_comes_from_the_date_header() -> None:
    message = parse_email(mail())

    assert message.received_at == datetime(
        2026, 11, 23, 9, 15, tzinfo=timezone(timedelta(hours=-5))
    )


def test_given_received_at_wins_over_the_date_header() -> None:
    assert parse_email(mail(), received_at=RECEIVED).received_at == RECEIVED


@pytest.mark.parametrize("date", [None, "ayer en la tarde", "Mon, 23 Nov 2026 09:15:00"])
def test_missing_or_unusable_date_means_now(date: str | None) -> None:
    before = datetime.now(UTC)

    message = parse_email(mail(headers={"Date": date}))

    assert before <= message.received_at <= datetime.now(UTC)


# --- quarantine --------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [b"", b"   \r\n\r\n\t"], ids=["empty", "blank"])
def test_empty_message_is_quarantined_with_raw_kept(raw: bytes) -> None:
    message = parse_email(raw, received_at=RECEIVED)

    assert message.flags == {"quarantine": "empty message"}
    assert message.text == ""
    assert message.raw == raw
    assert message.received_at == RECEIVED


def test_unreadable_structure_is_quarantined_with_a_reason() -> None:
    message = parse_email(CORPUS["nested-5000-parts"], received_at=RECEIVED)

    assert message.flags["quarantine"] == "unreadable e-mail: MIME structure nested too deep"
    assert message.raw == CORPUS["nested-5000-parts"]
    assert message.provider_id.startswith("sha256:")
