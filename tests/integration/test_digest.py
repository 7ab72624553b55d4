"""The daily digest of legal dates: what it lists, once a day even with two pollers, only
after its hour on business days, and tried again when the mail server was down."""

from __future__ import annotations

import email
import email.policy
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import free_port
from tests.filing import bogota, file_requests, web_request
from ventanilla.errors import ChannelError
from ventanilla.store import casework
from ventanilla.store.schema import Alert
from ventanilla.workers.digest import send_digest, send_digest_when_due

pytestmark = pytest.mark.integration

DAY = date(2026, 3, 13)  # a Friday
PETITION = "Necesito que me ayuden a actualizar mi hoja de vida en el portal, número {n}."


@pytest.fixture
def app(app_with, tmp_path) -> Any:
    return app_with(
        email__outbox_dir=str(tmp_path / "outbox"),
        staff__digest_to="equipo@example.gov.co, jefe@example.gov.co",
        staff__digest_hour="7",
    )


def digest_mail(app: Any, day: date) -> email.message.EmailMessage:
    path = Path(app.settings.email.outbox_dir) / f"digest-{day.isoformat()}.eml"
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


def alerts(app: Any) -> int:
    with app.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Alert)) or 0)


def test_the_digest_lists_overdue_and_soon_due_open_cases_without_personal_data(app):
    overdue, soon, later, answered = file_requests(
        app,
        web_request(PETITION.format(n=1), "2026-02-02 10:00", sender_name="Marisol Quintero"),
        web_request(PETITION.format(n=2), "2026-02-23 10:00"),  # due Monday 16 March
        web_request(PETITION.format(n=3), "2026-03-10 10:00"),
        web_request(PETITION.format(n=4), "2026-01-13 10:00"),
    )
    with app.db.transaction() as session:
        casework.record_answer(
            session, answered, bogota("2026-02-01 12:00"), access_denied=False, actor="ana"
        )

    assert send_digest(app, DAY).startswith("digest of 2026-03-13 sent: 1 overdue, 1 due")

    sent = digest_mail(app, DAY)
    assert sent["To"] == "equipo@example.gov.co, jefe@example.gov.co"
    assert sent["Subject"].startswith("Casos por vencer, 13 de marzo de 2026")
    assert sent["Auto-Submitted"] == "auto-generated"
    text = sent.get_body(("plain",)).get_content()
    assert overdue in text and soon in text
    assert later not in text and answered not in text
    assert f"/casos/{overdue}" in text
    assert "Marisol" not in text and "hoja de vida" not in text
    html = sent.get_body(("html",)).get_content()
    assert f'href="http://127.0.0.1:8000/casos/{soon}"' in html


def test_the_digest_goes_once_a_day(app):
    assert send_digest(app, DAY).startswith("digest of")
    assert send_digest(app, DAY) == "the digest of 2026-03-13 was already sent"
    assert alerts(app) == 1
    assert send_digest(app, date(2026, 3, 16)).startswith("digest of")
    assert alerts(app) == 2


def test_the_poller_sends_it_after_its_hour_on_business_days_only(app):
    assert not send_digest_when_due(app, bogota("2026-03-13 06:59"))
    assert send_digest_when_due(app, bogota("2026-03-13 07:00"))
    assert not send_digest_when_due(app, bogota("2026-03-13 15:00"))  # sent already
    assert not send_digest_when_due(app, bogota("2026-03-14 09:00"))  # Saturday
    assert not send_digest_when_due(app, bogota("2026-03-23 09:00"))  # San José (holiday)
    assert alerts(app) == 1


def test_two_pollers_at_once_send_one_digest(app):
    results: list[bool] = []

    def poll() -> None:
        results.append(send_digest_when_due(app, bogota("2026-03-13 08:00")))

    threads = [threading.Thread(target=poll) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    assert alerts(app) == 1


def test_no_recipients_means_no_digest(app_with, tmp_path):
    app = app_with(email__outbox_dir=str(tmp_path / "outbox"))
    assert not send_digest_when_due(app, bogota("2026-03-13 08:00"))
    assert not (tmp_path / "outbox").exists()


def test_a_digest_the_mail_server_refused_is_tried_again(app_with, tmp_path):
    app = app_with(
        email__smtp_host="127.0.0.1",
        email__smtp_port=str(free_port()),  # nothing listens there
        email__smtp_security="plain",
        staff__digest_to="equipo@example.gov.co",
    )
    with pytest.raises(ChannelError):
        send_digest_when_due(app, bogota("2026-03-13 08:00"))
    assert alerts(app) == 0  # withdrawn: the next round sends it


def test_the_digest_counts_the_messages_waiting_for_review(app):
    file_requests(
        app,
        web_request(
            "jajaja qué buen meme 😂", "2026-03-12 10:00", channel="email", sender="a@b.co"
        ),
        web_request("jajaja 😂😂 me encantó", "2026-03-12 11:00", channel="email", sender="c@d.co"),
    )
    sent = digest_mail(app, DAY) if send_digest(app, DAY) else None
    assert sent is not None
    assert sent["Subject"].endswith("por revisar 2")
    text = sent.get_body(("plain",)).get_content()
    assert "POR REVISAR (2)" in text and "http://127.0.0.1:8000/revision" in text
    assert "meme" not in text  # ids and counts only, never the citizen's words
