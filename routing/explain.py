"""Why a message got its type, in words a clerk reads (pure: no I/O).

The classifier keeps the features that decided (`rule:copia:solicito copia`,
`model:w:clave`, `presumed:form`); the case page shows them as short Spanish phrases
("pide un documento", "habla del acceso a su cuenta"). The model's heaviest terms are
grouped by topic when one is recognised; otherwise the words themselves are listed
("palabras que pesaron: clave, sise"). A raw `model:` key is never shown.
"""

from __future__ import annotations

from collections.abc import Sequence

from ventanilla.routing.text import fold_plain

UNSURE = "el modelo no está seguro: revisar tipo"

# Features that are whole facts or presumptions.
_FIXED = {
    "flag:auto_submitted": "lo envió un sistema automático (encabezados del correo)",
    "empty": "el mensaje no trae palabras",
    "only_courtesy": "solo trae un saludo o una firma: no pide nada",
    "attachment_only": "solo trae un adjunto: se presume una petición",
    "mostly_links": "casi todo son enlaces",
    "matter:asks": "pide algo o nombra un trámite del servicio: se tramita como solicitud",
    "presumed:request": "no es claro que pida algo: la ley presume una petición",
    "presumed:form": "llegó por el formulario: se presume una solicitud",
    "presumed:attachment": "trae un adjunto: se presume una solicitud",
    "default:peticion": "ninguna regla aplicó: se presume una petición",
    "looked_automatic": (
        "parece una respuesta automática, pero ningún encabezado lo prueba: se tramita como "
        "solicitud"
    ),
}
_LANGUAGES = {"en": "inglés", "pt": "portugués", "fr": "francés", "it": "italiano", "de": "alemán"}
# Decisive rules (routing/classify.py's DECISIVE_RULES and the keyword fallback) by name.
_RULES = {
    "copia": "pide un documento, una copia o un certificado",
    "informacion": "pide un documento o un dato",
    "denuncia": "denuncia una conducta irregular",
    "felicito": "felicita a la entidad o a un servidor",
    "felicitacion": "felicita a la entidad o a un servidor",
    "queja_declarada": "dice que presenta una queja",
    "queja": "habla del trato de un servidor",
    "reclamo_declarado": "dice que presenta un reclamo",
    "reclamo": "menciona una falla del servicio",
    "derecho_de_peticion": "invoca el derecho de petición",
    "habeas_data": "pide que lo saquen de una lista o borren sus datos (Ley 1581)",
    "pide": "empieza pidiendo algo",
    "peticion": "pide algo a la entidad",
    "consulta": "pide un concepto o una interpretación",
    "sugerencia": "propone una mejora",
}
_TYPES = {
    "peticion": "petición",
    "informacion": "solicitud de información",
    "consulta": "consulta",
    "queja": "queja",
    "reclamo": "reclamo",
    "sugerencia": "sugerencia",
    "denuncia": "denuncia",
    "felicitacion": "felicitación",
}
_MENTIONS = {
    "solicitud": "en redes, el mensaje pide algo",
    "elogio": "en redes, es un elogio",
    "queja_publica": "en redes, es una crítica pública",
    "pregunta": "en redes, es una pregunta sencilla",
    "prensa": "en redes, es de prensa",
    "spam": "en redes, parece publicidad",
    "otro": "en redes, es conversación",
}
# Topics of the model's terms: the phrase, and the word stems (folded) that name it.
_TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "habla del acceso a su cuenta",
        (
            "clave",
            "contrasen",
            "usuario",
            "cuenta",
            "sise",
            "entrar",
            "bloque",
            "desbloque",
            "acceso",
            "recuper",
            "password",
            "account",
            "unblock",
            "log in",
            "conta",
        ),
    ),
    (
        "pide un documento",
        ("certific", "constanc", "copia", "document", "acta", "resolucion", "copy"),
    ),
    (
        "pregunta por el estado de un trámite",
        ("estado", "radicad", "postulac", "proceso", "en que va", "como va", "status"),
    ),
    (
        "menciona una falla del servicio",
        (
            "error",
            "falla",
            "funciona",
            "carga",
            "caid",
            "cancelar",
            "plataforma",
            "pagina",
            "portal",
            "app",
            "enlace",
            "website",
        ),
    ),
    (
        "dice que no le han respondido",
        ("respuest", "respond", "contest", "plazo", "vencid", "answer"),
    ),
    (
        "habla del trato de un servidor",
        (
            "trato",
            "trat",
            "groser",
            "grit",
            "funcionari",
            "asesor",
            "orientador",
            "atendi",
            "maltrat",
            "desprecio",
            "burl",
            "rude",
            "grossei",
        ),
    ),
    (
        "pregunta qué dice la norma",
        (
            "legal",
            "ley",
            "norma",
            "permitid",
            "obligad",
            "obligatori",
            "concepto",
            "interpret",
            "cobrar",
            "derecho",
            "law",
        ),
    ),
    (
        "propone una mejora",
        ("deberian", "seria bueno", "propon", "sugier", "podrian", "mejor", "ojala", "should"),
    ),
    (
        "agradece o felicita",
        ("gracias", "felicit", "excelente", "amable", "agradez", "thank", "obrigad"),
    ),
    (
        "señala un posible fraude",
        ("estafa", "fraude", "soborno", "falso", "falsa", "consign", "plata", "scam"),
    ),
    (
        "pide inscripción, una cita o un cupo",
        ("inscrib", "inscrip", "registr", "feria", "taller", "cita", "cupo", "register"),
    ),
    (
        "pregunta un dato (requisitos, horarios, lugares)",
        ("requisit", "horario", "donde", "cuando", "cuanto", "papeles", "hora", "queda"),
    ),
    (
        "pide que dejen de enviarle mensajes o de usar sus datos",
        ("de baja", "borr", "elimin", "avisos", "notificac", "mensajes", "datos", "remove"),
    ),
    ("parece publicidad", ("prestamo", "gana", "bitcoin", "credito", "promoc", "descuento")),
    ("es conversación o risas", ("jaja", "jeje", "lol", "kkk")),
)
_SHORTEST_STEM = 4  # a character n-gram shorter than this names nothing
_LISTED_WORDS = 5


