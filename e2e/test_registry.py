"""The producer registry as its people use it: centre staff register, import, merge and move
producers along the funnel; a producer signs in with a code by SMS and sees their own record.

Texts the pages translate are looked up in the Hindi catalogue (`hi`), so that these tests read
the pages as a Hindi reader does once every string is translated; producers' names, villages and
the ODOP products' and activities' Hindi names are Hindi already.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from playwright.sync_api import Locator, Page, expect

from e2e.conftest import (
    GORAKHPUR,
    Persona,
    axe_check,
    axe_violations,
    login,
    odop_product,
    switch_language,
)
from niryat.core.models import AuditEntry, District
from niryat.messaging.backends.base import Delivery as SmsMessage
from niryat.registry.actions import (
    do_add_member,
    do_enable_producer_sign_in,
    do_move_stage,
    do_record_outreach_visit,
    do_register_producer,
)
from niryat.registry.bulk_import import start_import
from niryat.registry.models import (
    Activity,
    Consent,
    DuplicateFlag,
    Gender,
    ImportJob,
    Kind,
    Membership,
    OutreachVisit,
    Producer,
    Stage,
    StageChange,
)
from niryat.registry.spreadsheets import COLUMN_BY_FIELD, template_header

pytestmark = pytest.mark.e2e

LANGUAGES = ["en", "hi"]
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True}
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
POTTERY_HI = "मिट्टी के बर्तन बनाना"  # the activity "Pottery and moulding", from the app's data


def hi(message: str) -> str:
    """An interface message as the Hindi pages show it."""
    with translation.override("hi"):
        return gettext(message)


def hi_count(singular: str, plural: str, count: int) -> str:
    """An interface message with a count, as the Hindi pages show it (placeholders left)."""
    with translation.override("hi"):
        return ngettext(singular, plural, count)


def field(scope: Page | Locator, label: str) -> Locator:
    """The form field whose label starts with `label` (a required field's adds "(required)")."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}", re.IGNORECASE))


def fact(page: Page, term: str) -> Locator:
    """The value beside `term` in the page's facts (a description list)."""
    terms = page.locator("dl.facts > dt").filter(has_text=re.compile(rf"^{re.escape(term)}$"))
    return terms.locator("xpath=following-sibling::dd[1]")


def nav_link(page: Page, label: str) -> Locator:
    return page.get_by_role("navigation").get_by_role("link", name=label, exact=True)


def assert_fits_a_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} scrolls sideways: {width}px wide"


def run_tasks() -> None:
    """The task worker, once through the queue (the live server only queues the import)."""
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def register(staff: Persona, name_hi: str, name_latin: str, **values: Any) -> Producer:
    """A Gorakhpur terracotta artisan, registered through the app's action."""
    district = District.objects.get(lgd_code=GORAKHPUR)
    defaults: dict[str, Any] = {
        "kind": Kind.ARTISAN,
        "odop_product": odop_product(GORAKHPUR, "Terracotta"),
        "village": "औरंगाबाद",
        "pin": "273001",
    }
    defaults.update(values)
    return do_register_producer(
        district,
        {"name_hi": name_hi, "name_latin": name_latin, **defaults},
        activities=list(Activity.objects.filter(code="pottery")),
        acting_user=staff.user,
    )


# --- Registering an artisan in Hindi ---------------------------------------------------------


