"""How the classifiers do on real citizen texts written elsewhere (evaluation only).

Reads `../shared/data/pqrs/` beside the repository (never copied into it; see that folder's
README) and maps each set's labels to ours as the README says:

- `buzon-institucional-mx`: a Mexican institution's suggestion box, the type chosen by the
  citizen (Felicitación, Sugerencia, Queja) -> felicitacion, sugerencia, queja. Only rows
  with at least 10 characters of text. Evaluated with the PQRSDF classifier, as the
  pipeline runs it (rules, then the model).
- `tweets-ayuntamientos-es`: tweets to Spanish city councils with a hand-labelled intent.
  `informativo_demandante` (a demand) is a request, everything else is not. Evaluated two
  ways: the PQRSDF classifier (request = any request type) and the mentions model, as the
  pipeline reads a public mention (request = `solicitud`, or a decisive rule).

    .venv/bin/python bench/real_texts.py [--data ../shared/data/pqrs] [--json]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ventanilla.app import current_app  # noqa: E402
from ventanilla.classifier import evaluate  # noqa: E402
from ventanilla.routing.classify import Classification, Item, classify_many  # noqa: E402
from ventanilla.routing.mentions import mention_classes, public_decision  # noqa: E402
from ventanilla.routing.types import REQUEST_TYPES  # noqa: E402

BUZON_LABELS = {"Felicitación": "felicitacion", "Sugerencia": "sugerencia", "Queja": "queja"}


def buzon(root: Path) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    with (root / "buzon-institucional-mx" / "buzon_respuestas.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            text = (row["texto"] or "").strip()
            if len(text) >= 10 and row["tipo"] in BUZON_LABELS:
                texts.append(text)
                labels.append(BUZON_LABELS[row["tipo"]])
    return texts, labels


def tweets(root: Path) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    path = root / "tweets-ayuntamientos-es" / "citizens_labeled_20220911.reduced.jsonl"
    with path.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if not row.get("text") or not row.get("label"):
                continue
            texts.append(row["text"])
            demand = "informativo_demandante" in row["label"]
            labels.append("request" if demand else "not_request")
    return texts, labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "pqrs"
    parser.add_argument("--data", type=Path, default=default)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    app = current_app()
    settings = app.settings.classifier
    pqrsdf, mentions = app.text_model("pqrsdf"), app.text_model("mentions")

    def decide(texts: list[str]) -> list[Classification]:
        return classify_many(
            [Item(t) for t in texts],
            model=pqrsdf,
            rules=app.classifier_rules,
            review_below=settings.review_below,
            presume_below=settings.presume_request_below,
        )

    results = {}
    texts, truth = buzon(args.data)
    results["buzon: PQRSDF type (felicitacion/sugerencia/queja)"] = evaluate(
        truth, [d.type for d in decide(texts)]
    )
    texts, truth = tweets(args.data)
    decisions = decide(texts)
    as_request = ["request" if d.type in REQUEST_TYPES else "not_request" for d in decisions]
    results["tweets: request or not, PQRSDF classifier"] = evaluate(truth, as_request)
    classes = mention_classes(texts, mentions)
    public = [
        "request" if public_decision(d, m).type in REQUEST_TYPES else "not_request"
        for d, m in zip(decisions, classes, strict=True)
    ]
    results["tweets: request or not, as a public mention (mentions model first)"] = evaluate(
        truth, public
    )
    if args.json:
        print(json.dumps({name: r.as_dict() for name, r in results.items()}, indent=2))
        return
    for name, result in results.items():
        print(f"== {name}\n{result.table()}\n")


if __name__ == "__main__":
    main()
