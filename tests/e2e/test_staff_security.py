"""The staff workspace's defences, against the real web app: login required, roles kept
apart, CSRF tokens, the wrong-password limit, sessions that end, and a citizen page that
shows no personal data."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import create_engine, select, update

from tests.conftest import Deployment, RedisServer, new_deployment
from tests.staff import PASSWORD, add_user, csrf_token, login, staff_client
from ventanilla.store.schema import StaffSession

pytestmark = pytest.mark.e2e

CITIZEN = {
    "name": "Marisol Quintero Ávila",
    "email": "marisol.quintero@example.com",
    "phone": "3104445566",
    "text": "Solicito copia del certificado de mi inscripción en la agencia de Tunja.",
}
STAFF_PAGES = ("/casos", "/cuarentena", "/usuarios", "/inicio")


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, redis_server: RedisServer
) -> Iterator[Deployment]:
    """One web app for the module, with a user of each role and one case."""
    root = tmp_path_factory.mktemp("staff-security")
    deployment = new_deployment(
        root / "site", f"sqlite:///{root / 'v.db'}", redis_server.url, web__intake_wait_seconds="0"
    )
    add_user(deployment, "ana", "admin")
    deployment.start("web", "web")
    with staff_client(deployment, "ana") as admin:  # the others through the admin page
        for username, role in (("beto", "agente"), ("carla", "comunicaciones")):
            token = csrf_token(admin.get("/usuarios").text)
            form = {"username": username, "role": role, "password": PASSWORD}
            added = admin.post(
                "/usuarios", data=form | {"password2": PASSWORD, "csrf_token": token}
            )
            assert added.status_code == 303, added.text
    response = httpx.post(f"{deployment.base_url}/api/v1/requests", json=CITIZEN, timeout=30)
    assert response.status_code in (201, 202), response.text
    deployment.cli("drain", "--timeout", "60")
    yield deployment
    deployment.stop_all()


@pytest.fixture(scope="module")
def radicado(site: Deployment) -> str:
    [case] = site.cli_json("cases", "list")
    return str(case["radicado"])


def test_staff_pages_send_a_visitor_without_a_session_to_the_login_page(site, radicado):
    with httpx.Client(base_url=site.base_url) as client:
        for path in (*STAFF_PAGES, f"/casos/{radicado}"):
            response = client.get(path)
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/ingresar?siguiente=")
        api = client.get("/casos", headers={"accept": "application/json"})
        assert api.status_code == 401
        # A change posted without a session changes nothing.
        client.post(f"/casos/{radicado}/anular", data={"reason": "prueba"})
    [case] = site.cli_json("cases", "list")
    assert case["status"] == "radicado"


# Pages of other modules behind the same login: the feed is the communications team's,
# the quarterly report the agents'.
ROLE_PAGES = ("/menciones", "/menciones.js", "/api/v1/mentions", "/informes")


def test_each_role_reaches_its_pages_and_no_other(site, radicado):
    every = ("/casos", "/cuarentena", "/radicacion", "/usuarios", f"/casos/{radicado}", *ROLE_PAGES)
    allowed = {
        "ana": set(every),
        "beto": {"/casos", "/cuarentena", "/radicacion", f"/casos/{radicado}", "/informes"},
        "carla": {"/menciones", "/menciones.js", "/api/v1/mentions"},
    }
    for username, pages in allowed.items():
        with staff_client(site, username) as client:
            for path in every:
                response = client.get(path)
                expected = 200 if path in pages else 403
                assert response.status_code == expected, (username, path)
                if expected == 403 and not path.startswith(("/api/", "/menciones.js")):
                    assert "No tiene permiso" in response.text
    with staff_client(site, "beto") as client:
        # An agent cannot add users either, with a valid token.
        token = csrf_token(client.get("/casos").text)
        response = client.post(
            "/usuarios",
            data={"csrf_token": token, "username": "intruso", "role": "admin"},
        )
        assert response.status_code == 403
    assert "intruso" not in {u["username"] for u in site.cli_json("users", "list")}


def test_a_change_without_the_session_csrf_token_is_refused(site, radicado):
    with staff_client(site, "beto") as client:
        page = client.get(f"/casos/{radicado}")
        token = csrf_token(page.text)
        for data in ({"type": "queja", "office": "GRC"}, {"type": "queja", "csrf_token": "x"}):
            response = client.post(f"/casos/{radicado}/corregir", data=data)
            assert response.status_code == 403
            assert "No pudimos confirmar" in response.text
        [case] = site.cli_json("cases", "list")
        assert case["type"] == "informacion"
        # The same form with the page's token goes through.
        office = case["office"]
        response = client.post(
            f"/casos/{radicado}/corregir",
            data={"type": "informacion", "office": office, "csrf_token": token},
        )
        assert response.status_code == 303
        # Or in the header, for a page that posts with a script.
        response = client.post(
            f"/casos/{radicado}/corregir",
            data={"type": "informacion", "office": office},
            headers={"X-CSRF-Token": token},
        )
        assert response.status_code == 303
        # Logging out is a change too.
        assert client.post("/salir").status_code == 403


def test_the_login_form_needs_its_own_token(site):
    with httpx.Client(base_url=site.base_url) as client:
        response = client.post("/ingresar", data={"username": "ana", "password": PASSWORD})
        assert response.status_code == 403
        assert "ventanilla_staff" not in response.cookies


def test_session_cookie_is_http_only_lax_and_the_store_keeps_only_its_hash(site):
    with httpx.Client(base_url=site.base_url) as client:
        response = login(client, "beto")
        cookie = next(
            value
            for name, value in response.headers.multi_items()
            if name == "set-cookie" and value.startswith("ventanilla_staff=")
        )
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
        token = client.cookies["ventanilla_staff"]
    engine = create_engine(site.env["VENTANILLA_STORE__URL"])
    with engine.connect() as connection:
        hashes = set(connection.scalars(select(StaffSession.token_hash)))
    engine.dispose()
    assert token not in hashes
    assert hashlib.sha256(token.encode()).hexdigest() in hashes


def _age_sessions(site: Deployment, **moved: timedelta) -> None:
    """Move every session's clock back (what time passing would do)."""
    engine = create_engine(site.env["VENTANILLA_STORE__URL"])
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            update(StaffSession).values({name: now - delta for name, delta in moved.items()})
        )
    engine.dispose()


