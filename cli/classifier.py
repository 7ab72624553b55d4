"""`ventanilla classifier train|evaluate`: the PQRSDF and feed classifiers, measured."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from ventanilla.app import App
    from ventanilla.routing.classify import Classification

KIND_CHOICE = click.Choice(("pqrsdf", "mentions"))


@click.group(help="Train and measure the classifiers (PQRSDF types, the mentions feed).")
def classifier() -> None:
    pass


@classifier.command("train", help="Train again from the corpus and staff's corrections.")
@click.option("--kind", type=KIND_CHOICE, multiple=True, help="Only this model (repeatable).")
def train(kind: tuple[str, ...]) -> None:
    from ventanilla.cli.main import _app
    from ventanilla.store.training import corrections

    app = _app()
    with app.db.read() as session:
        learned = corrections(session)
    for name in kind or ("pqrsdf", "mentions"):
        click.echo(f"training {name}...", err=True)
        meta = app.model_files.retrain(name, learned if name == "pqrsdf" else [])
        click.echo(
            f"{name}: {meta['corpus_rows']} corpus rows, {meta['corrections']} corrections, "
            f"{len(meta['labels'])} classes -> {app.model_files.path(name)}"
        )


@classifier.command(
    "evaluate",
    help="Per-class precision, recall, F1, macro-F1 and the confusion matrix. FILE is a CSV "
    "with columns text,label; without it, the corpus's held-out test rows.",
)
@click.argument(
    "file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--kind", type=KIND_CHOICE, default="pqrsdf", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def evaluate(file: Path | None, kind: str, as_json: bool) -> None:
    from ventanilla.classifier import evaluate as measure
    from ventanilla.classifier import read_corpus, read_labelled_csv
    from ventanilla.cli.main import _app

    app = _app()
    try:
        examples = read_labelled_csv(file) if file else read_corpus(kind)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="FILE") from None
    examples = [e for e in examples if e.split == "test"]
    if not examples:
        raise click.UsageError("nothing to evaluate: no rows (or no held-out test rows)")
    truth = [e.label for e in examples]
    if kind == "pqrsdf":
        predicted = [decision.type for decision in _classify([e.text for e in examples], app)]
    else:
        model = app.text_model("mentions")
        if model is None:
            raise click.ClickException("the mentions model could not be trained (see the log)")
        predicted = [p.label for p in model.predict([e.text for e in examples])]
    result = measure(truth, predicted)
    click.echo(json.dumps(result.as_dict(), indent=2) if as_json else result.table())


def _classify(texts: list[str], app: App) -> list[Classification]:
    """The whole hybrid (rules, then the model) as the pipeline runs it."""
    from ventanilla.routing.classify import Item, classify_many
    from ventanilla.routing.text import strip_quoted

    return classify_many(
        [Item(strip_quoted(text)) for text in texts],
        model=app.text_model("pqrsdf"),
        rules=app.classifier_rules,
        review_below=app.settings.classifier.review_below,
        presume_below=app.settings.classifier.presume_request_below,
    )
