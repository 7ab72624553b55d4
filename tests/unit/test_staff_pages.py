"""The staff pages' pure pieces: reading filters and dates, where a login may send you,
the cookie's flags, the new-user form, and the sanitized HTML of a citizen's e-mail."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from starlette.responses import Response

from ventanilla.adapters.email_parsing import html_body
from ventanilla.app import App
from ventanilla.errors import InputError
from ventanilla.settings import Settings, WebSettings
from ventanilla.web.auth import safe_next, set_session_cookie
from ventanilla.web.staff.case import answer_moment, email_html
from ventanilla.web.staff.cases import read_filters
from ventanilla.web.staff.users import new_user_errors

BOGOTA = ZoneInfo("America/Bogota")
HTML_MAIL = b"""From: a@example.com
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b"

--b
Content-Type: text/plain; charset=utf-8

Hola
--b
Content-Type: text/html; charset=utf-8

<p onclick="steal()">Solicito <b>copia</b>.</p><script>alert(1)</script>
<img src="https://tracker.example/pixel.png"><a href="javascript:alert(1)">clic</a>
<a href="https://www.serviciodeempleo.gov.co">portal</a><style>p{color:red}</style>
<form action="https://evil.example"><input name="x"></form>
--b--
"""


def test_the_html_part_of_an_e_mail_is_shown_without_anything_active():
    cleaned = str(email_html(HTML_MAIL))
    assert "<b>copia</b>" in cleaned
    for banned in ("script", "onclick", "<img", "javascript:", "<style", "<form", "<input"):
        assert banned not in cleaned
    assert 'href="https://www.serviciodeempleo.gov.co"' in cleaned
    assert 'rel="noopener noreferrer"' in cleaned


@pytest.mark.parametrize("raw", [b"", b"From: a@example.com\n\nsolo texto", b"\x00\xff" * 50])
def test_mail_without_a_readable_html_part_shows_none(raw):
    assert email_html(raw) is None
    assert html_body(raw) == ""


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/casos?estado=radicado", "/casos?estado=radicado"),
        ("", "/inicio"),
        ("https://evil.example/", "/inicio"),
        ("//evil.example/", "/inicio"),
        ("/\\evil.example", "/inicio"),
        ("casos", "/inicio"),
    ],
)
def test_after_login_only_a_path_of_this_site_is_followed(target, expected):
    assert safe_next(target) == expected


@pytest.mark.parametrize(
    ("url", "secure"), [("https://pqrs.example.gov.co", True), ("http://127.0.0.1:8000", False)]
)
def test_the_session_cookie_is_secure_when_the_site_is_https(url, secure):
    response = Response()
    set_session_cookie(response, App(Settings(web=WebSettings(public_url=url))), "token")
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=28800" in cookie
    assert ("Secure" in cookie) is secure


def test_case_filters_are_read_from_the_query_string():
    filters, errors = read_filters(
        {
            "tipo": "queja",
            "canal": "sms",
            "estado": "inventado",
            "vence_desde": "2026-03-01",
            "vence_hasta": "2026-03-31",
            "revisar": "1",
            "q": "  Marisol  ",
        }
    )
    assert errors == {}
    assert (filters.type, filters.channel, filters.status) == ("queja", "sms", "")
    assert (filters.due_from, filters.due_to) == (date(2026, 3, 1), date(2026, 3, 31))
    assert filters.review_type and filters.search == "Marisol"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"vence_desde": "31/03/2026"}, "vence_desde"),
        ({"vence_desde": "2026-04-01", "vence_hasta": "2026-03-01"}, "vence_hasta"),
    ],
)
def test_a_bad_date_in_the_filters_is_named(params, field):
    _, errors = read_filters(params)
    assert list(errors) == [field]


def test_an_answer_dated_today_is_now_and_another_day_is_noon():
    today = datetime.now(BOGOTA)
    assert answer_moment(today.date().isoformat(), BOGOTA).date() == today.date()
    earlier = answer_moment("2026-03-02", BOGOTA)
    assert earlier == datetime(2026, 3, 2, 12, tzinfo=BOGOTA)
    with pytest.raises(InputError) as error:
        answer_moment("2 de marzo", BOGOTA)
    assert error.value.field == "answered_on"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        (
            {
                "username": "ana gómez",
                "role": "agente",
                "password": "x" * 12,
                "password2": "x" * 12,
            },
            "username",
        ),
        ({"username": "ana", "role": "jefe", "password": "x" * 12, "password2": "x" * 12}, "role"),
        (
            {"username": "ana", "role": "agente", "password": "corta", "password2": "corta"},
            "password",
        ),
        (
            {"username": "ana", "role": "agente", "password": "x" * 12, "password2": "y" * 12},
            "password2",
        ),
    ],
)
def test_the_new_user_form_names_each_wrong_field(fields, field):
    assert list(new_user_errors(fields, 12)) == [field]
