"""What staff do to a case, on both backends: corrections move the legal date and teach
the classifier, forwarding and answers set their dates, every change is audited by name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.filing import BOGOTA, bogota, file_requests, web_request
from ventanilla.errors import InputError, NotFound
from ventanilla.store import casework, quarantine
from ventanilla.store.pipeline import quarantine as quarantine_message
from ventanilla.store.schema import AuditEntry, Case, Message, TrainingExample

pytestmark = pytest.mark.integration

CERTIFICATE = "Solicito copia de mi certificado de inscripción en el servicio de empleo."


@pytest.fixture
def app(app_with, tmp_path) -> Any:
    return app_with(email__outbox_dir=str(tmp_path / "outbox"))


def case_row(app: Any, radicado: str) -> Case:
    with app.db.read() as session:
        return session.scalars(select(Case).where(Case.radicado == radicado)).one()


def trail(app: Any, case_id: int) -> list[AuditEntry]:
    with app.db.read() as session:
        return list(
            session.scalars(
                select(AuditEntry)
                .where(AuditEntry.entity == "case", AuditEntry.entity_id == case_id)
                .order_by(AuditEntry.id)
            )
        )


def test_correcting_the_type_recomputes_the_legal_date_and_keeps_a_training_example(app):
    [radicado] = file_requests(app, web_request(CERTIFICATE, "2026-03-02 10:00"))
    before = case_row(app, radicado)
    assert before.type == "informacion"
    assert before.due_date == app.calendar.due_date(bogota("2026-03-02 10:00"), "informacion")

    with app.db.transaction() as session:
        changed = casework.correct_case(
            session,
            radicado,
            request_type="consulta",
            office="Subdirección de Prestadores",
            due_date_for=app.calendar.due_date,
            actor="beto",
        )

    after = case_row(app, radicado)
    assert after.type == "consulta" and after.office == "Subdirección de Prestadores"
    assert after.due_date == app.calendar.due_date(bogota("2026-03-02 10:00"), "consulta")
    assert after.due_date > before.due_date  # 30 business days instead of 10
    assert not after.review_type
    assert changed["type"] == ["informacion", "consulta"]
    entry = trail(app, after.id)[-1]
    assert (entry.action, entry.actor) == ("corrected", "beto")
    assert entry.detail["due_date"] == [before.due_date.isoformat(), after.due_date.isoformat()]
    with app.db.read() as session:
        [example] = session.scalars(select(TrainingExample)).all()
    assert (example.text, example.label, example.source, example.actor) == (
        CERTIFICATE,
        "consulta",
        "correction",
        "beto",
    )
    assert example.case_id == after.id


def test_a_correction_that_keeps_the_type_teaches_nothing(app):
    [radicado] = file_requests(app, web_request(CERTIFICATE, "2026-03-02 10:00"))
    with app.db.transaction() as session:
        changed = casework.correct_case(
            session,
            radicado,
            request_type="informacion",
            office="Grupo de Gestión Documental",
            due_date_for=app.calendar.due_date,
            actor="beto",
        )
    assert list(changed) == ["office"]
    with app.db.read() as session:
        assert session.scalars(select(TrainingExample)).all() == []


@pytest.mark.parametrize(
    ("request_type", "office", "field"),
    [("spam", "GRC", "type"), ("queja", "   ", "office"), ("queja", "x" * 121, "office")],
)
def test_a_correction_with_a_bad_value_names_its_field(app, request_type, office, field):
    [radicado] = file_requests(app, web_request(CERTIFICATE, "2026-03-02 10:00"))
    with pytest.raises(InputError) as error, app.db.transaction() as session:
        casework.correct_case(
            session,
            radicado,
            request_type=request_type,
            office=office,
            due_date_for=app.calendar.due_date,
            actor="beto",
        )
    assert error.value.field == field
    assert case_row(app, radicado).type == "informacion"


def test_forwarding_then_answering_record_who_when_and_the_denied_access(app):
    [radicado] = file_requests(app, web_request(CERTIFICATE, "2026-03-02 10:00"))
    with app.db.transaction() as session:
        casework.mark_forwarded(session, radicado, " Ministerio  del Trabajo ", actor="beto")
    forwarded = case_row(app, radicado)
    assert forwarded.status == "trasladado"
    assert forwarded.forwarded_to == "Ministerio del Trabajo"
    assert forwarded.forwarded_at is not None

    answered_at = datetime.now(BOGOTA) - timedelta(minutes=5)
    with app.db.transaction() as session:
        casework.record_answer(session, radicado, answered_at, access_denied=True, actor="ana")
    answered = case_row(app, radicado)
    assert answered.status == "respondido" and answered.access_denied
    assert answered.answered_at == answered_at.astimezone(UTC)
    actions = [(e.action, e.actor) for e in trail(app, answered.id)]
    assert actions[-2:] == [("forwarded", "beto"), ("answered", "ana")]

    for change, field in (
        (lambda s: casework.mark_forwarded(s, radicado, "Otra", actor="ana"), "forwarded_to"),
        (
            lambda s: casework.record_answer(
                s, radicado, answered_at, access_denied=False, actor="ana"
            ),
            "answered_on",
        ),
    ):
        with pytest.raises(InputError) as error, app.db.transaction() as session:
            change(session)
        assert error.value.field == field


def test_an_answer_dated_in_the_future_or_before_the_request_is_refused(app):
    [radicado] = file_requests(app, web_request(CERTIFICATE, "2026-03-02 10:00"))
    for moment in (datetime.now(BOGOTA) + timedelta(days=1), bogota("2026-03-01 12:00")):
        with pytest.raises(InputError), app.db.transaction() as session:
            casework.record_answer(session, radicado, moment, access_denied=False, actor="ana")
    assert case_row(app, radicado).status == "radicado"


def test_an_annulled_case_cannot_be_corrected(app):
    [radicado] = file_requests(app, web_request(CERTIFICATE, "2026-03-02 10:00"))
    with app.db.transaction() as session:
        app.registry.annul(session, radicado, "Radicado por error", "ana")
    with pytest.raises(InputError), app.db.transaction() as session:
        casework.correct_case(
            session,
            radicado,
            request_type="queja",
            office="GRC",
            due_date_for=app.calendar.due_date,
            actor="beto",
        )
    with pytest.raises(NotFound), app.db.transaction() as session:
        casework.mark_forwarded(session, "20269999999992", "Otra", actor="ana")


def test_a_quarantined_message_goes_back_to_classify_once_and_audited(app):
    [radicado] = file_requests(app, web_request(CERTIFICATE, "2026-03-02 10:00"))
    assert radicado is not None
    with app.db.transaction() as session:
        accepted_id = session.scalar(select(Message.id))
        # As the dead-letter handler leaves it: done, quarantined, with the reason.
        session.execute(
            Message.__table__.update().values(stage="radicate", status="pending", case_id=None)
        )
        quarantine_message(session, accepted_id, "radicate failed: StringDataRightTruncation")
    with app.db.read() as session:
        [listed] = quarantine.quarantined_messages(session)
    assert listed["reason"].startswith("radicate failed") and listed["retryable"]

    with app.db.transaction() as session:
        quarantine.release(session, accepted_id, actor="beto")
    with app.db.read() as session:
        message = session.get_one(Message, accepted_id)
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "message").order_by(AuditEntry.id.desc())
        ).first()
    assert (message.stage, message.status, message.reason) == ("classify", "pending", "")
    assert entry is not None and (entry.action, entry.actor) == ("retried", "beto")
    with pytest.raises(InputError), app.db.transaction() as session:
        quarantine.release(session, accepted_id, actor="beto")  # not quarantined any more
    with pytest.raises(NotFound), app.db.transaction() as session:
        quarantine.release(session, 999_999, actor="beto")


def test_a_message_kept_raw_by_its_adapter_is_listed_but_not_offered_a_retry(app):
    unreadable = web_request("", "2026-03-02 10:00", flags={"quarantine": "unreadable e-mail"})
    assert file_requests(app, unreadable) == [None]
    with app.db.read() as session:
        [listed] = quarantine.quarantined_messages(session)
    assert listed["reason"] == "unreadable e-mail" and not listed["retryable"]
