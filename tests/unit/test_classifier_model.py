"""The hybrid classifier with a trained model: decisive rules first, the model for the
rest, doubt presumed a request for review; and the model files kept on disk."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest

from ventanilla.classifier import Example, ModelFiles, evaluate, read_corpus, train
from ventanilla.routing.classify import DEFAULT_RULES, Item, classify, classify_many
from ventanilla.routing.model import TextModel

# A tiny corpus: enough words for each class to be learnable, not a benchmark.
ROWS = {
    "peticion": [
        "necesito que me desbloqueen la cuenta del sise",
        "quiero que actualicen mi hoja de vida en el sistema",
        "por favor inscribanme en el taller de entrevistas",
        "ayudenme a cambiar la contraseña de mi cuenta",
        "pido que me asignen una cita con un orientador",
        "requiero que corrijan mi numero de documento en el registro",
    ],
    "reclamo": [
        "la plataforma no funciona desde hace una semana",
        "no me han respondido la solicitud que envie hace un mes",
        "la pagina se cae cada vez que intento postularme",
        "me cancelaron la cita y nadie me avisó",
        "el certificado salio con el nombre mal escrito",
        "llevo quince dias esperando respuesta y nada",
    ],
    "comentario": [
        "el empleo en este pais esta terrible",
        "jajaja buenisimo ese video",
        "ok gracias ya entendi",
        "les comparto esta noticia sobre la economia",
        "que calor hace hoy en barranquilla",
        "buen fin de semana para todos",
    ],
}


@pytest.fixture(scope="module")
def model() -> TextModel:
    texts = [text for rows in ROWS.values() for text in rows]
    labels = [label for label, rows in ROWS.items() for _ in rows]
    return TextModel.train(texts, labels)


def test_the_model_decides_when_no_rule_does_and_names_its_words(model: TextModel) -> None:
    result = classify("la pagina no funciona y no me han respondido", model=model)

    assert result.type == "reclamo"
    assert result.features and all(f.startswith("model:") for f in result.features)
    assert 0 < result.confidence <= 1


def test_a_decisive_rule_wins_over_the_model(model: TextModel) -> None:
    result = classify("solicito copia de la constancia de inscripcion", model=model)

    assert (result.type, result.confidence) == ("informacion", 0.9)
    assert result.features[0].startswith("rule:copia:")


def test_an_explicit_derecho_de_peticion_is_a_request_whatever_the_model_thinks(
    model: TextModel,
) -> None:
    text = "en ejercicio del derecho de peticion: jajaja buenisimo ese video"
    result = classify(text, model=model)

    assert result.type in ("peticion", "reclamo")
    assert result.features[0].startswith("rule:derecho_de_peticion:")


def test_doubt_about_a_non_request_is_presumed_a_request_for_review(model: TextModel) -> None:
    result = classify("xyz qwerty", model=model, presume_below=0.99)

    assert result.type in ("peticion", "reclamo")
    assert result.review
    assert result.features[-1] == "presumed:request"


def test_a_confident_non_request_is_not_radicated(model: TextModel) -> None:
    result = classify("jajaja buenisimo ese video", model=model, review_below=0.3)

    assert result.type == "comentario"
    assert not result.review


def test_a_batch_is_decided_like_one_at_a_time(model: TextModel) -> None:
    items = [
        Item("la plataforma no funciona"),
        Item("solicito copia del certificado"),
        Item("", auto_submitted=True),
        Item("quiero algo", requested_type="queja"),
        Item(""),
    ]
    batch = classify_many(items, model=model, rules=DEFAULT_RULES)
    one_by_one = [
        classify(
            i.text,
            subject=i.subject,
            requested_type=i.requested_type,
            auto_submitted=i.auto_submitted,
            model=model,
        )
        for i in items
    ]

    assert batch == one_by_one
    assert [c.type for c in batch][2:] == ["autorespuesta", "queja", "vacio"]


def _write_corpus(root: Path, extra: str = "") -> None:
    folder = root / "pqrsdf"
    folder.mkdir(parents=True, exist_ok=True)
    for label, rows in ROWS.items():
        with (folder / f"{label}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["text", "style", "split"])
            for n, text in enumerate(rows, 1):
                writer.writerow([text + extra, "webform", "test" if n % 5 == 0 else "train"])


def test_model_files_train_once_and_again_when_the_corpus_changes(tmp_path: Path) -> None:
    corpus = tmp_path / "data"
    _write_corpus(corpus)
    files = ModelFiles(tmp_path / "models", corpus_root=corpus)

    first = files.load_or_train("pqrsdf")
    saved = files.path("pqrsdf").stat().st_mtime_ns
    files.load_or_train("pqrsdf")
    assert files.path("pqrsdf").stat().st_mtime_ns == saved  # loaded, not trained again

    _write_corpus(corpus, extra=" hoy")
    files.load_or_train("pqrsdf")
    assert files.path("pqrsdf").stat().st_mtime_ns != saved
    assert set(first.labels) == set(ROWS)


def test_texts_that_say_nothing_never_train_the_model() -> None:
    # They are decided before the model (`says_nothing`): learnt, they would teach it that
    # a greeting means an empty message, and "hola, ok ya entendí" would read as one.
    empty = ["hola buenas tardes", "Buenas noches\n\nEnviado desde mi iPhone", "[imagen]"]
    examples = [Example(text, label) for label, rows in ROWS.items() for text in rows]
    examples += [Example(text, "vacio") for text in (*empty, "prueba", "una pregunta")]

    model = train(examples)

    assert "vacio" in model.labels  # from the rows that say something
    learnt = set(model.feature_names)
    assert {"w:prueba", "w:pregunta"} <= learnt
    assert not {"w:hola", "w:iphone", "w:imagen", "w:noches"} & learnt


def test_a_model_trained_the_old_way_is_trained_again(tmp_path: Path) -> None:
    corpus = tmp_path / "data"
    _write_corpus(corpus)
    files = ModelFiles(tmp_path / "models", corpus_root=corpus)
    files.load_or_train("pqrsdf")
    meta_path = files.path("pqrsdf").with_suffix(".json")
    meta = json.loads(meta_path.read_text())
    old_way = hashlib.sha256()  # the fingerprint before TRAINING_RECIPE existed
    for example in read_corpus("pqrsdf", corpus):
        old_way.update(f"{example.label}\x1f{example.split}\x1f{example.text}\x1e".encode())
    meta_path.write_text(json.dumps({**meta, "corpus": old_way.hexdigest()[:16]}))
    saved = files.path("pqrsdf").stat().st_mtime_ns

    files.load_or_train("pqrsdf")

    assert files.path("pqrsdf").stat().st_mtime_ns != saved


def test_held_out_rows_never_train_the_model(tmp_path: Path) -> None:
    corpus = tmp_path / "data"
    _write_corpus(corpus)
    examples = read_corpus("pqrsdf", corpus)

    assert {e.split for e in examples} == {"train", "test"}
    assert sum(e.split == "test" for e in examples) == len(ROWS)  # the 5th of each file


def test_evaluation_reports_per_class_figures_and_the_confusion_matrix() -> None:
    truth = ["queja", "queja", "reclamo", "reclamo", "peticion"]
    predicted = ["queja", "reclamo", "reclamo", "reclamo", "comentario"]

    result = evaluate(truth, predicted)

    assert result.per_class["queja"][:3] == (1.0, 0.5, pytest.approx(2 / 3))
    assert result.per_class["reclamo"][:2] == (pytest.approx(2 / 3), 1.0)
    assert result.per_class["peticion"][2] == 0.0
    assert result.confusion["peticion"]["comentario"] == 1
    assert result.macro_f1 == pytest.approx((2 / 3 + 0.8 + 0.0) / 3)
    assert "macro-F1" in result.table()


def test_a_short_text_that_names_a_matter_of_the_service_is_never_empty() -> None:
    # A model that has seen almost nothing but empty messages calls everything empty.
    texts = ["hola", "buenas", "hola buenas tardes", "gracias", "jajaja que risa"]
    labels = ["vacio", "vacio", "vacio", "vacio", "comentario"]
    small = TextModel.train(texts * 3, labels * 3)
    assert small.predict(["olvidé mi contraseña"])[0].label == "vacio"

    result = classify("olvidé mi contraseña", model=small)

    assert result.type == "peticion" and result.review
    assert "matter:asks" in result.features
    assert classify("hola buenas", model=small).type == "vacio"


@pytest.mark.parametrize(
    "item",
    [
        Item("jajaja buenisimo ese video", deliberate=True),
        Item("ok gracias", has_attachments=True),
        Item("hola buenas tardes", deliberate=True),
    ],
)
def test_a_form_submission_or_an_attachment_is_never_dismissed_as_chatter(
    model: TextModel, item: Item
) -> None:
    [result] = classify_many([item], model=model)

    assert result.type in ("peticion", "reclamo") and result.review
    assert "presumed:request" in result.features


def test_spam_through_the_form_is_still_spam(model: TextModel) -> None:
    [result] = classify_many([Item("https://casino.example/promo", deliberate=True)], model=model)

    assert result.type == "spam"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Quiero poner una queja por la atención en la oficina", "queja"),
        ("Quiero presentar un reclamo por mi subsidio", "reclamo"),
        ("Solicito copia de mi certificado", "informacion"),
    ],
)
def test_a_rule_naming_a_type_wins_over_one_that_only_says_a_request(
    model: TextModel, text: str, expected: str
) -> None:
    assert classify(text, model=model).type == expected
