"""What every channel parser must hand the store, whatever the input: the property the
fuzzing tests (tests/unit/test_*_fuzzing.py) check on each `InboundMessage` they get back.

A parser may quarantine what it cannot read, but what it returns must be storable as is:
text that UTF-8 can encode (no lone surrogates), no NUL or other control characters where
a page or a terminal shows them, every field within its column (PostgreSQL refuses longer
values, which would quarantine the message with its text blanked), flags that JSON holds.
"""

from __future__ import annotations

import json
import os
import unicodedata
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy import String

from ventanilla.message import InboundMessage, declared_type
from ventanilla.store.schema import Attachment as AttachmentRow
from ventanilla.store.schema import Message as MessageRow

# Bounded for the suite (a few seconds a target), derandomized so CI sees the same cases;
# HYPOTHESIS_PROFILE=long (bench/fuzz_parsers.py) runs many more, randomly.
settings.register_profile(
    "suite",
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "20000")),
    deadline=None,
    derandomize=False,
    suppress_health_check=list(HealthCheck),
)
FUZZ = settings.get_profile("long" if os.environ.get("HYPOTHESIS_PROFILE") == "long" else "suite")


def width(table: Any, column: str) -> int | None:
    kind = table.__table__.c[column].type
    return kind.length if isinstance(kind, String) else None


def storable_text(value: str, what: str, *, multiline: bool = False) -> None:
    value.encode("utf-8")  # raises on a lone surrogate, as the store would
    allowed = "\n\t" if multiline else "\t"  # a folded Subject keeps its tab: harmless
    bad = [c for c in value if unicodedata.category(c) in ("Cc", "Cs") and c not in allowed]
    assert not bad, f"{what} carries control characters {bad[:5]!r}"


def assert_storable(message: InboundMessage) -> None:
    """The store takes this message as it is (see the module docstring)."""
    for column in ("provider_id", "sender", "sender_name", "subject", "reply_email", "reply_phone"):
        value = getattr(message, column)
        limit = width(MessageRow, column)
        assert limit is None or len(value) <= limit, f"{column} over {limit}: {len(value)}"
        storable_text(value, column)
    storable_text(message.text, "text", multiline=True)
    for reference in message.references:
        storable_text(reference, "reference")
    json.dumps(message.flags, ensure_ascii=False).encode("utf-8")
    json.dumps(list(message.references)).encode("utf-8")
    assert "\\u0000" not in json.dumps(message.flags), "a NUL in flags (PostgreSQL refuses)"
    assert message.received_at.tzinfo is not None
    for attachment in message.attachments:
        assert 0 < len(attachment.filename) <= (width(AttachmentRow, "filename") or 0)
        storable_text(attachment.filename, "attachment filename")
        assert not set(attachment.filename) & set("/\\\t"), "a path or a tab in a file name"
        assert declared_type(attachment.content_type) == attachment.content_type
        assert len(attachment.content_type) <= (width(AttachmentRow, "content_type") or 0)


# Text as providers can send it in JSON: any code point, and often one of the troublemakers
# (a lone surrogate, NUL, C1, a bidi override, CR, a path) somewhere in it.
TROUBLE = ["\ud800", "\udfff", "\x00", "\x9b", "\u202e", "\r", "\n", "/", "..", "²", "@"]
plain_text = st.text(st.characters(exclude_categories=()), max_size=40)
any_text = st.one_of(
    plain_text,
    st.tuples(plain_text, st.sampled_from(TROUBLE), plain_text).map("".join),
    st.sampled_from(TROUBLE),
)
any_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
    max_leaves=12,
)


def or_anything(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the right shape, sometimes any JSON at all in its place."""
    return st.one_of(strategy, strategy, strategy, any_json)
