"""The decisions made before a case is numbered, on real citizen text: cost and what fires.

Times `priority_flags`, `assign_office` and `match_faq` (the work `_filing` adds to every
radication; CPU per message, best of --repeat passes) and runs them over the real Spanish
texts kept for evaluation in /work/shared/data (read from there, never copied), printing
how often each flag, office, competent entity and frequent question was raised. Those
texts are tweets to Spanish city councils and a Mexican suggestion box, none written to
the SPE, so every flag or answer raised on them is worth a look (a false alarm, or not).

    .venv/bin/python bench/routing_decisions.py [--data DIR] [--repeat 5] [--show 5]
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from ventanilla.routing.classify import classify
from ventanilla.routing.faq import Faq, match_faq
from ventanilla.routing.offices import OfficeRules, assign_office
from ventanilla.routing.priority import priority_flags
from ventanilla.routing.text import forget_folded
from ventanilla.templates import load_faqs


def real_texts(data: Path) -> list[str]:
    texts = []
    tweets = data / "tweets-ayuntamientos-es" / "citizens_labeled_20220911.reduced.jsonl"
    if tweets.is_file():
        texts += [json.loads(line)["text"] for line in tweets.open(encoding="utf-8")]
    box = data / "buzon-institucional-mx" / "buzon_respuestas.csv"
    if box.is_file():
        texts += [row["texto"] for row in csv.DictReader(box.open(encoding="utf-8"))]
    return [text for text in texts if text.strip()]


def _filing_decisions(text: str, rules: OfficeRules, faqs: tuple[Faq, ...]) -> None:
    priority_flags(text)
    assign_office("peticion", text, rules)
    match_faq(text, faqs, 0.8, request_type="peticion")


def _cpu_us(decide: Callable[[str], object], texts: list[str], repeat: int) -> float:
    """The best of `repeat` passes, in CPU microseconds per text."""
    best = float("inf")
    for _ in range(repeat):
        forget_folded()
        started = time.process_time()
        for text in texts:
            decide(text)
        best = min(best, (time.process_time() - started) / len(texts) * 1e6)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data/pqrs"))
    parser.add_argument("--repeat", type=int, default=5, help="passes over the texts, for timing")
    parser.add_argument("--show", type=int, default=5, help="examples printed per outcome")
    args = parser.parse_args()
    texts = real_texts(args.data)
    if not texts:
        raise SystemExit(f"no texts under {args.data}")
    rules, faqs = OfficeRules.build(), load_faqs()

    # CPU time, not wall time: the figure holds on a machine other processes share.
    for name, decide in (
        ("classify (for scale)", lambda text: classify(text)),
        ("priority_flags", lambda text: priority_flags(text)),
        ("assign_office", lambda text: assign_office("peticion", text, rules)),
        ("match_faq", lambda text: match_faq(text, faqs, 0.8, request_type="peticion")),
        ("all three, as _filing", lambda text: _filing_decisions(text, rules, faqs)),
    ):
        print(f"{name:<24} {_cpu_us(decide, texts, args.repeat):>6,.0f} µs CPU per message")

    outcomes: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for text in texts:
        found = [f"flag {flag.slug}" for flag in priority_flags(text)]
        decision = assign_office("peticion", text, rules)
        if decision.rule != "offices.default":
            found.append(f"office {decision.office}")
        if decision.competent_entity:
            found.append(f"competent {decision.competent_entity}")
        if match := match_faq(text, faqs, 0.8, request_type="peticion"):
            found.append(f"faq {match.faq.id}")
        for outcome in found:
            outcomes[outcome] += 1
            examples.setdefault(outcome, []).append(" ".join(text.split())[:110])
    print(f"\n{'outcome':<60} {'texts':>6} {'share':>7}")
    for outcome, count in outcomes.most_common():
        print(f"{outcome:<60} {count:>6} {count / len(texts):>7.2%}")
        for example in examples[outcome][: args.show]:
            print(f"    {example}")


if __name__ == "__main__":
    main()
