"""Duplicate detection: is this the same request a person already made? (no I/O)

The rule (README, "Duplicates"): a message is a duplicate of a live case when
1. the same person wrote both (their identities linked across channels, store/identity.py);
2. the case was filed within `dedupe.window_days`; and
3. the citizen's own words (quoted replies, the greeting and the sign-off stripped) are
   near-identical:
   the Jaccard index of their word shingles is at least `dedupe.near_duplicate_threshold`.
Two guards keep different requests apart even when their words are alike:
- figures that change (a year, an amount, an id: "certificado de 2024" and "… de 2025")
  make a different request, unless one text only adds figures the other lacks;
- a text written for someone else (a lawyer's, a mother's: routing/identity.py) is a
  duplicate only of the very same text, because the one word that changes may be the
  person it is for.
Different persons are never duplicates of each other, however alike their words: many
citizens sending one petition are a mass petition (routing/petitions.py), each with a
radicado.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta

from ventanilla.routing.identity import folded_speaks_for_another
from ventanilla.routing.similarity import folded_shingles, jaccard
from ventanilla.routing.text import fold, request_words

DEFAULT_WINDOW_DAYS = 30
# Candidates whose signatures estimate this much less than the threshold are not read:
# with 64 permutations the estimate of a Jaccard of 0.8 falls below 0.55 about once in
# three million.
ESTIMATE_MARGIN = 0.25

_FIGURE = re.compile(r"\d[\d.]*\d|\d")


def dedupe_key(sender: str, text: str) -> str | None:
    """The key two identical requests share; None when the sender is unknown (anonymous)."""
    who = sender.strip().lower()
    body = fold(text)
    if not who or not body:
        return None
    return hashlib.sha256(f"{who}\n{body}".encode()).hexdigest()


def window_start(now: datetime, days: int = DEFAULT_WINDOW_DAYS) -> datetime:
    return now - timedelta(days=days)


def comparable_text(text: str) -> str:
    """The words dedupe compares: the citizen's own, without quotes, greeting, sign-off."""
    return request_words(text)


def figures(text: str) -> frozenset[str]:
    """The numbers of two digits or more in a folded text, without thousands dots."""
    found = (figure.replace(".", "") for figure in _FIGURE.findall(text))
    return frozenset(figure for figure in found if len(figure) >= 2)


def figures_changed(a: str, b: str) -> bool:
    """Whether each text has a figure the other lacks (a figure replaced, not added)."""
    left, right = figures(a), figures(b)
    return bool(left - right) and bool(right - left)


def comparable_folded(text: str) -> str:
    """`comparable_text`, folded: what `same_folded_request` takes."""
    return fold(comparable_text(text))


def same_request(new_text: str, old_text: str, threshold: float) -> float | None:
    """How alike two texts of one person are when they are the same request, else None."""
    return same_folded_request(comparable_folded(new_text), comparable_folded(old_text), threshold)


def same_folded_request(new_folded: str, old_folded: str, threshold: float) -> float | None:
    """`same_request` of two texts already made comparable and folded."""
    if not new_folded or not old_folded:
        return None
    if new_folded == old_folded:
        return 1.0
    if folded_speaks_for_another(new_folded) or folded_speaks_for_another(old_folded):
        return None
    if figures_changed(new_folded, old_folded):
        return None
    alike = jaccard(folded_shingles(new_folded), folded_shingles(old_folded))
    return alike if alike >= threshold else None
