"""Properties of the pure pieces (hypothesis): distinct senders share no identity, a text
is always the same request as itself, and texts less alike than the threshold never are."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ventanilla.routing.dedupe import comparable_text, same_request
from ventanilla.routing.identity import identities_of
from ventanilla.routing.similarity import estimated_jaccard, fingerprint, jaccard, shingles

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzáéíóúñ", min_size=1, max_size=10)
texts = st.lists(words, min_size=1, max_size=60).map(" ".join)
senders = st.one_of(
    st.integers(1, 10**9).map(lambda n: ("telegram", f"tg:{n}")),
    st.integers(1, 10**9).map(lambda n: ("x", f"x:{n}")),
    st.integers(0, 9_999_999).map(lambda n: ("sms", f"+57300{n:07d}")),
    st.from_regex(r"[a-z]{1,12}@[a-z]{1,8}\.co", fullmatch=True).map(lambda a: ("email", a)),
)


@given(one=senders, other=senders, text=texts)
def test_distinct_senders_share_no_identity(one, other, text):
    if one[1].lower() == other[1].lower():
        return
    mine = identities_of(one[0], one[1], text=text)
    theirs = identities_of(other[0], other[1], text=text)

    assert mine and theirs
    assert not set(mine) & set(theirs)


# No deadline: the first signature imports datasketch (and scipy), most of a second.
@settings(deadline=None)
@given(text=texts)
def test_a_text_is_the_same_request_as_itself(text):
    assert same_request(text, text, 0.8) == 1.0
    printed = fingerprint(comparable_text(text))
    assert printed is not None
    assert estimated_jaccard(printed.signature, printed.signature) == 1.0


@given(a=texts, b=texts, threshold=st.floats(0.5, 1.0))
def test_texts_less_alike_than_the_threshold_are_never_the_same_request(a, b, threshold):
    alike = jaccard(shingles(comparable_text(a)), shingles(comparable_text(b)))
    if alike < threshold:
        assert same_request(a, b, threshold) is None
