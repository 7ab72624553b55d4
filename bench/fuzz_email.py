"""A long fuzzing run of the e-mail parser, by hand: for N seconds, feed `parse_email` bytes
and check that what comes back is storable (tests/fuzzing.py); print the cases run and the
distinct crashes found (an exception, or a message the store would refuse).

With atheris installed (`pip install -e '.[fuzz]'`) it is coverage-guided, seeded with the
hostile corpus (tests/corpus/hostile.py); without it, hypothesis draws arbitrary and
mutated messages (the strategies of tests/unit/test_email_fuzzing.py) until time is up.

    .venv/bin/python bench/fuzz_email.py [--seconds 300] [--engine auto|atheris|hypothesis]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.fuzzing import assert_storable  # noqa: E402

crashes: Counter[str] = Counter()
first_input: dict[str, bytes] = {}
runs = 0


def check(parse: object, raw: bytes) -> None:
    """One case: a crash is recorded by where it happened, and the run goes on."""
    global runs
    runs += 1
    try:
        message = parse(raw)  # type: ignore[operator]
        assert message.raw == raw
        assert_storable(message)
    except Exception as error:
        frame = traceback.extract_tb(error.__traceback__)[-1]
        key = f"{type(error).__name__} at {Path(frame.filename).name}:{frame.lineno}: {error}"
        crashes[key[:200]] += 1
        first_input.setdefault(key[:200], raw)


def report(engine: str, seconds: float) -> None:
    print(f"engine: {engine}; {runs} cases in {seconds:.0f} s ({runs / seconds:.0f}/s)")
    print(f"distinct crashes: {len(crashes)}")
    for key, count in crashes.most_common():
        print(f"  {count:6d}  {key}  first input: {first_input[key][:120]!r}")


def with_atheris(seconds: float) -> None:
    import atheris

    with atheris.instrument_imports():
        from ventanilla.adapters.email_parsing import parse_email
    from tests.corpus.hostile import hostile_corpus_small

    seeds = Path(tempfile.mkdtemp(prefix="fuzz-email-"))
    for name, raw in hostile_corpus_small():
        (seeds / name).write_bytes(raw)
    start = time.monotonic()

    def one_input(data: bytes) -> None:
        check(parse_email, data)
        if time.monotonic() - start > seconds:
            report("atheris", time.monotonic() - start)
            sys.stdout.flush()
            os._exit(0)  # libFuzzer's own exit skips Python's; the figures are printed

    atheris.Setup([sys.argv[0], "-max_len=65536", "-rss_limit_mb=2048", str(seeds)], one_input)
    atheris.Fuzz()


def with_hypothesis(seconds: float) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from tests.unit.test_email_fuzzing import mutated, real_looking
    from ventanilla.adapters.email_parsing import parse_email

    start = time.monotonic()

    # Rounds of 500 random cases (a new seed each), until the time is up.
    @settings(max_examples=500, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(raw=st.one_of(st.binary(max_size=8192), mutated(), real_looking()))
    def run(raw: bytes) -> None:
        check(parse_email, raw)

    while time.monotonic() - start < seconds:
        run()
    report("hypothesis", time.monotonic() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--engine", choices=["auto", "atheris", "hypothesis"], default="auto")
    args = parser.parse_args()
    engine = args.engine
    if engine == "auto":
        try:
            import atheris  # noqa: F401

            engine = "atheris"
        except ImportError:
            engine = "hypothesis"
    (with_atheris if engine == "atheris" else with_hypothesis)(args.seconds)


if __name__ == "__main__":
    main()
