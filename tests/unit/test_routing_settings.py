"""The settings of priority terms, office rules and frequent questions: defaults, and one
named line for each problem (`offices.rules[2].patterns[0]`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ventanilla.errors import ConfigurationError
from ventanilla.routing.offices import DEFAULT_COMPETENCE, DEFAULT_OFFICE, DEFAULT_RULES
from ventanilla.settings import load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No VENTANILLA_* variable from outside, and no settings.toml in the working folder."""
    for name in list(os.environ):
        if name.upper().startswith("VENTANILLA_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def settings_from(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str) -> None:
    path = tmp_path / "custom.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("VENTANILLA_SETTINGS", str(path))


def problems_of(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str) -> list[str]:
    settings_from(monkeypatch, tmp_path, text)
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    return caught.value.problems


def test_defaults_are_the_spes_structure_no_shortened_terms_and_the_built_in_faq() -> None:
    settings = load_settings()

    assert settings.offices.default == DEFAULT_OFFICE
    assert [rule.rule() for rule in settings.offices.rules] == list(DEFAULT_RULES)
    assert [rule.rule() for rule in settings.offices.competence] == list(DEFAULT_COMPETENCE)
    assert settings.priority.term_days == {}
    assert (settings.faq.enabled, settings.faq.directory, settings.faq.min_score) == (True, "", 0.8)


def test_rules_in_the_file_replace_the_defaults(monkeypatch, tmp_path) -> None:
    settings_from(
        monkeypatch,
        tmp_path,
        '[offices]\ndefault = "Ventanilla"\n'
        '[[offices.rules]]\noffice = "Jurídica"\ntypes = ["consulta"]\n'
        "[[offices.competence]]\nentity = \"ICBF\"\npatterns = ['\\bicbf\\b']\n"
        "[priority]\nterm_days = { riesgo_derecho_fundamental = 3, nna = 10 }\n",
    )
    settings = load_settings()

    assert settings.offices.default == "Ventanilla"
    assert [(r.office, r.patterns, r.types) for r in settings.offices.rules] == [
        ("Jurídica", [], ["consulta"])
    ]
    assert [(c.entity, c.patterns) for c in settings.offices.competence] == [
        ("ICBF", [r"\bicbf\b"])
    ]
    assert settings.priority.term_days == {"riesgo_derecho_fundamental": 3, "nna": 10}


RULES = """
[[offices.rules]]
office = "A"
patterns = ["uno"]

[[offices.rules]]
office = "B"
types = ["peticion"]
"""


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        (
            RULES + '[[offices.rules]]\noffice = "C"\npatterns = ["ok", "(sin cerrar"]\n',
            "offices.rules[2].patterns[1]: not a regular expression (missing ), unterminated "
            "subpattern at position 0) (got '(sin cerrar')",
        ),
        (
            RULES + '[[offices.rules]]\noffice = "C"\npatterns = ["Contraseña"]\n',
            "offices.rules[2].patterns[0]: patterns run on folded text (lower case, no "
            "accents, n for ñ): write 'contrasena', not 'Contraseña'",
        ),
        (
            RULES + '[[offices.rules]]\noffice = "C"\ntypes = ["tutela"]\n',
            "offices.rules[2].types[0]: 'tutela' is not a request type; expected one of "
            "peticion, informacion, consulta, queja, reclamo, sugerencia, denuncia, felicitacion",
        ),
        (
            RULES + '[[offices.rules]]\noffice = "C"\n',
            "offices.rules[2].patterns: give patterns, types or both (a rule needs something "
            "to match)",
        ),
        (
            RULES + '[[offices.rules]]\nofice = "C"\ntypes = ["queja"]\n',
            "offices.rules[2].ofice: unknown key; did you mean offices.rules[2].office?",
        ),
        (
            '[[offices.competence]]\nentity = "X"\npatterns = []\n',
            "offices.competence[0].patterns: List should have at least 1 item after "
            "validation, not 0 (got [])",
        ),
        ('[offices]\ndefault = ""\n', "offices.default: String should have at least 1 character"),
        (
            "[priority]\nterm_days = { ninos = 5 }\n",
            "priority.term_days: 'ninos' is not a flag; expected one of nna, periodista, "
            "riesgo_derecho_fundamental, discapacidad, anonimo, idioma_extranjero, "
            "denuncia_corrupcion",
        ),
        (
            "[priority]\nterm_days = { nna = -1 }\n",
            "priority.term_days.nna: Input should be greater than or equal to 0 (got -1)",
        ),
        ("[faq]\nmin_score = 0.2\n", "faq.min_score: Input should be greater than or equal to 0.5"),
        ('[faq]\ndirectory = "no-existe"\n', "faq.directory: no such folder: no-existe"),
    ],
    ids=[
        "bad-regex",
        "accents",
        "type",
        "empty-rule",
        "typo",
        "competence-without-patterns",
        "empty-default",
        "unknown-flag",
        "negative-days",
        "min-score",
        "faq-folder",
    ],
)
def test_each_problem_names_its_key(monkeypatch, tmp_path, toml: str, problem: str) -> None:
    problems = problems_of(monkeypatch, tmp_path, toml)

    assert any(line.startswith(problem) for line in problems), problems


def test_rules_from_the_environment_are_checked_the_same_way(monkeypatch) -> None:
    monkeypatch.setenv(
        "VENTANILLA_OFFICES__RULES",
        '[{"office": "A", "patterns": ["ok"]}, {"office": "B", "patterns": ["(x"]}]',
    )

    with pytest.raises(ConfigurationError) as caught:
        load_settings()

    [line] = caught.value.problems
    assert line.startswith("offices.rules[1].patterns[0]: not a regular expression")


def test_shortened_terms_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("VENTANILLA_PRIORITY__TERM_DAYS", '{"riesgo_derecho_fundamental": 1}')

    assert load_settings().priority.term_days == {"riesgo_derecho_fundamental": 1}
