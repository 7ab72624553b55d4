"""One ventanilla (web app and worker) and one Debian Chromium for all browser tests.

Playwright drives `/usr/bin/chromium` (never `playwright install`: no browser is
downloaded); axe-core comes from npm into `var/node` (`scripts/setup.sh browser`).
The site has an agent user and a few cases, one of them an old e-mail already overdue.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import REPO, Deployment, RedisServer, new_deployment, wait_until
from tests.staff import PASSWORD, add_user

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
]
AXE = REPO / "var" / "node" / "node_modules" / "axe-core" / "axe.min.js"
OLD_MAIL = """From: Pedro Pérez <pedro.perez@example.com>
To: atencionalciudadano@example.gov.co
Subject: Copia de mi certificado
Date: Mon, 05 Jan 2026 10:00:00 -0500
Message-ID: <browser-old-1@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="m"

--m
Content-Type: multipart/alternative; boundary="a"

--a
Content-Type: text/plain; charset=utf-8

Buenos días. Solicito copia de mi certificado de inscripción en el servicio de empleo.
Gracias.
--a
Content-Type: text/html; charset=utf-8

<p>Buenos días. Solicito <b>copia</b> de mi certificado de inscripción.</p><p>Gracias.</p>
--a--
--m
Content-Type: application/pdf; name="cedula.pdf"
Content-Disposition: attachment; filename="cedula.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcOkw7zDtsOfCjEgMCBvYmoKPDw+PgplbmRvYmoKdHJhaWxlcgo8PD4+CiUlRU9G
--m--
"""
REQUESTS = [
    {
        "name": "Marisol Quintero",
        "email": "marisol@example.com",
        "type": "queja",
        "text": "El asesor de la agencia de Tunja no quiso atenderme y fue grosero.",
    },
    {
        "name": "Jorge Díaz",
        "phone": "3104445566",
        "text": "Necesito ayuda para actualizar mi hoja de vida en el portal.",
    },
    {
        "email": "anonima@example.com",
        "text": "Sugiero abrir la oficina los sábados para quienes trabajamos.",
    },
]


@dataclass
class Site:
    deployment: Deployment
    overdue: str  # the old e-mail's radicado: its legal date has passed
    radicados: list[str]
    screenshots: Path

    @property
    def url(self) -> str:
        return self.deployment.base_url


@pytest.fixture(scope="package")
def site(
    tmp_path_factory: pytest.TempPathFactory, redis_server: RedisServer, model_dir: Path
) -> Iterator[Site]:
    if not (Path(CHROMIUM).exists() and AXE.exists()):
        pytest.fail("Chromium or axe-core is missing: run scripts/setup.sh browser")
    root = tmp_path_factory.mktemp("browser")
    redis_server.flush()
    deployment = new_deployment(
        root / "site",
        f"sqlite:///{root / 'v.db'}",
        redis_server.url,
        web__intake_wait_seconds="20",
        # Playwright fills the form in milliseconds: the bot speed bump has its own test.
        web__form_min_fill_seconds="0",
        worker__processes="1",
        classifier__model_dir=str(model_dir),
    )
    add_user(deployment, "beto", "agente")
    mail = root / "old.eml"
    mail.write_text(OLD_MAIL)
    deployment.cli("ingest", "email", str(mail))
    deployment.start("worker", "worker")
    deployment.start("web", "web")
    for fields in REQUESTS:
        response = httpx.post(f"{deployment.base_url}/api/v1/requests", json=fields, timeout=60)
        assert response.status_code in (201, 202), response.text

    def all_filed() -> bool:
        return len(deployment.cli_json("cases", "list")) == 1 + len(REQUESTS)

    wait_until(all_filed, 120, "the seeded cases")
    cases = deployment.cli_json("cases", "list")
    overdue = next(c["radicado"] for c in cases if c["channel"] == "email")
    shots = Path(os.environ.get("VENTANILLA_SCREENSHOTS") or root / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    yield Site(deployment, overdue, [c["radicado"] for c in cases], shots)
    deployment.stop_all()
    shutil.rmtree(root / "site" / "var", ignore_errors=True)


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def new_page(browser: Any, **options: Any) -> Any:
    # Staff pages forbid scripts (CSP); the test's own axe-core is let in.
    options = {"viewport": {"width": 1280, "height": 900}} | options
    context = browser.new_context(bypass_csp=True, locale="es-CO", **options)
    return context.new_page()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    opened = new_page(browser)
    yield opened
    opened.context.close()


def log_in(page: Any, site: Site, path: str = "/casos") -> None:
    """Log in through the form, as a person does (the page asks on the way)."""
    page.goto(f"{site.url}{path}")
    page.fill("#username", "beto")
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(f"**{path}")


@pytest.fixture(scope="package")
def staff_state(browser: Any, site: Site) -> Any:
    """A logged-in session, shared by the tests that start from inside the workspace."""
    opened = new_page(browser)
    log_in(opened, site)
    state = opened.context.storage_state()
    opened.context.close()
    return state


@pytest.fixture
def staff_page(browser: Any, staff_state: Any) -> Iterator[Any]:
    opened = new_page(browser, storage_state=staff_state)
    yield opened
    opened.context.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: "tag",
              values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})"""
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
    ]
