"""The classifiers a process uses: trained from the corpus in the repository (and staff's
corrections), kept on disk, evaluated.

`routing/model.py` does the arithmetic; this module does the I/O around it: reading the
labelled corpus (`routing/data/<kind>/<label>.csv`), saving the trained model under
`classifier.model_dir`, retraining when the corpus changed, and the evaluation report.
Only the corpus's `train` rows (and corrections) train the model: its `test` rows stay
held out, so `ventanilla classifier evaluate` measures text the model never saw.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ventanilla.logs import log
from ventanilla.routing.classify import says_nothing
from ventanilla.routing.model import TextModel
from ventanilla.routing.text import strip_quoted

# The two models: PQRSDF types (and non-requests), and the communications feed's classes.
KINDS = ("pqrsdf", "mentions")
# Corrections weigh like this many corpus rows: a clerk's decision on a real case is worth
# more than a written example.
CORRECTION_WEIGHT = 3


def _corpus_root() -> Path:
    """routing/data beside the installed package (editable or not)."""
    import ventanilla.routing

    return Path(ventanilla.routing.__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    split: str = "train"
    style: str = ""


def read_corpus(kind: str, root: Path | None = None) -> list[Example]:
    """Every labelled row of one corpus, label taken from the file name."""
    folder = (root or _corpus_root()) / kind
    examples = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                examples.append(
                    Example(
                        row["text"], path.stem, row.get("split") or "train", row.get("style", "")
                    )
                )
    return examples


def read_labelled_csv(path: Path) -> list[Example]:
    """A `text,label` file to evaluate against (`ventanilla classifier evaluate FILE`)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"text", "label"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: needs the columns text,label (missing {', '.join(missing)})")
        return [Example(row["text"], row["label"].strip(), "test") for row in reader]


# Changes when what `train` makes of the corpus changes (which rows it learns from), so
# that a model trained the old way is not kept for the same corpus.
TRAINING_RECIPE = "2: without the texts that say nothing"


def corpus_fingerprint(examples: Iterable[Example]) -> str:
    digest = hashlib.sha256(TRAINING_RECIPE.encode())
    for example in examples:
        digest.update(f"{example.label}\x1f{example.split}\x1f{example.text}\x1e".encode())
    return digest.hexdigest()[:16]


def train(examples: Sequence[Example], corrections: Sequence[tuple[str, str]] = ()) -> TextModel:
    """Train on the corpus's train rows and staff's (text, label) corrections."""
    # The model learns from what the pipeline shows it: the citizen's own words, without
    # the quoted history of a reply or the phone's signature (`strip_quoted`), and only
    # texts that say something. A text of greetings, a signature or a placeholder is
    # decided before the model (`says_nothing`); learnt, it would teach that "hola" means
    # an empty message, and "hola, ok ya entendí" would read as one.
    rows = [(strip_quoted(e.text), e.label) for e in examples if e.split == "train"]
    rows = [(text, label) for text, label in rows if not says_nothing(text)]
    texts = [text for text, _ in rows]
    labels = [label for _, label in rows]
    for text, label in corrections:
        texts.extend([text] * CORRECTION_WEIGHT)
        labels.extend([label] * CORRECTION_WEIGHT)
    if len(set(labels)) < 2:
        raise ValueError("the corpus needs at least two labels with train rows to train on")
    return TextModel.train(texts, labels)


