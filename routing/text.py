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
