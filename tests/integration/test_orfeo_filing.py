"""The filing step against the Orfeo double: the radicate stage reserves the case and holds
its acknowledgement; `file_one` asks Orfeo outside any transaction and records its number.
Lost answers are looked up by reference (cuentai) or left to a clerk, never retried blind."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import ORFEO_RECEIVER
from tests.filing import file_requests, web_request
from tests.integration.test_dedupe_pipeline import RecordingSender

pytestmark = pytest.mark.integration

TEXT = (
    "Solicito copia de mi certificado de inscripción en el Servicio Público de Empleo. "
    "Mi cédula es 52.345.678."
)


@pytest.fixture
def orfeo_app(app_with, orfeo) -> Any:
    def make(lookup: str = "cuentai", **overrides: str) -> Any:
        settings = {
            "docsys__backend": "orfeo",
            "docsys__orfeo_wsdl": orfeo.wsdl_url,
            "docsys__orfeo_login": ORFEO_RECEIVER.login,
            "docsys__orfeo_email": ORFEO_RECEIVER.email,
            "docsys__orfeo_lookup": lookup,
            "docsys__orfeo_timeout_seconds": "5",
            "docsys__retry_max_seconds": "1",
        }
        app = app_with(**(settings | overrides))
        app.senders["email"] = RecordingSender()
        return app

    return make


def case_of(app: Any, radicado: str) -> Any:
    from ventanilla.store.schema import Case, Filing

    with app.db.read() as session:
        return session.execute(
            select(Case.id, Case.radicado, Case.year, Filing.status, Filing.reference)
            .join(Filing, Filing.case_id == Case.id)
            .where(Case.radicado == radicado)
        ).one()


def file_until_settled(case_id: int, timeout: float = 20) -> str:
    """Call the filing step as the delayed actor messages would, until it ends."""
    from ventanilla.workers.filing import file_one

    deadline = time.monotonic() + timeout
    status = ""
    while time.monotonic() < deadline:
        status = file_one(case_id) or status
        if status in ("filed", "refused", "uncertain"):
            return status
        time.sleep(0.2)
    return status


def test_case_gets_orfeo_number_and_acknowledgement_waits_for_it(orfeo_app, orfeo):
    from ventanilla.store.cases import request_state
    from ventanilla.store.schema import Case
    from ventanilla.workers.filing import file_one

    app = orfeo_app()
    [provisional] = file_requests(
        app,
        web_request(
            TEXT,
            "2026-03-02 10:00",
            sender_name="Ana María Peña Gómez",
            reply_email="ana@example.org",
        ),
    )
    assert provisional.startswith("~")
    case = case_of(app, provisional)
    assert case.status == "pending" and len(case.reference) <= 20
    assert app.senders["email"].sent == []  # held: it must carry Orfeo's number
    with app.db.read() as session:
        message_id = session.scalar(select(Case.message_id).where(Case.id == case.id))
        state = request_state(session, message_id)
    assert state["status"] == "filing" and state["case"] is None
    assert file_one(case.id) == "filed"
    with app.db.read() as session:
        radicado, year = session.execute(
            select(Case.radicado, Case.year).where(Case.id == case.id)
        ).one()
    held = orfeo.radicado(radicado)
    assert radicado.startswith("2026100") and year == 2026
    assert held["radi_cuentai"] == case.reference
    assert held["destinatario"]["sgd_dir_nomremdes"] == "Ana María Peña Gómez"
    assert held["destinatario"]["sgd_dir_mail"] == "ana@example.org"
    assert held["destinatario"]["sgd_dir_doc"] == "52345678"
    [ack] = app.senders["email"].sent
    assert ack.radicado == radicado
    assert file_one(case.id) == ""  # filed: nothing more to do


def test_lost_answer_is_looked_up_by_reference_not_filed_again(orfeo_app, orfeo):
    app = orfeo_app("cuentai")
    orfeo.fail("radicarDocumento", "lost_after")
    [provisional] = file_requests(app, web_request(TEXT, "2026-03-02 10:00", reply_email="b@x.org"))
    case = case_of(app, provisional)
    assert file_until_settled(case.id) == "filed"
    mine = [r for r in orfeo.radicados() if r["radi_cuentai"] == case.reference]
    assert len(mine) == 1
    assert [a.radicado for a in app.senders["email"].sent] == [mine[0]["radi_nume_radi"]]


def test_a_timeout_is_looked_up_only_after_orfeo_must_have_finished(orfeo_app, orfeo):
    from ventanilla.store.schema import Filing
    from ventanilla.workers.filing import file_one

    app = orfeo_app("cuentai", docsys__orfeo_timeout_seconds="1")
    orfeo.slow_answers(2)
    orfeo.fail("radicarDocumento", "slow_after")
    [provisional] = file_requests(app, web_request(TEXT, "2026-03-02 10:00", reply_email="t@x.org"))
    case = case_of(app, provisional)
    assert file_one(case.id) == "unknown"
    with app.db.read() as session:
        filing = session.scalar(select(Filing).where(Filing.case_id == case.id))
        assert (filing.next_attempt_at - filing.updated_at).total_seconds() >= 1
    assert file_one(case.id) == ""  # not due yet: no lookup while Orfeo may be working
    assert file_until_settled(case.id) == "filed"
    assert len([r for r in orfeo.radicados() if r["radi_cuentai"] == case.reference]) == 1


def test_without_lookup_a_lost_answer_waits_for_a_clerk(orfeo_app, orfeo):
    from ventanilla.store import filings
    from ventanilla.workers.filing import file_one

    app = orfeo_app("none")
    orfeo.fail("radicarDocumento", "lost_after")
    [provisional] = file_requests(app, web_request(TEXT, "2026-03-02 10:00", reply_email="c@x.org"))
    case = case_of(app, provisional)
    assert file_one(case.id) == "uncertain"
    assert file_one(case.id) == ""  # never retried blindly
    [created] = [r for r in orfeo.radicados() if r["radi_cuentai"] == case.reference]
    assert app.senders["email"].sent == []
    with app.db.transaction() as session:
        assert [f["case_id"] for f in filings.to_decide(session)] == [case.id]
        released = filings.resolve_uncertain(
            session, case.id, created["radi_nume_radi"], actor="clerk"
        )
    from ventanilla.workers.pipeline import deliver_claimed

    deliver_claimed(released)
    assert [a.radicado for a in app.senders["email"].sent] == [created["radi_nume_radi"]]


def test_orfeo_down_waits_and_retries_with_backoff(orfeo_app, orfeo):
    from ventanilla.workers.filing import file_one

    app = orfeo_app()
    [provisional] = file_requests(app, web_request(TEXT, "2026-03-02 10:00", reply_email="d@x.org"))
    case = case_of(app, provisional)
    orfeo.down_for(1.5)
    assert file_one(case.id) == "pending"
    assert file_until_settled(case.id) == "filed"
    assert len([r for r in orfeo.radicados() if r["radi_cuentai"] == case.reference]) == 1


def test_refusal_is_kept_with_orfeos_text(orfeo_app, orfeo):
    from ventanilla.store import filings
    from ventanilla.workers.filing import file_one

    app = orfeo_app(docsys__orfeo_login="nadie")
    [provisional] = file_requests(app, web_request(TEXT, "2026-03-02 10:00", reply_email="e@x.org"))
    case = case_of(app, provisional)
    assert file_one(case.id) == "refused"
    with app.db.read() as session:
        [row] = filings.to_decide(session)
    assert row["status"] == "refused" and "no existe" in row["last_error"]
