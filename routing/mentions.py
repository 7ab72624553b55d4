"""The communications team's view of social messages: each one's class in the feed, and
whether a public mention is a request to radicate at all (no I/O).

A public mention on X is first read by the mentions model: most are praise, criticism in
public, simple questions, press or noise, which the team answers (or not) in public and
which get no radicado; only a `solicitud` goes on to the PQRSDF classifier. A decisive
rule (an explicit "derecho de petición", "denuncio") makes it a request whatever the
mentions model says. Private messages (X direct messages, Telegram chats) are addressed
to the entity and go to the PQRSDF classifier directly; they appear in the feed too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ventanilla.routing.classify import PRESUME_BELOW, Classification
from ventanilla.routing.types import REQUEST_TYPES

if TYPE_CHECKING:
    from ventanilla.routing.model import TextModel

SOCIAL_CHANNELS = ("x", "telegram")
# `solicitud`: a PQRSDF posted in public, to be radicated.
MENTION_CLASSES = ("elogio", "queja_publica", "pregunta", "prensa", "spam", "otro", "solicitud")
MENTION_LABELS = {
    "elogio": "Elogio",
    "queja_publica": "Queja en público",
    "pregunta": "Pregunta",
    "prensa": "Prensa y medios",
    "spam": "Spam",
    "otro": "Otro",
    "solicitud": "Solicitud (PQRSDF)",
}


@dataclass(frozen=True)
class MentionClass:
    klass: str
    confidence: float
    features: tuple[str, ...] = ()

    @property
    def unread(self) -> bool:
        """No mentions model read it: the PQRSDF classifier alone decides."""
        return self.features == NO_MODEL


NO_MODEL = ("no_model",)


def mention_classes(texts: Sequence[str], model: TextModel | None) -> list[MentionClass]:
    """The feed class of each text (`otro` for all when there is no model yet)."""
    if model is None:
        return [MentionClass("otro", 0.0, NO_MODEL) for _ in texts]
    return [
        MentionClass(p.label, p.confidence, tuple(f"model:{name}" for name in p.features))
        for p in model.predict(list(texts))
    ]


def decided_by_rule(decision: Classification) -> bool:
    return bool(decision.features) and decision.features[0].startswith(("rule:", "chosen:"))


def public_decision(decision: Classification, mention: MentionClass) -> Classification:
    """What a public mention is, once the mentions model has read it."""
    if mention.unread:
        return decision
    if mention.klass == "solicitud":
        if decision.type in REQUEST_TYPES:
            return decision
        # The specialist says "a request"; the general model doubts: radicate, review.
        features = ("mention:solicitud", *decision.features, "presumed:request")
        return Classification("peticion", mention.confidence, features, review=True)
    if decision.type in REQUEST_TYPES and decided_by_rule(decision):
        return decision
    if decision.type in REQUEST_TYPES and mention.confidence < PRESUME_BELOW:
        # The mentions model is unsure and the PQRSDF model reads a request: presume one.
        return replace(decision, features=(*decision.features, "presumed:request"), review=True)
    features = (f"mention:{mention.klass}", *mention.features)
    return Classification("comentario", mention.confidence, features)


def feed_class(decision: Classification, mention: MentionClass) -> str:
    """The class shown in the feed: `solicitud` for whatever became a request."""
    return "solicitud" if decision.type in REQUEST_TYPES else mention.klass


def spike_window_key(now: datetime, cooldown: timedelta) -> str:
    """One alert per `cooldown` at most: the period `now` falls in names it."""
    seconds = max(1, int(cooldown.total_seconds()))
    return f"mention_spike:{int(now.timestamp()) // seconds}"
