"""Priority and review flags of a request, and the response date they lead to (no I/O).

`priority_flags` reads the citizen's words folded (`routing.text.fold_plain`: lower case,
no accents, n for ñ, so "TENGO 15 AÑOS" and "tengo 15 anos" are one thing) and marks what
the law or staff must see. Each flag carries the words that raised it and its legal basis,
so staff can check the decision. It must not decide the type of the request (that is
`routing.classify`), and it never reads settings: the table of shortened terms comes in as
an argument.

The law behind the flags:

* `riesgo_derecho_fundamental`, `periodista`: Ley 1437 de 2011 art. 20, as replaced by Ley
  1755 de 2015. Priority attention for a petition to recognise a fundamental right when it
  must be resolved to avoid irreparable harm; when health or personal safety puts life or
  integrity in imminent danger the authority takes urgent measures *de inmediato*, whatever
  the petition's own procedure; a journalist's petition for their work is handled
  preferentially (*se tramitará preferencialmente*).
* `nna`: a petition made by a child or adolescent. Ley 1098 de 2006 (Código de la Infancia y
  la Adolescencia) arts. 8 and 9 (best interest of the child, and the prevalence of their
  rights over anyone else's) and art. 41 (the State's duties to guarantee them); Ley 1437 de
  2011 art. 5 num. 6 (special and preferential attention to children and adolescents).
  Decided: the flag marks the child as the *petitioner* ("soy menor de edad", "tengo 15
  años", "estoy en grado 10"). A parent writing about their child ("mi hijo tiene 15 años")
  is an adult's petition and is not flagged `nna`; when the child's health or safety is at
  stake, `riesgo_derecho_fundamental` marks it anyway.
* `discapacidad`: Ley 1437 de 2011 art. 5 num. 6 (special and preferential attention to
  persons with disability) and Ley Estatutaria 1618 de 2013. Raised when the writer, or the
  person they write for ("mi hijo con discapacidad"), has a disability; a question about
  disability in general ("¿qué incentivos hay por contratar personas con discapacidad?") is
  not.
* `anonimo`: nobody to answer (no name, no address); the caller says so. The answer is then
  published (Ley 1437 de 2011 art. 69: notice published when the addressee is unknown).
* `idioma_extranjero`: the text is not in Spanish, the official language (Constitución art.
  10); it is still a petition and still filed, but someone must translate it.
* `denuncia_corrupcion`: words of corruption (soborno, coima, an official asking for money,
  peculado, tráfico de influencias). Ley 1474 de 2011 art. 76, Ley 2195 de 2022. The type
  stays the classifier's decision; this flag only marks corruption for staff.

Only `nna`, `periodista`, `riesgo_derecho_fundamental` and `discapacidad` mean priority
attention (`is_priority`). The law gives priority attention no number of days (only "de
inmediato" for imminent danger to life or integrity); an entity's own PQRSDF regulation may
shorten its terms. That is the `[priority] term_days` table (flag slug -> business days,
empty by default: no shortening), and `due_date` applies the shortest applicable term.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from ventanilla.routing.terms import BusinessCalendar, term_days
from ventanilla.routing.text import fold_plain

LEY_1755_ART_20: Final = "Ley 1755 de 2015, art. 20"
CPACA_ART_5: Final = "Ley 1437 de 2011, art. 5, num. 6"

# Each flag's legal basis, as the citizen and staff read it (citations, so that flags that
# share one say it once).
BASIS: Final[dict[str, tuple[str, ...]]] = {
    "nna": ("Ley 1098 de 2006, arts. 8, 9 y 41", CPACA_ART_5),
    "periodista": (LEY_1755_ART_20,),
    "riesgo_derecho_fundamental": (LEY_1755_ART_20,),
    "discapacidad": (CPACA_ART_5, "Ley 1618 de 2013"),
    "anonimo": ("Ley 1437 de 2011, art. 69",),
    "idioma_extranjero": ("Constitución Política, art. 10",),
    "denuncia_corrupcion": ("Ley 1474 de 2011, art. 76", "Ley 2195 de 2022"),
}
FLAG_SLUGS: Final[tuple[str, ...]] = tuple(BASIS)
PRIORITY_SLUGS: Final = frozenset(
    {"nna", "periodista", "riesgo_derecho_fundamental", "discapacidad"}
)


@dataclass(frozen=True)
class Flag:
    slug: str
    reason: str  # the words that raised it, or the rule
    basis: str  # the legal basis


_AGE = (
    r"(?:1[0-7]|[6-9]|seis|siete|ocho|nueve|diez|once|doce|trece|catorce|quince|dieciseis"
    r"|diecisiete)"
)
# "tengo 15 años de experiencia" is an adult: what follows the age says which it is.
_NOT_MY_AGE = (
    r"(?! (?:de (?:experiencia|servicio|trabaj|labor|cotiz|antiguedad|casad|estar|vivir|haber"
    r"|residencia|residir|estudi|ejercicio|edad laboral)|trabajando|laborando|cotizando"
    r"|viviendo|buscando|esperando|estudiando|en (?:el|la|este|esta|ese|esa|mi|su)\b"
    r"|con (?:la|el|mi)\b|sin\b|desde\b|que\b))"
)
_GRADE = r"(?:sexto|septimo|octavo|noveno|decimo|once|undecimo)"
_RELATIVE = r"(?:hij[oa]|espos[oa]|herman[oa]|mama|papa|madre|padre|niet[oa])"

# slug -> alternatives; patterns run on folded text and the matched words are the reason.
_RULES: Final[dict[str, tuple[str, ...]]] = {
    "nna": (
        r"\bsoy (?:un |una )?(?:menor(?: de edad)?|adolescente|nino|nina)\b",
        rf"\b(?:tengo|cumpli|tengo apenas) {_AGE} anos\b{_NOT_MY_AGE}",
        rf"\b(?:estoy|voy|curso|estudio) (?:en )?(?:el )?grado (?:[6-9]|1[01]|{_GRADE})\b",
        rf"\b(?:estoy|voy) en {_GRADE}\b",
        r"\bsoy (?:estudiante|alumn[oa]) de(?:l)? (?:colegio|bachillerato|secundaria)\b",
        r"\b(?:estudio|estoy) en (?:el )?colegio\b",
        r"\bmi tarjeta de identidad\b|\b(?:tengo|con) tarjeta de identidad\b",
    ),
    "periodista": (
        r"\bpara (?:una|la) nota (?:periodistica|de prensa|informativa|sobre|que estoy"
        r"|que estamos)",
        r"\bpara (?:un|el|nuestro) (?:reportaje|articulo periodistico|informe especial)\b",
        r"\breportaje (?:sobre|acerca)\b|\binvestigacion periodistica\b",
        r"\b(?:somos|desde) (?:el |la |un |una )?(?:periodico|diario|noticiero|emisora|revista"
        r"|medio de comunicacion|sala de redaccion)\b",
        r"\b(?:equipo|sala) de (?:prensa|redaccion) (?:de|del) (?:el |la )?(?:periodico|diario"
        r"|noticiero|emisora|revista|canal)\b",
    ),
    "riesgo_derecho_fundamental": (
        r"\bno (?:tengo|tenemos) (?:ni )?(?:para|que|con que) comer\b",
        r"\b(?:aguantando|pasando|aguantamos|pasamos|aguanto|paso) hambre\b",
        r"\bmis hijos (?:no tienen (?:que|para) comer|tienen hambre|estan aguantando hambre)\b",
        r"\bme (?:van a|quieren|piensan) (?:desalojar|lanzar|echar a la calle|matar"
        r"|sacar de (?:la casa|donde vivo|la pieza))\b",
        r"\b(?:orden|amenaza) de desalojo\b|\bdesalojo\b",
        r"\bamenazas? de muerte\b|\bme (?:han |estan )?amenaza(?:ndo|do|ron)\b",
        r"\bestoy amenazad[oa]\b",
        r"\b(?:riesgo|peligro) (?:mi|la|nuestra) vida\b",
        r"\bmi vida (?:corre|esta en) (?:riesgo|peligro)\b",
        r"\bminimo vital\b|\bperjuicio irremediable\b|\b(?:accion de )?tutela\b",
        # A vacancy for a surgical assistant is not a surgery.
        r"\bcirugia\b(?<!auxiliar de cirugia)(?<!instrumentador de cirugia)"
        r"(?<!instrumentadora de cirugia)(?<!tecnico en cirugia)(?<!enfermera de cirugia)"
        r"(?<!jefe de cirugia)",
        r"\b(?:quimioterapia|dialisis|radioterapia)\b|\btengo cancer\b",
        # "estoy en la calle 26" is an address.
        r"\b(?:estoy|vivo|estamos|vivimos|durmiendo) en la calle\b(?! \d| numero| no \d| n \d)",
        r"\bviolencia intrafamiliar\b",
    ),
    "discapacidad": (
        r"\bsoy (?:una )?persona (?:con|en situacion de) discapacidad\b",
        r"\b(?:tengo|presento|padezco|vivo con|mi) (?:una )?(?:discapacidad"
        r"|limitacion (?:visual|auditiva|fisica))\b",
        r"\bsoy (?:sord[oa]|ciego|ciega|invidente|sordomud[oa]|paraplejic[oa]|cuadriplejic[oa]"
        r"|amputad[oa]|autista|persona sorda|persona ciega)\b",
        r"\btengo (?:baja vision|autismo|sindrome de down|paralisis cerebral)\b",
        r"\b(?:uso|ando en|me movilizo en|me muevo en|estoy en) (?:una )?silla de ruedas\b",
        r"\bcertificado de discapacidad\b",
        rf"\bmi {_RELATIVE} (?:tiene (?:una )?discapacidad|con discapacidad|tiene autismo"
        r"|es (?:sord[oa]|ciego|ciega|autista|invidente)|tiene sindrome de down"
        r"|(?:usa|anda en) silla de ruedas)\b",
    ),
    "denuncia_corrupcion": (
        r"\b(?:soborno\w*|sobornar\w*|coimas?|cohecho|peculado|concusion|malversacion)\b",
        r"\btrafico de influencias\b|\bcorrup(?:cion|to|ta|tos|tas)\b|\bmordidas?\b",
        r"\bserrucho\b|\bdesvio de (?:recursos|fondos|dineros)\b",
    ),
}
_COMPILED: Final = tuple(
    (slug, re.compile("|".join(alternatives))) for slug, alternatives in _RULES.items()
)

# An official asking for money is corruption; an agency or employer that charges a job
# seeker is a reclamo or denuncia of its own, which `routing.classify` decides.
_ASKED_MONEY: Final = re.compile(
    r"\b(?:pidio|pidieron|pide|piden|exigio|exigieron|cobro|cobraron|cobra|cobran) "
    r"(?:una )?(?:plata|platica|dinero|un billete|una comision|una cuota|una colaboracion|\d+)\b"
    r"|\bcobros? indebidos?\b"
)
_OFFICIAL: Final = re.compile(
    r"\b(?:funcionari[oa]s?|servidor(?:a)? public[oa]|contratista|asesor(?:a)? (?:del|de la) "
    r"(?:spe|unidad|servicio|entidad|agencia publica)|(?:el|la) (?:senor|senora|muchach[oa]) "
    r"de (?:la )?(?:ventanilla|entidad|oficina)|empleado (?:public|de la unidad))\b"
)
# Without an EPS is a risk when the person is ill.
_NO_EPS: Final = re.compile(r"\b(?:sin|no tengo|me (?:quitaron|sacaron de) la) eps\b")
_ILL: Final = re.compile(
    r"\b(?:enferm[oa]|enfermedad|medicamentos?|tratamiento|cancer|hospital\w*|urgencias|"
    r"diabet\w*|vih)\b"
)
# "Soy periodista" is a journalist's petition unless it is their own job search (the
# law's preference is for petitions "para el ejercicio de su actividad").
_JOURNALIST: Final = re.compile(
    r"\bsoy (?:un |una )?(?:periodista|reporter[oa])\b|\bcomo periodista\b"
    r"|\b(?:trabajo|escribo) para (?:el|un|la) (?:periodico|diario|noticiero|emisora|portal|"
    r"revista|canal)\b"
)
_JOB_SEARCH: Final = re.compile(
    r"\b(?:busco|buscando|necesito|conseguir) (?:trabajo|empleo)\b|\bmi hoja de vida\b"
    r"|\b(?:estoy|quede) (?:desemplead[oa]|sin (?:trabajo|empleo))\b|\bdesemplead[oa]\b"
    r"|\bpostularme\b|\bme postule\b"
)
# Media outlets in the sender's name ("Redacción El Tiempo"): the name is their signature.
_OUTLET: Final = re.compile(
    r"\b(?:redaccion|periodista|noticias|noticiero|el tiempo|el espectador|revista semana|"
    r"caracol|rcn|blu radio|la fm|w radio|el colombiano|el heraldo|el pais|vanguardia|"
    r"la republica|portafolio|pulzo|infobae|noticias uno|canal capital|la silla vacia|"
    r"publimetro|el universal|citytv)\b"
)

# Flags raised by two things said together (either alone is no sign).
_BOTH: Final = (
    ("riesgo_derecho_fundamental", _NO_EPS, _ILL),
    ("denuncia_corrupcion", _OFFICIAL, _ASKED_MONEY),
)


def priority_flags(
    text: str,
    *,
    subject: str = "",
    sender_name: str = "",
    anonymous: bool = False,
    language: str | None = None,
) -> tuple[Flag, ...]:
    """The flags of one request, in `FLAG_SLUGS` order, each with its reason and basis.

    `language` is the text's when the classifier already found it ("" for Spanish or too
    little to say): the text is not read for it a second time.
    """
    folded = fold_plain(f"{subject}\n{text}")
    found: dict[str, str] = {}
    for slug, pattern in _COMPILED:
        match = pattern.search(folded)
        if match:
            found[slug] = repr(match.group(0))
    if "periodista" not in found:
        journalist = _JOURNALIST.search(folded)
        if journalist and not _JOB_SEARCH.search(folded):
            found["periodista"] = repr(journalist.group(0))
        elif outlet := _OUTLET.search(fold_plain(sender_name)):
            found["periodista"] = f"sender name {outlet.group(0)!r}"
    for slug, first, second in _BOTH:
        if slug not in found and (one := first.search(folded)) and (two := second.search(folded)):
            found[slug] = f"{one.group(0)!r} + {two.group(0)!r}"
    if anonymous:
        found["anonimo"] = "no name and no address to answer"
    if language is None:
        language = detect_language(text)
    if language not in ("", "es"):
        found["idioma_extranjero"] = f"written in {LANGUAGE_NAMES[language]} ({language})"
    return tuple(
        Flag(slug, found[slug], "; ".join(BASIS[slug])) for slug in FLAG_SLUGS if slug in found
    )


def priority_basis(flags: Iterable[Flag | str]) -> str:
    """The legal basis of the priority attention these flags mean, each citation once
    ("" when none means priority)."""
    citations = (
        citation
        for flag in flags
        if _slug(flag) in PRIORITY_SLUGS
        for citation in BASIS[_slug(flag)]
    )
    return "; ".join(dict.fromkeys(citations))


def is_priority(flags: Iterable[Flag | str]) -> bool:
    """Whether the flags mean priority attention (Ley 1755 art. 20, Ley 1098, CPACA art. 5)."""
    return any(_slug(flag) in PRIORITY_SLUGS for flag in flags)


def _slug(flag: Flag | str) -> str:
    return flag if isinstance(flag, str) else flag.slug


# -- the response date -------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """The term that governs a request: business days, and the flag that shortened it
    ("" when it is the legal term of its type)."""

    days: int
    shortened_by: str = ""


def applicable_term(
    request_type: str, flags: Iterable[Flag | str], shortened: Mapping[str, int]
) -> Term:
    """The shortest of the type's legal term and the entity's terms for the flags raised."""
    term = Term(term_days(request_type))
    for slug in sorted({_slug(flag) for flag in flags}):
        days = shortened.get(slug)
        if days is not None and days < term.days:
            term = Term(days, slug)
    return term


def due_date(
    calendar: BusinessCalendar,
    received: datetime.datetime,
    request_type: str,
    flags: Iterable[Flag | str],
    shortened: Mapping[str, int],
) -> datetime.date:
    """The last day to answer, counted like the legal term (from the day after radication)."""
    term = applicable_term(request_type, flags, shortened)
    return calendar.add_business_days(calendar.effective_receipt_day(received), term.days)


# -- the language ------------------------------------------------------------------------

LANGUAGE_NAMES: Final[dict[str, str]] = {
    "es": "Spanish",
    "en": "English",
    "pt": "Portuguese",
    "fr": "French",
    "it": "Italian",
    "de": "German",
}


# Frequent words of each language, folded, leaving out those Spanish writes too ("de",
# "que", "para", "no", "me", "la", "con"...): only a word Spanish does not use is evidence.
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOP_WORDS: Final[dict[str, frozenset[str]]] = {
    "es": _words(
        "el los las y del muy pero usted ustedes yo tengo quiero necesito hay soy estoy "
        "gracias buenos buenas hola porque cuando donde ya aqui tambien solo mas puedo "
        "puede ayuda favor trabajo empleo hoja vida senor senora mi mis su sus es esta "
        "este estos estas pues nada nunca siempre hacer tiene tienen fue era sin sobre "
        "hasta desde entre cual quien como al lo le les se un una unos unas por solicito "
        "senores senoras cordial saludo atentamente informacion certificado quisiera saber "
        "pagina gracias"
    ),
    "en": _words(
        "the and of to is it you that was for on are with i his they be at have this "
        "from had by but what we can were all there when your how an which do their if "
        "will would could should about them then these her him my please hello thank "
        "thanks job need help am not dear regards hi m don t been just"
    ),
    "pt": _words(
        "nao voce eu ele isso sou estou tenho obrigado obrigada bom meu minha seu sua ao "
        "aos na nas pelo pela foi tem tambem ate gostaria trabalho emprego vaga preciso "
        "quero um uma os das do em com mais muito faco fazer bem cadastro cadastrar "
        "curriculo agradeco"
    ),
    "fr": _words(
        "et est une des du je vous nous il elle pas pour qui dans avec ce cette mais ou au "
        "aux suis avez bonjour merci travail emploi mon votre etre avoir j qu c l d n s ne "
        "sont sommes"
    ),
    "it": _words(
        "il che per non sono ho della delle dei degli gli anche questo questa piu lavoro "
        "grazie buongiorno vorrei essere io voi noi hanno nel nella sul perche ancora "
        "molto sto sia"
    ),
    "de": _words(
        "der die und ist ich nicht sie ein eine zu dem mit sich auf fur von auch nach wie "
        "bei aus wir ihr mein meine bitte danke hallo guten arbeit haben habe bin sind "
        "wird werden kann oder aber wenn dass noch"
    ),
}
# The languages each frequent word belongs to (one look-up a word, not one a language).
_LANGUAGES_OF: Final[dict[str, tuple[str, ...]]] = {
    word: tuple(language for language, stop in _STOP_WORDS.items() if word in stop)
    for word in set().union(*_STOP_WORDS.values())
}
# Fewer words than this of one language say nothing; a foreign language must also
# outnumber the Spanish words by this factor (a Spanish request quoting "please help").
MIN_EVIDENCE: Final = 4
# Links and addresses are no language ("gmail.com" is not Portuguese "com"). An address
# is tried only where a run of non-spaces starts: unanchored, `\S+@` re-scans the rest of
# a long run without "@" from every position in it (minutes on 200,000 characters of
# base64); anchored, each run is scanned once. It matches the same spans: a run holding
# an "@" matches from its first character anyway.
_ADDRESS: Final = re.compile(r"(?<!\S)\S+@\S+|https?://\S+|www\.\S+")
_WORD: Final = re.compile(r"[a-z]+")
FOREIGN_MARGIN: Final = 1.5


def detect_language(text: str) -> str:
    """ "es", "en", "pt", "fr", "it" or "de" by frequent words; "" when too little to say."""
    words = _WORD.findall(fold_plain(_ADDRESS.sub(" ", text)))[:400]
    counts = dict.fromkeys(_STOP_WORDS, 0)
    for word in words:
        for language in _LANGUAGES_OF.get(word, ()):
            counts[language] += 1
    foreign = max((lang for lang in counts if lang != "es"), key=lambda lang: counts[lang])
    if counts[foreign] >= MIN_EVIDENCE and counts[foreign] > FOREIGN_MARGIN * counts["es"]:
        return foreign
    if counts["es"] >= 2 or (counts["es"] >= 1 and counts[foreign] == 0):
        return "es"
    return ""
