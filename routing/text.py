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
