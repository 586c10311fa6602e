"""The producer pages as people use them: register, find, read, edit, funnel, consent, groups,
data export and erasure, and who may do what."""

from __future__ import annotations

import datetime
import html
import io
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from niryat.core.models import AuditEntry, District, OdopProduct, User
from niryat.registry.actions import (
    do_add_member,
    do_record_consent,
    do_record_outreach_visit,
)
from niryat.registry.models import (
    Activity,
    Consent,
    DuplicateFlag,
    Kind,
    Membership,
    OutreachVisit,
    Producer,
    Stage,
    StageChange,
)
from niryat.registry.name_matching import name_key
from tests.conftest import client_for, hindi
from tests.registry.factories import register
from tests.registry.rule_cases import (
    AADHAAR_LAST4,
    ACCOUNT_MASKED,
    FULL_AADHAAR,
    FULL_ACCOUNT,
    REFUSED,
    REFUSED_IDS,
    SECRET_PARTS,
    assert_not_stored,
)

TODAY = timezone.localdate()
# session, user, the producer, the write check, members, groups joined, duplicates, audit trail,
# the members the trail names, the header's district, activities, creator, stage history,
# consents, the group's combined products and activities, visits, their latest messages, the
# trade dataset for the export potential of its ODOP product (its markets: one more when loaded)
QUERIES_ON_A_GROUPS_PAGE = 19


@pytest.fixture
def garments(gorakhpur: District) -> OdopProduct:
    return OdopProduct.objects.get(district=gorakhpur, name_en="Readymade garments")


@pytest.fixture
def pottery(db: Any) -> Activity:
    return Activity.objects.get(code="pottery")


def artisan_form(terracotta: OdopProduct, pottery: Activity, **overrides: Any) -> dict[str, Any]:
    """What staff type into the register page for Ramu, a potter who agreed to everything."""
    data: dict[str, Any] = {
        "kind": "artisan",
        "name_hi": "रामू प्रजापति",
        "name_latin": "Ramu Prajapati",
        "gender": "male",
        "social_category": "obc",
        "odop_product": str(terracotta.pk),
        "activities": [str(pottery.pk)],
        "village": "Aurangabad",
        "tehsil": "Sadar",
        "pin": "273001",
        "mobile": "98765 43210",
        "email": "",
        "bank_ifsc": "SBIN0001234",
        "bank_account": "123456789012",
        "gstin": "",
        "pan": "",
        "iec": "",
        "udyam": "",
        "aadhaar": "",
        "consent-hold_data": "on",
        "consent-listing": "on",
        "consent-on": TODAY.isoformat(),
        "consent-method": "paper",
    }
    data.update(overrides)
    return data


def field_errors(page: str, field: str) -> list[str]:
    """The error sentences shown next to a field (Django's list with id="id_<field>_error")."""
    match = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', page, re.S)
    if not match:
        return []
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", match.group(1), re.S)]


def rows_of(page: str, css_class: str) -> list[str]:
    """The text of each table row with this class, tags and runs of spaces removed."""
    rows = re.findall(rf'<tr class="{css_class}">(.*?)</tr>', page, re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in rows]


