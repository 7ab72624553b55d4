"""The statistical text classifier: TF-IDF features and a linear model (scikit-learn).

Pure computation: it is trained from labelled texts handed to it and predicts for texts
handed to it; reading the corpus and keeping the trained model on disk happen elsewhere
(`ventanilla.classifier`). A linear model is chosen on purpose: it is fast on one core,
needs no GPU, and every decision can be explained by the words that weighed most.
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from ventanilla.routing.text import fold

# Words and word pairs carry meaning; character n-grams survive typos, missing accents
# and run-together words ("nesecito", "xfavor").
_WORDS = {"analyzer": "word", "ngram_range": (1, 2), "min_df": 1, "sublinear_tf": True}
_CHARS = {"analyzer": "char_wb", "ngram_range": (2, 5), "min_df": 2, "sublinear_tf": True}
# How many of the heaviest features explain one decision.
EXPLAINED_FEATURES = 5


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float
    # The features that pushed hardest toward `label` ("w:cedula", "c:certif").
    features: tuple[str, ...]
    # The probability of every label, for callers that restrict the choice.
    scores: dict[str, float]


# Every digit reads as 0: a cédula, a phone or a radicado says "a number is here", never
# which one (the invented numbers of the corpus must not become words of a class).
_DIGIT = re.compile(r"[0-9]")


def _normalise(texts: Sequence[str]) -> list[str]:
    return [_DIGIT.sub("0", fold(text)) for text in texts]


class TextModel:
    """A trained classifier over a fixed set of labels."""

    def __init__(self, pipeline: Pipeline, feature_names: np.ndarray | None = None) -> None:
        self.pipeline = pipeline
        self.labels: tuple[str, ...] = tuple(str(label) for label in pipeline.classes_)
        if feature_names is None:
            union: FeatureUnion = pipeline.named_steps["features"]
            names = union.get_feature_names_out()
            # "words__cedula" -> "w:cedula": short names staff can read in the case page.
            feature_names = np.array(
                [f"{name.split('__', 1)[0][0]}:{name.split('__', 1)[1]}" for name in names]
            )
        self.feature_names = feature_names

    @classmethod
    def train(cls, texts: Sequence[str], labels: Sequence[str], *, c: float = 30.0) -> TextModel:
        pipeline = Pipeline(
            [
                (
                    "features",
                    FeatureUnion(
                        [("words", TfidfVectorizer(**_WORDS)), ("chars", TfidfVectorizer(**_CHARS))]
                    ),
                ),
                (
                    "model",
                    LogisticRegression(C=c, max_iter=3000, class_weight="balanced"),
                ),
            ]
        )
        pipeline.fit(_normalise(texts), list(labels))
        return cls(pipeline)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """One prediction per text, in order (batched: one matrix for all of them)."""
        if not texts:
            return []
        features = self.pipeline.named_steps["features"].transform(_normalise(texts))
        model: LogisticRegression = self.pipeline.named_steps["model"]
        probabilities = model.predict_proba(features)
        predictions = []
        for row, scores in enumerate(probabilities):
            best = int(np.argmax(scores))
            predictions.append(
                Prediction(
                    label=self.labels[best],
                    confidence=float(scores[best]),
                    features=self._explain(features, row, best),
                    scores={label: float(p) for label, p in zip(self.labels, scores, strict=True)},
                )
            )
        return predictions

    def _explain(self, features: object, row: int, label_index: int) -> tuple[str, ...]:
        """The features of this text that weighed most toward the chosen label."""
        model: LogisticRegression = self.pipeline.named_steps["model"]
        vector = features[row]  # type: ignore[index]
        columns = vector.indices
        if columns.size == 0:
            return ()
        if model.coef_.shape[0] == 1:  # two labels: one row of weights, toward the second
            sign = 1.0 if label_index == 1 else -1.0
            weights = sign * vector.data * model.coef_[0, columns]
        else:
            weights = vector.data * model.coef_[label_index, columns]
        top = np.argsort(weights)[::-1][:EXPLAINED_FEATURES]
        return tuple(str(self.feature_names[columns[i]]) for i in top if weights[i] > 0)

    def dumps(self) -> bytes:
        # Plain pickle, uncompressed, with the feature names computed once: a worker loads
        # it in a tenth of a second (joblib's compressed file and recomputing the names
        # took more than a second). Our own file, written by our own training.
        return pickle.dumps((self.pipeline, self.feature_names), protocol=5)

    @classmethod
    def loads(cls, data: bytes) -> TextModel:
        pipeline, names = pickle.loads(data)  # noqa: S301 (a file this installation wrote)
        return cls(pipeline, names)
