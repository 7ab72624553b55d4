"""Web form submissions: a valid one becomes an InboundMessage, a bad one names every field."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest

from ventanilla.adapters.webform import Limits, Upload, build_message, megabytes
from ventanilla.errors import InvalidInput
from ventanilla.routing.types import REQUEST_TYPES

MB = 1024 * 1024
LIMITS = Limits(max_attachments=2, max_attachment_bytes=1 * MB, max_text_chars=200)
NOW = datetime(2026, 11, 23, 15, 5, tzinfo=UTC)
TEXT = "Solicito copia de mi certificado laboral del año 2024."


def errors_of(fields: dict[str, str], uploads: list[Upload] | None = None) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        build_message(fields, uploads or [], LIMITS, now=NOW)
    return caught.value


def test_valid_submission_becomes_a_web_message() -> None:
    pdf = Upload("cédula.pdf", "application/pdf", b"%PDF-1.7 contenido")

    message = build_message(
        {
            "type": "peticion",
            "name": "  Ana Pérez ",
            "email": " Ana.Perez@Example.COM ",
            "phone": "+57 300 123-4567",
            "subject": "Certificado",
            "text": f"  {TEXT}  ",
        },
        [pdf],
        LIMITS,
        now=NOW,
    )

    assert message.channel == "web"
    assert message.received_at == NOW
    assert message.sender == "ana.perez@example.com"
    assert message.reply_email == "ana.perez@example.com"
    assert message.reply_phone == "+573001234567"
    assert message.sender_name == "Ana Pérez"
    assert message.subject == "Certificado"
    assert message.text == TEXT
    assert message.requested_type == "peticion"
    [attachment] = message.attachments
    assert attachment.filename == "cédula.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.content == pdf.content
    assert attachment.sha256 == hashlib.sha256(pdf.content).hexdigest()
    assert json.loads(message.raw)["text"] == TEXT


def test_each_submission_gets_its_own_provider_id() -> None:
    first = build_message({"text": TEXT}, [], LIMITS, now=NOW)
    second = build_message({"text": TEXT}, [], LIMITS, now=NOW)

    assert first.provider_id != second.provider_id


def test_anonymous_submission_is_accepted_with_no_sender() -> None:
    message = build_message({"text": TEXT}, [], LIMITS, now=NOW)

    assert message.sender == ""
    assert message.reply_email == ""
    assert message.reply_phone == ""
    assert message.requested_type == ""  # the classifier decides


@pytest.mark.parametrize(
    ("written", "digits"),
    [
        ("3001234567", "3001234567"),
        ("300 123 4567", "3001234567"),
        ("300-123-4567", "3001234567"),
        ("+57 300 123 4567", "+573001234567"),
        # Regression: a leading parenthesis, as the entity writes its own "(601) 756 0009",
        # was refused although the pattern allows parentheses.
        ("(601) 756 0009", "6017560009"),
    ],
)
def test_phone_only_submission_uses_the_phone_digits_as_sender(written: str, digits: str) -> None:
    message = build_message({"text": TEXT, "phone": written}, [], LIMITS, now=NOW)

    assert message.sender == digits
    assert message.reply_phone == digits
    assert message.reply_email == ""


@pytest.mark.parametrize("slug", REQUEST_TYPES)
def test_every_request_type_can_be_chosen(slug: str) -> None:
    message = build_message({"text": TEXT, "type": slug}, [], LIMITS, now=NOW)

    assert message.requested_type == slug


def test_text_of_exactly_the_maximum_length_is_accepted() -> None:
    message = build_message({"text": "a" * LIMITS.max_text_chars}, [], LIMITS, now=NOW)

    assert len(message.text) == LIMITS.max_text_chars


def test_blank_upload_slots_are_ignored() -> None:
    blank = Upload("", "application/octet-stream", b"")

    message = build_message({"text": TEXT}, [blank, blank, blank], LIMITS, now=NOW)

    assert message.attachments == ()


def test_attachment_name_loses_path_separators_and_keeps_a_default() -> None:
    uploads = [
        Upload("../../etc/passwd", "text/plain", b"x"),
        Upload("", "", b"sin nombre"),
    ]

    message = build_message({"text": TEXT}, uploads, LIMITS, now=NOW)

    names = [attachment.filename for attachment in message.attachments]
    assert names == [".._.._etc_passwd", "adjunto"]
    assert message.attachments[1].content_type == "application/octet-stream"


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"text": ""}, "text", "Escriba su solicitud"),
        ({"text": "   \n\t "}, "text", "no puede estar vacío"),
        ({}, "text", "Escriba su solicitud"),
        ({"text": "a" * 201}, "text", "máximo 200 caracteres). Puede adjuntarlo"),
        ({"text": TEXT, "type": "tutela"}, "type", "Use uno de: peticion, informacion"),
        ({"text": TEXT, "email": "ana@"}, "email", "Escríbalo así: nombre@dominio.com"),
        ({"text": TEXT, "email": "ana perez@correo.co"}, "email", "nombre@dominio.com"),
        ({"text": TEXT, "phone": "tres cero cero"}, "phone", "Escriba solo números"),
        ({"text": TEXT, "phone": "12345"}, "phone", "por ejemplo 3001234567"),
        ({"text": TEXT, "phone": "+57 300 123 4567 8901"}, "phone", "Escriba solo números"),
        ({"text": TEXT, "name": "N" * 201}, "name", "máximo 200 caracteres"),
        ({"text": TEXT, "subject": "S" * 201}, "subject", "máximo 200 caracteres"),
    ],
)
def test_invalid_field_is_named_with_what_to_do(
    fields: dict[str, str], field: str, words: str
) -> None:
    error = errors_of(fields)

    assert list(error.by_field()) == [field]
    assert words in error.by_field()[field]


def test_too_many_attachments_says_how_many_are_allowed() -> None:
    uploads = [Upload(f"f{n}.pdf", "application/pdf", b"x") for n in range(3)]

    error = errors_of({"text": TEXT}, uploads)

    assert error.by_field() == {"attachments": "Puede adjuntar hasta 2 archivos; envió 3."}


@pytest.mark.parametrize(
    "upload",
    [
        Upload("acta.pdf", "application/pdf", b"x" * MB, truncated=True),
        Upload("acta.pdf", "application/pdf", b"x" * (MB + 1)),
    ],
    ids=["reader_stopped_at_limit", "content_over_limit"],
)
def test_attachment_over_the_size_limit_names_the_file_and_the_limit(upload: Upload) -> None:
    error = errors_of({"text": TEXT}, [upload])

    assert error.by_field() == {"attachments": "El archivo «acta.pdf» supera el límite de 1 MB."}


def test_attachment_of_exactly_the_size_limit_is_accepted() -> None:
    upload = Upload("acta.pdf", "application/pdf", b"x" * MB)

    message = build_message({"text": TEXT}, [upload], LIMITS, now=NOW)

    assert message.attachments[0].size == MB


def test_empty_attachment_is_refused_by_name() -> None:
    error = errors_of({"text": TEXT}, [Upload("foto.jpg", "image/jpeg", b"")])

    assert error.by_field() == {"attachments": "El archivo «foto.jpg» está vacío."}


def test_every_problem_is_reported_together() -> None:
    error = errors_of(
        {"text": " ", "type": "tutela", "email": "no-es-correo", "phone": "abc"},
        [Upload("grande.pdf", "application/pdf", b"x", truncated=True)],
    )

    assert sorted(error.by_field()) == ["attachments", "email", "phone", "text", "type"]
    assert len(error.errors) == 5
    assert "text:" in str(error) and "email:" in str(error)


def test_every_attachment_problem_is_kept_in_the_error_list() -> None:
    error = errors_of(
        {"text": TEXT},
        [
            Upload("grande.pdf", "application/pdf", b"x", truncated=True),
            Upload("vacio.txt", "text/plain", b""),
        ],
    )

    messages = [e.message for e in error.errors]
    assert any("«grande.pdf»" in m for m in messages)
    assert any("«vacio.txt»" in m for m in messages)


@pytest.mark.parametrize(
    ("size", "expected"),
    [(5 * MB, "5 MB"), (1 * MB, "1 MB"), (512 * 1024, "512 KB"), (10 * MB, "10 MB")],
)
def test_megabytes_reads_as_a_citizen_expects(size: int, expected: str) -> None:
    assert megabytes(size) == expected


def test_two_bad_attachments_are_both_named_next_to_the_field() -> None:
    limits = Limits(max_attachments=5, max_attachment_bytes=10, max_text_chars=1000)
    uploads = [
        Upload("uno.pdf", "application/pdf", b"x" * 11),
        Upload("dos.pdf", "application/pdf", b""),
    ]
    with pytest.raises(InvalidInput) as caught:
        build_message({"text": "hola"}, uploads, limits)
    message = caught.value.by_field()["attachments"]
    assert "uno.pdf" in message and "dos.pdf" in message
