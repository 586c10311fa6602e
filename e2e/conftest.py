"""Browser-test fixtures: Debian chromium driven by Playwright against pytest-django's live server.

Every test that uses `page` runs against `live_server`, whose database is transactional: it is
emptied after each test, so each test loads the reference data and creates its personas again.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from niryat.core.actions import do_create_user
from niryat.core.models import District, OdopProduct, Role, User
from niryat.core.reference_data import load_reference_data
from niryat.messaging.backends import local as sms
from niryat.messaging.backends.base import Delivery as SmsMessage

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_SCRIPT = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORD = "terracotta-kiln-42"  # Personas only; the test hasher makes it cheap to check.

GORAKHPUR = 148
VARANASI = 187

# Expectations wait this long (ms) at most; the htmx progress poll comes every second.
expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not AXE_SCRIPT.exists():
        pytest.exit("axe-core is missing: run `cd e2e && npm ci` (make e2e does).", returncode=1)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser: Browser, live_server: Any) -> Iterator[Any]:
    """Opens browser contexts (each its own cookie jar) on the live server; closes them after."""
    contexts: list[BrowserContext] = []
    # What the Content-Security-Policy refused: an inline script or style that silently does not
    # work is a broken page, so every browser test fails on one.
    refused: list[str] = []

    def note_refusal(message: Any) -> None:
        if "Content Security Policy" in message.text:
            refused.append(f"{message.page.url if message.page else '?'}: {message.text}")

    def open_context(**options: Any) -> BrowserContext:
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(10_000)
        context.on("console", note_refusal)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()
    assert refused == [], "the Content-Security-Policy refused:\n" + "\n".join(refused)


@pytest.fixture
def page(new_context: Any) -> Page:
    return new_context().new_page()


def login(page: Page, live_server: Any, username: str, password: str) -> None:
    """Sign in through the real login form, in whichever language the page is in."""
    page.goto(f"{live_server.url}/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))


def producer_signs_in(phone: Page, mobile: str, outbox: list[Any]) -> None:
    """A producer signs in on their phone with their mobile number and the code the SMS brings."""
    phone.goto("/producer/sign-in/")
    phone.locator("#id_mobile").fill(mobile)
    phone.locator("main form button[type=submit]").click()
    code = re.search(r"\b(\d{6})\b", outbox[-1].text)
    assert code is not None, outbox[-1].text
    phone.locator("#id_code").fill(code.group(1))
    phone.locator("main form button[type=submit]").click()
    expect(phone).not_to_have_url(re.compile(r"/producer/sign-in/"))


def open_menu(page: Page) -> None:
    """On a phone the header's menu is folded behind its button: open it, as a person would.
    On a wide screen it is always open (and its button hidden)."""
    menu = page.locator("details.site-menu")
    if menu.count() and not menu.evaluate("details => details.open"):
        summary = menu.locator("summary")
        if summary.is_visible():
            summary.click()
            expect(menu).to_have_attribute("open", "")


def logout(page: Page) -> None:
    open_menu(page)
    page.locator(".who form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/login/$"))


def switch_language(page: Page, code: str) -> None:
    """Use the language switch in the header, as a person would."""
    open_menu(page)
    page.locator("#language-select").select_option(code)
    page.locator("form:has(#language-select) button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def axe_violations(page: Page) -> list[str]:
    """WCAG 2.1 A and AA violations that axe-core finds on the page, one line per node."""
    # Evaluated through the browser's debugging protocol, which the page's Content-Security-Policy
    # does not govern (a <script> tag with the file's text would be an inline script it refuses).
    page.evaluate(AXE_SCRIPT.read_text())
    results = page.evaluate(
        """async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})""",
        AXE_TAGS,
    )
    problems = []
    for violation in results["violations"]:
        for node in violation["nodes"]:
            summary = node.get("failureSummary", "").replace("\n", "\n      ")
            problems.append(
                f"{page.url}: {violation['id']} ({violation['impact']}): {violation['help']}\n"
                f"    at {', '.join(map(str, node['target']))}\n      {summary}"
            )
    return problems


def axe_check(page: Page) -> None:
    """Fail when axe-core finds any WCAG 2.1 A or AA violation on the page."""
    problems = axe_violations(page)
    assert not problems, "accessibility violations:\n" + "\n".join(problems)


@dataclass(frozen=True)
class Persona:
    user: User
    password: str

    @property
    def username(self) -> str:
        return self.user.username


@pytest.fixture
def reference_data(live_server: Any) -> dict[int, District]:
    """The state's districts and ODOP products, loaded by the app's own loader."""
    load_reference_data(settings.REFERENCE_DATA_DIR)
    # The message templates come with their app's first migration; a live-server test empties
    # every table after it, so they are put back as that migration puts them.
    seed = importlib.import_module("niryat.messaging.migrations.0001_initial")
    seed.add_templates(apps, None)
    return {d.lgd_code: d for d in District.objects.filter(lgd_code__in=[GORAKHPUR, VARANASI])}


def make_persona(username: str, full_name: str, role: Role, district: District | None) -> Persona:
    user = do_create_user(
        username=username,
        password=PASSWORD,
        role=role,
        district=district,
        full_name=full_name,
        acting_user=None,
    )
    return Persona(user=user, password=PASSWORD)


@pytest.fixture
def state_admin(reference_data: dict[int, District]) -> Persona:
    return make_persona("asha", "Asha Verma", Role.STATE_ADMIN, None)


@pytest.fixture
def state_viewer(reference_data: dict[int, District]) -> Persona:
    return make_persona("vikram", "Vikram Singh", Role.STATE_VIEWER, None)


@pytest.fixture
def gorakhpur_officer(reference_data: dict[int, District]) -> Persona:
    return make_persona("dinesh", "Dinesh Yadav", Role.DISTRICT_OFFICER, reference_data[GORAKHPUR])


@pytest.fixture
def gorakhpur_staff(reference_data: dict[int, District]) -> Persona:
    return make_persona("chanda", "Chanda Devi", Role.CENTRE_STAFF, reference_data[GORAKHPUR])


@pytest.fixture
def gorakhpur_producer(reference_data: dict[int, District]) -> Persona:
    return make_persona("pramod", "Pramod Prajapati", Role.PRODUCER, reference_data[GORAKHPUR])


def odop_product(lgd_code: int, name_en: str) -> OdopProduct:
    return OdopProduct.objects.get(district__lgd_code=lgd_code, name_en=name_en)


@pytest.fixture
def craft_activities(live_server: Any) -> None:
    """The craft activities (pottery, weaving...). A migration seeds them, but the live server's
    database is emptied after each test, so each test that needs them loads them again."""
    seed = importlib.import_module("niryat.registry.migrations.0002_load_activities")
    seed.load(apps, None)


@pytest.fixture
def sms_outbox(settings: Any) -> Iterator[list[SmsMessage]]:
    """Text messages "sent" by the app. The live server runs in this process, so the memory
    backend's outbox is the one the pages write to."""
    settings.MESSAGING_BACKENDS = {
        **settings.MESSAGING_BACKENDS,
        "sms": "niryat.messaging.backends.local.MemoryBackend",
    }
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def media_root(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Uploaded files (import sheets) go to a directory of the test's own."""
    root = tmp_path_factory.mktemp("media")
    settings.MEDIA_ROOT = root
    return root
