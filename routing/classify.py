"""PQRSDF classification: legally decisive rules, then a statistical model (no I/O).

A hybrid that can be explained. First the facts that decide by themselves: a machine sent
it, the citizen chose the type, there is nothing in it, it is only links. Then the rules
for the legally decisive signals (an explicit "derecho de petición" makes it a request,
an explicit denuncia, a felicitación, a copy request), which come from settings. Then the
model trained on the corpus (`routing/model.py`) decides the rest. Every decision carries
the features that made it, so staff can see why; one the model is not sure of is still a
request (the law presumes a petition) and is flagged for a person to review.

Without a trained model, the keyword rules below decide alone (the behaviour before the
model existed, kept as the fallback).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ventanilla.routing.priority import detect_language
from ventanilla.routing.text import fold, fold_uncached
from ventanilla.routing.types import REQUEST_TYPES

if TYPE_CHECKING:  # scikit-learn is imported only where a model is trained or loaded
    from ventanilla.routing.model import Prediction, TextModel

# Ordered: the first rule that matches decides. Patterns run on folded text.
RULES: tuple[tuple[str, str], ...] = (
    ("denuncia", r"\bdenunci\w*|\bcorrupcion\b|\bsoborno\w*"),
    (
        "informacion",
        r"\b(copia|copias|certificad\w*|constancia\w*|expedir|expedicion)\b"
        r"|solicito (la )?informacion|\binformacion sobre\b",
    ),
    ("consulta", r"\bconsulta\b|\bconcepto (juridico|sobre)\b|\binterpretacion\b"),
    ("queja", r"\bqueja\w*|\bmal(a)? atencion\b|\bgroser\w*|\bmaltrat\w*"),
    ("reclamo", r"\breclam\w*|\bno me (han )?(pagado|respondido)\b|\bincumpl\w*"),
    ("sugerencia", r"\bsugier\w*|\bsugerencia\w*|\bpropongo\b|\bseria bueno\b"),
    ("felicitacion", r"\bfelicit\w*|\bagradezco\b|\bexcelente (atencion|servicio)\b"),
    ("peticion", r"\bderecho de peticion\b|\bsolicito\b|\bpeticion\b|\bquisiera\b|\bnecesito\b"),
)
_COMPILED = tuple((slug, re.compile(pattern)) for slug, pattern in RULES)
_LINK = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class Classification:
    type: str
    confidence: float
    features: tuple[str, ...]
    # Below the confidence threshold: radicated all the same, flagged "revisar tipo".
    review: bool = False


# What a decisive rule decides: a request type, or `request` (it is a request for sure;
# the model chooses which type among the request types).
ANY_REQUEST = "request"


@dataclass(frozen=True)
class Rule:
    """A legally decisive signal: `pattern` (on folded text) decides `decides`."""

    name: str
    decides: str
    pattern: re.Pattern[str]

    @classmethod
    def of(cls, name: str, decides: str, pattern: str) -> Rule:
        if decides not in (*REQUEST_TYPES, ANY_REQUEST):
            raise ValueError(
                f"{decides!r} is not a request type; expected one of "
                f"{', '.join((*REQUEST_TYPES, ANY_REQUEST))}"
            )
        return cls(name, decides, re.compile(pattern))


# Defaults for `classifier.rules`: only what the law makes decisive, the rest is learned.
# The first that matches decides: a rule naming a type comes before one that only says
# "a request".
DECISIVE_RULES: tuple[tuple[str, str, str], ...] = (
    (
        # A request for copies or certificates in the present ("solicito copia"), not a
        # complaint about one asked for before ("solicité copia y no llegó").
        "copia",
        "informacion",
        r"\b(solicito|solicitamos|requiero|requerimos|pido|pedimos|necesito|necesitamos"
        r"|expedir|expidan|me expidan|enviarme|me envien)\b(\W+\w+){0,6}?\W+"
        r"(copia|copias|certificado|certificados|certificacion|constancia)\b",
    ),
    ("denuncia", "denuncia", r"\b(denuncio|denunciamos|quiero denunciar|presento denuncia)\b"),
    ("felicito", "felicitacion", r"\b(felicito|felicitamos|quiero felicitar|deseo felicitar)\b"),
    # The citizen names the type, as if choosing it in the form ("quiero poner una queja").
    (
        "queja_declarada",
        "queja",
        r"\b(pongo|presento|interpongo|radico|quiero (poner|presentar|interponer|radicar)"
        r"|deseo (presentar|poner|interponer))( una| mi)? queja\b",
    ),
    (
        "reclamo_declarado",
        "reclamo",
        r"\b(pongo|presento|interpongo|radico|quiero (poner|presentar|interponer|radicar|hacer)"
        r"|deseo (presentar|poner|interponer|hacer))( un| mi)? reclamo\b",
    ),
    ("derecho_de_peticion", ANY_REQUEST, r"\bderecho (fundamental )?de peticion\b"),
    # A habeas-data request (Ley 1581 de 2012): to be taken off a list, to have one's data
    # deleted. It names automatic notices, which the model may read as a machine's reply;
    # a newsletter's own footer says "para darse de baja", which this does not match.
    (
        "habeas_data",
        ANY_REQUEST,
        r"\b(den|denme|me den|darme|quiero darme|solicito (que )?me den) de baja\b"
        r"|\b(eliminen|borren|supriman|retiren) mis datos\b"
        r"|\bdejen de (enviarme|mandarme)\b|\bno (deseo|quiero) (seguir )?recibir(los)?\b",
    ),
    # A message that opens by asking ("Solicito...", "Buenos días, necesito...") is a
    # request, whatever a model makes of the rest.
    (
        "pide",
        ANY_REQUEST,
        r"^(hola|buen[oa]s?( dias| tardes| noches)?|cordial saludo|señores|respetados señores)?"
        r"\W*(yo )?(solicito|solicitamos|necesito|necesitamos|requiero|requerimos|pido"
        r"|quisiera|quiero)\b",
    ),
)
DEFAULT_RULES: tuple[Rule, ...] = tuple(Rule.of(*rule) for rule in DECISIVE_RULES)
# Below this confidence a person checks the type (a setting: classifier.review_below).
REVIEW_BELOW = 0.4
# A message the model thinks is no request, less sure than this, is presumed a request
# (a setting: classifier.presume_request_below).
PRESUME_BELOW = 0.3
# How sure the model must be to call a text that asks for something no request.
MATTER_SURE = 0.5
_WORDLESS = re.compile(r"^[^a-z0-9ñ]*$")
# Words that name a matter of the service or ask for something: a text with one of them
# is not "empty", however short (on folded text). Not "empleo" or "trabajo": nearly every
# message to an employment service says them, chatter included ("el país necesita más
# empleo"); a request for work says "busco", "necesito" or "ayuda" as well.
_MATTER = re.compile(
    r"\b(sise|clave|contrasen\w*|contraseñ\w*|usuario|cuenta|hoja de vida|curriculum|cv"
    r"|vacante\w*|busco|certificad\w*|constancia|inscri\w*|registr\w*"
    r"|feria\w*|agencia\w*|cita|taller\w*|postul\w*|necesit\w*|quiero|solicit\w*|ayud\w*"
    r"|olvid\w*|bloque\w*|no puedo|problema\w*|denunci\w*|queja|reclam\w*)\b"
)


# What a message holds when it says nothing (README: `vacio`): a greeting or a courtesy,
# a sign-off and the sender's name, the line a phone or mail program adds, what a chat
# puts in place of a photo or a voice note, a lone phone or cédula number. Such a text
# carries no request, so it is decided here, before the model: the model then learns
# greetings from messages that say something after them ("hola ok ya entendí" is a
# comment, not an empty message). It is not dropped: like any `vacio`, it waits in the
# review list for a person.
_PLACEHOLDER = re.compile(r"\[[^\[\]\n]{0,80}\]|<[^<>\n]{0,80}>")
# What a program writes, on a folded line: from there to the end of the line (the rest
# is the program's or the phone's name), or the whole line.
_PROGRAM_WORDS = re.compile(
    r"\b(?:enviado (?:desde|con|por) |sent from |obtener outlook|get outlook)"
    r"|^(?:este (?:correo|mensaje) (?:fue|ha sido) (?:enviado desde|eliminado)"
    r"|disculpe la brevedad|multimedia omitido$|mensaje sin contenido$|sin asunto$"
    r"|asunto sin asunto$|reenviado$)"
)
_COURTESY = re.compile(
    r"\b(?:h?o+la+s?|holi+s?|hla|hi|hello|hey|ey|epa|quiubo|a+lo+|bu+e+n[oa]*s*|bn[oa]s"
    r"|muy|d+i+a+s?|tardes?|noches?|cordial(?:es|mente)?|saludos?|atentamente|atte?"
    r"|estimad[oa]s?|apreciad[oa]s?|respetad[oa]s?|señor(?:es|a|as|ita|itas)?"
    r"|senor(?:es|a|as|ita|itas)?|doctor[a]?|dra?|sra?|don|doña|dona"
    r"|(?:a|para) (?:todos|todas|ustedes)|(?:que|q|k) (?:tal|mas|hubo)"
    r"|como (?:esta|estan|estas|les va|le va)|todo bien|cel|tel|cc|c\.c)\b"
)
_LETTER = re.compile(r"[a-zñ]")
_NAME_CHARS = 80


def says_nothing(text: str) -> bool:
    """Whether a text is only greetings, courtesies, a signature and placeholders: nothing
    a person could act on (see README, `vacio`). Linear in the text's length; it stops at
    the first line that says something, usually the first or the second."""
    lines = (line.strip() for line in _PLACEHOLDER.sub(" ", text).splitlines())
    for number, line in enumerate(line for line in lines if line):
        if number and _is_name(line):
            continue
        # Lines are folded without the cache, which keeps whole texts for the later steps.
        folded = fold_uncached(line)
        program = _PROGRAM_WORDS.search(folded)
        words = " ".join(
            w for w in folded[: program.start() if program else None].split() if "@" not in w
        )
        if _LETTER.search(_COURTESY.sub(" ", words)):
            return False
    return True


def _is_name(line: str) -> bool:
    """A signature's line: two to five capitalised words ("Luz Marina Cárdenas")."""
    words = line.rstrip(".,").split() if len(line) < _NAME_CHARS else []
    return 2 <= len(words) <= 5 and all(
        word in ("de", "del", "la", "los") or (word[0].isupper() and word[1:].islower())
        for word in words
    )


