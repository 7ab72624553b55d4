"""The status page shows a case only to its citizen (issue 15: sequential radicados let
anyone walk `/estado/…` and read every case's type, state and dates)."""

from __future__ import annotations

import email
import email.policy
import re

import httpx
import pytest

from tests.e2e import test_web_form as web_form
from tests.e2e.test_web_form import radicated

# The web form's deployment (web and worker on SQLite) is this page's too.
service = web_form.service

pytestmark = pytest.mark.e2e

UNKNOWN = "20269999999992"


def shows_status(page: httpx.Response) -> bool:
    return "Fecha límite de respuesta" in page.text


def check(service, radicado: str, contact: str, **headers: str) -> httpx.Response:
    return httpx.post(
        f"{service.base_url}/estado/{radicado}", data={"contacto": contact}, headers=headers
    )


def test_the_status_opens_only_with_the_link_or_the_contact_given(service):
    request = {"text": "Quiero poner una queja por mala atención", "email": "Ana@Example.com"}
    case = radicated(service, request)
    radicado = case["radicado"]
    phoned = radicated(service, {"text": "Pido información de vacantes", "phone": "300 123 4567"})

    bare = httpx.get(f"{service.base_url}/estado/{radicado}")
    assert bare.status_code == 200 and not shows_status(bare)
    assert "Escriba el correo o el celular que dio al radicar" in bare.text

    assert shows_status(check(service, radicado, " ana@example.COM "))
    assert shows_status(check(service, phoned["radicado"], "+57 300 1234567"))
    assert shows_status(check(service, phoned["radicado"], "3001234567"))
    assert not shows_status(check(service, radicado, "otra@example.com"))
    assert not shows_status(check(service, radicado, "3001234567"))  # another case's phone

    service.cli("drain", "--timeout", "60")
    [eml] = service.outbox.glob("*.eml")
    sent = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    body = sent.get_body(("plain",)).get_content()
    link = re.search(r"/estado/\d+\?c=[\w-]+", body).group(0)
    assert shows_status(httpx.get(f"{service.base_url}{link}"))
    forged = link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")
    assert not shows_status(httpx.get(f"{service.base_url}{forged}"))


def test_an_unknown_radicado_answers_exactly_like_a_wrong_contact(service):
    """No oracle: the same page and status for a number that exists and one that does not,
    whether asked bare, with a wrong link or with a wrong contact."""
    radicado = radicated(service, {"text": "Necesito mi certificado", "email": "a@example.com"})[
        "radicado"
    ]

    def same(ask) -> None:
        known, unknown = ask(radicado), ask(UNKNOWN)
        assert known.status_code == unknown.status_code == 200
        assert known.text.replace(radicado, UNKNOWN) == unknown.text

    same(lambda number: httpx.get(f"{service.base_url}/estado/{number}"))
    same(lambda number: httpx.get(f"{service.base_url}/estado/{number}?c=adivinado"))
    same(lambda number: check(service, number, "b@example.com"))
    assert "no coinciden" in check(service, UNKNOWN, "b@example.com").text


def test_an_anonymous_case_opens_only_with_its_link(service):
    radicado = radicated(service, {"text": "Denuncio un cobro indebido en la oficina"})["radicado"]
    assert not shows_status(check(service, radicado, ""))
    assert not shows_status(check(service, radicado, "nadie@example.com"))


def test_contact_checks_from_one_address_are_limited(service):
    """Past web.status_checks_per_hour (20) one client address gets 429 with Retry-After;
    another address may still check."""
    remote = {"X-Forwarded-For": "203.0.113.9"}
    answers = [check(service, UNKNOWN, f"p{n}@example.com", **remote) for n in range(21)]
    assert [a.status_code for a in answers] == [200] * 20 + [429]
    assert int(answers[-1].headers["Retry-After"]) > 0
    assert "muchas consultas" in answers[-1].text
    other = check(service, UNKNOWN, "p@example.com", **{"X-Forwarded-For": "203.0.113.10"})
    assert other.status_code == 200
