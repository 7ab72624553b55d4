"""The Orfeo double: Orfeo's web service signatures on Debian's PHP and nusoap.

`www/webServices/servidor.php` registers the main-line operations with nusoap 0.9.5 (shimmed
for PHP 8 by `php/nusoap_php8.php`), so the WSDL and the rpc/encoded wire format are those
of a real Orfeo. It keeps its radicados in a SQLite file this class creates and reads; the
tests inject faults by writing its `faults` and `control` tables.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
NUSOAP = Path("/usr/share/php/nusoap/nusoap.php")
INSTALL_HINT = (
    "the Orfeo double needs Debian's php-cli, php-xml, php-sqlite3 and libnusoap-php: "
    "run scripts/setup.sh orfeo"
)
# What a fault does to one call (schema.sql says it at length).
FAULT_MODES = (
    "fatal_before",
    "refuse_before",
    "lost_after",
    "cut_after",
    "error_after",
    "slow_after",
    "notice_after",
)


def php_problem() -> str:
    """Why the double cannot run on this machine ("" when it can)."""
    php = shutil.which("php")
    if php is None or not NUSOAP.exists():
        return INSTALL_HINT
    modules = subprocess.run([php, "-m"], capture_output=True, text=True, check=False).stdout
    missing = [m for m in ("pdo_sqlite", "xml", "iconv") if m not in modules.split()]
    return f"{INSTALL_HINT} (PHP lacks {', '.join(missing)})" if missing else ""


@dataclass(frozen=True)
class OrfeoUser:
    login: str
    email: str
    dependency: str
    document: str = "79000000"
    code: str = "1"
    name: str = "Radicador PQRSD"


class OrfeoDouble:
    """`php -S` serving the double on 127.0.0.1:`port`, with its state under `workdir`."""

    def __init__(self, workdir: Path, port: int) -> None:
        self.workdir = workdir
        self.port = port
        self.db_path = workdir / "orfeo.db"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/webServices/servidor.php"

    @property
    def wsdl_url(self) -> str:
        return f"{self.endpoint}?wsdl"

    def start(self) -> None:
        problem = php_problem()
        if problem:  # pytest run without `make test`: install what is missing, once
            subprocess.run([str(REPO / "scripts" / "setup.sh"), "orfeo"], check=False)
            problem = php_problem()
        assert not problem, problem  # fail loudly: a skipped Orfeo test proves nothing
        self.workdir.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript((HERE / "schema.sql").read_text())
        log = (self.workdir / "php.log").open("ab")
        self.process = subprocess.Popen(
            [
                shutil.which("php") or "php",
                "-d",
                "display_errors=0",
                "-d",
                "log_errors=1",
                "-S",
                f"127.0.0.1:{self.port}",
                "-t",
                str(HERE / "www"),
            ],
            env={"ORFEO_DOUBLE_DB": str(self.db_path), "PHP_CLI_SERVER_WORKERS": "4"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"php -S exited: see {self.workdir}/php.log"
            try:
                if httpx.get(self.wsdl_url, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"the Orfeo double did not answer: see {self.workdir}/php.log")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def _db(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        return db

    def _execute(self, sql: str, *params: Any) -> list[sqlite3.Row]:
        db = self._db()
        try:
            return db.execute(sql, params).fetchall()
        finally:
            db.close()

    # -- steering --------------------------------------------------------------------

    def add_user(self, user: OrfeoUser) -> None:
        self._execute(
            "INSERT INTO usuario (usua_login, usua_email, usua_doc, depe_codi, usua_codi,"
            " usua_nomb) VALUES (?, ?, ?, ?, ?, ?)",
            user.login,
            user.email,
            user.document,
            user.dependency,
            user.code,
            user.name,
        )

    def fail(self, operation: str, mode: str, *, times: int = 1, probability: float = 1.0) -> None:
        """The next `times` calls of `operation` (-1: all) get `mode`, each with `probability`."""
        assert mode in FAULT_MODES, mode
        self._execute(
            "INSERT INTO faults (operacion, modo, restantes, probabilidad) VALUES (?, ?, ?, ?)",
            operation,
            mode,
            times,
            probability,
        )

    def clear_faults(self) -> None:
        self._execute("DELETE FROM faults")

    def _control(self, key: str, value: str) -> None:
        self._execute("INSERT OR REPLACE INTO control (clave, valor) VALUES (?, ?)", key, value)

    def slow_answers(self, seconds: float) -> None:
        """How long a `slow_after` fault holds the answer back."""
        self._control("slow_seconds", str(seconds))

    def down_for(self, seconds: float) -> None:
        """Every request gets HTTP 503 for the next `seconds` (an outage)."""
        self._control("down_until", str(time.time() + seconds))

    def up(self) -> None:
        self._control("down_until", "0")

    # -- what Orfeo holds ---------------------------------------------------------------

    def radicados(self) -> list[dict[str, Any]]:
        return [dict(row) for row in self._execute("SELECT * FROM radicado ORDER BY 1")]

    def radicado(self, number: str) -> dict[str, Any]:
        rows = self._execute("SELECT * FROM radicado WHERE radi_nume_radi = ?", number)
        assert rows, f"Orfeo has no radicado {number}"
        found = dict(rows[0])
        found["vectores"] = {
            row["parte"]: json.loads(row["valores"])
            for row in self._execute(
                "SELECT parte, valores FROM vectores WHERE radi_nume_radi = ?", number
            )
        }
        dirs = self._execute("SELECT * FROM sgd_dir_drecciones WHERE radi_nume_radi = ?", number)
        found["destinatario"] = dict(dirs[0]) if dirs else None
        images = self._execute(
            "SELECT nombre, contenido FROM imagen WHERE radi_nume_radi = ?", number
        )
        found["imagen"] = (images[0]["nombre"], bytes(images[0]["contenido"])) if images else None
        found["anexos"] = [
            dict(row)
            for row in self._execute(
                "SELECT * FROM anexos WHERE anex_radi_nume = ? ORDER BY anex_numero", number
            )
        ]
        found["anulaciones"] = [
            dict(row)
            for row in self._execute(
                "SELECT * FROM sgd_anu_anulados WHERE radi_nume_radi = ?", number
            )
        ]
        return found

    def calls(self, operation: str) -> list[str]:
        """The fault each call of `operation` got, in order ('' for none)."""
        return [
            row["falla"]
            for row in self._execute(
                "SELECT falla FROM llamadas WHERE operacion = ? ORDER BY id", operation
            )
        ]