@dataclass(frozen=True)
class Item:
    """One message as the classifier sees it."""

    text: str
    subject: str = ""
    requested_type: str = ""
    auto_submitted: bool = False
    # An attachment may be the whole request (a scanned letter with an empty body).
    has_attachments: bool = False
    # Sent through a channel whose only use is filing a request (the web form): chatter
    # or an empty-looking text there is still a request, for review.
    deliberate: bool = False


# The languages whose citizens get one line of the acknowledgement in their own words
# (`templates`); any other foreign language is filed and flagged the same way.
FOREIGN_LANGUAGES = ("en", "pt", "fr", "it", "de")
# The feature that carries a foreign language to the acknowledgement ("idioma:en").
LANGUAGE_FEATURE = "idioma:"


def language_of(features: Sequence[str]) -> str:
    """The foreign language a classification found ("" for Spanish or unknown)."""
    return next(
        (f.removeprefix(LANGUAGE_FEATURE) for f in features if f.startswith(LANGUAGE_FEATURE)), ""
    )


# What a message that carries an attachment or was filed on purpose cannot be: its words
# may say little, but the citizen meant to file something.
_PRESUMED_WHEN_MEANT = ("comentario", "vacio")


def classify(
    text: str,
    *,
    subject: str = "",
    requested_type: str = "",
    auto_submitted: bool = False,
    has_attachments: bool = False,
    model: TextModel | None = None,
    rules: Sequence[Rule] = DEFAULT_RULES,
    review_below: float = REVIEW_BELOW,
    presume_below: float = PRESUME_BELOW,
) -> Classification:
    """Decide the type of one message from its text and what the citizen chose."""
    item = Item(text, subject, requested_type, auto_submitted, has_attachments)
    return classify_many(
        [item], model=model, rules=rules, review_below=review_below, presume_below=presume_below
    )[0]


