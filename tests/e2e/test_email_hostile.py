"""A hostile mailbox: hundreds of malformed and adversarial e-mails through the real poller.

Each one is stored (and radicated, ignored or quarantined with a reason); the poller never
crashes and the channel keeps working for the next citizen.
"""

from __future__ import annotations

import time
from email.message import EmailMessage

import pytest
from imapclient.exceptions import IMAPClientError

from tests.corpus.hostile import hostile_corpus
from ventanilla.adapters.email_parsing import parse_email

pytestmark = pytest.mark.e2e

FINAL = {"case", "follow_up", "duplicate", "review", "ignored", "quarantined"}


def citizen_mail() -> bytes:
    message = EmailMessage()
    message["From"] = "Ana Pérez <ana@example.com>"
    message["To"] = "atencionalciudadano@example.gov.co"
    message["Subject"] = "Después del correo hostil"
    message["Message-ID"] = "<despues@example.com>"
    message.set_content("Solicito información sobre mi inscripción.")
    return message.as_bytes()


def test_hostile_corpus_is_stored_or_quarantined_and_the_channel_keeps_going(
    deployment_factory, dovecot, tmp_path
):
    corpus = hostile_corpus()
    assert len(corpus) >= 200
    appended: list[bytes] = []
    refused: list[tuple[str, bytes]] = []  # what Dovecot itself will not take (NUL bytes...)
    with dovecot.client(timeout=300) as client:
        for name, raw in corpus:
            try:
                client.append("INBOX", raw)
                appended.append(raw)
            except IMAPClientError:
                refused.append((name, raw))
    assert len(appended) >= 200

    deployment = deployment_factory(f"sqlite:///{tmp_path / 'v.db'}", **dovecot.mailbox_settings())
    deployment.start("worker", "worker")
    started = time.monotonic()  # printed for the closing note, never asserted
    deployment.cli("poll", "--channel", "email", "--once", timeout=600)
    # What the server refused to store comes in through the same path as files.
    files = []
    for number, (_, raw) in enumerate(refused):
        path = tmp_path / f"refused-{number}.eml"
        path.write_bytes(raw)
        files.append(str(path))
    if files:
        deployment.cli("ingest", "email", *files, timeout=600)
    deployment.cli("drain", "--timeout", "300")
    drained_in = time.monotonic() - started

    rows = deployment.cli_json("messages", "list")
    # Dovecot hands back what it stored (it may normalise line ends): count by the bytes
    # it returns, one message per distinct provider id.
    with dovecot.client() as client:
        client.select_folder("INBOX")
        assert client.search(["UNSEEN"]) == []  # every one was taken
        fetched = client.fetch(client.search(["ALL"]), ["BODY.PEEK[]"])
        stored_raw = [data[b"BODY[]"] for data in fetched.values()]
    expected = {parse_email(raw).provider_id for raw in stored_raw}
    expected |= {parse_email(raw).provider_id for _, raw in refused}
    assert len(rows) == len(expected)
    assert {row["status"] for row in rows} <= FINAL
    for row in rows:
        if row["status"] in ("review", "quarantined"):
            assert row["reason"], row
        if row["status"] == "ignored":  # only on transport evidence, never on the text
            assert row["reason"].startswith("not radicated: "), row
    quarantined = [row for row in rows if row["status"] == "quarantined"]
    assert quarantined, "the corpus has unreadable messages; none was quarantined"
    assert "Traceback" not in deployment.log("worker")
    print(  # the figures for the closing note of a run with -s
        f"drained in {drained_in:.0f} s; "
        f"corpus {len(corpus)}: appended {len(appended)}, refused by Dovecot {len(refused)}; "
        f"stored {len(rows)}: "
        + ", ".join(f"{s} {sum(r['status'] == s for r in rows)}" for s in sorted(FINAL))
    )

    # The channel still works: the next citizen gets a case.
    dovecot.append([citizen_mail()])
    deployment.cli("poll", "--channel", "email", "--once")
    deployment.cli("drain", "--timeout", "120")
    after = {row["subject"]: row for row in deployment.cli_json("messages", "list")}
    assert after["Después del correo hostil"]["status"] == "case"