def test_centre_staff_register_an_artisan_in_hindi(
    page: Page, live_server: Any, gorakhpur_staff: Persona, craft_activities: None
) -> None:
    terracotta = odop_product(GORAKHPUR, "Terracotta")

    # given Chanda, centre staff of Gorakhpur, working in Hindi
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    switch_language(page, "hi")

    # when she opens the registration page from the navigation
    nav_link(page, hi("Producers")).click()
    expect(page).to_have_url(f"{live_server.url}/producers/")
    expect(page.get_by_role("heading", level=1)).to_have_text(hi("Producers"))
    axe_check(page)
    page.get_by_role("link", name=hi("Register a producer")).click()
    expect(page).to_have_url(f"{live_server.url}/producers/new/")
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    axe_check(page)

    # and types the artisan's name in Devanagari
    field(page, hi("name in Devanagari")).fill("रामू प्रजापति")

    # then the Latin spelling is suggested beside it
    latin = field(page, hi("name in Latin letters"))
    expect(latin).to_have_value("Ramu Prajapati")
    expect(page.locator("#id_name_latin_helptext")).to_have_text(
        hi("Suggested from the Devanagari name; correct it if needed.")
    )

    # when she fills in the rest, with a mobile number too short, and registers
    field(page, hi("kind")).select_option(label=hi("Artisan"))
    field(page, hi("gender")).select_option(label=hi("Man"))
    field(page, hi("ODOP product")).select_option(label="टेराकोटा")
    page.get_by_label(POTTERY_HI).check()
    field(page, hi("village or town")).fill("औरंगाबाद")
    field(page, hi("PIN code")).fill("273001")
    mobile = field(page, hi("mobile"))
    mobile.fill("12345")
    page.get_by_label(hi("Consents to the centre holding their data")).check()
    field(page, hi("How it was given")).select_option(label=hi("Verbal, before a witness"))
    page.get_by_role("button", name=hi("Register"), exact=True).click()

    # then the page says why, in Hindi, next to the mobile number, which keeps what she typed
    expect(page.locator("#form-errors")).to_have_text(
        hi("Nothing was saved. Correct the fields marked below and save again.")
    )
    mobile_field = page.locator(".field").filter(has=mobile)
    expect(mobile_field.get_by_role("alert")).to_have_text(
        hi("%(value)s is not a valid mobile number. Give 10 digits, like 98765 43210.")
        % {"value": "12345"}
    )
    expect(mobile).to_have_value("12345")
    expect(mobile).to_have_attribute("aria-invalid", "true")
    # and everything else she filled in is still there
    expect(field(page, hi("name in Devanagari"))).to_have_value("रामू प्रजापति")
    expect(latin).to_have_value("Ramu Prajapati")
    expect(field(page, hi("ODOP product"))).to_have_value(str(terracotta.pk))
    expect(page.get_by_label(POTTERY_HI)).to_be_checked()
    expect(field(page, hi("PIN code"))).to_have_value("273001")
    axe_check(page)
    assert not Producer.objects.exists()

    # when she corrects the number and registers again
    mobile.fill("98765 43210")
    page.get_by_role("button", name=hi("Register"), exact=True).click()

    # then she is on the artisan's page, in Hindi, with what she entered
    producer = Producer.objects.get()
    expect(page).to_have_url(f"{live_server.url}/producers/{producer.uuid}/")
    expect(page.get_by_role("status")).to_have_text(
        hi("Registered %(name)s.") % {"name": "रामू प्रजापति"}
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("रामू प्रजापति · Ramu Prajapati")
    expect(fact(page, hi("District"))).to_have_text("गोरखपुर")
    expect(fact(page, hi("ODOP product"))).to_have_text("टेराकोटा")
    expect(fact(page, hi("Activities"))).to_have_text(POTTERY_HI)
    expect(fact(page, hi("Gender"))).to_have_text(hi("Man"))
    expect(fact(page, hi("Village or town"))).to_have_text("औरंगाबाद")
    expect(fact(page, hi("PIN code"))).to_have_text("273001")
    expect(fact(page, hi("Mobile"))).to_have_text("+919876543210")
    consent = page.locator("tr.consent")
    expect(consent).to_have_count(1)
    expect(consent.locator("td").nth(1)).to_have_text(hi("Hold my data at the centre"))
    expect(consent.locator("td").nth(2)).to_have_text(hi("Given"))
    expect(consent.locator("td").nth(3)).to_have_text(hi("Verbal, before a witness"))
    axe_check(page)

    # and the record holds it as entered
    assert producer.district.lgd_code == GORAKHPUR
    assert (producer.kind, producer.gender, producer.odop_product) == (
        Kind.ARTISAN,
        Gender.MALE,
        terracotta,
    )
    assert (producer.name_hi, producer.name_latin) == ("रामू प्रजापति", "Ramu Prajapati")
    assert (producer.village, producer.pin, producer.mobile) == (
        "औरंगाबाद",
        "273001",
        "+919876543210",
    )
    assert [a.code for a in producer.activities.all()] == ["pottery"]
    assert producer.created_by == gorakhpur_staff.user
    assert list(producer.consents.values_list("purpose", "given", "method")) == [
        (Consent.Purpose.HOLD_DATA, True, Consent.Method.VERBAL)
    ]


# --- Importing a sheet -----------------------------------------------------------------------

# Five artisans; the second has a mobile number too short and the fourth a PIN code too short.
SHEET_ROWS = [
    {"Name (Hindi)": "रामू प्रजापति", "Mobile": "98765 00001", "PIN code": "273001"},
    {"Name (Hindi)": "श्याम कुमार", "Mobile": "12345", "PIN code": "273001"},
    {"Name (Hindi)": "गीता देवी", "Mobile": "98765 00003", "PIN code": "273001"},
    {"Name (Hindi)": "मोहन लाल", "Mobile": "98765 00004", "PIN code": "2730"},
    {"Name (Hindi)": "सुनीता यादव", "Mobile": "98765 00005", "PIN code": "273002"},
]


def fill_sheet(path: Path, rows: list[dict[str, str]]) -> None:
    """Write the rows under the template's header, column by column as its English part says."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    english = [str(text).split(" / ")[-1] for text in header]
    common = {
        "Kind": "Artisan",
        "ODOP product": "Terracotta",
        "Activities": "Pottery and moulding",
        "Village or town": "Aurangabad",
    }
    sheet.delete_rows(2, sheet.max_row)
    for row in rows:
        values = {**common, **row}
        sheet.append([values.get(column, "") for column in english])
    workbook.save(path)


def upload(page: Page, path: Path) -> None:
    page.get_by_label("Sheet (XLSX or CSV)").set_input_files(path)
    page.get_by_role("button", name="Check and import").click()
    expect(page).to_have_url(re.compile(rf"/producers/import/{UUID}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Import of {path.name}")


def registry_counts() -> tuple[int, int, int, int]:
    return (
        Producer.objects.count(),
        StageChange.objects.count(),
        DuplicateFlag.objects.count(),
        Producer.activities.through.objects.count(),
    )


def test_centre_staff_import_a_sheet_correct_two_bad_rows_and_import_it_again(
    page: Page,
    live_server: Any,
    gorakhpur_staff: Persona,
    craft_activities: None,
    media_root: Path,
    tmp_path: Path,
) -> None:
    # given Chanda on the import page, reached from the producer list
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    nav_link(page, "Producers").click()
    page.get_by_role("link", name="Import producers from a sheet").click()
    expect(page).to_have_url(f"{live_server.url}/producers/import/")
    axe_check(page)

    # when she downloads the Excel template and fills in five artisans, two with mistakes
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Excel template")).click()
    assert download.value.suggested_filename == "producers-template.xlsx"
    sheet = tmp_path / "kumhar.xlsx"
    download.value.save_as(sheet)
    header = [cell.value for cell in openpyxl.load_workbook(sheet).worksheets[0][1]]
    assert header == template_header()
    assert header[:2] == ["प्रकार / Kind", "नाम (हिन्दी) / Name (Hindi)"]
    fill_sheet(sheet, SHEET_ROWS)

    # and uploads it
    upload(page, sheet)

    # then the page follows the check while it waits for the worker
    expect(page.locator("#import-status").get_by_role("status").last).to_have_text(
        "Checking the sheet, row by row…"
    )
    axe_check(page)

    # and once the worker has checked it, the two bad rows are listed by row and column
    run_tasks()
    expect(page.locator("#import-status .message.error")).to_contain_text(
        "2 rows have errors. Nothing has been imported."
    )
    errors = page.locator("#import-errors-table tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.nth(0).locator("td")).to_have_text(
        [
            "3",
            "मोबाइल / Mobile",
            "12345 is not a valid mobile number. Give 10 digits, like 98765 43210.",
        ]
    )
    expect(errors.nth(1).locator("td")).to_have_text(
        ["5", "पिन कोड / PIN code", "PIN code must be 6 digits; 2730 is not."]
    )
    expect(page.get_by_role("button", name="Import the 3 valid rows")).to_be_visible()
    axe_check(page)
    # and nothing was saved
    assert registry_counts() == (0, 0, 0, 0)
    assert ImportJob.objects.get().status == ImportJob.Status.HAS_ERRORS

    # when she corrects the two rows in her sheet and uploads it again
    fixed = [dict(row) for row in SHEET_ROWS]
    fixed[1]["Mobile"] = "98765 00002"
    fixed[3]["PIN code"] = "273001"
    fill_sheet(sheet, fixed)
    page.get_by_role("link", name="Upload another sheet").click()
    upload(page, sheet)
    run_tasks()

    # then all five are registered
    done = page.locator("#import-status > .message[role=status]")
    expect(done).to_contain_text("Imported.")
    expect(done).to_contain_text("5 new producers registered.")
    expect(done).to_contain_text("0 already registered, left unchanged.")
    expect(page.locator("#import-errors-table")).to_have_count(0)
    axe_check(page)
    assert sorted(Producer.objects.values_list("name_hi", flat=True)) == sorted(
        row["Name (Hindi)"] for row in SHEET_ROWS
    )
    assert Producer.objects.get(name_hi="श्याम कुमार").mobile == "+919876500002"
    assert Producer.objects.get(name_hi="मोहन लाल").pin == "273001"
    after_first = registry_counts()
    assert after_first[0] == 5

    # and the producer list shows them
    page.locator("main").get_by_role("link", name="Producers", exact=True).click()
    expect(page.get_by_role("heading", name="5 producers")).to_be_visible()

    # when she uploads the same file once more
    nav_link(page, "Producers").click()
    page.get_by_role("link", name="Import producers from a sheet").click()
    upload(page, sheet)
    run_tasks()

    # then nothing changes: every row is already registered
    done = page.locator("#import-status > .message[role=status]")
    expect(done).to_contain_text("0 new producers registered.")
    expect(done).to_contain_text("5 already registered, left unchanged.")
    expect(page.get_by_text("This same file was imported before")).to_be_visible()
    assert registry_counts() == after_first

    # and the import page lists the three uploads
    page.get_by_role("link", name="Upload another sheet").click()
    recent = page.get_by_role("region", name="Recent imports").locator("tbody tr")
    expect(recent).to_have_count(3)
    axe_check(page)


# --- Merging a flagged duplicate -------------------------------------------------------------


def test_centre_staff_merge_a_flagged_duplicate(
    page: Page, live_server: Any, gorakhpur_staff: Persona, craft_activities: None
) -> None:
    # given Ramu, registered last month and since sensitised
    ramu = register(gorakhpur_staff, "रामू प्रजापति", "Ramu Prajapati")
    do_move_stage(
        ramu,
        Stage.SENSITISED,
        reason="Came to the awareness meeting",
        acting_user=gorakhpur_staff.user,
    )

    # when Chanda registers "Ramoo Prajapati" of the same PIN code, with his mobile number
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    nav_link(page, "Producers").click()
    page.get_by_role("link", name="Register a producer").click()
    field(page, "Name in Devanagari").fill("रामु प्रजापती")
    # The suggestion comes first; the spelling she types then stays.
    expect(page.locator("#id_name_latin_helptext")).to_have_text(
        "Suggested from the Devanagari name; correct it if needed."
    )
    field(page, "Name in Latin letters").fill("Ramoo Prajapati")
    field(page, "Kind").select_option(label="Artisan")
    field(page, "ODOP product").select_option(label="Terracotta")
    field(page, "PIN code").fill("273001")
    field(page, "Mobile").fill("98765 11111")
    page.get_by_role("button", name="Register", exact=True).click()

    # then he is registered, with a warning that he may be Ramu
    ramoo = Producer.objects.get(name_latin="Ramoo Prajapati")
    expect(page).to_have_url(f"{live_server.url}/producers/{ramoo.uuid}/")
    expect(page.get_by_role("status")).to_contain_text(
        "This producer may already be registered: see the possible duplicates."
    )
    duplicates = page.get_by_role("region", name="Possible duplicates")
    expect(duplicates).to_contain_text("रामू प्रजापति · Ramu Prajapati")
    expect(duplicates).to_contain_text("similar name in the same village or PIN code")

    # when she opens the possible duplicates from the navigation, and the pair
    nav_link(page, "Possible duplicates").click()
    expect(page).to_have_url(f"{live_server.url}/duplicates/")
    expect(page.locator("caption")).to_have_text("1 pair to review")
    axe_check(page)
    page.get_by_role("link", name="Compare Ramu Prajapati and Ramoo Prajapati").click()
    flag = DuplicateFlag.objects.get()
    expect(page).to_have_url(f"{live_server.url}/duplicates/{flag.pk}/")
    compare = page.locator("#compare")
    expect(compare.locator("thead th")).to_have_text(["Field", "Ramu Prajapati", "Ramoo Prajapati"])
    expect(compare.locator("tr", has_text="Stage history entries").locator("td")).to_have_text(
        ["2", "1"]
    )
    axe_check(page)

    # and keeps Ramu's record
    page.get_by_label("Keep Ramu Prajapati (left)").check()
    page.get_by_role("button", name="Merge", exact=True).click()

    # then the pair is gone from the list
    expect(page).to_have_url(f"{live_server.url}/duplicates/")
    expect(page.get_by_role("status")).to_have_text(
        "Merged. Ramu Prajapati keeps the history of both records."
    )
    expect(page.get_by_text("No possible duplicate to review.")).to_be_visible()

    # and one record remains, found by either spelling, with both histories
    nav_link(page, "Producers").click()
    page.get_by_role("searchbox", name="Name, mobile or identifier").fill("Ramoo")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("heading", name="1 producer", exact=True)).to_be_visible()
    page.get_by_role("link", name="रामू प्रजापति").click()
    expect(page).to_have_url(f"{live_server.url}/producers/{ramu.uuid}/")
    expect(fact(page, "Mobile")).to_have_text("+919876511111")
    history = page.locator("tr.stage-change")
    expect(history).to_have_count(3)
    # Newest first: Ramoo's registration, then Ramu's move and registration.
    expect(history.locator("td:nth-child(4)")).to_have_text(
        ["Added to the registry", "Came to the awareness meeting", "Added to the registry"]
    )
    expect(history.locator("td:nth-child(2)")).to_have_text(
        ["Contacted", "Contacted → Sensitised", "Contacted"]
    )
    trail = page.locator("tr.audit-entry td:nth-child(3)")
    expect(trail).to_have_text(
        ["Merged with a duplicate record", "Registered", "Stage moved", "Registered"]
    )
    expect(page.get_by_role("region", name="Possible duplicates")).to_have_count(0)
    axe_check(page)
    assert list(Producer.objects.values_list("pk", flat=True)) == [ramu.pk]
    assert StageChange.objects.filter(producer=ramu).count() == 3
    assert not DuplicateFlag.objects.filter(status=DuplicateFlag.Status.OPEN).exists()
    merge = AuditEntry.objects.get(action="producer.merge").changes
    assert merge["merged"] == "रामु प्रजापती / Ramoo Prajapati"

    # and Ramoo's old address leads to the record that was kept
    response = page.goto(f"/producers/{ramoo.uuid}/")
    assert response is not None
    assert response.status == 200
    expect(page).to_have_url(re.compile(rf"/producers/{ramu.uuid}/$"))


# --- Finding the duplicates of a whole district ----------------------------------------------


def test_centre_staff_find_the_duplicates_of_their_whole_district(
    page: Page, live_server: Any, gorakhpur_staff: Persona, craft_activities: None
) -> None:
    # given Ramu on the district's list twice, from before registrations were checked
    ramu = register(gorakhpur_staff, "रामू प्रजापति", "Ramu Prajapati")
    ramoo = register(gorakhpur_staff, "रामु प्रजापती", "Ramoo Prajapati", mobile="+919876511111")
    register(gorakhpur_staff, "श्यामू प्रजापति", "Shyamu Prajapati")  # his brother
    DuplicateFlag.objects.all().delete()

    # when Chanda, working in Hindi, opens the possible duplicates: none to review
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    switch_language(page, "hi")
    nav_link(page, hi("Possible duplicates")).click()
    expect(page.get_by_text(hi("No possible duplicate to review."))).to_be_visible()
    axe_check(page)

    # and asks for a search of the whole district
    page.get_by_role("button", name=hi("Find duplicates in the district")).click()

    # then the page says the search is under way, with no second button meanwhile
    expect(page).to_have_url(f"{live_server.url}/duplicates/")
    search = page.locator("#duplicate-search")
    expect(search.get_by_role("status")).to_have_text(
        hi(
            "Looking for duplicates among all the district's producers… The pairs found will be "
            "listed here."
        )
    )
    expect(page.get_by_role("button", name=hi("Find duplicates in the district"))).to_have_count(0)
    axe_check(page)

    # and once the worker has searched, the page shows the pair to review, not the brothers
    run_tasks()
    expect(page.locator("caption")).to_have_text(
        hi_count("%(counter)s pair to review", "%(counter)s pairs to review", 1) % {"counter": 1}
    )
    found = hi_count(
        "Last search, %(when)s: %(counter)s pair found among %(producers)s producers.",
        "Last search, %(when)s: %(counter)s pairs found among %(producers)s producers.",
        1,
    ).split("%(when)s: ")[1] % {"counter": 1, "producers": 3}
    expect(search.get_by_role("status")).to_contain_text(found)
    expect(page.get_by_role("button", name=hi("Find duplicates in the district"))).to_be_visible()
    axe_check(page)
    with translation.override("hi"):
        compare = gettext("Compare %(first)s and %(second)s") % {"first": ramu, "second": ramoo}
    page.get_by_role("link", name=compare).click()
    flag = DuplicateFlag.objects.get()
    expect(page).to_have_url(f"{live_server.url}/duplicates/{flag.pk}/")
    assert (flag.first, flag.second, flag.status) == (ramu, ramoo, DuplicateFlag.Status.OPEN)
    assert flag.reasons == ["similar name in the same village or PIN code"]


# --- The funnel ------------------------------------------------------------------------------


def funnel_now(page: Page, stage: Stage) -> Locator:
    """The "now at this stage" count of the funnel table on the page."""
    return page.locator(f"#funnel-stages tr[data-stage='{stage.value}'] td").first


def test_moving_a_producer_along_the_funnel_changes_the_district_counts(
    page: Page, live_server: Any, gorakhpur_staff: Persona, craft_activities: None
) -> None:
    # given a trained artisan and a registered one in Gorakhpur
    register(gorakhpur_staff, "गीता देवी", "Geeta Devi", gender=Gender.FEMALE, stage=Stage.TRAINED)
    mohan = register(gorakhpur_staff, "मोहन लाल", "Mohan Lal", stage=Stage.REGISTERED)

    # and the district's funnel as Chanda sees it
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    nav_link(page, "My district").click()
    expect(page).to_have_url(f"{live_server.url}/districts/{GORAKHPUR}/")
    expect(page.locator("#funnel-stages caption")).to_have_text("Outreach funnel: 2 producers")
    expect(funnel_now(page, Stage.TRAINED)).to_have_text("1")
    expect(funnel_now(page, Stage.REGISTERED)).to_have_text("1")

    # when she opens Mohan's page and moves him on without saying why
    nav_link(page, "Producers").click()
    page.get_by_role("link", name="मोहन लाल").click()
    expect(page).to_have_url(f"{live_server.url}/producers/{mohan.uuid}/")
    stage_form = page.get_by_role("form", name="Move to another stage")
    expect(field(stage_form, "Move to stage")).to_have_value(Stage.TRAINED.value)
    stage_form.get_by_role("button", name="Move").click()

    # then she is asked why, and nothing moves
    stage_form = page.get_by_role("form", name="Move to another stage")
    expect(stage_form.get_by_role("alert")).to_have_text("Say why the stage changes.")
    axe_check(page)
    mohan.refresh_from_db()
    assert mohan.stage == Stage.REGISTERED

    # when she says why
    field(stage_form, "Move to stage").select_option(label="Trained")
    field(stage_form, "Why").fill("Finished the kiln-firing training")
    stage_form.get_by_role("button", name="Move").click()

    # then his page shows the move in his history
    expect(page).to_have_url(f"{live_server.url}/producers/{mohan.uuid}/")
    expect(page.get_by_role("status")).to_have_text("Moved to “Trained”.")
    expect(page.locator("tr.stage-change").first.locator("td")).to_have_text(
        [
            re.compile(r"\d"),
            "Registered → Trained",
            "Chanda Devi",
            "Finished the kiln-firing training",
        ]
    )

    # and the district's page counts one more trained producer and one fewer registered
    nav_link(page, "My district").click()
    expect(funnel_now(page, Stage.TRAINED)).to_have_text("2")
    expect(funnel_now(page, Stage.REGISTERED)).to_have_text("0")
    expect(page.locator("#funnel-stages caption")).to_have_text("Outreach funnel: 2 producers")

    # and so does the funnel page, by ODOP product too
    nav_link(page, "Funnel").click()
    expect(funnel_now(page, Stage.TRAINED)).to_have_text("2")
    terracotta = page.locator("#funnel-odop tbody tr", has_text="Terracotta")
    expect(terracotta.locator("td")).to_have_text(["0", "0", "0", "2", "0", "0", "0", "0", "2"])
    axe_check(page)


# --- The producer's own view -----------------------------------------------------------------


def test_a_producer_signs_in_with_a_code_by_sms_and_sees_only_their_own_record(
    new_context: Any,
    live_server: Any,
    gorakhpur_staff: Persona,
    craft_activities: None,
    sms_outbox: list[SmsMessage],
) -> None:
    # given Ramu, whose sign-in the centre enabled, and Sita, another artisan of the district
    ramu = register(
        gorakhpur_staff,
        "रामू प्रजापति",
        "Ramu Prajapati",
        mobile="+919876543210",
        stage=Stage.TRAINED,
    )
    do_enable_producer_sign_in(ramu, acting_user=gorakhpur_staff.user)
    sita = register(
        gorakhpur_staff, "सीता देवी", "Sita Devi", gender=Gender.FEMALE, mobile="+919876500009"
    )

    # when he opens the sign-in page on his phone, which has never chosen a language
    page = new_context(**PHONE).new_page()
    page.goto("/producer/sign-in/")

    # then it is in Hindi, fits his screen, and passes the accessibility checks
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    expect(page.get_by_role("heading", level=1)).to_have_text(hi("Producer sign-in"))
    assert_fits_a_phone(page)
    axe_check(page)

    # when he gives his number
    field(page, hi("Mobile number")).fill("98765 43210")
    page.get_by_role("button", name=hi("Send me a code")).click()

    # then a code goes to his phone by SMS, and the page asks for it
    expect(page).to_have_url(f"{live_server.url}/producer/sign-in/code/")
    expect(page.get_by_role("heading", level=1)).to_have_text(hi("Enter the code"))
    expect(page.locator("main")).to_contain_text("+91 98765 43210")
    assert_fits_a_phone(page)
    axe_check(page)
    assert [message.to for message in sms_outbox] == ["+919876543210"]
    code = re.search(r"\b(\d{6})\b", sms_outbox[0].text)
    assert code is not None, sms_outbox[0].text

    # when he types the code
    field(page, hi("Code from the SMS")).fill(code.group(1))
    page.get_by_role("button", name=hi("Sign in"), exact=True).click()

    # then he sees his own page, in Hindi, with his name and his stage
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        hi("Namaste, %(name)s") % {"name": "रामू प्रजापति"}
    )
    expect(fact(page, hi("Name"))).to_contain_text("रामू प्रजापति")
    expect(fact(page, hi("ODOP product"))).to_have_text("टेराकोटा")
    expect(fact(page, hi("Mobile"))).to_have_text("XXXXXX3210")
    expect(page.locator("#stages li[aria-current=step]")).to_contain_text(hi("Trained"))
    expect(page.locator("#next-steps li[data-step=catalogue]")).to_have_text(
        hi("Bring samples of your products to the centre for photos and the catalogue.")
    )
    expect(page.locator("main")).not_to_contain_text("सीता")
    expect(nav_link(page, hi("Producers"))).to_have_count(0)
    assert_fits_a_phone(page)
    axe_check(page)

    # and another producer's page, or the list of producers, is not for him
    for path in (f"/producers/{sita.uuid}/", "/producers/", f"/producers/{ramu.uuid}/edit/"):
        response = page.goto(path)
        assert response is not None
        assert response.status == 403, path
        expect(page.locator("main")).not_to_contain_text("सीता")
        expect(page.locator("main")).not_to_contain_text("Sita")


# --- Every registry page: accessibility and phones ------------------------------------------


@pytest.fixture
def registry(gorakhpur_staff: Persona, craft_activities: None, media_root: Path) -> dict[str, Any]:
    """A district registry with something on every page: a group with a member, a flagged pair,
    an outreach meeting and an import with errors."""
    staff = gorakhpur_staff.user
    district = District.objects.get(lgd_code=GORAKHPUR)
    ramu = register(gorakhpur_staff, "रामू प्रजापति", "Ramu Prajapati", mobile="+919876543210")
    register(gorakhpur_staff, "रामु प्रजापती", "Ramoo Prajapati")
    register(gorakhpur_staff, "श्याम प्रजापति", "Shyam Prajapati", village="झंगहा", pin="273003")
    group = register(
        gorakhpur_staff,
        "माटी कला स्वयं सहायता समूह",
        "Mati Kala SHG",
        kind=Kind.SHG,
        village="चौरी चौरा",
        pin="273201",
    )
    do_add_member(
        group,
        ramu,
        role=Membership.GroupRole.MEMBER,
        joined_on=timezone.localdate(),
        acting_user=staff,
    )
    visit = do_record_outreach_visit(
        district,
        kind=OutreachVisit.Kind.SENSITISATION,
        on=timezone.localdate(),
        place="औरंगाबाद पंचायत भवन",
        attendees=[ramu],
        acting_user=staff,
    )
    header = ",".join(COLUMN_BY_FIELD[name].header for name in ("kind", "name_hi", "mobile"))
    sheet = f"{header}\nArtisan,श्याम कुमार,12345\n"
    job = start_import(
        district,
        SimpleUploadedFile("kumhar.csv", sheet.encode()),
        acting_user=staff,
        language="en",
    )
    run_tasks()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.HAS_ERRORS, job.errors
    return {
        "producer": ramu,
        "group": group,
        "flag": DuplicateFlag.objects.get(),
        "visit": visit,
        "job": job,
    }


def staff_pages(registry: dict[str, Any]) -> list[str]:
    producer, group = registry["producer"].uuid, registry["group"].uuid
    return [
        "/producers/",
        "/producers/?q=Ramu&stage=contacted",
        "/producers/new/",
        f"/producers/{producer}/",
        f"/producers/{group}/",
        f"/producers/{producer}/edit/",
        f"/producers/{producer}/erase/",
        "/duplicates/",
        f"/duplicates/{registry['flag'].pk}/",
        "/funnel/",
        f"/districts/{GORAKHPUR}/",
        "/outreach/",
        "/outreach/new/",
        f"/outreach/{registry['visit'].uuid}/",
        "/producers/import/",
        f"/producers/import/{registry['job'].uuid}/",
    ]


def producer_signs_in(
    phone: Page, live_server: Any, outbox: list[SmsMessage], language: str
) -> Iterator[str]:
    """Ramu (+91 98765 43210) signs in on his phone in `language`: yields on each page."""
    phone.goto("/producer/sign-in/")
    switch_language(phone, language)
    yield "sign-in"
    phone.locator("#id_mobile").fill("98765 43210")
    phone.locator("main form button[type=submit]").click()
    expect(phone).to_have_url(f"{live_server.url}/producer/sign-in/code/")
    yield "code"
    code = re.search(r"\b(\d{6})\b", outbox[-1].text)
    assert code is not None, outbox[-1].text
    phone.locator("#id_code").fill(code.group(1))
    phone.locator("main form button[type=submit]").click()
    expect(phone).to_have_url(f"{live_server.url}/")
    expect(phone.locator("html")).to_have_attribute("lang", language)
    yield "home"


def text_in(language: str, message: str) -> str:
    return hi(message) if language == "hi" else message


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_registry_page_meets_wcag_21_aa(
    new_context: Any,
    live_server: Any,
    gorakhpur_staff: Persona,
    registry: dict[str, Any],
    sms_outbox: list[SmsMessage],
    language: str,
) -> None:
    page = new_context().new_page()
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    if language != "en":
        switch_language(page, language)
    problems = []
    for path in staff_pages(registry):
        response = page.goto(path)
        assert response is not None
        assert response.ok, f"{path}: {response.status}"
        expect(page.locator("html")).to_have_attribute("lang", language)
        problems += axe_violations(page)

    # The registration form with its errors.
    page.goto("/producers/new/")
    page.get_by_role("button", name=text_in(language, "Register"), exact=True).click()
    expect(page.locator("#form-errors")).to_be_visible()
    problems += axe_violations(page)
    # Choosing among several producers whose names match, to add one to a group.
    page.goto(f"/producers/{registry['group'].uuid}/")
    member = page.get_by_role("form", name=text_in(language, "Add a member"))
    member.locator("#id_member").fill("प्रजाप")
    member.get_by_role("button").click()
    expect(page.locator("main form input[type=radio]")).to_have_count(2)
    problems += axe_violations(page)

    # The producer's own pages, on his phone.
    do_enable_producer_sign_in(registry["producer"], acting_user=gorakhpur_staff.user)
    phone = new_context(**PHONE).new_page()
    for _page in producer_signs_in(phone, live_server, sms_outbox, language):
        problems += axe_violations(phone)
    assert not problems, "accessibility violations:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_registration_form_and_producer_pages_fit_a_phone(
    new_context: Any,
    live_server: Any,
    gorakhpur_staff: Persona,
    craft_activities: None,
    sms_outbox: list[SmsMessage],
    language: str,
) -> None:
    ramu = register(gorakhpur_staff, "रामू प्रजापति", "Ramu Prajapati", mobile="+919876543210")

    # The registration form, empty and with its errors, and a producer's page, on staff's phone.
    page = new_context(**PHONE).new_page()
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    switch_language(page, language)
    page.goto("/producers/new/")
    assert_fits_a_phone(page)
    page.locator("#id_mobile").fill("12345")
    page.get_by_role("button", name=text_in(language, "Register"), exact=True).click()
    expect(page.locator("#form-errors")).to_be_visible()
    assert_fits_a_phone(page)
    page.goto(f"/producers/{ramu.uuid}/")
    assert_fits_a_phone(page)

    # The producer's own pages, on his.
    do_enable_producer_sign_in(ramu, acting_user=gorakhpur_staff.user)
    phone = new_context(**PHONE).new_page()
    for _page in producer_signs_in(phone, live_server, sms_outbox, language):
        assert_fits_a_phone(phone)
