"""The `ventanilla` command (DESIGN contract: names and flags do not change).

Each command reads the settings once; a bad setting stops it with one line per key.
Output for people is English; `--json` output is the stable machine contract.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from ventanilla.errors import ConfigurationError, NotFound, VentanillaError
from ventanilla.message import CHANNELS
from ventanilla.routing.types import REQUEST_TYPES
from ventanilla.store.schema import MESSAGE_STATUSES

CHANNEL_CHOICE = click.Choice(CHANNELS)
STATUS_CHOICE = click.Choice(MESSAGE_STATUSES)


def _app() -> Any:
    from ventanilla.app import current_app
    from ventanilla.logs import configure_logging

    app = current_app()
    configure_logging(app.settings.log)
    # The frequent questions are read at start, so a broken file stops the command with its
    # name, like a bad setting, instead of failing cases later.
    app.faqs  # noqa: B018
    return app


def _emit(rows: Any, as_json: bool, columns: tuple[str, ...]) -> None:
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    items = rows if isinstance(rows, list) else [rows]
    widths = {c: max([len(c)] + [len(str(r.get(c) or "")) for r in items]) for c in columns}
    click.echo("  ".join(c.ljust(widths[c]) for c in columns))
    for row in items:
        click.echo("  ".join(str(row.get(c) or "").ljust(widths[c]) for c in columns))


@click.group(help="ventanilla: every citizen message filed as a PQRSDF with a radicado.")
@click.version_option(package_name="ventanilla")
def cli() -> None:
    pass


@cli.command(help="Run everything (web, workers, poller) on the configured settings.")
def run() -> None:
    from ventanilla.workers.supervisor import run_all

    run_all(_app())


@cli.command(help="Run the channel adapters (and the periodic reconciler).")
@click.option("--channel", type=CHANNEL_CHOICE, help="Poll only this channel.")
@click.option("--once", is_flag=True, help="Poll each enabled channel one time and exit.")
def poll(channel: str | None, once: bool) -> None:
    from ventanilla.workers.poller import run_poller

    _app().db  # noqa: B018  (migrate at start, as DESIGN says)
    if not run_poller(channel, once=once):
        sys.exit(1)


@cli.command(help="Run the pipeline workers (dramatiq processes and threads from settings).")
def worker() -> None:
    from dramatiq.cli import main as dramatiq_main
    from dramatiq.cli import make_argument_parser

    app = _app()
    app.db  # noqa: B018  (migrate before the workers fork)
    app.warm_classifiers()
    # dramatiq forks the worker processes from this one: what each would import and build
    # at its first message is done once here.
    from ventanilla.workers.pipeline import warm_before_fork

    warm_before_fork()
    app.db.dispose()
    args = make_argument_parser().parse_args(
        [
            "ventanilla.workers.pipeline",
            "ventanilla.workers.filing",
            "--processes",
            str(app.settings.worker.processes),
            "--threads",
            str(app.settings.worker.threads),
            "--worker-shutdown-timeout",
            "30000",
        ]
    )
    sys.exit(dramatiq_main(args))


@cli.command(help="Serve the citizen form, the API, webhooks, /healthz and /metrics.")
@click.option("--host", help="Address to listen on (default: web.host).")
@click.option("--port", type=int, help="Port to listen on (default: web.port).")
def web(host: str | None, port: int | None) -> None:
    from ventanilla.web.serve import bind, serve

    app = _app()
    # Bound before the app is built: a busy port stops the command at once, naming it.
    sock = bind(host or app.settings.web.host, port or app.settings.web.port)
    from ventanilla.web.app import create_app

    serve(
        create_app(app),
        sock,
        trusted_proxies=app.settings.web.proxies(),
    )


@cli.command(help="Process until no message is in flight, then exit 0 (1 on timeout).")
@click.option("--timeout", type=float, default=300.0, show_default=True, help="Seconds.")
def drain(timeout: float) -> None:
    from ventanilla.workers.drain import drain as run_drain

    _app().warm_classifiers()
    sys.exit(0 if run_drain(timeout) else 1)


@cli.group(help="Take messages from files as if a channel had fetched them.")
def ingest() -> None:
    pass


@ingest.command("email", help="Take raw RFC 822 (.eml) files as if fetched from the mailbox.")
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path),
)
def ingest_email(files: tuple[Path, ...]) -> None:
    from ventanilla.adapters.email_parsing import MailLimits, parse_email
    from ventanilla.workers.intake import accept_batch

    app = _app()
    limits = MailLimits(app.settings.email.max_attachments, app.settings.email.max_attachment_bytes)
    # Batches of files share one store transaction: a folder of thousands goes quickly.
    for start in range(0, len(files), 100):
        chunk = files[start : start + 100]
        messages = [parse_email(path.read_bytes(), limits=limits) for path in chunk]
        for path, message, outcome in zip(chunk, messages, accept_batch(messages), strict=True):
            state = "stored as" if outcome.created else "already stored as"
            quarantine = message.flags.get("quarantine")
            note = f" (quarantined: {quarantine})" if quarantine else ""
            click.echo(f"{path}: {state} message {outcome.message_id}{note}")


@cli.group(help="Inbound messages and what became of them.")
def messages() -> None:
    pass


@messages.command("list", help="Every inbound message with its status and radicado.")
@click.option("--status", type=STATUS_CHOICE)
@click.option("--channel", type=CHANNEL_CHOICE)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def messages_list(status: str | None, channel: str | None, as_json: bool) -> None:
    from ventanilla.store.cases import list_messages

    with _app().db.read() as session:
        rows = list_messages(session, status=status, channel=channel)
    _emit(rows, as_json, ("id", "channel", "received_at", "status", "radicado", "reason"))


@messages.command("retry", help="Put a quarantined message back in the pipeline.")
@click.argument("message_id", type=int)
def messages_retry(message_id: int) -> None:
    from ventanilla.store.quarantine import release
    from ventanilla.workers.pipeline import start

    with _app().db.transaction() as session:
        release(session, message_id, actor="cli")
    start([message_id])
    click.echo(f"message {message_id} is back in the pipeline")


@messages.command("file", help="File a message waiting for review as a case.")
@click.argument("message_id", type=int)
@click.option(
    "--type",
    "request_type",
    type=click.Choice(REQUEST_TYPES),
    default="peticion",
    show_default=True,
    help="The request type it is filed as.",
)
def messages_file(message_id: int, request_type: str) -> None:
    from ventanilla.store.review import file_as_case
    from ventanilla.workers.pipeline import start

    with _app().db.transaction() as session:
        file_as_case(session, message_id, request_type, actor="cli")
    start([message_id])
    click.echo(f"message {message_id} is being radicated as {request_type}")


@messages.command("dismiss", help="Confirm a message waiting for review is not a request.")
@click.argument("message_id", type=int)
def messages_dismiss(message_id: int) -> None:
    from ventanilla.store.review import dismiss

    with _app().db.transaction() as session:
        dismiss(session, message_id, actor="cli")
    click.echo(f"message {message_id} marked as not a request")


@cli.group(help="Read and annul cases.")
def cases() -> None:
    pass


@cases.command("list", help="Every case, oldest radicado first.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def cases_list(as_json: bool) -> None:
    from ventanilla.store.cases import list_cases

    with _app().db.read() as session:
        rows = list_cases(session)
    _emit(
        rows,
        as_json,
        ("radicado", "filed_at", "due_date", "type", "channel", "status", "ack_status"),
    )


@cases.command("show", help="One case by its radicado.")
@click.argument("radicado")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def cases_show(radicado: str, as_json: bool) -> None:
    from ventanilla.store.cases import show_case

    with _app().db.read() as session:
        row = show_case(session, radicado)
    if as_json:
        _emit(row, True, ())
    else:
        for key, value in row.items():
            click.echo(f"{key:>13}: {'' if value is None else value}")


@cases.command(
    "groups",
    help="Mass petitions (art. 22 Ley 1755): analogous cases grouped.",
    short_help="Mass petitions (art. 22 Ley 1755 de 2015), grouped.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def cases_groups(as_json: bool) -> None:
    from ventanilla.store.cases import list_groups

    with _app().db.read() as session:
        rows = list_groups(session)
    _emit(
        rows,
        as_json,
        ("group_id", "size", "first_radicado", "last_radicado", "created_at", "last_filed_at"),
    )


@cases.command("annul", help="Annul a case; the number stays recorded with the reason.")
@click.argument("radicado")
@click.option("--reason", required=True, help="Why it is annulled (kept in the record).")
@click.option("--actor", default="cli", show_default=True, help="Who annuls it.")
def cases_annul(radicado: str, reason: str, actor: str) -> None:
    app = _app()
    with app.db.transaction() as session:
        app.registry.annul(session, radicado, reason, actor)
    click.echo(f"{radicado} annulled")


@cli.command(help="Validate the settings; with --connect, also reach each service.")
@click.option(
    "--connect",
    is_flag=True,
    help="Also connect to the store, the queue, each enabled channel and Orfeo "
    "(docsys.backend = orfeo: its WSDL and getInfoUsuario with docsys.orfeo_login).",
)
def check(connect: bool) -> None:
    from ventanilla.settings import load_settings
    from ventanilla.settings_check import connection_problems, settings_warnings

    settings = load_settings()  # ConfigurationError is reported by main()
    if settings.faq.enabled:
        from ventanilla.templates import load_faqs

        load_faqs(settings.faq.directory)  # a broken file is a ConfigurationError too
    for warning in settings_warnings(settings):
        click.echo(f"warning: {warning}", err=True)
    problems = connection_problems(settings) if connect else []
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(2)
    click.echo("settings ok" + (", services reachable" if connect else ""))


@cli.group(help="The store.")
def db() -> None:
    pass


@db.command("upgrade", help="Apply the store's migrations.")
def db_upgrade() -> None:
    from ventanilla.settings import get_settings
    from ventanilla.store.engine import Database

    Database(get_settings().store.url).upgrade()
    click.echo("store is up to date")


@cli.group(help="Legal terms (Ley 1755 de 2015).")
def terms() -> None:
    pass


@terms.command("due", help="The legal response date (YYYY-MM-DD) for a request received then.")
@click.option("--received", required=True, help="ISO date-time; no offset means Bogotá time.")
@click.option("--type", "request_type", required=True, help="peticion, informacion, consulta...")
def terms_due(received: str, request_type: str) -> None:
    from ventanilla.routing.terms import BusinessCalendar, OfficeHours, term_days
    from ventanilla.settings import get_settings

    try:
        moment = datetime.fromisoformat(received)
    except ValueError:
        raise click.BadParameter(
            f"{received!r} is not an ISO date-time like 2026-03-02T10:30:00-05:00",
            param_hint="--received",
        ) from None
    try:
        term_days(request_type)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--type") from None
    office = get_settings().office
    calendar = BusinessCalendar(OfficeHours.parse(office.hours), office.timezone)
    click.echo(calendar.due_date(moment, request_type).isoformat())


def _register_command_groups() -> None:
    from ventanilla.cli.classifier import classifier
    from ventanilla.cli.mentions import mentions
    from ventanilla.cli.report import report
    from ventanilla.cli.staff import digest, users

    for group in (classifier, mentions, report, users, digest):
        cli.add_command(group)


_register_command_groups()


def main() -> None:
    try:
        cli(standalone_mode=True)
    except ConfigurationError as error:
        for line in error.problems:
            click.echo(f"settings: {line}", err=True)
        sys.exit(2)
    except NotFound as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    except VentanillaError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
