"""Mass petitions (art. 22 Ley 1755 de 2015): analogous petitions grouped for one answer.

"Cuando más de diez (10) personas formulen peticiones análogas, de información, de
interés general o de consulta, la Administración podrá dar una única respuesta". Each
petitioner still gets a radicado (each is a petition); their cases are grouped so staff
can answer once. The rule: a new case whose text is analogous (estimated Jaccard of the
MinHash signatures at least `dedupe.mass_petition_threshold`) to cases filed within
`dedupe.mass_petition_window_days`
- joins their group when one of them has one (and brings in the analogous ones that had
  none; two groups it touches become one, the older);
- starts a group with all of them when more than `dedupe.mass_petition_min_petitioners`
  different petitioners sent them. A petitioner is a person (identities linked); a case
  with no known person counts as a petitioner of its own.
Pure decisions: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Petition:
    case_id: int
    petitioner: str
    group_id: int | None = None


@dataclass(frozen=True)
class Grouping:
    """What to do: put `members` in `group_id` (a new group when it is None) and fold the
    `absorbed` groups into it."""

    group_id: int | None
    members: tuple[int, ...]
    absorbed: tuple[int, ...] = ()


def petitioner(person_id: int | None, case_id: int) -> str:
    return f"person:{person_id}" if person_id is not None else f"case:{case_id}"


def grouping(new: Petition, analogous: Sequence[Petition], min_petitioners: int) -> Grouping | None:
    """How the new case and its analogous cases are grouped; None while they are too few."""
    cluster = [new, *(p for p in analogous if p.case_id != new.case_id)]
    groups = sorted({p.group_id for p in cluster if p.group_id is not None})
    if groups:
        target = groups[0]
        members = tuple(p.case_id for p in cluster if p.group_id != target)
        return Grouping(target, members, tuple(groups[1:]))
    if len({p.petitioner for p in cluster}) > min_petitioners:
        return Grouping(None, tuple(p.case_id for p in cluster))
    return None