def classify_many(
    items: Sequence[Item],
    *,
    model: TextModel | None = None,
    rules: Sequence[Rule] = DEFAULT_RULES,
    review_below: float = REVIEW_BELOW,
    presume_below: float = PRESUME_BELOW,
) -> list[Classification]:
    """`classify` for a batch: the model sees every undecided text in one matrix."""
    facts = [_by_facts(item) for item in items]
    # A request in another language is a request, whatever the model reads (the corpus
    # has a few in English, Portuguese and French, so its type may still be right): it is
    # never called chatter, and a person checks the type (and translates).
    languages = [_foreign_language(item) for item in items]
    if model is None:
        keyed = [fact or _by_keywords(item) for fact, item in zip(facts, items, strict=True)]
        return _with_languages(keyed, languages)
    hits = [
        None if fact else _decisive_rule(item, rules)
        for fact, item in zip(facts, items, strict=True)
    ]
    # The model is asked about everything no fact or fixed-type rule decided.
    asked = [
        index
        for index, (fact, hit) in enumerate(zip(facts, hits, strict=True))
        if fact is None and (hit is None or hit[0].decides == ANY_REQUEST)
    ]
    predicted = dict(zip(asked, model.predict([_model_text(items[i]) for i in asked]), strict=True))
    results = []
    for index, (fact, hit) in enumerate(zip(facts, hits, strict=True)):
        if fact is not None:
            results.append(fact)
        elif hit is not None and hit[0].decides != ANY_REQUEST:
            rule, words = hit
            results.append(Classification(rule.decides, 0.9, (f"rule:{rule.name}:{words}",)))
        else:
            text = _model_text(items[index])
            decided = _by_model(predicted[index], text, hit, review_below, presume_below)
            if decided.type in _PRESUMED_WHEN_MEANT and (
                items[index].has_attachments or items[index].deliberate
            ):
                why = "presumed:attachment" if items[index].has_attachments else "presumed:form"
                scores = predicted[index].scores
                decided = _request_type(scores, (*decided.features, why, "presumed:request"), 1.0)
            if languages[index] and decided.type not in REQUEST_TYPES:
                decided = _request_type(predicted[index].scores, decided.features, 1.0)
            results.append(decided)
    return _with_languages(results, languages)


