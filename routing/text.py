"""Text normalisation shared by the routing decisions (no I/O)."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^a-z0-9ñ@.+ ]+")


def fold(text: str) -> str:
    """Lower-case, accents removed (but ñ kept), punctuation and runs of spaces collapsed.

    Citizens write "peticion", "PETICIÓN" and "petición" for the same word.
    """
    # NFC first: a decomposed ñ (n + combining tilde) must be kept like a composed one.
    lowered = unicodedata.normalize("NFC", text).lower().replace("ñ", "\0")
    stripped = "".join(
        char for char in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(char)
    ).replace("\0", "ñ")
    return _SPACE.sub(" ", _NON_WORD.sub(" ", stripped)).strip()


# Where a reply's quoted history starts: "El lun, 3 nov 2026 ... escribió:", Outlook's
# "-----Mensaje original-----" or "De: ... Enviado:" block, and the English forms.
_QUOTE_START = re.compile(
    r"^(?:"
    r"(?:el|on)\s.{0,200}(?:escribi[oó]|wrote)\s*:\s*$"
    r"|-{2,}\s*(?:mensaje original|original message|forwarded message|mensaje reenviado)"
    r"|(?:de|from)\s*:\s.+$"
    r")",
    re.IGNORECASE,
)
# Where a signature starts: the "-- " delimiter, or a phone's "Sent from my ..." line.
_SIGNATURE_START = re.compile(
    r"^(?:--\s?$|_{5,}$|enviado desde mi\b|sent from my\b|obtener outlook para)", re.IGNORECASE
)


def strip_quoted(text: str) -> str:
    """The citizen's own words: quoted replies (">" lines and the history below an
    "... escribió:" line) and the signature removed. Falls back to the whole text."""
    kept: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if _QUOTE_START.match(stripped) and kept:
            break
        if _SIGNATURE_START.match(stripped):
            break
        if stripped.startswith(">"):
            continue
        kept.append(line)
    own = "\n".join(kept).strip()
    return own or text.strip()


# A closing that starts the sign-off ("Atentamente," then name and cédula), on a folded line.
_CLOSING = re.compile(
    r"^(?:atentamente|cordialmente|gracias|muchas gracias|saludos|cordial saludo|att|atte|"
    r"firma|agradezco su atencion)\b"
)
# How far from the end a closing may be: the name, a cédula and a phone follow it.
CLOSING_LINES = 4
_GREETING = re.compile(
    r"^\s*(?:hola|buen[oa]s?\s+(?:d[ií]as|tardes|noches)|cordial(?:es)?\s+saludos?|saludos)"
    r"\b[\s,.:;!¡]*",
    re.IGNORECASE,
)


def closing_start(lines: list[str]) -> int | None:
    """The index of the line that opens the sign-off, among the last lines, or None."""
    filled = [n for n, line in enumerate(lines) if line.strip()]
    for n in filled[-CLOSING_LINES - 1 :]:
        if _CLOSING.match(fold(lines[n][:40])):  # the closing words open the line
            return n
    return None


def request_words(text: str) -> str:
    """The citizen's own words without the greeting before and the sign-off after:
    what two messages of one request have in common."""
    lines = strip_quoted(text).splitlines()
    end = closing_start(lines)
    body = "\n".join(lines[:end] if end else lines)
    return _GREETING.sub("", body, count=1).strip() or body.strip()
