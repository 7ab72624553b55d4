"""The PQRSDF request types and the non-request classes, as the slugs used everywhere.

Pure data: no I/O. The legal term of each type lives in `routing.terms`.
"""

from __future__ import annotations

from typing import Final

# Requests: each one is radicated and answered within a legal term.
REQUEST_TYPES: Final[tuple[str, ...]] = (
    "peticion",
    "informacion",
    "consulta",
    "queja",
    "reclamo",
    "sugerencia",
    "denuncia",
    "felicitacion",
)

# What is not a request: stored and shown, never radicated.
NON_REQUEST_CLASSES: Final[tuple[str, ...]] = ("comentario", "spam", "autorespuesta", "vacio")

ALL_CLASSES: Final[tuple[str, ...]] = REQUEST_TYPES + NON_REQUEST_CLASSES

# How the citizen reads each type (acknowledgements, status page).
TYPE_LABELS: Final[dict[str, str]] = {
    "peticion": "Petición",
    "informacion": "Petición de documentos o información",
    "consulta": "Consulta",
    "queja": "Queja",
    "reclamo": "Reclamo",
    "sugerencia": "Sugerencia",
    "denuncia": "Denuncia",
    "felicitacion": "Felicitación",
    "comentario": "Comentario",
    "spam": "Spam",
    "autorespuesta": "Respuesta automática",
    "vacio": "Mensaje sin contenido",
}


def is_request(slug: str) -> bool:
    return slug in REQUEST_TYPES
