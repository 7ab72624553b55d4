"""PQRSDF classification: a small, explainable rule set (no I/O).

The statistical classifier arrives later behind the same `classify` signature; these
rules stay for the legally decisive signals. Every decision carries the features that
made it, so staff can see why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ventanilla.routing.text import fold
from ventanilla.routing.types import REQUEST_TYPES

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


def classify(
    text: str, *, subject: str = "", requested_type: str = "", auto_submitted: bool = False
) -> Classification:
    """Decide the type of one message from its text and what the citizen chose."""
    if auto_submitted:
        return Classification("autorespuesta", 1.0, ("flag:auto_submitted",))
    if requested_type in REQUEST_TYPES:
        # The citizen's own choice is respected: the form asks for it on purpose.
        return Classification(requested_type, 1.0, (f"chosen:{requested_type}",))
    folded = fold(f"{subject} {text}")
    # Links are counted apart: folding splits one link into several words (https, host, path).
    links = _LINK.findall(text)
    other_words = fold(_LINK.sub(" ", f"{subject} {text}")).split()
    if links and len(links) > len(other_words):
        return Classification("spam", 0.7, ("mostly_links",))
    for slug, pattern in _COMPILED:
        match = pattern.search(folded)
        if match:
            return Classification(slug, 0.8, (f"rule:{slug}:{match.group(0)}",))
    # The law presumes a petition: anything addressed to the entity must be answered.
    return Classification("peticion", 0.4, ("default:peticion",))