class ModelFiles:
    """The trained models of one installation, one file per kind under `directory`."""

    def __init__(self, directory: Path, corpus_root: Path | None = None) -> None:
        self.directory = directory
        self.corpus_root = corpus_root

    def path(self, kind: str) -> Path:
        return self.directory / f"{kind}.pickle"

    def load_or_train(self, kind: str, corrections: Sequence[tuple[str, str]] = ()) -> TextModel:
        """The saved model, trained first if there is none or the corpus changed since."""
        examples = read_corpus(kind, self.corpus_root)
        fingerprint = corpus_fingerprint(examples)
        with self._lock(kind):
            saved = self._read(kind, fingerprint)
            if saved is not None:
                return saved
            # The first start (or a new corpus) trains: say so, or the first radicado seems
            # to hang for the half minute it takes.
            log.info("classifier_training", kind=kind, examples=len(examples))
            started = time.monotonic()
            model = train(examples, corrections)
            self._write(kind, model, fingerprint, len(examples), len(corrections))
            log.info("classifier_trained", kind=kind, seconds=round(time.monotonic() - started, 1))
            return model

    def retrain(self, kind: str, corrections: Sequence[tuple[str, str]]) -> dict[str, Any]:
        """Train again now (`ventanilla classifier train`); returns what was saved."""
        examples = read_corpus(kind, self.corpus_root)
        fingerprint = corpus_fingerprint(examples)
        with self._lock(kind):
            model = train(examples, corrections)
            return self._write(kind, model, fingerprint, len(examples), len(corrections))

    def _read(self, kind: str, fingerprint: str) -> TextModel | None:
        import sklearn

        meta_path = self.path(kind).with_suffix(".json")
        try:
            meta = json.loads(meta_path.read_text())
            if meta.get("corpus") != fingerprint or meta.get("sklearn") != sklearn.__version__:
                return None  # a new corpus or library: the old model would mislead
            return TextModel.loads(self.path(kind).read_bytes())
        except (OSError, ValueError, KeyError):
            return None

    def _write(
        self, kind: str, model: TextModel, fingerprint: str, examples: int, corrections: int
    ) -> dict[str, Any]:
        import sklearn

        self.directory.mkdir(parents=True, exist_ok=True)
        meta = {
            "kind": kind,
            "corpus": fingerprint,
            "sklearn": sklearn.__version__,
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "corpus_rows": examples,
            "corrections": corrections,
            "labels": list(model.labels),
        }
        _atomic_write(self.path(kind), model.dumps())
        _atomic_write(self.path(kind).with_suffix(".json"), json.dumps(meta, indent=2).encode())
        return meta

    @contextlib.contextmanager
    def _lock(self, kind: str) -> Iterator[None]:
        # Several worker processes start at once: one trains, the others wait and load.
        self.directory.mkdir(parents=True, exist_ok=True)
        with (self.directory / f".{kind}.lock").open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _atomic_write(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.part")
    partial.write_bytes(data)
    os.replace(partial, path)


# -- evaluation ------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    labels: tuple[str, ...]
    # label -> (precision, recall, f1, support)
    per_class: dict[str, tuple[float, float, float, int]]
    macro_f1: float
    accuracy: float
    # confusion[true][predicted]
    confusion: dict[str, dict[str, int]]
    examples: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "examples": self.examples,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "per_class": {
                label: {
                    "precision": round(p, 4),
                    "recall": round(r, 4),
                    "f1": round(f, 4),
                    "support": n,
                }
                for label, (p, r, f, n) in self.per_class.items()
            },
            "confusion": self.confusion,
        }

    def table(self) -> str:
        """Per-class figures, macro-F1 and the confusion matrix, for a terminal."""
        width = max(len(label) for label in self.labels) + 2
        lines = [f"{'class':<{width}}precision  recall     f1  support"]
        for label in self.labels:
            p, r, f, n = self.per_class[label]
            lines.append(f"{label:<{width}}{p:9.3f} {r:7.3f} {f:6.3f} {n:8d}")
        lines.append(f"\n{'accuracy':<{width}}{self.accuracy:.3f}   ({self.examples} examples)")
        lines.append(f"{'macro-F1':<{width}}{self.macro_f1:.3f}")
        short = [label[:6] for label in self.labels]
        lines.append("\nconfusion matrix (rows: true class, columns: predicted)")
        lines.append(" " * width + " ".join(f"{name:>6}" for name in short))
        for label in self.labels:
            row = self.confusion[label]
            lines.append(f"{label:<{width}}" + " ".join(f"{row[p]:6d}" for p in self.labels))
        return "\n".join(lines)


def evaluate(truth: Sequence[str], predicted: Sequence[str]) -> Evaluation:
    """Precision, recall and F1 per class (over the classes present in `truth`)."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    present = sorted(set(truth))
    # Predictions outside the true classes still count as errors of those classes.
    labels = present + sorted(set(predicted) - set(present))
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=present, zero_division=0
    )
    matrix = confusion_matrix(truth, predicted, labels=labels)
    correct = sum(1 for t, p in zip(truth, predicted, strict=True) if t == p)
    return Evaluation(
        labels=tuple(labels),
        per_class={
            label: (float(precision[i]), float(recall[i]), float(f1[i]), int(support[i]))
            for i, label in enumerate(present)
        }
        | {label: (0.0, 0.0, 0.0, 0) for label in labels if label not in present},
        macro_f1=float(sum(f1) / len(present)) if present else 0.0,
        accuracy=correct / len(truth) if truth else 0.0,
        confusion={
            t: {p: int(matrix[i][j]) for j, p in enumerate(labels)} for i, t in enumerate(labels)
        },
        examples=len(truth),
    )
