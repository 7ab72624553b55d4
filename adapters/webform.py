"""Web form channel: a citizen's submission (HTML form or JSON) → InboundMessage.

Everything is checked before anything is stored, so bad input leaves nothing behind.
Messages are in Spanish because the citizen reads them next to the field.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from email_validator import EmailNotValidError, validate_email

from ventanilla.errors import InputError, InvalidInput
from ventanilla.message import Attachment, InboundMessage, attachment_type, declared_type
from ventanilla.routing.types import REQUEST_TYPES, TYPE_LABELS

_PHONE = re.compile(r"^\+?[0-9(][0-9 ()-]{6,20}$")
_UNSAFE_NAME = re.compile(r"[^\w.() -]+")


@dataclass(frozen=True)
class Limits:
    max_attachments: int
    max_attachment_bytes: int
    max_text_chars: int


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    content: bytes
    # True when the reader stopped at the limit: `content` is only the first part.
    truncated: bool = False


# Control characters (NUL above all, which PostgreSQL refuses in text) carry no meaning
# in a request; line breaks and tabs do and stay.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def without_control_characters(value: str) -> str:
    return _CONTROL.sub("", value)


def is_text(value: str) -> bool:
    """False for a string no store or page can hold: a lone surrogate ("\\ud800") that JSON
    may carry but UTF-8 cannot encode."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def _check_email(value: str, errors: list[InputError]) -> str:
    if not value:
        return ""
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        errors.append(
            InputError(
                "email", "El correo electrónico no es válido. Escríbalo así: nombre@dominio.com"
            )
        )
        return ""


def _check_phone(value: str, errors: list[InputError]) -> str:
    if not value:
        return ""
    if not _PHONE.match(value) or not 7 <= sum(c.isdigit() for c in value) <= 15:
        errors.append(
            InputError(
                "phone", "El teléfono no es válido. Escriba solo números, por ejemplo 3001234567."
            )
        )
        return ""
    digits = re.sub(r"[^0-9]", "", value)
    return ("+" + digits) if value.startswith("+") else digits


def _check_attachments(
    uploads: list[Upload], limits: Limits, errors: list[InputError]
) -> tuple[Attachment, ...]:
    uploads = [u for u in uploads if u.filename or u.content]
    if len(uploads) > limits.max_attachments:
        errors.append(
            InputError(
                "attachments",
                f"Puede adjuntar hasta {limits.max_attachments} archivos; envió {len(uploads)}.",
            )
        )
        return ()
    kept = []
    for upload in uploads:
        name = _UNSAFE_NAME.sub("_", upload.filename).strip() or "adjunto"
        if upload.truncated or len(upload.content) > limits.max_attachment_bytes:
            errors.append(
                InputError(
                    "attachments",
                    f"El archivo «{name}» supera el límite de "
                    f"{megabytes(limits.max_attachment_bytes)}.",
                )
            )
            continue
        if not upload.content:
            errors.append(InputError("attachments", f"El archivo «{name}» está vacío."))
            continue
        if upload.content_type and not declared_type(upload.content_type):
            errors.append(
                InputError(
                    "attachments",
                    f"El tipo del archivo «{name}» no es válido (content_type debe ser como "
                    "application/pdf).",
                )
            )
            continue
        kept.append(
            Attachment(
                name[:200], attachment_type(upload.content_type, upload.content), upload.content
            )
        )
    return tuple(kept)


def build_message(
    fields: dict[str, str],
    uploads: list[Upload],
    limits: Limits,
    now: datetime | None = None,
    *,
    provider_id: str = "",
) -> InboundMessage:
    """Validate one submission; InvalidInput lists every problem by field.

    `provider_id` names the submission (a repeat of it is the same message); a random one
    when empty. Either way it is the citizen's receipt token: it must be unguessable.
    """
    errors: list[InputError] = []
    clean = {
        key: without_control_characters(fields.get(key) or "").strip()
        for key in ("type", "name", "email", "phone", "subject", "text")
    }
    for key, value in clean.items():
        if not is_text(value):
            errors.append(InputError(key, "Tiene caracteres que no son texto. Escríbalo de nuevo."))
            clean[key] = ""
    if clean["type"] and clean["type"] not in REQUEST_TYPES:
        options = ", ".join(REQUEST_TYPES)
        errors.append(InputError("type", f"Tipo de solicitud desconocido. Use uno de: {options}."))
    if len(clean["name"]) > 200:
        errors.append(InputError("name", "El nombre es demasiado largo (máximo 200 caracteres)."))
    if len(clean["subject"]) > 200:
        errors.append(
            InputError("subject", "El asunto es demasiado largo (máximo 200 caracteres).")
        )
    if not clean["text"]:
        errors.append(InputError("text", "Escriba su solicitud: el texto no puede estar vacío."))
    elif len(clean["text"]) > limits.max_text_chars:
        errors.append(
            InputError(
                "text",
                f"El texto es demasiado largo (máximo "
                f"{limits.max_text_chars} caracteres). Puede adjuntarlo "
                "como archivo.",
            )
        )
    email = _check_email(clean["email"], errors)
    phone = _check_phone(clean["phone"], errors)
    attachments = _check_attachments(uploads, limits, errors)
    if errors:
        raise InvalidInput(errors)
    return InboundMessage(
        channel="web",
        provider_id=provider_id or secrets.token_urlsafe(16),
        received_at=now or datetime.now(UTC),
        text=clean["text"],
        sender=email or phone,
        sender_name=clean["name"],
        subject=clean["subject"],
        reply_email=email,
        reply_phone=phone,
        requested_type=clean["type"],
        attachments=attachments,
        raw=json.dumps(clean, ensure_ascii=False).encode(),
    )


TYPE_CHOICES = [("", "No sé / que lo decida la entidad")] + [
    (slug, TYPE_LABELS[slug]) for slug in REQUEST_TYPES
]
