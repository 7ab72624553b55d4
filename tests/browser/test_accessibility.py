"""WCAG 2.1 AA (Resolución 1519 de 2020) on the citizen and staff pages: axe-core finds no
violation, the citizen form works with the keyboard alone, and the pages reflow at 360 px
and at 200 % zoom without horizontal scrolling."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations, new_page

pytestmark = pytest.mark.browser

CITIZEN_PAGES = ["/pqrsdf", "/estado/{radicado}"]
STAFF_PAGES = ["/casos", "/casos/{radicado}", "/cuarentena", "/usuarios?"]


def test_citizen_submits_the_form_with_the_keyboard_only(page, site):
    page.goto(f"{site.url}/pqrsdf")
    keyboard = page.keyboard

    def tab_to(element_id: str) -> None:
        keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == element_id

    keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    tab_to("type")
    keyboard.press("ArrowDown")  # the first type after "let us decide"
    tab_to("name")
    keyboard.type("Lucía Fernández")
    tab_to("email")
    keyboard.type("lucia.fernandez@example.com")
    tab_to("phone")
    tab_to("subject")
    keyboard.type("Certificado")
    tab_to("text")
    keyboard.type("Necesito el certificado de mi inscripción para una entrevista.")
    tab_to("attachments")
    keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Enviar solicitud"
    keyboard.press("Enter")
    page.wait_for_selector("#radicado", timeout=60_000)
    assert page.locator("h1").inner_text() == "Su solicitud quedó radicada"
    assert page.locator("#radicado").inner_text().isdigit()


def test_a_form_with_errors_ties_each_message_to_its_field(page, site):
    page.goto(f"{site.url}/pqrsdf")
    page.fill("#email", "esto-no-es-un-correo")
    page.click("button[type=submit]")
    page.wait_for_selector("#errores")
    for field in ("email", "text"):
        described = page.get_attribute(f"#{field}", "aria-describedby") or ""
        assert f"{field}-error" in described.split()
        assert page.get_attribute(f"#{field}", "aria-invalid") == "true"
    assert axe_violations(page) == []


def _path(template: str, site) -> str:
    return template.format(radicado=site.overdue)


@pytest.mark.parametrize("template", CITIZEN_PAGES)
def test_axe_finds_no_violation_on_the_citizen_pages(page, site, template):
    page.goto(site.url + _path(template, site))
    assert axe_violations(page) == []


@pytest.mark.parametrize("template", ["/ingresar", *STAFF_PAGES])
def test_axe_finds_no_violation_on_the_staff_pages(staff_page, site, template):
    staff_page.goto(site.url + _path(template, site))
    assert axe_violations(staff_page) == []


VIEWPORTS = {
    "360px": {"viewport": {"width": 360, "height": 740}},
    # A 1280 px window at 200 % zoom lays the page out in 640 CSS pixels.
    "zoom200": {"viewport": {"width": 640, "height": 450}, "device_scale_factor": 2},
}


@pytest.mark.parametrize("size", VIEWPORTS)
def test_pages_reflow_without_horizontal_scrolling(browser, staff_state, site, size):
    pages = [*CITIZEN_PAGES, *STAFF_PAGES]
    opened = new_page(browser, storage_state=staff_state, **VIEWPORTS[size])
    try:
        for template in pages:
            opened.goto(site.url + _path(template, site))
            widths = opened.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert widths[0] <= widths[1], (template, widths)
            if size == "360px" and template == "/casos":
                opened.screenshot(path=str(site.screenshots / "case-list-360.png"), full_page=True)
    finally:
        opened.context.close()


def test_the_checker_itself_reports_a_page_that_breaks_the_rules(page):
    # Zero violations above means something only if axe-core finds them where they are.
    page.set_content('<html><body><img src="x.png"><input type="text"></body></html>')
    found = {violation["id"] for violation in axe_violations(page)}
    assert {"image-alt", "html-has-lang", "label"} <= found
