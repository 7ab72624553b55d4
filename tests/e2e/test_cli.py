"""The command line as operators use it: settings checks, legal dates, help."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import wait_until

pytestmark = pytest.mark.e2e


def test_settings_typo_stops_with_the_key_named(deployment_factory, tmp_path):
    settings = tmp_path / "settings.toml"
    settings.write_text('[email]\nsmtp_hots = "mail.example.gov.co"\n[web]\nport = "ochenta"\n')
    deployment = deployment_factory(f"sqlite:///{tmp_path / 'v.db'}")
    deployment.env["VENTANILLA_SETTINGS"] = str(settings)
    del deployment.env["VENTANILLA_WEB__PORT"]
    for command in (["check"], ["cases", "list"], ["web"]):
        result = deployment.cli(*command, check=False, timeout=60)
        assert result.returncode == 2
        assert "email.smtp_hots: unknown key; did you mean email.smtp_host?" in result.stderr
        assert "web.port:" in result.stderr
    assert not (deployment.root / "v.db").exists()  # nothing started, nothing created


def test_check_connect_reports_each_unreachable_service(deployment_factory, tmp_path):
    deployment = deployment_factory(
        f"sqlite:///{tmp_path / 'v.db'}", queue__redis_url="redis://127.0.0.1:1/0"
    )
    result = deployment.cli("check", "--connect", check=False, timeout=60)
    assert result.returncode == 2
    assert "queue.redis_url: cannot connect" in result.stderr


@pytest.mark.parametrize(
    ("received", "kind", "due"),
    [
        ("2026-11-23T15:59:00-05:00", "peticion", "2026-12-15"),
        ("2026-11-23T16:01:00-05:00", "peticion", "2026-12-16"),
        ("2026-03-27T10:00:00", "informacion", "2026-04-14"),
    ],
)
def test_terms_due_prints_the_legal_date(deployment_factory, tmp_path, received, kind, due):
    deployment = deployment_factory(f"sqlite:///{tmp_path / 'v.db'}")
    result = deployment.cli("terms", "due", "--received", received, "--type", kind)
    assert result.stdout.strip() == due


def test_terms_due_rejects_unknown_type_naming_the_option(deployment_factory, tmp_path):
    deployment = deployment_factory(f"sqlite:///{tmp_path / 'v.db'}")
    result = deployment.cli(
        "terms", "due", "--received", "2026-01-05T09:00:00", "--type", "tutela", check=False
    )
    assert result.returncode == 2 and "--type" in result.stderr


def test_every_command_has_help(deployment_factory, tmp_path):
    deployment = deployment_factory(f"sqlite:///{tmp_path / 'v.db'}")
    for command in (
        ["run"],
        ["poll"],
        ["worker"],
        ["web"],
        ["drain"],
        ["messages", "list"],
        ["cases", "list"],
        ["cases", "show"],
        ["check"],
        ["db", "upgrade"],
        ["terms", "due"],
        ["report"],
    ):
        result = deployment.cli(*command, "--help")
        assert "Usage: ventanilla" in result.stdout
    # A group's list of commands never cuts a description in the middle of a citation.
    for group in ([], ["cases"], ["messages"], ["users"], ["classifier"]):
        listing = deployment.cli(*group, "--help").stdout
        assert "(art.\n" not in listing and not listing.rstrip().endswith("(art."), listing


def test_poll_once_with_no_channel_enabled_exits_cleanly(deployment_factory, tmp_path):
    deployment = deployment_factory(f"sqlite:///{tmp_path / 'v.db'}")
    deployment.cli("poll", "--once")
    deployment.cli("db", "upgrade")


def children_of(pid: int) -> set[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return {int(line) for line in found.split()}


def test_run_serves_the_form_and_sigterm_stops_every_process(deployment_factory, tmp_path):
    deployment = deployment_factory(f"sqlite:///{tmp_path / 'v.db'}")
    run = deployment.start("web", "run")  # `run` serves the web app itself
    assert httpx.get(f"{deployment.base_url}/pqrsdf").status_code == 200
    children = children_of(run.pid)
    assert len(children) == 2, "run starts the workers and the poller"
    workers = set().union(*(children_of(child) for child in children))
    run.send_signal(signal.SIGTERM)  # only `run` itself, as a service manager would
    run.wait(60)
    deployment.processes.clear()
    wait_until(
        lambda: not any(pid_alive(pid) for pid in children | workers),
        60,
        "every child of `ventanilla run` to stop",
    )


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


@pytest.mark.parametrize("command", ["web", "run"])
def test_a_busy_port_stops_the_command_at_once_naming_the_port(
    deployment_factory, tmp_path, command
):
    deployment = deployment_factory(f"sqlite:///{tmp_path / 'v.db'}")
    port = deployment.env["VENTANILLA_WEB__PORT"]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", int(port)))
        taken.listen(1)
        started = time.monotonic()
        result = deployment.cli(command, check=False, timeout=60)
        elapsed = time.monotonic() - started
    assert result.returncode == 1, result
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "web.port" in result.stderr
    assert elapsed < 10, f"{command} took {elapsed:.1f} s to give up"  # the bound


def test_run_stops_everything_when_a_child_is_stopped(deployment_factory, tmp_path):
    deployment = deployment_factory(f"sqlite:///{tmp_path / 'v.db'}")
    run = deployment.start("web", "run")
    children = children_of(run.pid)
    assert len(children) == 2
    # Someone stops the worker (a service manager's SIGTERM to one process): `run` must
    # not bring it back behind their back; it stops everything and says why.
    os.kill(min(children), signal.SIGTERM)
    assert run.wait(60) != 0
    deployment.processes.clear()
    wait_until(lambda: not any(pid_alive(pid) for pid in children), 60, "children to stop")
