"""What an SMS costs: GSM 03.38 / UCS-2 encoding, segment counts, and fitting a text.

Twilio bills an SMS per segment. A text that uses only the GSM 03.38 7-bit alphabet
(GSM-7) carries 160 septets in one segment, or 153 per segment once it has to be
concatenated (the other septets hold the concatenation header). A single character outside
that alphabet makes the whole message UCS-2: 70 UTF-16 code units in one segment, 67 per
segment when concatenated. Spanish has "á", "í", "ó", "ú", which GSM-7 lacks, so one
accent can triple the cost of an acknowledgement; `fit_sms` transliterates them when that
keeps the text in GSM-7.

Pure decisions: this module does no I/O (no network, no files, no logging). The Twilio
adapter calls `fit_sms` on the rendered acknowledgement before sending it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Final, Literal

# GSM 03.38 default alphabet (3GPP TS 23.038, 6.2.1), in table order 0x00-0x7F, without
# 0x1B: that is the escape to the extension table, not a character. Each costs 1 septet.
GSM7_BASIC: Final[frozenset[str]] = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"  # 0x00-0x0F
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"  # 0x10-0x1F (0x1B escape left out)
    " !\"#¤%&'()*+,-./"  # 0x20-0x2F
    "0123456789:;<=>?"  # 0x30-0x3F
    "¡ABCDEFGHIJKLMNO"  # 0x40-0x4F
    "PQRSTUVWXYZÄÖÑÜ§"  # 0x50-0x5F
    "¿abcdefghijklmno"  # 0x60-0x6F
    "pqrstuvwxyzäöñüà"  # 0x70-0x7F
)

# The extension table (3GPP TS 23.038, 6.2.1.1): escape + character, so 2 septets each.
# Form feed (0x0A) is the page break; 0x0D and 0x1B are control codes, not characters.
GSM7_EXTENSION: Final[frozenset[str]] = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE: Final = 160
GSM7_CONCATENATED: Final = 153
UCS2_SINGLE: Final = 70
UCS2_CONCATENATED: Final = 67

Encoding = Literal["GSM-7", "UCS-2"]


@dataclass(frozen=True)
class SmsCost:
    """How a text travels: its encoding, its length in that encoding, and its segments.

    `units` are septets for GSM-7 (an extension character counts 2) and UTF-16 code units
    for UCS-2 (a character outside the Basic Multilingual Plane, like an emoji, counts 2).
    `characters` is the number of Unicode code points, for comparison.
    """

    encoding: Encoding
    characters: int
    units: int
    segments: int


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def segments(text: str) -> SmsCost:
    """The encoding a text needs and the number of segments it takes.

    A concatenated message never splits a character across two segments: an escape
    sequence (GSM-7 extension) or a surrogate pair (UCS-2) that would straddle the
    boundary moves whole to the next segment, as phones and carriers do. An empty text
    still costs one segment.
    """
    if is_gsm7(text):
        encoding: Encoding = "GSM-7"
        sizes = [2 if char in GSM7_EXTENSION else 1 for char in text]
        single, concatenated = GSM7_SINGLE, GSM7_CONCATENATED
    else:
        encoding = "UCS-2"
        sizes = [2 if ord(char) > 0xFFFF else 1 for char in text]
        single, concatenated = UCS2_SINGLE, UCS2_CONCATENATED
    units = sum(sizes)
    return SmsCost(encoding, len(text), units, _count_segments(sizes, units, single, concatenated))


def _count_segments(sizes: list[int], units: int, single: int, concatenated: int) -> int:
    if units <= single:
        return 1
    count, used = 1, 0
    for size in sizes:
        if used + size > concatenated:
            count, used = count + 1, 0
        used += size
    return count


# Closest GSM-7 spelling of characters outside the alphabet that Spanish texts carry. The
# vowels with an acute accent are listed even though NFKD would find them, so the table
# reads as the rule. Characters already in GSM-7 (é, É, ñ, Ñ, ü, Ü, ¡, ¿, à, è, ...) never
# get here: `to_gsm7` keeps them.
TRANSLITERATIONS: Final[dict[str, str]] = {
    "á": "a",
    "í": "i",
    "ó": "o",
    "ú": "u",
    "Á": "A",
    "Í": "I",
    "Ó": "O",
    "Ú": "U",
    "º": "o",  # ordinal indicators: 1º, 1ª
    "ª": "a",
    "°": "o",  # degree sign, often written for "número": N° 5
    "‘": "'",
    "’": "'",
    "‚": "'",
    "‛": "'",
    "′": "'",
    "´": "'",
    "`": "'",
    "‹": "'",
    "›": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "‟": '"',
    "″": '"',
    "«": '"',
    "»": '"',
    "‐": "-",  # hyphen, non-breaking hyphen, figure dash, en dash, em dash, bar, minus
    "‑": "-",
    "‒": "-",
    "–": "-",
    "—": "-",
    "―": "-",
    "−": "-",
    "…": "...",
    "•": "-",
    "·": ".",
    "×": "x",
    "÷": "/",
    "⁄": "/",
    "\t": " ",
    "\u00a0": " ",  # no-break space
    "\u202f": " ",  # narrow no-break space
    "\u2007": " ",  # figure space
    "\u2009": " ",  # thin space
    "\u2028": "\n",  # line separator
    "\u2029": "\n",  # paragraph separator
    "\u00ad": "",  # soft hyphen: invisible unless the line breaks there
    "\u200b": "",  # zero-width space
    "\u200c": "",  # zero-width non-joiner
    "\u200d": "",  # zero-width joiner (inside emoji sequences)
    "\u2060": "",  # word joiner
    "\ufe0e": "",  # variation selectors (text / emoji presentation)
    "\ufe0f": "",
    "\ufeff": "",  # byte order mark
}


def _transliterate(text: str) -> tuple[str, bool]:
    """The GSM-7 spelling of `text`, and whether nothing had to become '?'."""
    out: list[str] = []
    lossless = True
    # NFC first: "o" + combining acute must be handled like "ó", and "e" + combining
    # acute becomes "é", which GSM-7 has.
    for char in unicodedata.normalize("NFC", text):
        if char in GSM7_BASIC or char in GSM7_EXTENSION:
            out.append(char)
        elif char in TRANSLITERATIONS:
            out.append(TRANSLITERATIONS[char])
        else:
            spelled = _decompose(char)
            lossless = lossless and spelled is not None
            out.append("?" if spelled is None else spelled)
    return "".join(out), lossless


def _decompose(char: str) -> str | None:
    """NFKD without its combining marks ("â" -> "a", "ﬁ" -> "fi"); None if still not GSM-7."""
    if unicodedata.category(char) in ("Mn", "Me", "Cf") or 0x1F3FB <= ord(char) <= 0x1F3FF:
        return ""  # a stray combining mark, format character or skin-tone modifier
    parts = [
        TRANSLITERATIONS.get(part, part)
        for part in unicodedata.normalize("NFKD", char)
        if not unicodedata.combining(part)
    ]
    spelled = "".join(parts)
    if spelled and is_gsm7(spelled):
        return spelled
    return None


def to_gsm7(text: str) -> str:
    """`text` spelled with the GSM-7 alphabet only.

    Characters GSM-7 has are kept (é, ñ, ü, ¡, ¿ among them); Spanish accents it lacks
    lose the accent (á -> a); typographic quotes, dashes, ellipsis and special spaces
    become their plain forms; anything else loses its accents through NFKD, or becomes
    '?' when nothing close exists (an emoji, a Chinese character).
    """
    return _transliterate(text)[0]


def fit_sms(text: str, max_segments: int = 2) -> str:
    """The cheapest faithful version of `text` that fits in `max_segments` segments.

    1. `text` itself if it is already GSM-7 and fits;
    2. else its GSM-7 transliteration, if that fits and lost nothing but accents or
       typography (a "?" for an emoji or a non-Latin name would change what the citizen
       reads, so then the original in UCS-2 is preferred when it fits);
    3. else `text` as written in UCS-2, if it fits;
    4. else the transliteration even if it has a "?", if it fits;
    5. else ValueError naming the segments it would need.
    """
    if max_segments < 1:
        raise ValueError(f"max_segments must be at least 1, not {max_segments}")
    original = segments(text)
    if original.encoding == "GSM-7" and original.segments <= max_segments:
        return text
    gsm, lossless = _transliterate(text)
    gsm_cost = segments(gsm)
    gsm_fits = gsm_cost.segments <= max_segments
    if gsm_fits and lossless:
        return gsm
    if original.segments <= max_segments:
        return text
    if gsm_fits:
        return gsm
    raise ValueError(
        f"SMS needs {min(gsm_cost.segments, original.segments)} segments "
        f"({gsm_cost.segments} in GSM-7 after transliteration, {gsm_cost.units} septets; "
        f"{original.segments} as written in {original.encoding}, {original.units} units); "
        f"at most {max_segments} allowed"
    )
