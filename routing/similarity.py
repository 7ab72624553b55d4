"""How alike two texts are: word shingles, MinHash signatures, LSH band keys (no I/O).

A text is folded (routing/text.py) and cut into overlapping runs of two words
(shingles); two texts are as alike as the Jaccard index of their shingle sets. One word
changed in a request of n words leaves a Jaccard of (n - 3) / (n + 1): 0.85 for 25 words,
0.75 for 15 (runs of three would give 0.77 and 0.63, too harsh for a resent SMS). A MinHash
signature (datasketch, 64 permutations) estimates that index from 256 bytes, and its
band keys (8 bands of 4 values) are what the store indexes: two texts of Jaccard 0.8
share a band key with probability 0.985, of 0.5 with 0.40, of 0.2 with 0.013
(1 - (1 - J^4)^8), so a lookup reads only the few cases that may be alike.

The parameters are part of the persisted index: changing them makes every stored
signature and band key meaningless (bump INDEX_VERSION and re-index).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

import numpy as np

from ventanilla.routing.text import fold

INDEX_VERSION: Final = 1
SHINGLE_WORDS: Final = 2
NUM_PERM: Final = 64
BANDS: Final = 8
BAND_ROWS: Final = 4
SEED: Final = 1755  # Ley 1755 de 2015: any fixed seed, so signatures compare across runs
SCHEME: Final = "affine32"  # 32-bit values: 4 bytes each in the store
SIGNATURE_BYTES: Final = NUM_PERM * 4


@lru_cache(maxsize=1)
def _minhash() -> tuple[Any, Any]:
    """datasketch's MinHash and our permutations, made once. Imported here, not at the
    top: datasketch brings scipy (0.7 s and 50 MiB), which only the workers need, not the
    web app or the poller that import the pipeline to enqueue."""
    from datasketch import MinHash

    return MinHash, MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def prepare_minhash() -> None:
    """Import datasketch and make the permutations now (before forking worker processes,
    which then share them) rather than at the first message."""
    _minhash()


@dataclass(frozen=True)
class Fingerprint:
    """What the store keeps of a text to find it again: its signature and band keys."""

    signature: bytes
    bands: tuple[int, ...]


def shingles(text: str) -> frozenset[str]:
    """Runs of two folded words; a one-word text is one shingle."""
    return folded_shingles(fold(text))


def folded_shingles(folded: str) -> frozenset[str]:
    """`shingles` of a text already folded (routing.text.fold)."""
    words = folded.split()
    if len(words) <= SHINGLE_WORDS:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(
        " ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)
    )


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """The exact Jaccard index of two shingle sets (0 when both are empty)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def signature(shingle_set: frozenset[str]) -> bytes:
    """The MinHash signature of a shingle set: NUM_PERM 32-bit values, little-endian."""
    minhash_class, permutations = _minhash()
    minhash = minhash_class(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, permutations=permutations)
    minhash.update_batch([shingle.encode() for shingle in shingle_set])
    return np.asarray(minhash.hashvalues, dtype="<u4").tobytes()


def band_keys(sig: bytes) -> tuple[int, ...]:
    """One signed 64-bit key per band: equal keys mean the band's values are all equal."""
    width = BAND_ROWS * 4
    return tuple(
        int.from_bytes(
            hashlib.blake2b(
                bytes([band]) + sig[band * width : (band + 1) * width], digest_size=8
            ).digest(),
            "big",
            signed=True,
        )
        for band in range(BANDS)
    )


def fingerprint(text: str) -> Fingerprint | None:
    """The signature and band keys of a text; None when it has no words."""
    return folded_fingerprint(fold(text))


def folded_fingerprint(folded: str) -> Fingerprint | None:
    """`fingerprint` of a text already folded (routing.text.fold)."""
    shingle_set = folded_shingles(folded)
    if not shingle_set:
        return None
    sig = signature(shingle_set)
    return Fingerprint(sig, band_keys(sig))


def estimated_jaccard(a: bytes, b: bytes) -> float:
    """The Jaccard index two signatures estimate (the share of equal values)."""
    left = np.frombuffer(a, dtype="<u4")
    right = np.frombuffer(b, dtype="<u4")
    if left.shape != right.shape:
        raise ValueError(f"signatures of {left.size} and {right.size} values do not compare")
    return float(np.count_nonzero(left == right)) / left.size


def estimated_jaccards(sig: bytes, others: list[bytes]) -> list[float]:
    """`estimated_jaccard` of one signature against many, in one vectorised comparison."""
    if not others:
        return []
    mine = np.frombuffer(sig, dtype="<u4")
    theirs = np.frombuffer(b"".join(others), dtype="<u4").reshape(len(others), mine.size)
    return [float(share) for share in np.count_nonzero(theirs == mine, axis=1) / mine.size]
