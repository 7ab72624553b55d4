"""Classification speed: N messages through the hybrid classifier on one core.

The texts are the corpus's own rows, repeated and lightly varied (a number appended) so
the vectoriser cannot cache anything; they go through `classify_many` in batches of the
pipeline's size (25), exactly as the worker calls it. Prints messages per second, the
training time and the resident memory.

    .venv/bin/python bench/classify.py [--messages 100000] [--batch 25]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

# One core: the figure must not depend on how many cores BLAS finds.
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = "1"

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ventanilla.classifier import read_corpus, train  # noqa: E402
from ventanilla.routing.classify import DEFAULT_RULES, Item, classify_many  # noqa: E402
from ventanilla.routing.text import strip_quoted  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=25)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    examples = read_corpus("pqrsdf")
    started = time.perf_counter()
    model = train(examples)
    trained = time.perf_counter() - started
    texts = [e.text for e in examples]
    items = [Item(strip_quoted(f"{texts[n % len(texts)]} {n}")) for n in range(args.messages)]

    started = time.perf_counter()
    cpu = time.process_time()
    decided = 0
    for first in range(0, len(items), args.batch):
        decided += len(
            classify_many(items[first : first + args.batch], model=model, rules=DEFAULT_RULES)
        )
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with tempfile.TemporaryFile() as handle:
        size = handle.write(model.dumps())
    print(f"corpus: {len(examples)} rows, model trained in {trained:.1f} s ({size / 1024:.0f} KiB)")
    print(
        f"classified {decided} messages in {elapsed:.1f} s on one core: "
        f"{decided / elapsed:,.0f} messages/s ({cpu / decided * 1e6:.0f} µs CPU each), "
        f"batches of {args.batch}, peak RSS {rss:.0f} MiB"
    )


if __name__ == "__main__":
    main()