def _foreign_language(item: Item) -> str:
    """The item's language when it is clearly not Spanish ("" otherwise)."""
    if item.auto_submitted:
        return ""
    language = detect_language(f"{item.subject}\n{item.text}")
    return language if language in FOREIGN_LANGUAGES else ""


def _with_languages(
    decisions: list[Classification], languages: Sequence[str]
) -> list[Classification]:
    """Every decision on a foreign text names its language (the acknowledgement adds a line
    in it), whatever decided the type (the citizen's choice in the form, say)."""
    return [
        decision
        if not language or language_of(decision.features)
        else replace(
            decision,
            features=(*decision.features, f"{LANGUAGE_FEATURE}{language}"),
            review=decision.type in REQUEST_TYPES,
        )
        for decision, language in zip(decisions, languages, strict=True)
    ]


def _by_model(
    prediction: Prediction,
    prediction_text: str,
    hit: tuple[Rule, str] | None,
    review_below: float,
    presume_below: float,
) -> Classification:
    features = tuple(f"model:{name}" for name in prediction.features)
    if hit is not None:  # a rule said "a request": the model says which one
        return _request_type(
            prediction.scores, (f"rule:{hit[0].name}:{hit[1]}", *features), review_below
        )
    # Words that ask for something or name a matter of the service ("solicito ayuda",
    # "olvidé mi clave del SISE"): short is not empty, and only a sure model may call it
    # chatter or a machine's reply.
    doubted = prediction.label == "vacio" or prediction.confidence < MATTER_SURE
    if prediction.label not in REQUEST_TYPES and doubted and _MATTER.search(fold(prediction_text)):
        return _request_type(prediction.scores, (*features, "matter:asks"), 1.0)
    if prediction.label in REQUEST_TYPES:
        review = prediction.confidence < review_below
        return Classification(prediction.label, prediction.confidence, features, review)
    if prediction.label == "autorespuesta":
        # Only transport evidence (headers, our own loop: `_by_facts`) says a machine sent
        # it. Words that only read like one are the model's reading, kept as such (it is
        # measured like any class), but never a verdict: without the headers the pipeline
        # puts the message in the review list, where a person decides.
        return Classification(
            "autorespuesta", prediction.confidence, (*features, "looked_automatic")
        )
    if prediction.confidence < presume_below:
        # Not sure it is not a request: the law presumes a petition; a person checks.
        # The bar is higher than for choosing among request types: leaving a request
        # unfiled costs the citizen their right, filing chatter costs a clerk a minute.
        return _request_type(prediction.scores, (*features, "presumed:request"), 1.0)
    return Classification(prediction.label, prediction.confidence, features)


