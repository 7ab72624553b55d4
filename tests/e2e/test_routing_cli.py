"""Operators' view of the routing settings: a broken rule or frequent-question file stops
every command with its key or file named, before anything starts."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_a_broken_faq_file_stops_the_commands_naming_the_file(deployment_factory, tmp_path):
    faq = tmp_path / "faq"
    faq.mkdir()
    (faq / "clave.md").write_text("Sin front matter\n", encoding="utf-8")
    deployment = deployment_factory(f"sqlite:///{tmp_path / 'v.db'}", faq__directory=str(faq))
    for command in (["check"], ["cases", "list"]):
        result = deployment.cli(*command, check=False, timeout=60)
        assert result.returncode == 2, result.stderr
        assert f"settings: faq.directory: {faq / 'clave.md'}: must start with a +++ line" in (
            result.stderr
        )


def test_a_bad_office_rule_stops_check_naming_its_key(deployment_factory, tmp_path):
    settings = tmp_path / "settings.toml"
    settings.write_text(
        '[[offices.rules]]\noffice = "A"\npatterns = ["ok"]\n'
        '[[offices.rules]]\noffice = "B"\npatterns = ["(sin cerrar"]\n',
        encoding="utf-8",
    )
    deployment = deployment_factory(f"sqlite:///{tmp_path / 'v.db'}")
    deployment.env["VENTANILLA_SETTINGS"] = str(settings)
    result = deployment.cli("check", check=False, timeout=60)

    assert result.returncode == 2
    assert "settings: offices.rules[1].patterns[0]: not a regular expression" in result.stderr


def test_check_passes_with_the_built_in_rules_and_questions(deployment_factory, tmp_path):
    deployment = deployment_factory(f"sqlite:///{tmp_path / 'v.db'}")

    assert deployment.cli("check").stdout.strip() == "settings ok"
