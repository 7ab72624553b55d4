"""The private Dovecot the e-mail tests run against: append, reset, UIDVALIDITY, kicks."""

from __future__ import annotations

import imaplib
import socket

import pytest
from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from tests.dovecot import DovecotServer

pytestmark = pytest.mark.integration


def message(number: int) -> bytes:
    return (
        f"From: Ana <ana{number}@example.com>\r\n"
        f"To: atencion@example.gov.co\r\n"
        f"Subject: Solicitud {number}\r\n"
        f"Message-ID: <m{number}@example.com>\r\n"
        f"\r\n"
        f"Solicito informacion numero {number}.\r\n"
    ).encode()


def bodies(client: IMAPClient, folder: str = "INBOX") -> dict[int, bytes]:
    client.select_folder(folder, readonly=True)
    uids = client.search()
    return {uid: data[b"BODY[]"] for uid, data in client.fetch(uids, ["BODY.PEEK[]"]).items()}


def test_appended_messages_read_back(dovecot: DovecotServer) -> None:
    messages = [message(n) for n in range(3)]

    uids = dovecot.append(messages)

    assert uids == [1, 2, 3]
    with dovecot.client() as client:
        selected = client.select_folder("INBOX", readonly=True)
        assert selected[b"EXISTS"] == 3
        assert selected[b"UIDVALIDITY"] > 0
        assert selected[b"UIDVALIDITY"] == dovecot.uidvalidity()
        assert bodies(client) == dict(zip(uids, messages, strict=True))
        flags = client.get_flags(uids)
        assert all(b"\\Seen" not in flags[uid] for uid in uids)


def test_append_to_a_new_folder_with_flags(dovecot: DovecotServer) -> None:
    uids = dovecot.append([message(1)], folder="Archivo", flags=[b"\\Seen"])

    assert uids == [1]
    with dovecot.client() as client:
        client.select_folder("Archivo", readonly=True)
        assert b"\\Seen" in client.get_flags(uids)[1]


def test_reset_empties_the_mailbox(dovecot: DovecotServer) -> None:
    dovecot.append([message(1), message(2)])
    dovecot.append([message(3)], folder="Archivo")
    before = dovecot.uidvalidity()

    dovecot.reset()

    with dovecot.client() as client:
        assert [name for _, _, name in client.list_folders()] == ["INBOX"]
        selected = client.select_folder("INBOX", readonly=True)
        assert selected[b"EXISTS"] == 0
        assert selected[b"UIDNEXT"] == 1
        assert selected[b"UIDVALIDITY"] > before
    assert dovecot.append([message(4)]) == [1]


def test_recreate_inbox_changes_uidvalidity_and_keeps_messages(dovecot: DovecotServer) -> None:
    messages = [message(n) for n in range(5)]
    uids = dovecot.append(messages)
    assert uids is not None
    with dovecot.client() as client:
        client.select_folder("INBOX")
        client.add_flags(uids[:2], [b"\\Seen"])
    before = dovecot.uidvalidity()

    dovecot.recreate_inbox()

    with dovecot.client() as client:
        selected = client.select_folder("INBOX", readonly=True)
        assert selected[b"UIDVALIDITY"] != before
        assert list(bodies(client).values()) == messages
        seen = client.search(["SEEN"])
        assert [bodies(client)[uid] for uid in seen] == messages[:2]


def test_drop_connections_breaks_open_clients(dovecot: DovecotServer) -> None:
    client = dovecot.client()
    client.select_folder("INBOX")
    client.noop()

    dovecot.drop_connections()

    with pytest.raises((imaplib.IMAP4.abort, imaplib.IMAP4.error, OSError)):
        client.noop()
    with dovecot.client() as again:
        assert again.select_folder("INBOX")[b"EXISTS"] == 0


def test_wrong_password_is_refused(dovecot: DovecotServer) -> None:
    client = IMAPClient(dovecot.host, port=dovecot.port, ssl=False, timeout=10)
    with pytest.raises(LoginError):
        client.login(dovecot.user, "otra")
    client.shutdown()


def test_only_plain_imap_on_loopback(dovecot: DovecotServer) -> None:
    assert dovecot.host == "127.0.0.1"
    with socket.create_connection((dovecot.host, dovecot.port), timeout=5) as sock:
        greeting = sock.recv(1024)
    assert greeting.startswith(b"* OK")
    with dovecot.client() as client:
        assert b"STARTTLS" not in client.capabilities()
