"""The registry API as an integration uses it, scoped like the pages."""

from __future__ import annotations

from niryat.registry.models import Producer, Stage
from tests.registry.factories import register
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