def _by_facts(item: Item) -> Classification | None:
    """What decides before any wording: machine-sent, the citizen's choice, no content."""
    if item.auto_submitted:
        return Classification("autorespuesta", 1.0, ("flag:auto_submitted",))
    if item.requested_type in REQUEST_TYPES:
        # The citizen's own choice is respected: the form asks for it on purpose.
        return Classification(item.requested_type, 1.0, (f"chosen:{item.requested_type}",))
    wordless = _WORDLESS.match(fold(f"{item.subject} {item.text}"))
    # Through the form, even a greeting was meant as a request: the model's path presumes
    # one (`_PRESUMED_WHEN_MEANT`).
    if wordless or (not item.deliberate and says_nothing(f"{item.subject}\n{item.text}")):
        if item.has_attachments:  # the attachment is the request: presume a petition
            return Classification("peticion", 0.4, ("attachment_only",), review=True)
        return Classification("vacio", 1.0, ("empty",) if wordless else ("only_courtesy",))
    # Links are counted apart: folding splits one link into several words (https, host, path).
    links = _LINK.findall(item.text)
    other_words = fold(_LINK.sub(" ", f"{item.subject} {item.text}")).split()
    if links and len(links) > len(other_words):
        return Classification("spam", 0.7, ("mostly_links",))
    return None


def _model_text(item: Item) -> str:
    return f"{item.subject}\n{item.text}" if item.subject else item.text


def _decisive_rule(item: Item, rules: Sequence[Rule]) -> tuple[Rule, str] | None:
    # With the subject before the text, and the text alone: a rule about how the message
    # opens ("Solicito...") must see where the citizen's own words start.
    texts = (
        (fold(f"{item.subject} {item.text}"), fold(item.text))
        if item.subject
        else (fold(item.text),)
    )
    for rule in rules:
        for folded in texts:
            match = rule.pattern.search(folded)
            if match:
                return rule, match.group(0)
    return None


def _request_type(
    scores: dict[str, float], features: tuple[str, ...], review_below: float
) -> Classification:
    """The most likely request type, its probability renormalised over request types."""
    requests = {label: p for label, p in scores.items() if label in REQUEST_TYPES}
    total = sum(requests.values()) or 1.0
    label = max(requests, key=lambda key: requests[key]) if requests else "peticion"
    confidence = requests.get(label, 0.0) / total
    return Classification(label, confidence, features, confidence < review_below)


def _by_keywords(item: Item) -> Classification:
    """The fallback without a model: the first keyword rule that matches decides."""
    folded = fold(f"{item.subject} {item.text}")
    for slug, pattern in _COMPILED:
        match = pattern.search(folded)
        if match:
            return Classification(slug, 0.8, (f"rule:{slug}:{match.group(0)}",))
    # The law presumes a petition: anything addressed to the entity must be answered.
    return Classification("peticion", 0.4, ("default:peticion",), review=True)
