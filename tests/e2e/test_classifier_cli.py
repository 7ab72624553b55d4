"""`ventanilla classifier train|evaluate` and `ventanilla mentions list` as operators use them."""

from __future__ import annotations

import csv
import json

import pytest

pytestmark = pytest.mark.e2e


def test_evaluate_on_the_held_out_split_prints_per_class_figures(deployment_factory, tmp_path):
    deployment = deployment_factory(f"sqlite:///{tmp_path / 'v.db'}")

    table = deployment.cli("classifier", "evaluate").stdout
    figures = json.loads(deployment.cli("classifier", "evaluate", "--json").stdout)

    assert "macro-F1" in table and "confusion matrix" in table
    assert set(figures["per_class"]) >= {"peticion", "informacion", "queja", "vacio"}
    assert figures["examples"] > 300  # every 5th corpus row, never trained on
    assert 0 < figures["macro_f1"] <= 1


def test_evaluate_a_labelled_file_and_refuse_one_without_the_columns(deployment_factory, tmp_path):
    deployment = deployment_factory(f"sqlite:///{tmp_path / 'v.db'}")
    good = tmp_path / "good.csv"
    with good.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerow(["Solicito copia de mi certificado de inscripción", "informacion"])
        writer.writerow(["la funcionaria fue muy grosera conmigo en la sede", "queja"])
    bad = tmp_path / "bad.csv"
    bad.write_text("texto,tipo\nhola,vacio\n")

    figures = json.loads(deployment.cli("classifier", "evaluate", str(good), "--json").stdout)
    refused = deployment.cli("classifier", "evaluate", str(bad), check=False)

    assert figures["examples"] == 2 and figures["per_class"]["informacion"]["support"] == 1
    assert refused.returncode == 2 and "text,label" in refused.stderr


def test_train_saves_both_models_and_counts_corrections(deployment_factory, tmp_path):
    deployment = deployment_factory(f"sqlite:///{tmp_path / 'v.db'}")
    deployment.env["VENTANILLA_CLASSIFIER__MODEL_DIR"] = str(tmp_path / "models")

    out = deployment.cli("classifier", "train", "--kind", "mentions").stdout

    assert "mentions:" in out and "0 corrections" in out
    assert (tmp_path / "models" / "mentions.pickle").exists()
    assert not (tmp_path / "models" / "pqrsdf.pickle").exists()


def test_mentions_list_is_empty_json_on_a_new_store(deployment_factory, tmp_path):
    deployment = deployment_factory(f"sqlite:///{tmp_path / 'v.db'}")

    assert deployment.cli_json("mentions", "list") == []
