"""A private Dovecot IMAP server for the tests (Debian's dovecot-imapd, Dovecot 2.3).

It has its own config file, runtime folder, state folder, log and Maildir under a work
folder, listens on 127.0.0.1 on a free port without TLS, and knows one user from a
passwd-file. No system service or system mailbox is touched.

Running as root, Dovecot refuses two things: login processes running as root and mail
processes running as uid 0. So as root the login processes run as `dovenull` and mail is
accessed as `dovecot` (or `nobody`), and because pytest's temporary folders are 0700
root-owned, the mail processes chroot into the work folder (`mail_chroot`) before they drop
privileges. As any other user everything runs as that user, with no chroot at all.
"""

from __future__ import annotations

import contextlib
import ctypes
import grp
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from imapclient import IMAPClient

NOT_INSTALLED = "dovecot is not installed: run scripts/setup.sh dovecot"
# Everything a maildir keeps about a mailbox's UIDs, besides the messages themselves.
INDEX_FILES = ("dovecot-uidlist", "dovecot.index", "dovecot.index.*", "dovecot.list.index*")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _uid_set(text: str) -> list[int]:
    """Expand an IMAP uid-set such as "4,6:8" into [4, 6, 7, 8]."""
    uids: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition(":")
        low, high = sorted((int(first), int(last or first)))
        uids.extend(range(low, high + 1))
    return uids


