"""The foundation as people use it: sign in, language, district scoping, accessibility, phones."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from e2e.conftest import (
    GORAKHPUR,
    VARANASI,
    Persona,
    axe_check,
    axe_violations,
    login,
    logout,
    odop_product,
    open_menu,
    switch_language,
)
from niryat.core.models import AuditEntry, OdopProduct, TaskProgress, User

pytestmark = pytest.mark.e2e

LANGUAGES = ["en", "hi"]
DEVANAGARI = re.compile("[\u0900-\u097f]")


def test_centre_staff_works_in_hindi_and_only_in_their_district(
    page: Page, live_server: Any, gorakhpur_staff: Persona
) -> None:
    # given Chanda, centre staff of Gorakhpur, signed in (in English)
    sarees = odop_product(VARANASI, "Banarasi silk sarees")
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # when she switches the interface to Hindi with the switch in the header
    switch_language(page, "hi")

    # then her district's page is in Hindi, with the ODOP products by their Hindi names
    page.goto(f"/districts/{GORAKHPUR}/")
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    expect(page.locator(".who button[type=submit]")).to_have_text(DEVANAGARI)
    expect(page.get_by_role("navigation").get_by_role("link").first).to_have_text(DEVANAGARI)
    expect(page.get_by_role("heading", level=1)).to_contain_text("गोरखपुर")
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("Gorakhpur")
    products = page.locator("#odop-products")
    # The edit links name each product in the interface's language.
    expect(products.get_by_role("link", name=re.compile("टेराकोटा"))).to_be_visible()
    expect(products.get_by_role("link", name=re.compile("रेडीमेड वस्त्र"))).to_be_visible()
    expect(products.get_by_role("link", name=re.compile("Terracotta"))).to_have_count(0)

    # and Varanasi's page and the edit page of a Varanasi product do not exist for her
    response = page.goto(f"/districts/{VARANASI}/")
    assert response is not None
    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    expect(page.get_by_role("heading", level=1)).to_have_text(DEVANAGARI)
    expect(page.locator("main")).not_to_contain_text("वाराणसी")
    response = page.goto(f"/odop-products/{sarees.pk}/edit/")
    assert response is not None
    assert response.status == 404
    expect(page.locator("main")).not_to_contain_text("बनारसी")
    assert list(odop_product(VARANASI, "Banarasi silk sarees").hs_codes) == ["5007"]

    # and after signing out and in again the interface is still in Hindi
    logout(page)
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    expect(page.locator("main")).to_contain_text("टेराकोटा")
    assert User.objects.get(pk=gorakhpur_staff.user.pk).language == "hi"


def test_saved_language_follows_the_account_to_another_browser(
    new_context: Any, live_server: Any, gorakhpur_staff: Persona
) -> None:
    # given Chanda chose Hindi on one browser
    first = new_context().new_page()
    login(first, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    switch_language(first, "hi")

    # when she signs in on another browser, which has no language cookie
    second = new_context().new_page()
    login(second, live_server, gorakhpur_staff.username, gorakhpur_staff.password)

    # then the interface is in Hindi there too
    expect(second.locator("html")).to_have_attribute("lang", "hi")
    expect(second.locator("main")).to_contain_text("टेराकोटा")


PERSONAS = [
    "state_admin",
    "state_viewer",
    "gorakhpur_officer",
    "gorakhpur_staff",
    "gorakhpur_producer",
]


def pages_of(persona: str, terracotta: OdopProduct) -> list[str]:
    common = ["/", f"/districts/{GORAKHPUR}/", "/account/"]
    edit = [f"/odop-products/{terracotta.pk}/edit/", f"/districts/{GORAKHPUR}/centre/"]
    return {
        "state_admin": [*common, "/districts/", "/reference-data/", *edit],
        "state_viewer": [*common, "/districts/"],
        "gorakhpur_officer": common,
        "gorakhpur_staff": [*common, *edit],
        "gorakhpur_producer": common,
    }[persona]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_of_a_role_meets_wcag_21_aa(
    page: Page, live_server: Any, request: pytest.FixtureRequest, persona: str, language: str
) -> None:
    someone: Persona = request.getfixturevalue(persona)
    login(page, live_server, someone.username, someone.password)
    if language != "en":
        switch_language(page, language)

    problems = []
    for path in pages_of(persona, odop_product(GORAKHPUR, "Terracotta")):
        response = page.goto(path)
        assert response is not None
        assert response.ok, f"{path}: {response.status}"
        expect(page.locator("html")).to_have_attribute("lang", language)
        problems += axe_violations(page)
    assert not problems, "accessibility violations:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_before_sign_in_meet_wcag_21_aa(page: Page, live_server: Any, language: str) -> None:
    page.goto("/login/")
    if language != "en":
        switch_language(page, language)
    problems = axe_violations(page)
    page.goto("/password-reset/")
    problems += axe_violations(page)
    response = page.goto("/no-such-page/")
    assert response is not None
    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", language)
    problems += axe_violations(page)
    assert not problems, "accessibility violations:\n" + "\n".join(problems)


def assert_fits_a_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} scrolls sideways: {width}px wide"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_pages_fit_a_phone_screen(
    new_context: Any, live_server: Any, request: pytest.FixtureRequest, persona: str, language: str
) -> None:
    page = new_context(viewport={"width": 360, "height": 740}, is_mobile=True).new_page()
    page.goto("/login/")
    if language != "en":
        switch_language(page, language)
    assert_fits_a_phone(page)
    page.goto("/password-reset/")
    assert_fits_a_phone(page)

    someone: Persona = request.getfixturevalue(persona)
    login(page, live_server, someone.username, someone.password)
    for path in pages_of(persona, odop_product(GORAKHPUR, "Terracotta")):
        page.goto(path)
        assert_fits_a_phone(page)
        open_menu(page)
        links = page.get_by_role("navigation").get_by_role("link")
        expect(links.first).to_be_visible()
        for link in links.all():
            expect(link).to_be_visible()
            box = link.bounding_box()
            assert box is not None
            assert 0 <= box["x"] <= box["x"] + box["width"] <= 360, f"{path}: {link} is off screen"


def test_sign_in_with_the_keyboard_only(
    page: Page, live_server: Any, gorakhpur_staff: Persona
) -> None:
    page.goto("/login/")

    # The first Tab reaches the skip link; Enter takes focus to the main content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # From there, Tab reaches the fields in order, and Enter signs in.
    page.keyboard.press("Tab")
    expect(page.get_by_label("User name")).to_be_focused()
    page.keyboard.type(gorakhpur_staff.username)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(gorakhpur_staff.password)
    page.keyboard.press("Enter")

    # The skip link left "#main" in the address; the browser keeps it through the redirect.
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/(#main)?$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Chanda Devi")


def test_state_admin_reloads_the_reference_data_in_the_background(
    page: Page, live_server: Any, state_admin: Persona
) -> None:
    # given a state administrator on the reference-data page
    login(page, live_server, state_admin.username, state_admin.password)
    page.get_by_role("navigation").get_by_role("link", name="Reference data").click()
    expect(page).to_have_url(f"{live_server.url}/reference-data/")

    # when she asks for a reload
    page.get_by_role("button", name="Reload districts and ODOP products").click()

    # then a progress page follows the queued task until it is done
    expect(page).to_have_url(re.compile(r"/progress/[0-9a-f-]{36}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Reload reference data")
    progress = TaskProgress.objects.get(owner=state_admin.user)
    assert progress.status == TaskProgress.Status.WAITING
    axe_check(page)

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)

    expect(page.locator("#progress")).to_contain_text("Done")
    expect(page.locator("#progress-bar")).to_have_attribute("value", "100")
    expect(page.locator("#progress-status")).to_have_text("Reference data loaded.")
    progress.refresh_from_db()
    assert progress.status == TaskProgress.Status.DONE
    assert progress.done == progress.total > 0


def test_centre_staff_corrects_the_hs_codes_of_their_odop_product(
    page: Page, live_server: Any, gorakhpur_staff: Persona
) -> None:
    terracotta = odop_product(GORAKHPUR, "Terracotta")
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    page.goto(f"/districts/{GORAKHPUR}/")
    page.get_by_role("link", name="Edit Terracotta").click()
    expect(page).to_have_url(f"{live_server.url}/odop-products/{terracotta.pk}/edit/")
    hs_codes = page.get_by_label("Usual HS codes")
    expect(hs_codes).to_have_value("6913 6912")

    # A code that is not 4, 6 or 8 digits is refused, and nothing is saved.
    hs_codes.fill("12ab")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_have_text("Not an HS code (4, 6 or 8 digits): 12ab")
    expect(hs_codes).to_have_value("12ab")
    expect(hs_codes).to_have_attribute("aria-invalid", "true")
    axe_check(page)
    terracotta.refresh_from_db()
    assert terracotta.hs_codes == ["6913", "6912"]
    assert not AuditEntry.objects.filter(action="odop_product.update").exists()

    # Good codes are saved and shown on the district's page.
    hs_codes.fill("6913 691390")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{live_server.url}/districts/{GORAKHPUR}/")
    expect(page.get_by_role("status")).to_have_text("Saved.")
    card = page.locator("#odop-products li").filter(has_text="Terracotta")
    expect(card).to_contain_text("Usual HS codes: 6913, 691390")
    terracotta.refresh_from_db()
    assert terracotta.hs_codes == ["6913", "691390"]
    change = AuditEntry.objects.get(action="odop_product.update")
    assert change.actor == gorakhpur_staff.user
    assert change.changes == {"hs_codes": [["6913", "6912"], ["6913", "691390"]]}
