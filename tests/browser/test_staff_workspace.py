"""The staff workspace in Chromium, as a staff member uses it: log in, filter the list,
open a case, correct its type and see the legal date move and the change in the history."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_staff_member_logs_in_filters_opens_a_case_and_corrects_its_type(page, site):
    log_in(page, site)
    assert page.locator("h1").inner_text() == "Casos"
    rows = page.locator("table.cards tbody tr")
    assert rows.count() >= len(site.radicados)  # other tests file more
    # The overdue case comes first, marked in words, not by colour alone.
    first = rows.first
    assert site.overdue in first.inner_text() and "Vencido" in first.inner_text()
    page.screenshot(path=str(site.screenshots / "case-list.png"), full_page=True)

    page.select_option("#canal", "email")
    page.click("button:has-text('Filtrar')")
    page.wait_for_url(re.compile(r".*canal=email.*"))
    assert rows.count() == 1
    assert "1 caso" in page.locator("#resultados").inner_text()

    page.click(f"a:has-text('{site.overdue}')")
    page.wait_for_url(f"**/casos/{site.overdue}")
    assert page.locator("#case-type").inner_text().startswith("Petición de documentos")
    due_before = page.locator("#due-date").inner_text()
    assert "Solicito copia de mi certificado" in page.locator("#message-text").inner_text()
    page.screenshot(path=str(site.screenshots / "case-page.png"), full_page=True)

    page.select_option("#type", "consulta")
    page.click("button:has-text('Guardar corrección')")
    page.wait_for_url(re.compile(r".*hecho=corregido"))
    assert "Guardamos la corrección" in page.locator("[role=status]").inner_text()
    assert page.locator("#case-type").inner_text() == "Consulta"
    due_after = page.locator("#due-date").inner_text()
    assert due_after != due_before  # 30 business days instead of 10
    history = page.locator("table[aria-labelledby=historial] tbody tr").last.inner_text()
    assert "beto" in history and "Tipo o dependencia corregidos" in history
    assert "informacion → consulta" in history


def test_an_attachment_downloads_and_is_never_shown_inline(staff_page, site):
    staff_page.goto(f"{site.url}/casos/{site.overdue}")
    with staff_page.expect_download() as download:
        staff_page.click("a:has-text('cedula.pdf')")
    assert download.value.suggested_filename == "cedula.pdf"


def test_a_staff_page_is_worked_with_the_keyboard_and_focus_is_visible(staff_page, site):
    staff_page.goto(f"{site.url}/casos")
    staff_page.keyboard.press("Tab")
    focused = staff_page.evaluate("document.activeElement.textContent")
    assert focused == "Ir al contenido"
    staff_page.keyboard.press("Enter")  # the skip link moves focus to the content
    seen = []
    for _ in range(4):
        staff_page.keyboard.press("Tab")
        seen.append(
            staff_page.evaluate(
                """() => { const e = document.activeElement, s = getComputedStyle(e);
                  return [e.id || e.textContent.trim(), s.outlineStyle, s.boxShadow]; }"""
            )
        )
    assert [name for name, *_ in seen][:2] == ["q", "tipo"]  # the content, not the menu
    for name, outline, shadow in seen:
        assert outline != "none" and shadow != "none", name