def listed_names(page: str) -> list[str]:
    """The Latin names in the producer list's table, in order."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [html.unescape(name) for name in re.findall(r'<span lang="en">(.*?)</span>', body)]


def db_snapshot() -> list[Any]:
    return [
        list(Producer.objects.order_by("pk").values()),
        list(StageChange.objects.order_by("pk").values()),
        list(Consent.objects.order_by("pk").values()),
        list(Membership.objects.order_by("pk").values()),
        AuditEntry.objects.count(),
    ]


# -- Register ---------------------------------------------------------------------------------


def test_staff_register_an_artisan_in_hindi_with_the_latin_name_suggested(
    ganesh: User, gorakhpur: District, terracotta: OdopProduct, pottery: Activity
) -> None:
    # given Ganesh, centre staff of Gorakhpur, whose browser asks for Hindi
    client = client_for(ganesh, **{"Accept-Language": "hi"})
    page = client.get("/producers/new/")
    assert page.status_code == 200
    assert '<html lang="hi">' in page.content.decode()
    # the activities offered are those of Gorakhpur's ODOP products
    activities = page.context["form"].fields["activities"].queryset
    assert "pottery" in {a.code for a in activities}
    assert "knotting" not in {a.code for a in activities}

    # when he types the name in Devanagari, htmx fetches a Latin spelling into the Latin field
    suggestion = client.get(
        "/producers/transliterate/",
        {"name_hi": "रामू प्रजापति", "name_latin": "", "latin_suggested": ""},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert (
        'name="name_latin" id="id_name_latin" maxlength="200" lang="en" value="Ramu Prajapati"'
        in (suggestion)
    )

    # and saves the form with the suggestion
    response = client.post("/producers/new/", artisan_form(terracotta, pottery))

    # then Ramu is registered in Gorakhpur, as typed, with the mobile in E.164
    producer = Producer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/producers/{producer.uuid}/"
    assert (producer.district, producer.kind, producer.name_hi, producer.name_latin) == (
        gorakhpur,
        Kind.ARTISAN,
        "रामू प्रजापति",
        "Ramu Prajapati",
    )
    assert producer.name_key == "ramu prajapati"
    assert producer.mobile == "+919876543210"
    assert producer.bank_account_masked == "XXXXXXXX9012"
    assert producer.odop_product == terracotta
    assert [a.code for a in producer.activities.all()] == ["pottery"]
    assert producer.stage == Stage.CONTACTED
    assert producer.created_by == ganesh
    # and both consents were recorded with the date and how they were given
    assert producer.listing_consent is True
    assert sorted(producer.consents.values_list("purpose", "given", "on", "method")) == [
        ("hold_data", True, TODAY, "paper"),
        ("list", True, TODAY, "paper"),
    ]
    assert Producer.objects.listable().get() == producer
    detail = client.get(response["Location"]).content.decode()
    assert "रामू प्रजापति" in detail
    assert '<html lang="hi">' in detail


def test_without_javascript_an_empty_latin_name_is_filled_on_save(
    ganesh: User, terracotta: OdopProduct, pottery: Activity
) -> None:
    client_for(ganesh).post("/producers/new/", artisan_form(terracotta, pottery, name_latin=""))
    assert Producer.objects.get().name_latin == "Ramu Prajapati"


def test_a_latin_name_typed_by_hand_is_kept_and_the_suggestion_shown_beside_it(
    ganesh: User,
) -> None:
    response = client_for(ganesh).get(
        "/producers/transliterate/",
        {"name_hi": "रामू प्रजापति", "name_latin": "Ramoo", "latin_suggested": "Ramu"},
    )
    content = response.content.decode()
    assert 'value="Ramoo"' in content
    assert "Suggested spelling: Ramu Prajapati" in content


@pytest.mark.parametrize(
    ("field", "typed", "sentence"),
    [
        (
            "gstin",
            "09AAACH7409R1ZA",
            "GSTIN 09AAACH7409R1ZA has a wrong check character (the last one). "
            "Check it on the GST certificate.",
        ),
        (
            "mobile",
            "12345",
            "12345 is not a valid mobile number. Give 10 digits, like 98765 43210.",
        ),
        (
            "udyam",
            "UDYAM-UP-2-12345",
            "Udyam number must look like UDYAM-UP-00-0000000; UDYAM-UP-2-12345 does not.",
        ),
        ("pin", "12345", "PIN code must be 6 digits; 12345 is not."),
    ],
)
def test_an_invalid_identifier_is_explained_next_to_its_field_and_nothing_is_saved(
    ganesh: User, terracotta: OdopProduct, pottery: Activity, field: str, typed: str, sentence: str
) -> None:
    before = db_snapshot()
    response = client_for(ganesh).post(
        "/producers/new/", artisan_form(terracotta, pottery, **{field: typed})
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert field_errors(content, field) == [sentence]
    assert "Nothing was saved. Correct the fields marked below and save again." in content
    # the form keeps what was typed
    assert f'value="{typed}"' in content
    assert 'value="रामू प्रजापति"' in content
    assert db_snapshot() == before


def test_a_gstin_of_another_state_is_saved_with_a_warning(
    ganesh: User, terracotta: OdopProduct, pottery: Activity
) -> None:
    client = client_for(ganesh)
    response = client.post(
        "/producers/new/", artisan_form(terracotta, pottery, gstin="27aapfu0939f1zv"), follow=True
    )
    assert Producer.objects.get().gstin == "27AAPFU0939F1ZV"
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert warnings == [
        "GSTIN 27AAPFU0939F1ZV is registered in state code 27, not 09 of this district."
    ]


def test_aadhaar_given_in_full_is_stored_as_its_last_four_digits_only(
    ganesh: User, terracotta: OdopProduct, pottery: Activity
) -> None:
    client = client_for(ganesh)
    client.post("/producers/new/", artisan_form(terracotta, pottery, aadhaar="2345 6789 0123"))
    producer = Producer.objects.get()
    assert producer.aadhaar_last4 == "0123"
    # and an edit that types it again in full stores nothing more
    client.post(
        f"/producers/{producer.uuid}/edit/",
        artisan_form(terracotta, pottery, aadhaar="234567890123", village="Jungle Kauriya"),
    )
    producer.refresh_from_db()
    assert (producer.aadhaar_last4, producer.village) == ("0123", "Jungle Kauriya")
    # no row of any table holds the full number, or its first eight digits
    assert_not_stored("23456789", "2345 6789")
    detail = client.get(f"/producers/{producer.uuid}/").content.decode()
    assert "XXXX XXXX 0123" in detail


def test_a_bank_account_typed_in_full_is_stored_masked_and_kept_by_an_empty_field(
    ganesh: User, terracotta: OdopProduct, pottery: Activity
) -> None:
    client = client_for(ganesh)
    form = artisan_form(terracotta, pottery, aadhaar=FULL_AADHAAR, bank_account=FULL_ACCOUNT)
    client.post("/producers/new/", form)
    producer = Producer.objects.get()
    assert (producer.aadhaar_last4, producer.bank_account_masked) == (
        AADHAAR_LAST4,
        ACCOUNT_MASKED,
    )
    # the edit page never shows the numbers again; left empty, they are kept
    edit = client.get(f"/producers/{producer.uuid}/edit/").content.decode()
    # (the producer's uuid in the page's links may hold the same four digits by chance)
    assert "8901" not in edit.replace(str(producer.uuid), "")
    client.post(
        f"/producers/{producer.uuid}/edit/",
        artisan_form(terracotta, pottery, aadhaar="", bank_account="", tehsil="Campierganj"),
    )
    producer.refresh_from_db()
    assert (producer.aadhaar_last4, producer.bank_account_masked, producer.tehsil) == (
        AADHAAR_LAST4,
        ACCOUNT_MASKED,
        "Campierganj",
    )
    assert_not_stored(*SECRET_PARTS)


@pytest.mark.parametrize(("field", "typed", "sentence"), REFUSED, ids=REFUSED_IDS)
def test_the_page_refuses_as_the_action_does_next_to_the_field(
    ganesh: User,
    gorakhpur: District,
    terracotta: OdopProduct,
    pottery: Activity,
    field: str,
    typed: str,
    sentence: str,
) -> None:
    client = client_for(ganesh)
    before = db_snapshot()
    response = client.post("/producers/new/", artisan_form(terracotta, pottery, **{field: typed}))
    assert field_errors(response.content.decode(), field) == [sentence]
    assert db_snapshot() == before
    # and the edit page, with the same sentence
    ramu = register(gorakhpur, ganesh)
    before = db_snapshot()
    response = client.post(
        f"/producers/{ramu.uuid}/edit/", artisan_form(terracotta, pottery, **{field: typed})
    )
    assert field_errors(response.content.decode(), field) == [sentence]
    assert db_snapshot() == before


def test_the_page_shows_the_rules_in_hindi(
    ganesh: User, terracotta: OdopProduct, pottery: Activity
) -> None:
    client = client_for(ganesh, **{"Accept-Language": "hi"})
    response = client.post(
        "/producers/new/", artisan_form(terracotta, pottery, name_hi="", gstin="09AAACH7409")
    )
    content = response.content.decode()
    assert field_errors(content, "name_hi") == [hindi("This field is required.")]
    assert field_errors(content, "gstin") == [
        hindi("GSTIN must be 15 characters, like 09AAACH7409R1ZZ; %(value)s is not.")
        % {"value": "09AAACH7409"}
    ]
    assert not Producer.objects.exists()


def test_the_page_keeps_the_browsers_own_checks(ganesh: User, gorakhpur: District) -> None:
    page = client_for(ganesh).get("/producers/new/").content.decode()
    assert re.search(r'<select name="kind"[^>]* required', page)
    assert re.search(r'<input type="text" name="name_hi"[^>]*maxlength="200"[^>]* required', page)
    assert re.search(r'<input type="email" name="email"', page)


def test_registering_a_likely_duplicate_shows_it_with_the_reason(
    ganesh: User, gorakhpur: District, terracotta: OdopProduct, pottery: Activity
) -> None:
    # given Ramu, registered last month from an old list
    ramu = register(gorakhpur, ganesh, name_hi="रामू प्रजापति", pin="273001")
    # when staff register "Ramoo Prajapati" of the same PIN code, spelt differently in Hindi
    response = client_for(ganesh).post(
        "/producers/new/",
        artisan_form(
            terracotta, pottery, name_hi="रामु प्रजापती", name_latin="Ramoo Prajapati", mobile=""
        ),
        follow=True,
    )
    # then the new record's page says it may be Ramu, and why
    content = response.content.decode()
    assert "This producer may already be registered: see the possible duplicates." in [
        str(m) for m in response.context["messages"]
    ]
    section = content.split('id="duplicates"', 1)[1].split("</section>", 1)[0]
    assert f'href="/producers/{ramu.uuid}/"' in section
    assert "similar name in the same village or PIN code" in section
    flag = DuplicateFlag.objects.get()
    assert f'href="/duplicates/{flag.pk}/">Compare with Ramu Prajapati</a>' in section
    assert 'href="/duplicates/"' in section


def test_a_state_admin_chooses_the_district_to_register_in(
    alice: User, gorakhpur: District, terracotta: OdopProduct, pottery: Activity
) -> None:
    client = client_for(alice)
    picker = client.get("/producers/new/")
    assert picker.templates[0].name == "registry/producer_pick_district.html"
    assert '<option value="148">Gorakhpur</option>' in picker.content.decode()
    response = client.post("/producers/new/?district=148", artisan_form(terracotta, pottery))
    assert response.status_code == 302
    assert Producer.objects.get().district == gorakhpur


# -- Find ---------------------------------------------------------------------------------------


@pytest.fixture
def some_producers(
    ganesh: User, gorakhpur: District, terracotta: OdopProduct, garments: OdopProduct
) -> dict[str, Producer]:
    pottery = Activity.objects.get(code="pottery")
    stitching = Activity.objects.get(code="stitching")
    ramu = register(gorakhpur, ganesh, name_hi="रामू प्रजापति", odop_product=terracotta)
    ramu.activities.set([pottery])
    # The same surname in another village, with his own spelling in both scripts.
    ramoo = register(
        gorakhpur,
        ganesh,
        name_hi="रामु प्रजापती",
        name_latin="Ramoo Prajapati",
        village="Bhathat",
        pin="273151",
        mobile="+919812345678",
        odop_product=terracotta,
    )
    sita = register(
        gorakhpur,
        ganesh,
        name_hi="सीता देवी",
        gender="female",
        women_led=True,
        village="Pipraich",
        pin="273152",
        odop_product=garments,
    )
    sita.activities.set([stitching])
    shg = register(
        gorakhpur,
        ganesh,
        name_hi="लक्ष्मी स्वयं सहायता समूह",
        name_latin="Lakshmi SHG",
        kind=Kind.SHG,
        women_led=True,
        village="Campierganj",
        pin="273158",
        odop_product=garments,
        stage=Stage.TRAINED,
    )
    return {"ramu": ramu, "ramoo": ramoo, "sita": sita, "shg": shg}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["Lakshmi SHG", "Ramoo Prajapati", "Ramu Prajapati", "Sita Devi"]),
        ({"kind": "shg"}, ["Lakshmi SHG"]),
        ({"women_led": "yes"}, ["Lakshmi SHG", "Sita Devi"]),
        ({"women_led": "no"}, ["Ramoo Prajapati", "Ramu Prajapati"]),
        ({"stage": "trained"}, ["Lakshmi SHG"]),
        ({"activity": "stitching"}, ["Sita Devi"]),
        ({"activity": "pottery", "kind": "artisan"}, ["Ramu Prajapati"]),
        # a name typed in Devanagari finds both scripts and both spellings
        ({"q": "रामू प्रजापति"}, ["Ramoo Prajapati", "Ramu Prajapati"]),
        ({"q": "ramoo prajapati"}, ["Ramoo Prajapati", "Ramu Prajapati"]),
        ({"q": "सीता"}, ["Sita Devi"]),
        ({"q": "98123 45678"}, ["Ramoo Prajapati"]),
        ({"q": "श्यामू"}, []),
        (
            {"kind": "not-a-kind"},
            ["Lakshmi SHG", "Ramoo Prajapati", "Ramu Prajapati", "Sita Devi"],
        ),
    ],
)
def test_the_list_filters_and_searches_across_scripts(
    ganesh: User, some_producers: dict[str, Producer], query: dict[str, str], expected: list[str]
) -> None:
    assert name_key("रामू प्रजापति") == name_key("Ramoo Prajapati")  # what the search relies on
    response = client_for(ganesh).get("/producers/", query)
    assert listed_names(response.content.decode()) == expected
    assert response.context["page"].paginator.count == len(expected)


def test_the_list_filters_by_odop_product_and_counts_by_stage(
    ganesh: User, some_producers: dict[str, Producer], garments: OdopProduct
) -> None:
    response = client_for(ganesh).get("/producers/", {"odop_product": garments.pk})
    assert listed_names(response.content.decode()) == ["Lakshmi SHG", "Sita Devi"]
    counts = {stage.value: n for stage, n in response.context["by_stage"]}
    assert counts == {
        "contacted": 1,
        "sensitised": 0,
        "registered": 0,
        "trained": 1,
        "catalogued": 0,
        "listed": 0,
        "sold": 0,
        "exporting": 0,
    }
    assert "2 producers" in response.content.decode()


def test_state_users_filter_by_district(
    sam: User, vani: User, varanasi: District, some_producers: dict[str, Producer]
) -> None:
    register(varanasi, vani, name_hi="कबीर अंसारी", pin="221001")
    client = client_for(sam)
    assert listed_names(client.get("/producers/").content.decode())[0] == "Kabir Ansari"
    gorakhpur_only = client.get("/producers/", {"district": "148"}).content.decode()
    assert "Kabir Ansari" not in listed_names(gorakhpur_only)
    assert len(listed_names(gorakhpur_only)) == 4
    varanasi_only = client.get("/producers/", {"district": "187"}).content.decode()
    assert listed_names(varanasi_only) == ["Kabir Ansari"]


def test_district_staff_never_list_another_districts_producers(
    ganesh: User, vani: User, varanasi: District, some_producers: dict[str, Producer]
) -> None:
    register(varanasi, vani, name_hi="कबीर अंसारी", pin="221001")
    response = client_for(ganesh).get("/producers/", {"district": "187"})
    assert listed_names(response.content.decode()) == []
    response = client_for(ganesh).get("/producers/", {"q": "कबीर"})
    assert listed_names(response.content.decode()) == []


def make_producers(district: District, user: User, count: int) -> None:
    for i in range(count):
        # Each in their own PIN code, so that none is flagged as another's duplicate.
        register(
            district,
            user,
            name_hi="कारीगर",
            name_latin=f"Karigar {i:03d}",
            village=f"Gaon {i}",
            pin=f"27{i:04d}",
        )


def test_the_list_paginates_and_keeps_the_filters_in_page_links(
    ganesh: User, gorakhpur: District
) -> None:
    make_producers(gorakhpur, ganesh, 51)
    client = client_for(ganesh)
    first = client.get("/producers/", {"kind": "artisan"}).content.decode()
    assert len(listed_names(first)) == 50
    assert "51 producers" in first
    assert 'href="?kind=artisan&amp;page=2" rel="next"' in first
    # the export links carry the same filters, without the page
    assert 'href="/producers/export.xlsx?kind=artisan"' in first
    assert 'href="/producers/export.csv?kind=artisan"' in first
    second = client.get("/producers/", {"kind": "artisan", "page": "2"}).content.decode()
    assert listed_names(second) == ["Karigar 050"]
    assert 'href="?kind=artisan&amp;page=1" rel="prev"' in second
    assert 'export.xlsx?kind=artisan"' in second


def test_the_list_costs_the_same_queries_for_2_or_60_producers(
    ganesh: User, gorakhpur: District, django_assert_num_queries: Any
) -> None:
    client = client_for(ganesh)
    make_producers(gorakhpur, ganesh, 2)
    # session, user, count, page, stage counts, ODOP products, activities, the user's district
    with django_assert_num_queries(8):
        assert client.get("/producers/").status_code == 200
    make_producers(gorakhpur, ganesh, 58)
    with django_assert_num_queries(8):
        assert client.get("/producers/", {"q": "karigar"}).status_code == 200


# -- Detail, edit, stage, consent ---------------------------------------------------------------


def test_a_groups_page_costs_the_same_queries_for_1_or_6_members(
    ganesh: User, some_producers: dict[str, Producer], django_assert_num_queries: Any
) -> None:
    shg = some_producers["shg"]
    client = client_for(ganesh)
    do_add_member(shg, some_producers["ramu"], joined_on=TODAY, acting_user=ganesh)
    with django_assert_num_queries(QUERIES_ON_A_GROUPS_PAGE):
        assert client.get(f"/producers/{shg.uuid}/").status_code == 200
    for i in range(5):
        member = register(
            shg.district, ganesh, name_hi="कारीगर", name_latin=f"Karigar {i}", pin=f"27300{i}"
        )
        do_add_member(shg, member, joined_on=TODAY, acting_user=ganesh)
    with django_assert_num_queries(QUERIES_ON_A_GROUPS_PAGE):
        assert client.get(f"/producers/{shg.uuid}/").status_code == 200


def test_the_audit_trail_shows_an_edit_with_who_and_what(
    ganesh: User, gorakhpur: District, terracotta: OdopProduct, pottery: Activity
) -> None:
    ramu = register(gorakhpur, ganesh)
    client = client_for(ganesh)
    edit = client.get(f"/producers/{ramu.uuid}/edit/").content.decode()
    assert 'value="Aurangabad"' in edit
    response = client.post(
        f"/producers/{ramu.uuid}/edit/",
        artisan_form(terracotta, pottery, village="Jungle Kauriya", mobile=""),
    )
    assert response.status_code == 302
    detail = client.get(f"/producers/{ramu.uuid}/").content.decode()
    trail = rows_of(detail, "audit-entry")
    assert len(trail) == 2
    assert "गणेश प्रजापति Details changed" in trail[0]
    assert "Village or town: Aurangabad → Jungle Kauriya" in trail[0]
    assert "Activities: — → pottery" in trail[0]
    assert "Gender: — → Man" in trail[0]
    assert "गणेश प्रजापति Registered" in trail[1]


def test_an_edit_that_fails_validation_changes_nothing(
    ganesh: User, gorakhpur: District, terracotta: OdopProduct, pottery: Activity
) -> None:
    ramu = register(gorakhpur, ganesh)
    before = db_snapshot()
    response = client_for(ganesh).post(
        f"/producers/{ramu.uuid}/edit/",
        artisan_form(terracotta, pottery, village="Jungle Kauriya", pin="0000"),
    )
    assert field_errors(response.content.decode(), "pin") == [
        "PIN code must be 6 digits; 0000 is not."
    ]
    assert db_snapshot() == before


def test_a_stage_move_with_its_reason_appears_in_the_history(
    ganesh: User, gorakhpur: District
) -> None:
    ramu = register(gorakhpur, ganesh)
    client = client_for(ganesh)
    response = client.post(
        f"/producers/{ramu.uuid}/stage/",
        {"to_stage": "sensitised", "reason": "Came to the meeting at the panchayat bhawan"},
    )
    assert response.status_code == 302
    ramu.refresh_from_db()
    assert ramu.stage == Stage.SENSITISED
    detail = client.get(f"/producers/{ramu.uuid}/").content.decode()
    history = rows_of(detail, "stage-change")
    assert history[0].endswith(
        "Contacted → Sensitised गणेश प्रजापति Came to the meeting at the panchayat bhawan"
    )
    assert history[1].endswith("Contacted गणेश प्रजापति Added to the registry")
    assert rows_of(detail, "audit-entry")[0].endswith(
        "गणेश प्रजापति Stage moved Stage: Contacted → Sensitised "
        "Why: Came to the meeting at the panchayat bhawan"
    )


def test_a_stage_move_without_a_reason_is_refused(ganesh: User, gorakhpur: District) -> None:
    ramu = register(gorakhpur, ganesh)
    before = db_snapshot()
    response = client_for(ganesh).post(
        f"/producers/{ramu.uuid}/stage/", {"to_stage": "trained", "reason": "  "}
    )
    assert field_errors(response.content.decode(), "reason") == ["Say why the stage changes."]
    response = client_for(ganesh).post(
        f"/producers/{ramu.uuid}/stage/", {"to_stage": "contacted", "reason": "again"}
    )
    assert field_errors(response.content.decode(), "to_stage") == [
        "The producer is already at this stage."
    ]
    assert db_snapshot() == before


def test_withdrawing_listing_consent_takes_the_producer_off_listable(
    ganesh: User, gorakhpur: District
) -> None:
    ramu = register(gorakhpur, ganesh)
    do_record_consent(
        ramu,
        purpose=Consent.Purpose.LIST_ON_MARKETPLACES,
        given=True,
        on=TODAY - datetime.timedelta(days=30),
        method=Consent.Method.PAPER,
        acting_user=ganesh,
    )
    assert list(Producer.objects.listable()) == [ramu]
    client = client_for(ganesh)
    response = client.post(
        f"/producers/{ramu.uuid}/consent/",
        {"purpose": "list", "given": "no", "on": TODAY.isoformat(), "method": "verbal"},
    )
    assert response.status_code == 302
    assert list(Producer.objects.listable()) == []
    history = rows_of(client.get(f"/producers/{ramu.uuid}/").content.decode(), "consent")
    assert "List me and my products on marketplaces and in exports Withdrawn" in history[0]
    assert "Given" in history[1]


def test_consent_dated_in_the_future_is_refused(ganesh: User, gorakhpur: District) -> None:
    ramu = register(gorakhpur, ganesh)
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    response = client_for(ganesh).post(
        f"/producers/{ramu.uuid}/consent/",
        {"purpose": "list", "given": "yes", "on": tomorrow, "method": "verbal"},
    )
    assert field_errors(response.content.decode(), "on") == ["The date cannot be in the future."]
    assert not Consent.objects.exists()


# -- Groups -------------------------------------------------------------------------------------


def test_staff_add_members_to_a_group_and_remove_them(
    ganesh: User, some_producers: dict[str, Producer]
) -> None:
    shg, sita, ramu, ramoo = (some_producers[k] for k in ("shg", "sita", "ramu", "ramoo"))
    client = client_for(ganesh)
    url = f"/producers/{shg.uuid}/members/"

    # a mobile number finds one producer: she is added at once
    sita.mobile = "+919876500001"
    sita.save(update_fields=["mobile"])
    response = client.post(
        url, {"member": "98765 00001", "role": "president", "joined_on": "2024-04-01"}
    )
    assert response.status_code == 302
    # a name both Ramu and Ramoo answer to: staff choose which one
    choose = client.post(
        url, {"member": "रामू प्रजापति", "role": "member", "joined_on": "2024-05-01"}
    )
    assert choose.templates[0].name == "registry/producer_member_choose.html"
    offered = re.findall(r'name="member_uuid" value="([0-9a-f-]+)"', choose.content.decode())
    assert sorted(offered) == sorted([str(ramu.uuid), str(ramoo.uuid)])
    response = client.post(
        url,
        {
            "member": "रामू प्रजापति",
            "member_uuid": str(ramoo.uuid),
            "role": "member",
            "joined_on": "2024-05-01",
        },
    )
    assert response.status_code == 302
    assert sorted(shg.memberships.values_list("member__name_latin", "role", "joined_on")) == [
        ("Ramoo Prajapati", "member", datetime.date(2024, 5, 1)),
        ("Sita Devi", "president", datetime.date(2024, 4, 1)),
    ]

    # the group's page lists them with roles and dates, and what the group makes together
    page = client.get(f"/producers/{shg.uuid}/").content.decode()
    members = rows_of(page, "member")
    assert members[0].startswith("रामु प्रजापती Ramoo Prajapati Member")
    assert members[1].startswith("सीता देवी Sita Devi President")
    makes = page.split('id="group-products"', 1)[1].split("</dl>", 1)[0]
    assert "Readymade garments, Terracotta" in makes
    assert "Stitching and tailoring" in makes
    # and a member's page names the group
    assert "Lakshmi SHG" in client.get(f"/producers/{sita.uuid}/").content.decode()

    # a name that matches nobody new is explained
    response = client.post(url, {"member": "सीता देवी", "role": "member", "joined_on": "2024-05-01"})
    assert field_errors(response.content.decode(), "member") == [
        "No producer of this district who is not yet a member matches “सीता देवी”."
    ]

    # removing a member
    membership = shg.memberships.get(member=sita)
    response = client.post(f"/producers/{shg.uuid}/members/{membership.pk}/remove/")
    assert response.status_code == 302
    assert list(shg.memberships.values_list("member__name_latin", flat=True)) == ["Ramoo Prajapati"]
    actions = list(
        AuditEntry.objects.filter(object_id=str(shg.pk), action__startswith="group.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["group.add_member", "group.add_member", "group.remove_member"]
    trail = rows_of(client.get(f"/producers/{shg.uuid}/").content.decode(), "audit-entry")
    assert trail[0].endswith("Member removed Member: Sita Devi")
    assert trail[2].endswith("Member added Member: Sita Devi Role in the group: President")


def test_an_artisan_has_no_member_form(ganesh: User, some_producers: dict[str, Producer]) -> None:
    ramu, sita = some_producers["ramu"], some_producers["sita"]
    client = client_for(ganesh)
    assert 'id="member-form-title"' not in client.get(f"/producers/{ramu.uuid}/").content.decode()
    response = client.post(
        f"/producers/{ramu.uuid}/members/",
        {"member": "सीता देवी", "role": "member", "joined_on": "2024-05-01"},
    )
    assert response.status_code == 404
    assert not Membership.objects.filter(member=sita).exists()


# -- A producer's data on request ---------------------------------------------------------------


@pytest.fixture
def ramu_with_history(
    ganesh: User, gorakhpur: District, some_producers: dict[str, Producer]
) -> Producer:
    ramu = some_producers["ramu"]
    Producer.objects.filter(pk=ramu.pk).update(
        mobile="+919876543210", aadhaar_last4="0123", bank_account_masked="XXXXXXXX9012"
    )
    do_record_consent(
        ramu,
        purpose=Consent.Purpose.HOLD_DATA,
        given=True,
        on=datetime.date(2024, 3, 1),
        method=Consent.Method.PAPER,
        acting_user=ganesh,
    )
    do_add_member(
        some_producers["shg"], ramu, joined_on=datetime.date(2024, 4, 1), acting_user=ganesh
    )
    do_record_outreach_visit(
        gorakhpur,
        kind=OutreachVisit.Kind.SENSITISATION,
        on=datetime.date(2024, 3, 5),
        place="Aurangabad panchayat bhawan",
        attendees=[ramu],
        acting_user=ganesh,
    )
    ramu.refresh_from_db()
    return ramu


def test_the_data_export_holds_everything_about_the_producer(
    ganesh: User, ramu_with_history: Producer
) -> None:
    ramu = ramu_with_history
    response = client_for(ganesh).get(f"/producers/{ramu.uuid}/data.json")
    assert response["Content-Disposition"] == f'attachment; filename="producer-{ramu.uuid}.json"'
    data = json.loads(response.content)
    profile = data["profile"][0]
    assert (profile["name_hi"], profile["name_latin"], profile["mobile"]) == (
        "रामू प्रजापति",
        "Ramu Prajapati",
        "+919876543210",
    )
    assert (profile["aadhaar_last4"], profile["bank_account_masked"]) == ("0123", "XXXXXXXX9012")
    assert (profile["village"], profile["pin"], profile["activities"]) == (
        "Aurangabad",
        "273001",
        "pottery",
    )
    assert [(c["purpose"], c["given"], c["on"], c["method"]) for c in data["consents"]] == [
        ("hold_data", True, "2024-03-01", "paper")
    ]
    assert [(s["from_stage"], s["to_stage"]) for s in data["stage_history"]] == [
        ("contacted", "sensitised"),
        ("", "contacted"),
    ]
    assert [(g["group"], g["joined_on"]) for g in data["groups"]] == [("Lakshmi SHG", "2024-04-01")]
    assert data["visits_attended"] == [
        {"kind": "sensitisation", "on": "2024-03-05", "place": "Aurangabad panchayat bhawan"}
    ]


def test_the_excel_export_has_a_sheet_per_section_and_no_formulas(
    ganesh: User, ramu_with_history: Producer
) -> None:
    ramu = ramu_with_history
    Producer.objects.filter(pk=ramu.pk).update(tehsil='=HYPERLINK("http://x")')
    response = client_for(ganesh).get(f"/producers/{ramu.uuid}/data.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Profile",
        "Consents",
        "Stage history",
        "Groups",
        "Members",
        "Visits attended",
        "Products",
        "Orders",
        "Their channels",
        "Messages",
        "Export readiness",
        "Export orders",
        "Merchant-exporter sales",
    ]
    profile = {row[0]: row[1] for row in book["Profile"].iter_rows(values_only=True)}
    assert profile["name_hi"] == "रामू प्रजापति"
    assert profile["tehsil"] == '\'=HYPERLINK("http://x")'
    visits = list(book["Visits attended"].iter_rows(values_only=True))
    assert visits == [
        ("kind", "on", "place"),
        ("sensitisation", "2024-03-05", "Aurangabad panchayat bhawan"),
    ]


def test_erasure_anonymises_the_producer_and_keeps_the_counts(
    ganesh: User, gorakhpur: District, ramu_with_history: Producer
) -> None:
    ramu = ramu_with_history
    client = client_for(ganesh)

    def counts() -> dict[str, int]:
        rows = Producer.objects.filter(district=gorakhpur).values_list("stage", "kind")
        return {f"{stage}/{kind}": list(rows).count((stage, kind)) for stage, kind in set(rows)}

    before = counts()
    confirm = client.get(f"/producers/{ramu.uuid}/erase/").content.decode()
    assert "Erase Ramu Prajapati for good" in confirm
    assert not Producer.objects.filter(pk=ramu.pk, erased_at__isnull=False).exists()

    response = client.post(f"/producers/{ramu.uuid}/erase/")
    assert response.status_code == 302
    assert response["Location"] == "/producers/"
    ramu.refresh_from_db()
    assert ramu.erased_at is not None
    assert (ramu.name_latin, ramu.mobile, ramu.aadhaar_last4, ramu.village, ramu.pin) == (
        "",
        "",
        "",
        "",
        "",
    )
    assert ramu.listing_consent is False
    # the funnel still counts them, by stage and kind
    assert counts() == before
    # but no page shows them any more
    assert "Ramu Prajapati" not in listed_names(client.get("/producers/").content.decode())
    assert client.get(f"/producers/{ramu.uuid}/").status_code == 404
    assert client.get(f"/producers/{ramu.uuid}/data.json").status_code == 404


# -- Who may do what ----------------------------------------------------------------------------


def write_attempts(
    producer: Producer, group: Producer, membership: Membership
) -> list[tuple[str, dict[str, Any]]]:
    return [
        ("/producers/new/", {"kind": "artisan", "name_hi": "नया", "pin": "273001"}),
        (f"/producers/{producer.uuid}/edit/", {"kind": "artisan", "name_hi": "बदला"}),
        (f"/producers/{producer.uuid}/stage/", {"to_stage": "trained", "reason": "x"}),
        (
            f"/producers/{producer.uuid}/consent/",
            {"purpose": "list", "given": "no", "on": TODAY.isoformat(), "method": "verbal"},
        ),
        (
            f"/producers/{group.uuid}/members/",
            {"member": "सीता देवी", "role": "member", "joined_on": "2024-05-01"},
        ),
        (f"/producers/{group.uuid}/members/{membership.pk}/remove/", {}),
        (f"/producers/{producer.uuid}/erase/", {}),
    ]


@pytest.mark.parametrize("persona", ["gita", "sam"])
def test_read_only_roles_see_the_pages_without_forms_and_cannot_post(
    request: pytest.FixtureRequest, persona: str, ganesh: User, some_producers: dict[str, Producer]
) -> None:
    user: User = request.getfixturevalue(persona)
    ramu, shg = some_producers["ramu"], some_producers["shg"]
    membership = do_add_member(shg, some_producers["ramoo"], joined_on=TODAY, acting_user=ganesh)
    client = client_for(user)

    listing = client.get("/producers/").content.decode()
    assert "Ramu Prajapati" in listed_names(listing)
    assert 'href="/producers/new/' not in listing
    detail = client.get(f"/producers/{ramu.uuid}/").content.decode()
    assert "Ramu Prajapati" in detail
    for form_or_link in ("/stage/", "/consent/", "/edit/", "/erase/", "data.json"):
        assert form_or_link not in detail
    assert "/remove/" not in client.get(f"/producers/{shg.uuid}/").content.decode()
    for url in (
        "/producers/new/",
        f"/producers/{ramu.uuid}/edit/",
        f"/producers/{ramu.uuid}/data.json",
    ):
        assert client.get(url).status_code == 403, url

    before = db_snapshot()
    for url, data in write_attempts(ramu, shg, membership):
        assert client.post(url, data).status_code == 403, url
    assert db_snapshot() == before


def test_staff_of_another_district_get_404_on_every_producer_page(
    vani: User, ganesh: User, some_producers: dict[str, Producer]
) -> None:
    ramu, shg = some_producers["ramu"], some_producers["shg"]
    membership = do_add_member(shg, some_producers["ramoo"], joined_on=TODAY, acting_user=ganesh)
    client = client_for(vani)
    for suffix in ("", "edit/", "erase/", "data.json", "data.xlsx"):
        response = client.get(f"/producers/{ramu.uuid}/{suffix}")
        assert response.status_code == 404, suffix
        assert "रामू" not in response.content.decode()
    before = db_snapshot()
    for url, data in write_attempts(ramu, shg, membership)[1:]:
        assert client.post(url, data).status_code == 404, url
    assert db_snapshot() == before


def test_producers_use_their_own_pages_not_these(
    prem: User, ganesh: User, gorakhpur: District
) -> None:
    ramu = register(gorakhpur, ganesh)
    Producer.objects.filter(pk=ramu.pk).update(user=prem)
    client = client_for(prem)
    assert client.get("/producers/").status_code == 403
    assert client.get(f"/producers/{ramu.uuid}/").status_code == 403
    assert client.get("/producers/new/").status_code == 403


def test_a_state_admin_extends_the_activities_in_the_admin(
    alice: User, ganesh: User, gorakhpur: District
) -> None:
    client = client_for(alice)
    response = client.post(
        "/admin/registry/activity/add/",
        {"code": "beading", "name_en": "Beading", "name_hi": "मनका काम", "keywords": "garment"},
    )
    assert response.status_code == 302
    offered = client_for(ganesh).get("/producers/new/").context["form"].fields["activities"]
    assert "beading" in {a.code for a in offered.queryset}
    # producers are only read there: their changes go through the audited pages
    ramu = register(gorakhpur, ganesh)
    client.post(f"/admin/registry/producer/{ramu.pk}/change/", {"name_latin": "Changed"})
    ramu.refresh_from_db()
    assert ramu.name_latin == "Ramu Prajapati"


def test_each_download_of_a_producers_data_is_audited(ganesh: User, ramu: Producer) -> None:
    # given no export yet
    assert not AuditEntry.objects.filter(action="producer.data_export").exists()
    # when centre staff download Ramu's data as JSON, then as Excel
    client = client_for(ganesh)
    assert client.get(f"/producers/{ramu.uuid}/data.json").status_code == 200
    assert client.get(f"/producers/{ramu.uuid}/data.xlsx").status_code == 200
    # then the trail says who took whose data, when, in which format
    entries = AuditEntry.objects.filter(action="producer.data_export").order_by("id")
    assert [(e.actor, e.object_type, e.object_id, e.district_id, e.changes) for e in entries] == [
        (ganesh, "registry.producer", str(ramu.pk), ramu.district_id, {"format": "json"}),
        (ganesh, "registry.producer", str(ramu.pk), ramu.district_id, {"format": "xlsx"}),
    ]
    assert all(timezone.now() - e.created_at < datetime.timedelta(minutes=1) for e in entries)


def test_a_refused_data_download_leaves_no_audit_entry(gita: User, ramu: Producer) -> None:
    # A district officer reads Ramu's page but may not take his data.
    assert client_for(gita).get(f"/producers/{ramu.uuid}/data.json").status_code == 403
    assert not AuditEntry.objects.filter(action="producer.data_export").exists()


def test_control_characters_typed_into_the_page_are_removed(
    ganesh: User, terracotta: OdopProduct, pottery: Activity
) -> None:
    # given a village pasted with a vertical tab (U+000B) and a name with a form feed
    form = artisan_form(
        terracotta, pottery, village="Aurang\x0babad", name_latin="Ramu\x0c Prajapati"
    )
    # when staff save the producer through the register page
    response = client_for(ganesh).post("/producers/new/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    # then the record holds the text without them
    producer = Producer.objects.get()
    assert (producer.village, producer.name_latin) == ("Aurangabad", "Ramu Prajapati")
    # and the producer's data exports
    assert client_for(ganesh).get(f"/producers/{producer.uuid}/data.xlsx").status_code == 200


def test_a_record_saved_with_a_control_character_still_exports(
    ganesh: User, ramu_with_history: Producer
) -> None:
    # given a record saved before input was cleaned (PostgreSQL itself refuses NUL, SQLite not)
    ramu = ramu_with_history
    village = "Aurangabad\x00" if connection.vendor == "sqlite" else "Aurangabad\x08"
    Producer.objects.filter(pk=ramu.pk).update(tehsil="Sa\x0bdar\x1f", village=village)
    client = client_for(ganesh)
    # then the producer's own Excel export opens, without the characters
    response = client.get(f"/producers/{ramu.uuid}/data.xlsx")
    assert response.status_code == 200
    profile = {
        row[0]: row[1]
        for row in load_workbook(io.BytesIO(response.content))["Profile"].iter_rows(
            values_only=True
        )
    }
    assert (profile["tehsil"], profile["village"]) == ("Sadar", "Aurangabad")
    # and so does the registry's list export
    listing = client.get("/producers/export.xlsx")
    assert listing.status_code == 200
    rows = load_workbook(io.BytesIO(b"".join(listing.streaming_content))).active.iter_rows(
        values_only=True
    )
    assert any("Sadar" in row for row in rows)
