"""Acknowledgements per client address of origin (issue 15: the form mailed the entity's
official acknowledgement to any address typed, as fast as one machine could type them):
past worker.acks_per_origin_per_hour the case is still radicated, only the e-mail is not
sent, and the message says why. Through the real pipeline, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.test_dedupe_pipeline import RecordingSender, run, store

pytestmark = pytest.mark.integration


@pytest.fixture
def app(app_with) -> Any:
    app = app_with(worker__acks_per_origin_per_hour="3")
    app.senders["email"] = RecordingSender()
    return app


def from_origin(origin: str, n: int) -> int:
    text = f"Solicito copia de mi certificado de inscripción número {n} para un trámite."
    address = f"persona{n}@example.com"
    return store("web", text, address, reply_email=address, flags={"origin": origin})


def test_past_the_limit_one_address_files_but_is_not_acknowledged(app):
    from ventanilla.store.cases import list_cases, list_messages

    flood = [from_origin("203.0.113.5", n) for n in range(5)]
    run(*flood[:2])
    run(*flood[2:])  # two batches: the count is kept in the store, not in one batch
    other = from_origin("198.51.100.7", 99)
    run(other)

    with app.db.read() as session:
        cases = list_cases(session)
        messages = {m["id"]: m for m in list_messages(session)}
    assert len(cases) == 6  # every request still gets its radicado (the law requires it)
    recipients = sorted(ack.recipient for ack in app.senders["email"].sent)
    assert recipients == sorted(
        [f"persona{n}@example.com" for n in range(3)] + ["persona99@example.com"]
    )
    for message_id in flood[3:]:
        assert "from this address in an hour" in messages[message_id]["reason"]


def test_loopback_origins_are_not_limited(app):
    from ventanilla.store.cases import list_cases

    run(*[from_origin("127.0.0.1", n) for n in range(5)])

    with app.db.read() as session:
        assert len(list_cases(session)) == 5
    assert len(app.senders["email"].sent) == 5
