"""A private PostgreSQL cluster for the tests that restart the store under load.

initdb in a temporary folder, its own port on 127.0.0.1, trust authentication; started,
restarted (fast or immediate, as an operator or a crash would) and removed by the test.
The machine's own PostgreSQL is never touched. As root the server runs as the `postgres`
user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path


def _bin_dir() -> Path:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    raise AssertionError("PostgreSQL's server binaries are missing: run scripts/setup.sh postgres")


class PrivatePostgres:
    def __init__(self, port: int) -> None:
        self.port = port
        self.bin = _bin_dir()
        # Under /tmp, not pytest's tmp_path: the server's user must be able to reach it.
        self.root = Path(tempfile.mkdtemp(prefix="ventanilla-pg-"))
        self.data = self.root / "data"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run(
            [*self.as_user, *args], check=True, capture_output=True, timeout=120, cwd=self.root
        )

    def start(self) -> None:
        if not self.data.exists():
            self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U",
                      "postgres", "--no-sync")  # fmt: skip
        self._pg_ctl("start")

    def restart(self, mode: str) -> None:
        """`fast` (clients disconnected cleanly) or `immediate` (like a crash)."""
        self._pg_ctl("restart", "-m", mode)

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def _pg_ctl(self, action: str, *extra: str) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=200"
        )
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-w",
                  "-l", str(self.root / "server.log"), action, *extra)  # fmt: skip
