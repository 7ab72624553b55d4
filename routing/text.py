"""Text normalisation shared by the routing decisions (no I/O)."""

from __future__ import annotations

import functools
import re
import unicodedata

_SPACE = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^a-z0-9ñ@.+ ]+")


class _WithoutMarks(dict[int, int | None]):
    """A `str.translate` table that deletes combining marks: filled as characters are met,
    so each one is asked of `unicodedata` once per process, not once per occurrence."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_WITHOUT_MARKS = _WithoutMarks()


# Texts up to this long are remembered folded: one message's text is folded by the
# classifier, its rules, dedupe and identity in turn. Longer ones are rare and would make
# the cache hold megabytes.
_FOLD_CACHED_CHARS = 20_000


def fold(text: str) -> str:
    """Lower-case, accents removed (but ñ kept), punctuation and runs of spaces collapsed.

    Citizens write "peticion", "PETICIÓN" and "petición" for the same word.
    """
    return _fold_cached(text) if len(text) <= _FOLD_CACHED_CHARS else _fold(text)


def fold_uncached(text: str) -> str:
    """`fold` without the cache: for pieces of a text (its lines) that no other step
    folds, so that they never push out the whole texts the routing steps share."""
    return _fold(text)


@functools.lru_cache(maxsize=256)
def _fold_cached(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    # NFC first: a decomposed ñ (n + combining tilde) must be kept like a composed one.
    lowered = unicodedata.normalize("NFC", text).lower().replace("ñ", "\0")
    stripped = unicodedata.normalize("NFKD", lowered).translate(_WITHOUT_MARKS).replace("\0", "ñ")
    return _SPACE.sub(" ", _NON_WORD.sub(" ", stripped)).strip()


@functools.lru_cache(maxsize=64)
def fold_plain(text: str) -> str:
    """`fold`, and ñ written n too: the form rules match on (`routing.priority`, `offices`,
    `faq`). Many keyboards and phones have no ñ, so "contrasena" and "contraseña", "anos"
    and "años" must be one word to a pattern.

    Cached for the last few texts: radicating one case folds the same text for its flags,
    its office and its frequent question (and a worker's threads interleave their cases).
    """
    return fold(text).replace("ñ", "n")


def forget_folded() -> None:
    """Empty the fold caches (a benchmark timing the folding itself)."""
    _fold_cached.cache_clear()
    fold_plain.cache_clear()


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


def pattern_problem(pattern: str) -> str:
    """Why a regular expression meant for `fold_plain` text can never match ("" if fine)."""
    try:
        re.compile(pattern)
    except re.error as error:
        return f"not a regular expression ({error})"
    # Folded text has no capitals, no accents and no ñ: a pattern with them never matches.
    # Escapes (\b, \w, \S) are left out of the check.
    literal = re.sub(r"\\.", "", pattern)
    if any(char.isupper() or (char.isalpha() and not char.isascii()) for char in literal):
        return (
            "patterns run on folded text (lower case, no accents, n for ñ): "
            f"write {_fold_letters(pattern)!r}, not {pattern!r}"
        )
    return ""


def _fold_letters(pattern: str) -> str:
    return "".join(fold_plain(char) if char.isalpha() else char for char in pattern)


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
