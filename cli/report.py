"""`ventanilla report`: the quarterly PQRSDF report written as JSON, CSV, a spreadsheet or
a web page (DESIGN contract: `--quarter YYYY-QN [--format csv,xlsx,html,json] [--out PATH]`).

Only the command line lives here: parsing the options, choosing where each format goes,
progress on stderr. The figures and the renderers are `ventanilla.reports`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ventanilla.reports.quarter import EXPECTED_FORM, Quarter

if TYPE_CHECKING:
    from ventanilla.reports.figures import QuarterReport


def _quarter(value: str) -> Quarter:
    try:
        return Quarter.parse(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a quarter; expected {EXPECTED_FORM}", param_hint="--quarter"
        ) from None


def _formats(value: str) -> list[str]:
    from ventanilla.reports import FORMATS

    names = list(dict.fromkeys(part.strip().lower() for part in value.split(",") if part.strip()))
    unknown = [name for name in names if name not in FORMATS]
    if unknown or not names:
        problem = f"unknown format {unknown[0]!r}" if unknown else "no format given"
        raise click.BadParameter(
            f"{problem}; choose from {', '.join(FORMATS)} (comma-separated)",
            param_hint="--format",
        )
    return names


def _targets(
    quarter: Quarter, names: list[str], out: str | None
) -> tuple[dict[str, Path | None], Path | None]:
    """Where each format goes (None: stdout), and the directory when --out is one."""
    from ventanilla.reports import FORMATS, file_name

    if out is None:
        if len(names) > 1:
            raise click.UsageError(
                "several formats go to a folder: give --out DIRECTORY (one file per format)"
            )
        if not FORMATS[names[0]].text:
            raise click.UsageError(
                f"{names[0]} is not text for a terminal: give --out FILE or --out DIRECTORY"
            )
        return {names[0]: None}, None
    path = Path(out)
    if len(names) > 1 or path.is_dir() or out.endswith(("/", os.sep)):
        if path.exists() and not path.is_dir():
            raise click.BadParameter(
                f"{out} is a file; several formats need a directory", param_hint="--out"
            )
        return {name: path / file_name(quarter, name) for name in names}, path
    return {names[0]: path}, None


def _write(path: Path, data: bytes) -> None:
    """Whole or not at all: a reader never sees half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)  # opened like any file, so the umask gives its mode
    os.replace(temporary, path)


@click.command(help="The quarterly PQRSDF report (Ley 1712 de 2014, Decreto 1081 de 2015).")
@click.option("--quarter", "quarter_text", required=True, help=f"The quarter: {EXPECTED_FORM}.")
@click.option(
    "--format",
    "format_text",
    default="json",
    show_default=True,
    help="Comma-separated list of csv, xlsx, html, json.",
)
@click.option(
    "--out",
    help="A file for one format; a directory for several (files pqrsdf-YYYY-QN.<ext>). "
    "Without it one text format goes to stdout.",
)
def report(quarter_text: str, format_text: str, out: str | None) -> None:
    from ventanilla.cli.main import _app
    from ventanilla.reports import FORMATS, file_name, quarter_report

    quarter = _quarter(quarter_text)
    names = _formats(format_text)
    targets, directory = _targets(quarter, names, out)
    app = _app()
    click.echo(f"report: reading the cases received in {quarter}", err=True)
    figures = quarter_report(app.db, app.calendar, app.settings.entity.name, quarter)
    click.echo(
        f"report: {figures.received} requests received, {len(figures.annulled)} annulled",
        err=True,
    )
    outputs = [(name, FORMATS[name].render, target) for name, target in targets.items()]
    if directory is not None and "csv" in targets:
        # Beside the detail table, the summary: in a folder there is room for both.
        outputs.append(
            ("summary csv", _summary_csv, directory / file_name(quarter, "csv", "-resumen"))
        )
    for name, render, target in outputs:
        click.echo(f"report: rendering {name}", err=True)
        data = render(figures)
        if target is None:
            click.echo(data.decode(), nl=False)
        else:
            _write(target, data)
            click.echo(f"report: wrote {target}", err=True)


def _summary_csv(figures: QuarterReport) -> bytes:
    from ventanilla.reports.csv_out import render_summary

    return render_summary(figures).encode()
