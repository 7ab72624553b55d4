"""Frequent questions: read one from its text, and find the one a request asks (no I/O).

Each frequent question is a Markdown file (`templates/faq/*.md`, read by
`ventanilla.templates.load_faqs`): a TOML front matter between `+++` lines (`id`, `title`,
`patterns` and/or `examples`, `source_url`, optional `types`) and the official answer as the
body, in paragraphs and "- " lists. This module parses such a text and matches requests
against the questions; it never opens a file.

Matching is for high confidence only: an acknowledgement that carries the wrong answer is
worse than one that carries none. A question is matched by one of its `patterns` (regular
expressions on `fold_plain` text, written to mean that question and nothing else), or by
an example phrasing whose words are nearly all in the request. Long letters lower the
score: the question is then likely one point among several.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from ventanilla.routing.text import fold_plain, pattern_problem
from ventanilla.routing.types import REQUEST_TYPES

# A frequent question helps who asks; a complaint is not answered with a tip unless the
# question says so (`types` in its front matter).
DEFAULT_TYPES: Final = ("peticion", "informacion", "consulta")
# WhatsApp carries the answer whole, within Twilio's 1,600 characters with everything else.
MAX_ANSWER_CHARS: Final = 400
MAX_TITLE_CHARS: Final = 90
# The only placeholders an answer may use: filled from the settings when rendered.
PLACEHOLDERS: Final = ("{{ contact_phone }}", "{{ entity }}")
_KEYS: Final = frozenset({"id", "title", "patterns", "examples", "source_url", "types"})
_ID: Final = re.compile(r"^[a-z0-9][a-z0-9-]{2,63}$")

# Words too common to tell one question from another.
_COMMON_WORDS: Final = (
    "a al algo como con cual de del el en es esta este hay la las le lo los me mi mis muy no "
    "o para pero por que quiero quisiera se si sin su sus te tengo un una uno y ya yo hola "
    "buenas buenos dias tardes noches favor gracias saber necesito puedo hacer hago ayuda "
    "ayudar donde cuando"
)
_COMMON: Final = frozenset(_COMMON_WORDS.split())
_SUFFIXES: Final = ("iendo", "ando", "aron", "ieron", "ado", "ada", "ido", "ida", "ar", "er", "ir")
_WORD: Final = re.compile(r"[a-z0-9]+")
# Past this many words the request is a letter with more than one point.
LONG_TEXT_WORDS: Final = 120


@dataclass(frozen=True)
class Block:
    """A paragraph (`items` of one line) or a list ("- " lines) of an answer."""

    kind: str  # "p" or "ul"
    items: tuple[str, ...]


@dataclass(frozen=True)
class Faq:
    id: str
    title: str
    answer: str
    source_url: str
    patterns: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    types: tuple[str, ...] = DEFAULT_TYPES
    _compiled: tuple[re.Pattern[str], ...] = field(default=(), repr=False, compare=False)
    _example_words: tuple[frozenset[str], ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", tuple(re.compile(p) for p in self.patterns))
        object.__setattr__(
            self, "_example_words", tuple(content_words(example) for example in self.examples)
        )

    @property
    def blocks(self) -> tuple[Block, ...]:
        return answer_blocks(self.answer)


@dataclass(frozen=True)
class FaqMatch:
    faq: Faq
    score: float
    reason: str


def parse_faq(text: str) -> Faq:
    """One frequent question from its file's text; ValueError says what is wrong."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "+++":
        raise ValueError("must start with a +++ line (TOML front matter)")
    try:
        end = next(i for i, line in enumerate(lines[1:], 1) if line.strip() == "+++")
    except StopIteration:
        raise ValueError("the front matter has no closing +++ line") from None
    try:
        meta = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"front matter is not valid TOML ({error})") from None
    unknown = sorted(set(meta) - _KEYS)
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown key; expected {', '.join(sorted(_KEYS))}")
    faq_id = _text(meta, "id")
    if not _ID.match(faq_id):
        raise ValueError(f"id: {faq_id!r} must be 3-64 lower-case letters, digits or '-'")
    patterns = _strings(meta, "patterns")
    for i, pattern in enumerate(patterns):
        if problem := pattern_problem(pattern):
            raise ValueError(f"patterns[{i}]: {problem}")
    examples = _strings(meta, "examples")
    if not patterns and not examples:
        raise ValueError("patterns, examples: give at least one, or nothing can match it")
    types = _strings(meta, "types") or DEFAULT_TYPES
    for i, slug in enumerate(types):
        if slug not in REQUEST_TYPES:
            raise ValueError(f"types[{i}]: {slug!r} is not a request type")
    source_url = _text(meta, "source_url")
    if not source_url.startswith(("https://", "http://")):
        raise ValueError(f"source_url: {source_url!r} is not a web address")
    title = _text(meta, "title")
    if len(title) > MAX_TITLE_CHARS:
        raise ValueError(f"title: {len(title)} characters; at most {MAX_TITLE_CHARS}")
    answer = "\n".join(lines[end + 1 :]).strip()
    _check_answer(answer)
    return Faq(faq_id, title, answer, source_url, patterns, examples, types)


