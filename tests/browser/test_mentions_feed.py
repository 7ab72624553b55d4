"""The communications team's live page: a new mention appears without a reload.

Its own ventanilla (web, worker, poller) on the fake Telegram Bot API: a citizen writes to
the bot, the poller takes it, the pipeline files it, and the page the team has open shows
it at the top by itself. The page runs under its own Content-Security-Policy (no CSP bypass
here): its script must be allowed to run and to ask for new mentions.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import axe_violations, new_page
from tests.conftest import Deployment, RedisServer, new_deployment
from tests.fake_telegram import FakeTelegram
from tests.staff import PASSWORD, add_user

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def feed(
    tmp_path_factory: pytest.TempPathFactory, redis_server: RedisServer, model_dir: Path
) -> Iterator[tuple[Deployment, FakeTelegram]]:
    root = tmp_path_factory.mktemp("feed")
    with FakeTelegram() as bot_api:
        deployment = new_deployment(
            root / "site",
            f"sqlite:///{root / 'v.db'}",
            redis_server.url,
            # Its own queue: the package's other site runs its workers on the same Redis.
            queue__namespace="feed",
            worker__processes="1",
            worker__reconcile_every_seconds="1",
            mentions__refresh_seconds="1",
            classifier__model_dir=str(model_dir),
            **bot_api.settings(),
        )
        add_user(deployment, "carla", "comunicaciones")
        deployment.start("worker", "worker")
        deployment.start("poller", "poll")
        deployment.start("web", "web")
        yield deployment, bot_api
        deployment.stop_all()
    shutil.rmtree(root / "site" / "var", ignore_errors=True)


@pytest.fixture
def comms_page(browser: Any, feed: tuple[Deployment, FakeTelegram]) -> Iterator[Any]:
    deployment, _ = feed
    context = browser.new_context(locale="es-CO", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{deployment.base_url}/menciones")
    page.fill("#username", "carla")
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url("**/menciones")
    yield page
    context.close()


def test_a_new_mention_appears_at_the_top_without_a_reload(comms_page, feed):
    _, bot_api = feed
    errors: list[str] = []
    comms_page.on("pageerror", lambda error: errors.append(str(error)))
    comms_page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    comms_page.evaluate("window.__same_page = true")  # lost if the page reloaded
    before = comms_page.locator("#menciones tbody tr").count()

    bot_api.writes(bot_api.user(7001, "Rosa", "Díaz"), "¡Gracias por la feria de empleo de hoy!")

    row = comms_page.locator("#menciones tbody tr").first
    row.get_by_text("Gracias por la feria de empleo").wait_for(timeout=60_000)
    assert comms_page.locator("#menciones tbody tr").count() == before + 1
    assert "Telegram (privado)" in row.inner_text()
    assert comms_page.evaluate("window.__same_page") is True
    assert "1 mención nueva" in comms_page.locator("#avisos").inner_text()
    assert errors == []  # the script ran under the page's own policy, fetch allowed


def test_the_class_filter_keeps_only_that_class(comms_page, feed):
    deployment, _ = feed
    comms_page.select_option("#clase", "spam")
    comms_page.click("button:has-text('Filtrar')")
    comms_page.wait_for_url("**clase=spam**")

    shown = comms_page.locator("#menciones tbody tr")
    listed = deployment.cli_json("mentions", "list", "--class", "spam")
    assert shown.count() == len(listed)


def test_the_mentions_page_has_no_accessibility_violations(browser, comms_page):
    # axe-core is injected as an inline script, which the page's policy (rightly) refuses:
    # it runs in a context that bypasses the policy, logged in with the same session.
    checked = new_page(browser, storage_state=comms_page.context.storage_state())
    checked.goto(comms_page.url)

    assert axe_violations(checked) == []
    checked.context.close()
