"""Staff's case list on both backends: open cases due today or past first, then by legal
date; filters, search by radicado, name, e-mail, phone and words; pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.filing import bogota, file_requests, web_request
from ventanilla.store import casework
from ventanilla.store.worklist import CaseFilter, find_cases, offices, open_cases_due_by

pytestmark = pytest.mark.integration

PETITION = "Necesito que me ayuden a actualizar mi hoja de vida en el portal, número {n}."


@pytest.fixture
def app(app_with, tmp_path) -> Any:
    return app_with(email__outbox_dir=str(tmp_path / "outbox"))


TODAY = bogota("2026-03-16 09:00").date()
EVERYTHING = CaseFilter()


def radicados(app: Any, filters: CaseFilter = EVERYTHING) -> list[str]:
    with app.db.read() as session:
        page = find_cases(session, filters, today=TODAY)
    return [row["radicado"] for row in page.rows]


def test_open_cases_due_today_or_past_come_first_then_every_case_by_legal_date(app):
    overdue, today, later, answered, far = file_requests(
        app,
        web_request(PETITION.format(n=1), "2026-02-02 10:00"),
        web_request(PETITION.format(n=2), "2026-02-23 10:00"),
        web_request(PETITION.format(n=3), "2026-03-05 10:00"),
        web_request(PETITION.format(n=4), "2026-01-13 10:00"),
        web_request(PETITION.format(n=5), "2026-03-13 10:00"),
    )
    received = bogota("2026-02-23 10:00")
    assert app.calendar.due_date(received, "peticion") == TODAY  # the case due "today"
    with app.db.transaction() as session:
        casework.record_answer(
            session, answered, bogota("2026-02-01 12:00"), access_denied=False, actor="ana"
        )
    # The answered case is the oldest date, but it no longer runs: it sorts by its date
    # among the rest.
    assert radicados(app) == [overdue, today, answered, later, far]


def test_filters_narrow_the_list(app):
    web, mail, form_choice = file_requests(
        app,
        web_request(PETITION.format(n=1), "2026-03-02 10:00"),
        web_request(
            "Solicito copia del certificado", "2026-03-03 10:00", channel="email", sender="a@b.co"
        ),
        web_request("Quiero quejarme", "2026-03-04 10:00", requested_type="queja"),
    )
    with app.db.transaction() as session:
        casework.correct_case(
            session,
            web,
            request_type="peticion",
            office="Subdirección de Prestadores",
            due_date_for=app.calendar.due_date,
            actor="beto",
        )
    assert radicados(app, CaseFilter(channel="email")) == [mail]
    assert radicados(app, CaseFilter(type="queja")) == [form_choice]
    assert radicados(app, CaseFilter(office="Subdirección de Prestadores")) == [web]
    assert radicados(app, CaseFilter(status="radicado", type="informacion")) == [mail]
    with app.db.read() as session:
        assert "Subdirección de Prestadores" in offices(session)
    mail_due = app.calendar.due_date(bogota("2026-03-03 10:00"), "informacion")
    assert radicados(app, CaseFilter(due_from=mail_due, due_to=mail_due)) == [mail]
    assert radicados(app, CaseFilter(due_to=mail_due - timedelta(days=1))) == []


def test_cases_the_classifier_was_unsure_of_can_be_listed_alone(app):
    unsure, sure = file_requests(
        app,
        web_request("Buenas tardes, les escribo por lo de la semana pasada", "2026-03-02 10:00"),
        web_request("Solicito copia del certificado", "2026-03-02 11:00"),
    )
    assert radicados(app, CaseFilter(review_type=True)) == [unsure]
    assert set(radicados(app)) == {unsure, sure}


@pytest.mark.parametrize(
    "search",
    ["MARISOL", "quintero@example", "310 444 5566", "(310) 444-5566", "agencia de tunja"],
)
def test_search_finds_a_case_by_name_e_mail_phone_or_words(app, search):
    wanted, _ = file_requests(
        app,
        web_request(
            "Solicito copia del certificado de la agencia de Tunja",
            "2026-03-02 10:00",
            sender_name="Marisol Quintero",
            reply_email="marisol.quintero@example.com",
            reply_phone="+573104445566",
        ),
        web_request(PETITION.format(n=9), "2026-03-02 10:00", sender_name="Pedro"),
    )
    assert radicados(app, CaseFilter(search=search)) == [wanted]


def test_search_by_radicado_and_wildcards_taken_literally(app):
    first, second = file_requests(
        app,
        web_request(PETITION.format(n=1), "2026-03-02 10:00"),
        web_request(PETITION.format(n=2), "2026-03-02 10:00"),
    )
    assert radicados(app, CaseFilter(search=second)) == [second]
    assert radicados(app, CaseFilter(search="%")) == []
    assert radicados(app, CaseFilter(search="_")) == []
    assert first != second


def test_pages_split_the_list_and_a_page_past_the_end_shows_the_last(app):
    filed = file_requests(
        app, *(web_request(PETITION.format(n=n), f"2026-03-0{n} 10:00") for n in range(2, 7))
    )
    with app.db.read() as session:
        pages = [
            find_cases(session, CaseFilter(), today=TODAY, page=p, page_size=2)
            for p in (1, 2, 3, 9)
        ]
    assert [p.total for p in pages] == [5, 5, 5, 5]
    assert [p.pages for p in pages] == [3, 3, 3, 3]
    listed = [row["radicado"] for page in pages[:3] for row in page.rows]
    assert listed == filed  # received on consecutive days: due on consecutive days
    assert pages[3].page == 3 and pages[3].rows == pages[2].rows


def test_what_is_due_lists_open_cases_up_to_a_day(app):
    early, late = file_requests(
        app,
        web_request(PETITION.format(n=1), "2026-02-02 10:00"),
        web_request(PETITION.format(n=2), "2026-03-13 10:00"),
    )
    with app.db.read() as session:
        due = open_cases_due_by(session, TODAY)
    assert [row["radicado"] for row in due] == [early]
    assert late
