"""Why a message waits for a person instead of becoming a case, in words a clerk reads.

The text model may doubt that a message is a request (chatter, spam, nothing to read), but
a doubt is not evidence: such a message is kept out of the register only until a person
files it or confirms it is not a request (`store/review.py`). This module only words the
reason; it decides nothing and does no I/O.
"""

from __future__ import annotations

from typing import Final

from ventanilla.routing.classify import Classification

# What the model (or a fact such as "only links") thought the message was.
LOOKS_LIKE: Final[dict[str, str]] = {
    "comentario": "parece un comentario, no una solicitud",
    "spam": "parece publicidad o spam",
    "vacio": "no trae nada que tramitar: sin texto, o solo un saludo o una firma",
    "autorespuesta": "parece una respuesta automática, pero ningún encabezado lo prueba",
}


def review_reason(decision: Classification, *, public: bool = False) -> str:
    """One line: what the message looks like and how sure the classifier was."""
    if public:
        mention = next(
            (f.removeprefix("mention:") for f in decision.features if f.startswith("mention:")),
            decision.type,
        )
        return f"mención pública en el feed de comunicaciones ({mention})"
    looks = LOOKS_LIKE.get(decision.type, f"parece {decision.type}")
    return f"{looks} (seguridad {round(decision.confidence * 100)} %): una persona decide"
