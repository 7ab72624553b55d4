"""`ventanilla users` and `ventanilla digest` as an operator runs them."""

from __future__ import annotations

import email
import email.policy

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture
def deployment(deployment_factory, tmp_path):
    return deployment_factory(
        f"sqlite:///{tmp_path / 'v.db'}", staff__digest_to="equipo@example.gov.co"
    )


def test_users_are_added_listed_and_disabled_from_the_command_line(deployment):
    added = deployment.cli(
        "users",
        "add",
        "Ana",
        "--role",
        "admin",
        "--name",
        "Ana Gómez",
        "--password-stdin",
        stdin="una-clave-bien-larga\n",
    )
    assert added.stdout.strip() == "user ana added (admin)"
    short = deployment.cli(
        "users", "add", "beto", "--role", "agente", "--password-stdin", stdin="corta\n", check=False
    )
    assert short.returncode == 1
    assert short.stderr.strip() == "error: password: must be at least 12 characters"
    twice = deployment.cli(
        "users",
        "add",
        "ana",
        "--role",
        "agente",
        "--password-stdin",
        stdin="otra-clave-bien-larga\n",
        check=False,
    )
    assert "error: username: ana already exists" in twice.stderr

    deployment.cli("users", "disable", "ana")
    [user] = deployment.cli_json("users", "list")
    assert user | {"created_at": None} == {
        "id": 1,
        "username": "ana",
        "display_name": "Ana Gómez",
        "role": "admin",
        "active": False,
        "created_at": None,
        "last_login_at": None,
    }
    missing = deployment.cli("users", "disable", "nadie", check=False)
    assert missing.returncode == 1 and "user nadie does not exist" in missing.stderr


def test_the_password_is_asked_twice_without_echo(deployment):
    # click's hidden prompt reads standard input when it is not a terminal.
    mismatch = deployment.cli(
        "users",
        "add",
        "ana",
        "--role",
        "agente",
        stdin="una-clave-bien-larga\notra\n",
        check=False,
    )
    assert mismatch.returncode != 0
    assert "una-clave-bien-larga" not in mismatch.stdout + mismatch.stderr
    matched = deployment.cli(
        "users",
        "add",
        "ana",
        "--role",
        "agente",
        stdin="una-clave-bien-larga\nuna-clave-bien-larga\n",
    )
    assert "user ana added (agente)" in matched.stdout


def test_digest_dry_run_prints_and_send_writes_it_once(deployment):
    dry = deployment.cli("digest", "send", "--dry-run")
    assert dry.stdout.startswith("To: equipo@example.gov.co\nSubject: Casos por vencer")
    assert "Ningún caso en trámite" in dry.stdout
    assert not deployment.outbox.exists()  # a dry run sends nothing

    sent = deployment.cli("digest", "send")
    assert sent.stdout.startswith("digest of ")
    [eml] = deployment.outbox.glob("digest-*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert message["To"] == "equipo@example.gov.co"
    assert "was already sent" in deployment.cli("digest", "send").stdout