@dataclass
class DovecotServer:
    """A private dovecot with one user; `start()`, then `client()` or `append()`."""

    workdir: Path
    port: int = field(default_factory=_free_port)
    user: str = "atencion"
    password: str = "secreto"
    host: str = "127.0.0.1"
    # With TLS: a self-signed certificate for 127.0.0.1 (`ca_file`), STARTTLS on `port`
    # and implicit TLS (IMAPS) on `tls_port`.
    tls: bool = False
    tls_port: int = field(default_factory=_free_port)
    process: subprocess.Popen[bytes] | None = None
    _short_base_dir: Path | None = field(default=None, init=False, repr=False)

    # -- paths -----------------------------------------------------------------------

    @property
    def config_path(self) -> Path:
        return self.workdir / "dovecot.conf"

    @property
    def ca_file(self) -> Path:
        """The certificate to trust (self-signed: it is its own CA)."""
        return self.workdir / "tls" / "cert.pem"

    @property
    def log_path(self) -> Path:
        return self.workdir / "dovecot.log"

    @property
    def maildir(self) -> Path:
        """The user's Maildir on disk (INBOX at its root, other folders as .Name)."""
        return self.workdir / "Maildir" / self.user

    @property
    def base_dir(self) -> Path:
        # Unix socket paths are limited to 107 bytes; a long TMPDIR would break them.
        if self._short_base_dir is None:
            candidate = self.workdir / "run"
            if len(str(candidate)) > 60:
                candidate = Path(tempfile.mkdtemp(prefix="dovecot-"))
            self._short_base_dir = candidate
        return self._short_base_dir

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> None:
        binary = shutil.which("dovecot") or (
            "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
        )
        assert binary, NOT_INSTALLED
        version = subprocess.run(
            [binary, "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()
        assert version.startswith("2.3."), (
            f"the test config is written for Dovecot 2.3 (Debian 12); found {version}"
        )
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._write_config()
        log = self.log_path.open("ab")
        # -F keeps the master in the foreground, so this Popen is the master process.
        self.process = subprocess.Popen(
            [binary, "-F", "-c", str(self.config_path)],
            stdout=log,
            stderr=log,
            preexec_fn=_die_with_parent,
        )
        log.close()
        deadline = time.monotonic() + 20
        while not self._greets():
            if self.process.poll() is not None:
                raise AssertionError(f"dovecot exited {self.process.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"dovecot did not answer on port {self.port}:\n{self.log()}")
            time.sleep(0.02)
        try:  # Fail here, with the log, if the config does not let the user in.
            self.client().logout()
        except Exception as error:
            self.stop()
            raise AssertionError(f"cannot log in to dovecot ({error}):\n{self.log()}") from None

    def _greets(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=0.5) as sock:
                return sock.recv(64).startswith(b"* OK")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            # The master is our child: reap it while `doveadm stop` waits for it to go, or
            # doveadm sees a zombie and waits its full 3 seconds.
            stopper = subprocess.Popen(
                ["doveadm", "-c", str(self.config_path), "stop"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.send_signal(signal.SIGKILL)
                self.process.wait()
            stopper.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except FileNotFoundError:
            return ""

    def doveadm(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["doveadm", "-c", str(self.config_path), *args],
            capture_output=True,
            text=True,
            timeout=30,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"doveadm {' '.join(args)} exited {result.returncode}: {result.stderr}"
            )
        return result

    # -- IMAP --------------------------------------------------------------------------

    def client(self, timeout: float = 30) -> IMAPClient:
        """A new connection, logged in as the user; the caller logs out (or uses `with`)."""
        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=timeout)
        client.login(self.user, self.password)
        return client

    def append(
        self, messages: Iterable[bytes], folder: str = "INBOX", flags: Sequence[str | bytes] = ()
    ) -> list[int] | None:
        """Append raw RFC 5322 messages (use CRLF line ends) over one connection.

        Uses MULTIAPPEND, a few thousand messages per command. The folder is created when
        missing. Returns the new UIDs in order (from APPENDUID), or None if the server
        did not report them.
        """
        batch_size = 2000
        items = [{"msg": message, "flags": tuple(flags)} for message in messages]
        uids: list[int] = []
        with self.client(timeout=300) as client:
            if folder.upper() != "INBOX" and not client.folder_exists(folder):
                client.create_folder(folder)
            for start in range(0, len(items), batch_size):
                response = client.multiappend(folder, items[start : start + batch_size])
                text = response.decode() if isinstance(response, bytes) else str(response)
                found = re.search(r"\[APPENDUID \d+ ([\d:,]+)\]", text)
                if found is None:
                    return None
                uids.extend(_uid_set(found.group(1)))
        return uids

    def mailbox_settings(self) -> dict[str, str]:
        """ventanilla's settings for reading this mailbox, as `section__key` overrides."""
        return {
            "email__enabled": "true",
            "email__imap_host": self.host,
            "email__imap_port": str(self.port),
            "email__imap_user": self.user,
            "email__imap_password": self.password,
            "email__imap_security": "plain",
        }

    def uidvalidity(self, folder: str = "INBOX") -> int:
        with self.client() as client:
            status = client.folder_status(folder, [b"UIDVALIDITY"])
        return int(status[b"UIDVALIDITY"])

    # -- test helpers ------------------------------------------------------------------

    def reset(self) -> None:
        """Empty the mailbox: every message and every folder but INBOX goes.

        Connections are closed first. The INBOX comes back with a new, higher UIDVALIDITY
        and UIDs starting at 1.
        """
        self.drop_connections()
        if self.maildir.exists():
            for path in self.maildir.iterdir():
                # Keeping dovecot-uidvalidity makes the next UIDVALIDITY strictly higher.
                if not path.name.startswith("dovecot-uidvalidity"):
                    if path.is_dir():
                        shutil.rmtree(path)
                    else:
                        path.unlink()

    def recreate_inbox(self) -> None:
        """Give the INBOX a new UIDVALIDITY while keeping its messages and their flags.

        Like a server whose index was rebuilt: connections are dropped and the INBOX's
        uidlist and indexes deleted, so dovecot renumbers the messages from UID 1, in their
        original order, under a new (higher) UIDVALIDITY.
        """
        before = self.uidvalidity()
        self.drop_connections()
        for pattern in INDEX_FILES:
            for path in self.maildir.glob(pattern):
                path.unlink()
        after = self.uidvalidity()
        assert after != before, f"UIDVALIDITY stayed {before} after recreating the INBOX"

    def drop_connections(self) -> None:
        """Kick every logged-in connection; their next command fails."""
        if not self._sessions():
            return
        self.doveadm("kick", self.user, check=False)
        deadline = time.monotonic() + 10
        while self._sessions():
            if time.monotonic() > deadline:
                raise AssertionError(f"dovecot still has sessions: {self._sessions()}")
            time.sleep(0.02)

    def _sessions(self) -> list[str]:
        result = self.doveadm("who", "-1", check=False)
        return [line for line in result.stdout.splitlines()[1:] if line.strip()]

    # -- configuration -----------------------------------------------------------------

    def _write_config(self) -> None:
        me = pwd.getpwuid(os.getuid())
        as_root = os.getuid() == 0
        home = self.workdir / "home" / self.user
        for folder in (self.workdir / "Maildir", home, self.workdir / "state"):
            folder.mkdir(parents=True, exist_ok=True)
        (self.workdir / "passwd").write_text(f"{self.user}:{{PLAIN}}{self.password}\n")
        if as_root:
            login_user = _first_user("dovenull", "nobody")
            mail = pwd.getpwnam(_first_user("dovecot", "nobody"))
            for folder in (self.workdir / "Maildir", self.workdir / "home", home):
                os.chown(folder, mail.pw_uid, mail.pw_gid)
            # The chroot's "/" (pytest makes it 0700) must be searchable by the mail user.
            self.workdir.chmod(0o711)
            if self.maildir.exists():
                subprocess.run(["chown", "-R", f"{mail.pw_uid}:{mail.pw_gid}", self.maildir])
            # Paths as the chrooted mail processes see them.
            mail_root, home_in_mail = Path("/"), Path("/home") / self.user
            chroot = f"mail_chroot = {self.workdir}\nvalid_chroot_dirs = {self.workdir}\n"
            no_chroot = ""  # Keep the login chroot: it is entered as root, past 0700 parents.
        else:
            login_user, mail = me.pw_name, me
            mail_root, home_in_mail = self.workdir, home
            chroot = ""
            # chroot needs root; with these off the whole instance runs as this user.
            no_chroot = "  chroot =\n"
        internal_group = _group_name(me.pw_gid)
        tls = self._tls_config()
        config = f"""\
# Written by tests/dovecot.py for a private test instance.
instance_name = ventanilla-test-{self.port}
base_dir = {self.base_dir}
state_dir = {self.workdir / "state"}
log_path = {self.log_path}
info_log_path = {self.log_path}
protocols = imap
listen = {self.host}
{tls["ssl"]}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {me.pw_name}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = {min(mail.pw_uid, 500)}
first_valid_gid = {min(mail.pw_gid, 500)}
{chroot}mail_location = maildir:{mail_root / "Maildir" / "%u"}
mail_fsync = never
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.workdir / "passwd"}
}}
userdb {{
  driver = static
  args = uid={mail.pw_uid} gid={mail.pw_gid} home={home_in_mail.parent / "%u"}
}}
protocol imap {{
  mail_max_userip_connections = 1000
}}
service imap-login {{
{no_chroot}  inet_listener imap {{
    address = {self.host}
    port = {self.port}
  }}
  inet_listener imaps {{
{tls["imaps"]}
  }}
}}
service anvil {{
{no_chroot}  # No growing login delay after failed logins (tests try bad passwords).
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""
        self.config_path.write_text(config)

    def _tls_config(self) -> dict[str, str]:
        if not self.tls:
            return {"ssl": "ssl = no", "imaps": "    port = 0"}
        folder = self.workdir / "tls"
        folder.mkdir(exist_ok=True)
        key = folder / "key.pem"
        if not self.ca_file.exists():
            subprocess.run(
                [
                    "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(self.ca_file),
                ],
                check=True,
                capture_output=True,
            )  # fmt: skip
        return {
            "ssl": f"ssl = yes\nssl_cert = <{self.ca_file}\nssl_key = <{key}",
            "imaps": f"    address = {self.host}\n    port = {self.tls_port}\n    ssl = yes",
        }


def _die_with_parent() -> None:
    """In the child before exec: have Linux SIGTERM dovecot if the test process dies."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _first_user(*names: str) -> str:
    for name in names:
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name).pw_name
    raise AssertionError(f"none of the users {names} exists")


def _group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)