def explain(features: Sequence[str], *, review: bool = False) -> list[str]:
    """Short Spanish reasons for `features`, in order, without repeats."""
    reasons: list[str] = []
    model_terms: list[tuple[str, str]] = []
    for feature in features:
        if feature.startswith("model:"):
            kind, _, term = feature.removeprefix("model:").partition(":")
            model_terms.append((kind, term))
            continue
        reasons.append(_reason(feature))
    reasons.extend(_model_reasons(model_terms))
    if review:
        reasons.append(UNSURE)
    return list(dict.fromkeys(reason for reason in reasons if reason))


def _reason(feature: str) -> str:
    if feature in _FIXED:
        return _FIXED[feature]
    kind, _, rest = feature.partition(":")
    if kind == "rule":
        name, _, words = rest.partition(":")
        known = _RULES.get(name)
        return known or f"coincide con la regla «{name}» ({words})"
    if kind == "chosen":
        return f"el ciudadano eligió el tipo en el formulario ({_TYPES.get(rest, rest)})"
    if kind == "mention":
        return _MENTIONS.get(rest, "en redes")
    if kind == "idioma":
        return f"escrito en {_LANGUAGES.get(rest, rest)}: se radica y hay que traducirlo"
    if kind == "staff" and rest.startswith("filed:"):
        chosen = rest.removeprefix("filed:")
        return f"una persona lo radicó desde la lista de revisión ({_TYPES.get(chosen, chosen)})"
    return feature  # a signal this table does not know yet: shown as it is, never hidden


def _model_reasons(terms: Sequence[tuple[str, str]]) -> list[str]:
    """Topics named by the model's terms; the other whole words, listed as they are.

    A term is a word or word pair (`w`) or a character fragment (`c`, " clav"): fragments
    only count when they name a topic, since "erez" says nothing to a reader.
    """
    topics: list[str] = []
    words: list[str] = []
    for kind, term in terms:
        topic = _topic(term, whole=kind == "w")
        if topic:
            topics.append(topic)
        elif kind == "w":
            words.extend(word for word in term.split() if word.isalpha() and len(word) > 1)
    reasons = list(dict.fromkeys(topics))
    listed = list(dict.fromkeys(words))[:_LISTED_WORDS]
    if listed:
        reasons.append("palabras que pesaron: " + ", ".join(listed))
    return reasons


def _topic(term: str, *, whole: bool) -> str:
    folded = fold_plain(term).strip()
    if not folded or (not whole and len(folded) < _SHORTEST_STEM):
        return ""
    for phrase, stems in _TOPICS:
        for stem in stems:
            if " " in stem:
                if stem in folded:
                    return phrase
                continue
            for word in folded.split():
                if word.startswith(stem) or (len(word) >= _SHORTEST_STEM and stem.startswith(word)):
                    return phrase
    return ""
