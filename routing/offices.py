"""Office (dependencia) assignment (no I/O).

For now every case goes to the filing office, the citizen-service group, which routes it
by hand; rule-based assignment from settings plugs in here.
"""

from __future__ import annotations

DEFAULT_OFFICE = "Grupo de Relacionamiento con el Ciudadano"


def assign_office(request_type: str, text: str) -> str:
    return DEFAULT_OFFICE
