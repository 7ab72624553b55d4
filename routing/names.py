"""Whether a sender's name may be written back to them in an official message (no I/O).

A name typed in the web form, or a chat's display name, is unverified free text: written
into the entity's acknowledgement it would turn the acknowledgement into a relay for
whatever it says ("URGENTE: valide sus datos en https://..."), mailed to any address
typed beside it. `plausible_name` keeps it only when it looks like a person's name:

- at most 80 characters and 6 words once runs of spaces are collapsed, not counting the
  particles of Spanish names ("María de los Ángeles Rodríguez de la Torre" is 5 words);
- letters of any script (accents included), spaces, apostrophes, hyphens and dots only:
  so no digits, no '@', no ':' or '/' of a link, no emoji, no control characters;
- a dot only after an initial or abbreviation ("J.", "Ma."), never between letters
  as in a domain ("banco.co", "www.example.com");
- none of the words phishing uses to alarm (`ALARM_WORDS`: "urgente", "valide"...).

Anything else gives "", and the message says "Hola:" without a name.
"""

from __future__ import annotations

import re
import unicodedata

from ventanilla.routing.text import fold_plain

MAX_NAME_CHARS = 80
MAX_NAME_WORDS = 6
PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "e", "da", "do", "van", "von"})
# Folded (lower-case, no accents): words no one is named but that ask the reader to act.
ALARM_WORDS = frozenset(
    {
        "urgente",
        "urgent",
        "valide",
        "validar",
        "verifique",
        "verificar",
        "confirme",
        "actualice",
        "ingrese",
        "clic",
        "click",
        "enlace",
        "link",
        "bloqueo",
        "bloqueada",
        "bloqueado",
        "suspendida",
        "cuenta",
        "datos",
        "clave",
        "contrasena",
        "premio",
        "ganador",
        "gratis",
        "pago",
        "multa",
        "embargo",
        "banco",
        "www",
        "http",
        "https",
    }
)
_APOSTROPHES_AND_HYPHENS = frozenset("'’‘-‐‑")
# A dot followed by a letter: a domain or a file name, not an initial ("J. R." is fine,
# "J.R." too: one letter after the dot).
_DOTTED_WORD = re.compile(r"\.[^\W\d_]{2}")


def plausible_name(text: str) -> str:
    """The name with its spaces collapsed, or "" when it does not look like a name."""
    name = " ".join(unicodedata.normalize("NFC", text).split())
    words = [word for word in name.split() if word.lower() not in PARTICLES]
    if not name or len(name) > MAX_NAME_CHARS or len(words) > MAX_NAME_WORDS:
        return ""
    if not all(_name_character(char) for char in name):
        return ""
    if not any(unicodedata.category(char).startswith("L") for char in name):
        return ""  # only dots and hyphens
    if _DOTTED_WORD.search(name):
        return ""
    if ALARM_WORDS.intersection(re.findall(r"[a-z]+", fold_plain(name))):
        return ""
    return name


def _name_character(char: str) -> bool:
    category = unicodedata.category(char)
    # L*: letters of any script; M*: the combining accents of a decomposed "é".
    return category[0] in "LM" or char in " ." or char in _APOSTROPHES_AND_HYPHENS