def _text(meta: dict[str, object], key: str) -> str:
    value = meta.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{key}: required, a non-empty string")
    return value.strip()


def _strings(meta: dict[str, object], key: str) -> tuple[str, ...]:
    value = meta.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{key}: expected a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _check_answer(answer: str) -> None:
    if not answer:
        raise ValueError("the answer (the text after the front matter) is empty")
    rest = answer
    for placeholder in PLACEHOLDERS:
        rest = rest.replace(placeholder, "")
    if "{{" in rest or "{%" in rest:
        raise ValueError(f"the answer may only use the placeholders {', '.join(PLACEHOLDERS)}")
    if len(answer) > MAX_ANSWER_CHARS:
        raise ValueError(
            f"the answer has {len(answer)} characters; at most {MAX_ANSWER_CHARS} fit an "
            "acknowledgement by WhatsApp"
        )


def answer_blocks(answer: str) -> tuple[Block, ...]:
    """Paragraphs (lines joined) and lists (lines starting with "- ") of an answer."""
    blocks = []
    for chunk in re.split(r"\n\s*\n", answer.strip()):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        if lines and all(line.startswith("- ") for line in lines):
            blocks.append(Block("ul", tuple(line[2:].strip() for line in lines)))
        elif lines:
            blocks.append(Block("p", (" ".join(lines),)))
    return tuple(blocks)


def fill(answer: str, *, contact_phone: str, entity: str) -> str:
    """The answer with its placeholders filled."""
    return answer.replace("{{ contact_phone }}", contact_phone).replace("{{ entity }}", entity)


def _stem(word: str) -> str:
    # Enough for matching ("registrar", "registro", "registré" meet at "registr"), not more.
    if len(word) > 4 and word.endswith("s"):
        word = word[:-1]
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    if len(word) > 4 and word[-1] in "aeo":
        return word[:-1]
    return word


def content_words(text: str) -> frozenset[str]:
    """The stems of the words that carry meaning."""
    return frozenset(_stem(w) for w in _WORD.findall(fold_plain(text)) if w not in _COMMON)


def match_faq(
    text: str, faqs: Iterable[Faq], min_score: float, *, request_type: str | None = None
) -> FaqMatch | None:
    """The frequent question `text` asks, if one scores at least `min_score` (0 to 1).

    A pattern scores 1 and an example phrasing the share of its words found, so examples
    are only read when no pattern matched; equal scores go to the question asked first.
    """
    folded = fold_plain(text)
    words = _WORD.findall(folded)
    # A letter of many points is less likely to be this one question.
    length = 1.0 if len(words) <= LONG_TEXT_WORDS else max(0.5, LONG_TEXT_WORDS / len(words))
    if length < min_score:
        return None
    candidates = [faq for faq in faqs if request_type is None or request_type in faq.types]
    hits = [
        (found.start(), FaqMatch(faq, round(length, 3), f"pattern {found.group(0)!r}"))
        for faq in candidates
        if (found := _first_pattern(faq, folded)) is not None
    ]
    if hits:
        return min(hits, key=lambda hit: hit[0])[1]
    stems = frozenset(_stem(w) for w in words if w not in _COMMON)
    best: FaqMatch | None = None
    for faq in candidates:
        for example, phrase in zip(faq._example_words, faq.examples, strict=True):
            if len(example) < 2:
                continue
            share = len(example & stems) / len(example)
            score = round(share * length, 3)
            if score >= min_score and (best is None or score > best.score):
                best = FaqMatch(faq, score, f"example {phrase!r} ({share:.2f})")
    return best


def _first_pattern(faq: Faq, folded: str) -> re.Match[str] | None:
    """The earliest match of the question's patterns in the text."""
    found = [m for pattern in faq._compiled if (m := pattern.search(folded))]
    return min(found, key=lambda m: m.start()) if found else None


def duplicate_ids(faqs: Sequence[Faq]) -> list[str]:
    """Ids used by more than one question (each must be unique: cases record it)."""
    counts = Counter(faq.id for faq in faqs)
    return sorted(faq_id for faq_id, count in counts.items() if count > 1)
