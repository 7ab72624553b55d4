"""Who wrote a message: the identities that recognise one citizen across channels (no I/O).

An identity is a kind and a normalised value: `email:` (the address, lower-case), `phone:`
(E.164), `telegram:` (the user id), `x:` (the account id) and `cedula:` (a cédula de
ciudadanía number the writer gives as their own). The store links every identity to one
person (store/identity.py), so an e-mail and a WhatsApp message of one citizen who gives
the same cédula, or the same address in the form, are one person's.

When a cédula links (the rule; the README says it for staff). A number in the text links
only when the writer presents it as their own:
1. possessive: "mi cédula es 52.345.678", "mi número de cédula: …", "mi c.c. …";
2. self-identification in the first person: "Yo, Ana Ruiz, identificada con la cédula de
   ciudadanía No. 52.345.678 de Bogotá", "la suscrita, identificada con C.C. …",
   "me identifico con cédula …", or "Identificada con C.C. …" opening a line (the writer
   is its subject);
3. the signature: one of the last three lines is a name (at most five words) and the
   cédula, "C.C. 52345678 de Bogotá", "CC 1.023.456.789".
And never when the text speaks for someone else: a lawyer ("apoderado", "poderdante",
"T.P."), a representative ("en nombre de", "en representación de", "a favor de"), or a
relative ("mi hijo", "mi mamá", "el menor"...). There the cédulas in the text, even the one
under the signature, may be the represented person's, and linking them to the writer's
address would make one person of two citizens (the lawyer's two clients). Nor when two
different numbers qualify: we cannot tell which is the writer's. A cédula de extranjería,
a tarjeta de identidad or a NIT never links (other numbering, other people).
A missed link costs a second radicado; a wrong one would silence a citizen's request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from ventanilla.routing.text import closing_start, fold, strip_quoted

KINDS = ("email", "phone", "telegram", "x", "cedula")
PHONE_CHANNELS = ("sms", "whatsapp", "voice")


@dataclass(frozen=True, order=True)
class Identity:
    kind: str
    value: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


def phone_e164(number: str, region: str = "CO") -> str:
    """+573001234567 for "300 123 4567", "(57) 300...", "+57 300..."; "" if not a number."""
    try:
        parsed = phonenumbers.parse(number.strip(), region)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def email_address(value: str) -> str:
    """The address lower-cased, or "" when it is not one plain address."""
    address = value.strip().lower()
    local, at, domain = address.partition("@")
    if not at or not local or "." not in domain or re.search(r"[\s<>,;@]", local + domain):
        return ""
    return address[:320]


def identities_of(
    channel: str,
    sender: str,
    *,
    reply_email: str = "",
    reply_phone: str = "",
    text: str = "",
    region: str = "CO",
) -> tuple[Identity, ...]:
    """Every identity a message carries, sorted and without repeats."""
    found: set[Identity] = set()
    who = sender.strip()
    if who.startswith("tg:") and who[3:]:
        found.add(Identity("telegram", who[3:]))
    elif who.startswith("x:") and who[2:]:
        found.add(Identity("x", who[2:]))
    elif "@" in who:
        _add(found, "email", email_address(who))
    elif who and (channel in PHONE_CHANNELS or channel == "web"):
        _add(found, "phone", phone_e164(who, region))
    _add(found, "email", email_address(reply_email) if reply_email else "")
    _add(found, "phone", phone_e164(reply_phone, region) if reply_phone else "")
    cedula = own_cedula(text)
    if cedula:
        found.add(Identity("cedula", cedula))
    return tuple(sorted(found))


# Channels whose sender the citizen types: nothing vouches for it.
TYPED_CHANNELS = ("web",)


def verified_identities(channel: str, sender: str, region: str = "CO") -> tuple[Identity, ...]:
    """What the channel itself vouches for: the e-mail's From, the Telegram chat, the X
    account, the SMS or WhatsApp number. The form's e-mail and phone, and a cédula in any
    text, are typed: anyone can type another citizen's (store/identity.py)."""
    if channel in TYPED_CHANNELS:
        return ()
    return identities_of(channel, sender, region=region)


def contact_identity(contact: str, region: str = "CO") -> Identity | None:
    """The identity a citizen types to prove a case is theirs: an e-mail address, or a
    phone number in any usual writing; None when it is neither."""
    if "@" in contact:
        address = email_address(contact)
        return Identity("email", address) if address else None
    number = phone_e164(contact, region) if contact.strip() else ""
    return Identity("phone", number) if number else None


def _add(found: set[Identity], kind: str, value: str) -> None:
    if value:
        found.add(Identity(kind, value))


# -- the cédula the writer gives as their own ----------------------------------------------

