"""Every routing function that reads citizen text takes time linear in it, whatever the text.

A public channel receives anything: an unclosed base64 image, thousands of `&amp;`, one
character repeated. One regular expression that rescans the rest of the text from every
position (`\\S+@` on a run without "@") turns a message of 200,000 characters into minutes
of CPU and holds its whole batch past the actor's time limit. Each function below gets
1 MB of each dangerous shape and must return within `LINEAR_BOUND`.

The bound tells linear from quadratic; it does not measure speed. The slowest linear pass
here (BeautifulSoup over 1 MB of tags, the model's character n-grams) takes about 4 s on
the shared test machine; the quadratic address pattern this test caught took 10 s on
100 kB and would take about 1,000 s on 1 MB (100 times more for 10 times the text).
"""

from __future__ import annotations

import base64
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ventanilla.adapters.email_parsing import clean, html_to_text, parse_email
from ventanilla.classifier import ModelFiles
from ventanilla.routing import dedupe, faq, followups, identity, offices, priority, similarity
from ventanilla.routing import text as routing_text
from ventanilla.routing.acknowledgements import machine_sent
from ventanilla.routing.classify import classify
from ventanilla.routing.commands import wanted_radicado
from ventanilla.routing.mentions import mention_classes
from ventanilla.routing.model import TextModel
from ventanilla.templates import load_faqs

SIZE = 1_000_000
LINEAR_BOUND = 10.0  # seconds of CPU; see the module docstring


def _repeat(unit: str) -> str:
    return (unit * (SIZE // len(unit) + 1))[:SIZE]


def _base64(line_length: int = 0) -> str:
    noise = random.Random(1755).randbytes(SIZE * 3 // 4)
    encoded = base64.b64encode(noise).decode()[:SIZE]
    if not line_length:
        return encoded  # an unclosed inline image: one run with no space at all
    return "\n".join(encoded[i : i + line_length] for i in range(0, SIZE, line_length))


SHAPES: dict[str, Callable[[], str]] = {
    "no_spaces": lambda: _repeat("abcdefghij"),
    "amp_entities": lambda: _repeat("&amp;"),
    "base64": _base64,
    "base64_lines": lambda: _base64(76),
    "one_character": lambda: "a" * SIZE,
    "at_signs": lambda: "@" * SIZE,
    "a_at": lambda: _repeat("a@"),
    "http": lambda: _repeat("http://"),
    "digits": lambda: "7" * SIZE,
    "accents": lambda: _repeat("a\u0301"),  # decomposed: one mark to strip per letter
    "newlines": lambda: "\n" * SIZE,
    # Shapes aimed at particular rules: a cédula after every word (each judged by what
    # precedes it on its line), a request verb before an endless dotted "word".
    "cedulas": lambda: _repeat("identificado con cc 12345678 "),
    "request_then_dots": lambda: "solicito " + _repeat("a."),
}


@pytest.fixture(scope="module")
def shapes() -> dict[str, str]:
    return {name: make() for name, make in SHAPES.items()}


@pytest.fixture(scope="module")
def models(model_dir: Path) -> dict[str, TextModel]:
    files = ModelFiles(model_dir)
    return {kind: files.load_or_train(kind) for kind in ("pqrsdf", "mentions")}


FAQS = load_faqs()
OFFICE_RULES = offices.OfficeRules.build()

# name -> f(text, models): every public function of routing/ (and the e-mail text helpers)
# that reads what a citizen wrote, each given the hostile text where the citizen's goes.
READERS: dict[str, Callable[[str, dict[str, TextModel]], Any]] = {
    "text.fold": lambda t, m: routing_text.fold(t),
    "text.fold_plain": lambda t, m: routing_text.fold_plain(t),
    "text.strip_quoted": lambda t, m: routing_text.strip_quoted(t),
    "text.request_words": lambda t, m: routing_text.request_words(t),
    "text.closing_start": lambda t, m: routing_text.closing_start(t.splitlines()),
    "priority.priority_flags": lambda t, m: priority.priority_flags(
        t, subject=t[:1000], sender_name=t[:1000]
    ),
    "priority.detect_language": lambda t, m: priority.detect_language(t),
    "classify.classify (keywords)": lambda t, m: classify(t, subject=t[:1000]),
    "classify.classify (model)": lambda t, m: classify(t, subject=t[:1000], model=m["pqrsdf"]),
    "mentions.mention_classes": lambda t, m: mention_classes([t], m["mentions"]),
    "dedupe.dedupe_key": lambda t, m: dedupe.dedupe_key("ana@example.com", t),
    "dedupe.comparable_folded": lambda t, m: dedupe.comparable_folded(t),
    "dedupe.figures": lambda t, m: dedupe.figures(routing_text.fold(t)),
    "dedupe.same_request": lambda t, m: dedupe.same_request(t, t[1:], 0.8),
    "similarity.fingerprint": lambda t, m: similarity.fingerprint(t),
    "identity.identities_of": lambda t, m: identity.identities_of(
        "email", t[:1000], reply_email=t[:1000], reply_phone=t[:100], text=t
    ),
    "identity.own_cedula": lambda t, m: identity.own_cedula(t),
    "identity.speaks_for_another": lambda t, m: identity.speaks_for_another(t),
    "identity.email_address": lambda t, m: identity.email_address(t),
    "faq.match_faq": lambda t, m: faq.match_faq(t, FAQS, 0.1),
    "faq.content_words": lambda t, m: faq.content_words(t),
    "offices.assign_office": lambda t, m: offices.assign_office("peticion", t, OFFICE_RULES),
    "followups.quoted_radicados": lambda t, m: followups.quoted_radicados(t[:1000], t),
    "followups.thread_radicados": lambda t, m: followups.thread_radicados([t]),
    "commands.wanted_radicado": lambda t, m: wanted_radicado("/estado", t),
    "acknowledgements.machine_sent": lambda t, m: machine_sent("email", t, {}, "a@b.gov.co"),
    "email_parsing.clean": lambda t, m: clean(t, SIZE),
    "email_parsing.html_to_text": lambda t, m: html_to_text(t),
    "email_parsing.parse_email": lambda t, m: parse_email(
        b"From: ana@example.com\nSubject: hostil\n\n" + t.encode()
    ),
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("reader", READERS)
def test_every_reader_of_citizen_text_is_linear_on_hostile_text(
    reader: str, shape: str, shapes: dict[str, str], models: dict[str, TextModel]
) -> None:
    hostile = shapes[shape]
    routing_text.fold_plain.cache_clear()  # each reader folds the text itself
    started = time.process_time()
    READERS[reader](hostile, models)
    spent = time.process_time() - started
    assert spent < LINEAR_BOUND, f"{reader} took {spent:.1f} s of CPU on 1 MB of {shape}"
