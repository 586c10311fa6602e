"""The registry API as an integration uses it, scoped like the pages."""

from __future__ import annotations

import pytest
from django.test import Client

from niryat.core.actions import do_create_api_token
from niryat.core.models import AuditEntry, OdopProduct
from niryat.registry.models import Activity, Producer, Stage
from tests.conftest import hindi
from tests.registry.factories import register
from tests.registry.rule_cases import (
    AADHAAR_LAST4,
    ACCOUNT_MASKED,
    FULL_AADHAAR,
    FULL_ACCOUNT,
    REFUSED,
    REFUSED_IDS,
    SECRET_PARTS,
    VALID,
    assert_not_stored,
)
from tests.test_api import bearer

ARTISAN = {
    "kind": "artisan",
    "name_hi": "रामू प्रजापति",
    "gender": "male",
    "village": "Aurangabad",
    "pin": "273001",
    "mobile": "98765 43210",
    "aadhaar": "2345 6789 0123",
    "activities": ["pottery", "firing"],
}


def test_register_list_and_read(ganesh, terracotta):
    client = bearer(ganesh)
    response = client.post(
        "/api/districts/148/producers",
        {**ARTISAN, "odop_product_id": terracotta.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    producer = body["producer"]
    assert (producer["name_latin"], producer["mobile"], producer["aadhaar_last4"]) == (
        "Ramu Prajapati",
        "+919876543210",
        "0123",
    )
    assert sorted(producer["activities"]) == ["firing", "pottery"]
    assert body["possible_duplicates"] == []
    listed = client.get("/api/producers?q=Ramoo").json()
    assert [p["uuid"] for p in listed["items"]] == [producer["uuid"]]
    assert client.get(f"/api/producers/{producer['uuid']}").json()["stage"] == "contacted"


def test_invalid_fields_are_named_and_nothing_is_saved(ganesh):
    response = bearer(ganesh).post(
        "/api/districts/148/producers",
        {**ARTISAN, "mobile": "12345", "udyam": "UDYAM-UP-1", "activities": ["welding"]},
        content_type="application/json",
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["mobile"] == [
        "12345 is not a valid mobile number. Give 10 digits, like 98765 43210."
    ]
    assert detail["udyam"] == [
        "Udyam number must look like UDYAM-UP-00-0000000; UDYAM-UP-1 does not."
    ]
    assert detail["activities"] == ["Unknown activity for this district: welding"]
    assert not Producer.objects.exists()


def test_duplicates_are_reported_on_registration(ganesh, gorakhpur):
    register(gorakhpur, ganesh, name_hi="रामू प्रजापति", mobile="+919876543210")
    body = (
        bearer(ganesh)
        .post("/api/districts/148/producers", ARTISAN, content_type="application/json")
        .json()
    )
    assert [d["reasons"] for d in body["possible_duplicates"]] == [
        ["same mobile number", "similar name in the same village or PIN code"]
    ]


def test_other_districts_and_read_only_roles(ganesh, vani, gita, gorakhpur):
    producer = register(gorakhpur, ganesh)
    assert bearer(vani).get(f"/api/producers/{producer.uuid}").status_code == 404
    assert bearer(vani).get("/api/producers").json()["count"] == 0
    assert bearer(gita).get(f"/api/producers/{producer.uuid}").status_code == 200
    refused = bearer(gita).post(
        f"/api/producers/{producer.uuid}/stage",
        {"stage": "trained", "reason": "x"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert (
        bearer(vani)
        .post("/api/districts/148/producers", ARTISAN, content_type="application/json")
        .status_code
        == 404
    )
    producer.refresh_from_db()
    assert producer.stage == Stage.CONTACTED
    assert Producer.objects.count() == 1


def test_stage_and_consent(ganesh, gorakhpur):
    producer = register(gorakhpur, ganesh)
    client = bearer(ganesh)
    moved = client.post(
        f"/api/producers/{producer.uuid}/stage",
        {"stage": "trained", "reason": "GeM camp"},
        content_type="application/json",
    )
    assert moved.json()["stage"] == "trained"
    consent = client.post(
        f"/api/producers/{producer.uuid}/consents",
        {"purpose": "list", "given": True, "on": "2026-11-22", "method": "paper"},
        content_type="application/json",
    )
    assert consent.json()["listing_consent"] is True


def test_producer_user_sees_only_their_own_record(prem, ganesh, gorakhpur):
    mine = register(gorakhpur, ganesh, name_hi="प्रेम कुमार", pin="273005", village="Jungle Kauria")
    Producer.objects.filter(pk=mine.pk).update(user=prem)
    register(gorakhpur, ganesh, name_hi="रामू प्रजापति")
    listed = bearer(prem).get("/api/producers").json()
    assert [p["uuid"] for p in listed["items"]] == [str(mine.uuid)]


# --- The registry's rules: the action's, as on the page and in the sheet import ---------------


@pytest.mark.parametrize(("field", "typed", "sentence"), REFUSED, ids=REFUSED_IDS)
def test_the_api_refuses_as_the_action_does_naming_the_field(
    ganesh, gorakhpur, field, typed, sentence
):
    client = bearer(ganesh)
    response = client.post(
        "/api/districts/148/producers", {**VALID, field: typed}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json() == {"detail": {field: [sentence]}}
    assert not Producer.objects.exists()
    ramu = register(gorakhpur, ganesh)
    before = list(Producer.objects.values())
    patched = client.patch(
        f"/api/producers/{ramu.uuid}", {field: typed}, content_type="application/json"
    )
    assert patched.status_code == 422
    assert patched.json() == {"detail": {field: [sentence]}}
    assert list(Producer.objects.values()) == before


def test_the_api_refuses_in_the_users_language(ganesh):
    _, token = do_create_api_token(name="hi", acting_user=ganesh)
    client = Client(headers={"authorization": f"Bearer {token}", "accept-language": "hi"})
    response = client.post(
        "/api/districts/148/producers",
        {**VALID, "bank_account": "123"},
        content_type="application/json",
    )
    assert response.json() == {
        "detail": {"bank_account": [hindi("A bank account number has 6 to 18 digits.")]}
    }


def test_full_numbers_sent_to_the_api_are_stored_masked_by_post_put_and_patch(ganesh):
    client = bearer(ganesh)
    created = client.post(
        "/api/districts/148/producers",
        {**ARTISAN, "aadhaar": FULL_AADHAAR, "bank_account": FULL_ACCOUNT},
        content_type="application/json",
    ).json()["producer"]
    assert (created["aadhaar_last4"], created["bank_account_masked"]) == (
        AADHAAR_LAST4,
        ACCOUNT_MASKED,
    )
    url = f"/api/producers/{created['uuid']}"
    # a PUT without them keeps them; with them, stores their last digits only
    kept = client.put(url, {**ARTISAN, "aadhaar": ""}, content_type="application/json").json()
    assert (kept["aadhaar_last4"], kept["bank_account_masked"]) == (AADHAAR_LAST4, ACCOUNT_MASKED)
    put = client.put(
        url, {**ARTISAN, "aadhaar": "3456 7890 1234"}, content_type="application/json"
    ).json()
    assert put["aadhaar_last4"] == "1234"
    patched = client.patch(
        url,
        {"aadhaar": "4567-8901-2345", "bank_account": "55566677788"},
        content_type="application/json",
    ).json()
    assert (patched["aadhaar_last4"], patched["bank_account_masked"]) == ("2345", "XXXXXXX7788")
    assert_not_stored(*SECRET_PARTS, "34567890", "45678901", "5556667")


def test_a_patch_changes_only_what_it_names(ganesh, gorakhpur, terracotta):
    sita = register(
        gorakhpur,
        ganesh,
        name_hi="सीता देवी",
        mobile="+919876543210",
        aadhaar="0123",
        odop_product=terracotta,
    )
    sita.activities.set(Activity.objects.filter(code="pottery"))
    client = bearer(ganesh)
    body = client.patch(
        f"/api/producers/{sita.uuid}",
        {"gender": "female", "mobile": "+91 98390 12345", "gstin": "27aapfu0939f1zv"},
        content_type="application/json",
    ).json()
    assert (body["gender"], body["women_led"], body["mobile"], body["gstin"]) == (
        "female",
        True,  # a woman artisan's enterprise is women-led
        "+919839012345",
        "27AAPFU0939F1ZV",
    )
    assert (body["name_latin"], body["aadhaar_last4"], body["activities"]) == (
        "Sita Devi",
        "0123",
        ["pottery"],
    )
    assert body["odop_product_id"] == terracotta.pk
    audit = AuditEntry.objects.filter(action="producer.update").get()
    assert sorted(audit.changes) == ["gender", "gstin", "mobile", "women_led"]
    # an ODOP product of another district is refused by the action, an unknown id by the API
    banarasi = OdopProduct.objects.get(name_en="Banarasi silk sarees")
    refused = client.patch(
        f"/api/producers/{sita.uuid}",
        {"odop_product_id": banarasi.pk, "activities": ["welding"]},
        content_type="application/json",
    )
    assert refused.json() == {
        "detail": {
            "odop_product": ["That ODOP product belongs to another district."],
            "activities": ["Unknown activity for this district: welding"],
        }
    }
    unknown = client.patch(
        f"/api/producers/{sita.uuid}", {"odop_product_id": 999999}, content_type="application/json"
    )
    assert unknown.json() == {"detail": {"odop_product": ["There is no ODOP product 999999."]}}
    sita.refresh_from_db()
    assert sita.odop_product == terracotta


def test_read_only_roles_cannot_patch(gita, vani, ganesh, gorakhpur):
    ramu = register(gorakhpur, ganesh)
    for user, status in ((gita, 403), (vani, 404)):
        response = bearer(user).patch(
            f"/api/producers/{ramu.uuid}", {"aadhaar": "12"}, content_type="application/json"
        )
        assert response.status_code == status
    assert Producer.objects.get().aadhaar_last4 == ""
