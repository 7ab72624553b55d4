"""`ventanilla users ...` and `ventanilla digest send`: the staff side of the command line."""

from __future__ import annotations

import sys
from typing import Any

import click

from ventanilla.errors import InputError
from ventanilla.store.staff import ROLES


def _app() -> Any:
    from ventanilla.cli.main import _app as app

    return app()


@click.group(help="Staff accounts of the web workspace.")
def users() -> None:
    pass


@users.command("add", help="Create a staff account; the password is asked twice (hidden).")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the account may do.")
@click.option("--name", "display_name", default="", help="The person's name, as pages show it.")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input instead."
)
def users_add(username: str, role: str, display_name: str, password_stdin: bool) -> None:
    from ventanilla.store.staff import add_user, check_new_user

    app = _app()
    min_length = app.settings.staff.min_password_length
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    # Checked before the store is opened, so a short password costs nothing.
    check_new_user(username, role, password, min_length)
    with app.db.transaction() as session:
        add_user(
            session, username, password, role, display_name=display_name, min_length=min_length
        )
    click.echo(f"user {username.strip().lower()} added ({role})")


@users.command("list", help="Every staff account with its role and last login.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def users_list(as_json: bool) -> None:
    from ventanilla.cli.main import _emit
    from ventanilla.store.staff import list_users

    with _app().db.read() as session:
        rows = list_users(session)
    _emit(rows, as_json, ("username", "display_name", "role", "active", "last_login_at"))


@users.command("disable", help="Disable an account and end its sessions.")
@click.argument("username")
def users_disable(username: str) -> None:
    from ventanilla.store.staff import disable_user

    with _app().db.transaction() as session:
        disable_user(session, username, actor="cli")
    click.echo(f"user {username} disabled")


@click.group(help="The daily digest of cases due, e-mailed to staff.digest_to.")
def digest() -> None:
    pass


@digest.command("send", help="Send today's digest (once a day); --dry-run prints it only.")
@click.option("--dry-run", is_flag=True, help="Print the digest; send and record nothing.")
def digest_send(dry_run: bool) -> None:
    from ventanilla.workers.digest import build_digest, send_digest

    app = _app()
    if dry_run:
        built = build_digest(app)
        click.echo(f"To: {', '.join(app.settings.staff.digest_recipients) or '(nobody)'}")
        click.echo(f"Subject: {built.subject}\n")
        click.echo(built.text)
        return
    if not app.settings.staff.digest_recipients:
        raise InputError("staff.digest_to", "no address: set it to send the digest")
    outcome = send_digest(app)
    click.echo(outcome)