# On folded text (lower-case, accents gone but ñ kept, punctuation but dots turned to spaces).
_DOCUMENT = r"(?:c\s?\.?\s?c\b\.?|cedula(?:\s+de\s+ciudadania)?|numero\s+de\s+cedula)"
_NUMBER_LABEL = r"(?:(?:no|nro|num|numero|n)\b\.?\s*)?"
_NUMBER = r"(?P<number>\d{1,3}(?:[. ]\d{3}){1,3}|\d{6,10})(?![\d]|\.\d)"
_CEDULA = re.compile(
    rf"(?<![a-z0-9ñ])(?P<document>{_DOCUMENT})[\s.:]*(?:es\s+(?:el\s+)?)?{_NUMBER_LABEL}{_NUMBER}"
)
_DIGITS = re.compile(r"\d{3}")
_POSSESSIVE = re.compile(r"\bmi\s+(?:numero\s+de\s+)?$")
# First-person openings of a self-identification, and who else could be its subject.
_FIRST_PERSON = re.compile(r"\b(?:yo|suscrit[oa]|me\s+identifico|mi\s+nombre\s+es)\b")
_THIRD_PERSON = re.compile(
    r"\b(?:se[ñn]or|se[ñn]ora|sr|sra|don|do[ñn]a|ciudadan[oa]|afectad[oa]|beneficiari[oa]|quien|"
    r"usuari[oa]|trabajador[a]?|paciente|titular|interesad[oa]|solicitante|peticionari[oa])\b"
)
_OPENING = re.compile(r"^(?:(?:buenos dias|buenas tardes|buenas noches|cordial saludo|hola)\s*)?$")
# The signature: a closing line, then up to five words of a name and the cédula, maybe
# "de <city>", on one of the last lines.
_SIGNATURE = re.compile(
    rf"^(?:[a-zñ]+\s+){{0,5}}{_DOCUMENT}[\s.:]*{_NUMBER_LABEL}{_NUMBER}"
    r"(?:\s+de\s+[a-zñ .]{2,30})?\.?$"
)
SIGNATURE_LINES = 3
# A text naming more document numbers than this lists people (a lawyer's clients, a
# family): none of them can be told to be the writer's. And each number is judged by
# what precedes it on its line, so reading every one of thousands on one long line would
# take time quadratic in the line (minutes for a hostile 1 MB line).
MAX_DOCUMENT_NUMBERS = 10

# Writing for someone else: a lawyer, a representative, a relative, a guardian.
_ON_BEHALF = re.compile(
    r"\b(?:"
    r"en\s+nombre\s+(?:y\s+representacion\s+)?del?|a\s+nombre\s+del?|en\s+representacion\s+del?|"
    r"represent(?:o|a|amos|ante|ando)|apoderad[oa]s?|poderdantes?|mandante|"
    r"agente\s+oficios[oa]|en\s+calidad\s+de|actuando\s+como|obrando\s+como|abogad[oa]|"
    r"tarjeta\s+profesional|t\s?\.\s?p\b|a\s+favor\s+del?|tutor[a]?|curador[a]?|acudiente|"
    r"(?:el|la|un|una)\s+menor|tarjeta\s+de\s+identidad|"
    r"mis?\s+(?:hij[oa]s?|ni[ñn][oa]s?|menor|madre|padre|mama|papa|mami|papi|espos[oa]|"
    r"conyuge|compa[ñn]er[oa]|herman[oa]|abuel[oa]|niet[oa]|sobrin[oa]|ti[oa]|prim[oa]|"
    r"suegr[oa]|yerno|nuera|cu[ñn]ad[oa]|client[ea]s?|familiar|pariente|vecin[oa]|amig[oa]|"
    r"representad[oa]|pupil[oa]|protegid[oa])"
    r")\b"
)


def speaks_for_another(text: str) -> bool:
    """Whether the writer says they write for someone else (lawyer, relative, guardian)."""
    return folded_speaks_for_another(fold(text))


def folded_speaks_for_another(folded: str) -> bool:
    """`speaks_for_another` of a text already folded (routing.text.fold)."""
    return bool(_ON_BEHALF.search(folded))


def own_cedula(text: str) -> str:
    """The cédula number the writer gives as their own (digits only), or ""."""
    if not _DIGITS.search(text):
        return ""  # most messages: no number at all
    lines = [folded for line in strip_quoted(text).splitlines() if (folded := fold(line))]
    if _ON_BEHALF.search("\n".join(lines)):
        return ""
    signature = _signature_lines(lines)
    numbers: set[str] = set()
    read = 0
    for index, line in enumerate(lines):
        for found in _CEDULA.finditer(line):
            read += 1
            if read > MAX_DOCUMENT_NUMBERS:
                return ""
            number = re.sub(r"\D", "", found.group("number"))
            if not 6 <= len(number) <= 10 or number.startswith("0"):
                continue
            before = line[: found.start()]
            if (
                _POSSESSIVE.search(before)
                or _self_identified(before)
                or (index in signature and _SIGNATURE.match(line))
            ):
                numbers.add(number)
    return numbers.pop() if len(numbers) == 1 else ""


def _signature_lines(lines: list[str]) -> set[int]:
    """The last lines, when a closing ("Atentamente", "Gracias") comes just before them."""
    start = closing_start(lines)
    if start is None:
        return set()
    return {n for n in range(max(0, len(lines) - SIGNATURE_LINES), len(lines)) if n > start}


_IDENTIFIED_WITH = re.compile(r"\b(?:identificad[oa]\s+con|portador[a]?\s+de|con)\s+(?:la\s+)?$")


def _self_identified(before: str) -> bool:
    """ "… identificado con" in the first person: after "yo"/"suscrito"/"me identifico",
    with nobody else named in between, or opening the line."""
    phrase = _IDENTIFIED_WITH.search(before)
    if phrase is None:
        return False
    head = before[: phrase.start()]
    openings = list(_FIRST_PERSON.finditer(head))
    if openings:
        return not _THIRD_PERSON.search(head[openings[-1].end() :])
    return bool(_OPENING.match(head.strip(" ,")))