@pytest.mark.parametrize(
    "moved",
    [
        {"last_seen_at": timedelta(minutes=31)},  # idle past staff.idle_minutes (30)
        {"expires_at": timedelta(seconds=1)},  # past staff.session_hours after login
    ],
    ids=["idle", "lifetime"],
)
def test_a_session_ends_when_idle_or_too_old(site, moved):
    with staff_client(site, "beto") as client:
        assert client.get("/casos").status_code == 200
        _age_sessions(site, **moved)
        response = client.get("/casos")
        assert response.status_code == 303
        assert response.headers["location"].startswith("/ingresar")


def test_logout_deletes_the_session(site):
    with staff_client(site, "beto") as client:
        token = csrf_token(client.get("/casos").text)
        cookie = client.cookies["ventanilla_staff"]
        response = client.post("/salir", data={"csrf_token": token})
        assert response.status_code == 303
    with httpx.Client(base_url=site.base_url, cookies={"ventanilla_staff": cookie}) as replay:
        assert replay.get("/casos").status_code == 303
    engine = create_engine(site.env["VENTANILLA_STORE__URL"])
    with engine.connect() as connection:
        hashes = set(connection.scalars(select(StaffSession.token_hash)))
    engine.dispose()
    assert hashlib.sha256(cookie.encode()).hexdigest() not in hashes


def test_the_citizen_status_page_shows_no_personal_data(site, radicado):
    page = httpx.post(f"{site.base_url}/estado/{radicado}", data={"contacto": CITIZEN["email"]})
    assert page.status_code == 200
    assert radicado in page.text and "Fecha límite de respuesta" in page.text
    for value in (*CITIZEN.values(), "Marisol", "3104445566", "Tunja"):
        assert value not in page.text
    # Staff see them, on the case page.
    with staff_client(site, "beto") as client:
        staff_page = client.get(f"/casos/{radicado}").text
    assert CITIZEN["name"] in staff_page and CITIZEN["email"] in staff_page


def test_the_case_page_gives_the_reasons_in_words_not_feature_keys(site, radicado):
    with staff_client(site, "beto") as client:
        page = client.get(f"/casos/{radicado}").text
    reasons = page.split('id="case-reasons"', 1)[1].split("</ul>", 1)[0]
    # "Solicito copia del certificado…": the copy rule decided, said as a clerk says it.
    assert "pide un documento, una copia o un certificado" in reasons
    for key in ("rule:", "model:", "presumed:", "chosen:"):
        assert key not in reasons


def test_staff_answers_are_never_cached_nor_framed(site):
    with staff_client(site, "beto") as client:
        response = client.get("/casos")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_wrong_passwords_from_one_address_never_lock_the_user_out_from_another(
    deployment_factory, tmp_path
):
    deployment = deployment_factory(f"sqlite:///{tmp_path / 'v.db'}")
    add_user(deployment, "ana", "admin")
    add_user(deployment, "beto", "agente")
    deployment.start("web", "web")
    with httpx.Client(base_url=deployment.base_url) as client:
        codes = [login(client, "beto", "no-es-la-clave").status_code for _ in range(6)]
        assert codes == [401] * 5 + [429]  # the limit (5), then a growing wait
        throttled = login(client, "beto")
        assert throttled.status_code == 429
        assert int(throttled.headers["retry-after"]) > 0
        assert re.search(r"intente de nuevo después de las \d\d:\d\d", throttled.text)
    # The real beto, from his own address (127.0.0.2 is loopback too), gets in at once.
    elsewhere = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(base_url=deployment.base_url, transport=elsewhere) as client:
        assert login(client, "beto").status_code == 303
    # The admin sees the guessing on the users page.
    with staff_client(deployment, "ana") as client:
        page = client.get("/usuarios")
    assert re.search(r"<strong>5</strong> desde 1 dirección", page.text)


def test_an_unknown_user_name_answers_like_a_wrong_password(site):
    with httpx.Client(base_url=site.base_url) as client:
        unknown = login(client, "nadie-se-llama-asi", "no-es-la-clave")
        wrong = login(client, "ana", "no-es-la-clave")
    assert unknown.status_code == wrong.status_code == 401
    assert "El usuario o la contraseña no son correctos." in unknown.text
    assert unknown.text.replace("nadie-se-llama-asi", "ana") == wrong.text
