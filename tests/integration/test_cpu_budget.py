"""One message's CPU budget through the real pipeline, on SQLite and PostgreSQL: a message
whose routing overruns `worker.message_cpu_seconds` is quarantined with the reason, and the
other messages of its batch are radicated."""

from __future__ import annotations

from typing import Any

import pytest

from tests.filing import web_request

pytestmark = pytest.mark.integration

RECEIVED = "2026-03-02 10:00"


def test_a_message_over_its_cpu_budget_is_quarantined_and_its_batch_is_radicated(
    app_with: Any,
) -> None:
    from ventanilla.store.cases import list_messages
    from ventanilla.workers.intake import accept_batch
    from ventanilla.workers.pipeline import advance_batch

    # Reading 2 MB takes seconds of CPU (linear, but 2 MB); a request of a few words takes
    # milliseconds. A budget of one second separates them on any machine.
    app = app_with(worker__message_cpu_seconds="1")
    citizens = [
        web_request(text, RECEIVED, sender=f"c{n}@example.com", reply_email=f"c{n}@example.com")
        for n, text in enumerate(
            [
                "Solicito el certificado de inscripción en el Servicio Público de Empleo.",
                "Olvidé mi contraseña del SISE y no puedo entrar a postularme.",
                "Quiero saber cuándo es la próxima feria de empleo en Cali.",
            ]
        )
    ]
    hostile_text = "solicito " + "a." * 1_000_000
    hostile = web_request(
        hostile_text, RECEIVED, sender="x@example.com", reply_email="x@example.com"
    )
    batch = [citizens[0], hostile, *citizens[1:]]
    accepted = accept_batch(batch, start_now=False)
    ids = [outcome.message_id for outcome in accepted]

    advance_batch(ids)

    with app.db.read() as session:
        rows = {row["id"]: row for row in list_messages(session)}
    hostile_row = rows[ids[1]]
    assert hostile_row["status"] == "quarantined"
    assert hostile_row["reason"] == (
        "classify: exceeded the CPU budget of 1 s per message (worker.message_cpu_seconds)"
    )
    assert hostile_row["radicado"] is None
    for message_id in (ids[0], *ids[2:]):
        assert rows[message_id]["status"] == "case", rows[message_id]
        assert rows[message_id]["radicado"]
