"""How a public mention becomes a request or a line in the communications feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ventanilla.routing.classify import Classification
from ventanilla.routing.mentions import (
    MentionClass,
    feed_class,
    mention_classes,
    public_decision,
    spike_window_key,
)

QUEJA = Classification("queja", 0.7, ("model:w:grosera",))
RULED = Classification("denuncia", 0.9, ("rule:denuncia:denuncio",))
CHATTER = Classification("comentario", 0.8, ("model:w:jaja",))


@pytest.mark.parametrize(
    ("decision", "mention", "expected_type", "review"),
    [
        # the mentions model says "a request": the PQRSDF type stands
        (QUEJA, MentionClass("solicitud", 0.8), "queja", False),
        # ... even when the general model thought it chatter: presumed, for review
        (CHATTER, MentionClass("solicitud", 0.6), "peticion", True),
        # public criticism with no concrete request is the team's, not a case
        (QUEJA, MentionClass("queja_publica", 0.9), "comentario", False),
        (QUEJA, MentionClass("elogio", 0.9), "comentario", False),
        # an explicit decisive rule makes it a request whatever the feed class
        (RULED, MentionClass("queja_publica", 0.9), "denuncia", False),
        # the mentions model unsure, the PQRSDF model reads a request: presumed, reviewed
        (QUEJA, MentionClass("prensa", 0.2), "queja", True),
        # no mentions model: the PQRSDF classifier alone decides
        (QUEJA, mention_classes(["x"], None)[0], "queja", False),
    ],
)
def test_public_mention_decision(
    decision: Classification, mention: MentionClass, expected_type: str, review: bool
) -> None:
    result = public_decision(decision, mention)

    assert (result.type, result.review) == (expected_type, review)


def test_feed_class_is_solicitud_for_whatever_became_a_request() -> None:
    assert feed_class(QUEJA, MentionClass("pregunta", 0.4)) == "solicitud"
    assert feed_class(CHATTER, MentionClass("pregunta", 0.4)) == "pregunta"


def test_one_spike_alert_per_cooldown_period() -> None:
    cooldown = timedelta(hours=1)
    start = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)

    assert spike_window_key(start, cooldown) == spike_window_key(
        start + timedelta(minutes=59), cooldown
    )
    assert spike_window_key(start, cooldown) != spike_window_key(
        start + timedelta(minutes=61), cooldown
    )
