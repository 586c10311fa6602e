"""The API as an integration would use it: tokens, scoping, clear errors."""

from __future__ import annotations

from django.test import Client

from niryat.core.actions import do_create_api_token
from niryat.core.models import ApiToken, AuditEntry
from tests.conftest import client_for, hindi


def bearer(user) -> Client:  # type: ignore[no-untyped-def]
    _, token = do_create_api_token(name="test", acting_user=user)
    return Client(headers={"authorization": f"Bearer {token}"})


def test_token_is_stored_only_as_a_digest(ganesh):
    record, token = do_create_api_token(name="laptop", acting_user=ganesh)
    assert token.startswith("nyt_")
    stored = ApiToken.objects.get(pk=record.pk)
    assert token not in (stored.digest, stored.prefix)
    assert len(stored.digest) == 64


def test_me(ganesh):
    body = bearer(ganesh).get("/api/me").json()
    assert body["username"] == "ganesh"
    assert body["role"] == "centre_staff"
    assert body["district"] == {"lgd_code": 148, "name_en": "Gorakhpur", "name_hi": "गोरखपुर"}


def test_districts_are_scoped(ganesh, sam):
    staff = bearer(ganesh).get("/api/districts").json()
    assert [d["name_en"] for d in staff["items"]] == ["Gorakhpur"]
    assert staff["items"][0]["odop_count"] == 2
    state = bearer(sam).get("/api/districts?limit=100").json()
    assert state["count"] == 75


def test_odop_products_of_a_district(ganesh):
    products = bearer(ganesh).get("/api/districts/148/odop-products").json()
    assert sorted(p["name_hi"] for p in products) == ["टेराकोटा", "रेडीमेड वस्त्र"]
    terracotta = next(p for p in products if p["name_en"] == "Terracotta")
    assert terracotta["hs_codes"] == ["6913", "6912"]


def test_staff_correct_their_own_odop_product(ganesh, terracotta):
    response = bearer(ganesh).patch(
        f"/api/odop-products/{terracotta.pk}",
        {"hs_codes": ["6913", "691390"]},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["hs_codes"] == ["6913", "691390"]
    terracotta.refresh_from_db()
    assert terracotta.hs_codes == ["6913", "691390"]
    assert AuditEntry.objects.get(action="odop_product.update").actor == ganesh


def test_bad_hs_code_is_refused_and_nothing_saved(ganesh, terracotta):
    response = bearer(ganesh).patch(
        f"/api/odop-products/{terracotta.pk}",
        {"hs_codes": ["12ab"], "verified": False},
        content_type="application/json",
        headers={"accept-language": "hi"},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        hindi("Not an HS code (4, 6 or 8 digits): %(codes)s") % {"codes": "12ab"}
    ]
    terracotta.refresh_from_db()
    assert (terracotta.hs_codes, terracotta.verified) == (["6913", "6912"], True)


def test_district_officer_reads_but_cannot_change(gita, terracotta):
    client = bearer(gita)
    assert client.get(f"/api/odop-products/{terracotta.pk}").status_code == 200
    response = client.patch(
        f"/api/odop-products/{terracotta.pk}", {"verified": False}, content_type="application/json"
    )
    assert response.status_code == 403
    terracotta.refresh_from_db()
    assert terracotta.verified is True


def test_malformed_and_unknown_tokens_get_a_clear_401(db):
    for header in [
        "Bearer",
        "Bearer nonsense",
        "Bearer nyt_unknown",
        "Token abc",
        "Bearer " + "x" * 500,
    ]:
        response = Client(headers={"authorization": header, "accept-language": "hi"}).get("/api/me")
        assert response.status_code == 401, header
        assert response.json() == {
            "detail": hindi("Sign in, or send a valid API token: Authorization: Bearer <token>.")
        }


def test_revoked_token_stops_working(ganesh):
    record, token = do_create_api_token(name="old", acting_user=ganesh)
    client = Client(headers={"authorization": f"Bearer {token}"})
    assert client.get("/api/me").status_code == 200
    client_for(ganesh).post(f"/account/tokens/{record.pk}/revoke/")
    assert client.get("/api/me").status_code == 401


def test_session_writes_need_csrf(ganesh, terracotta):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ganesh)
    response = client.patch(
        f"/api/odop-products/{terracotta.pk}", {"verified": False}, content_type="application/json"
    )
    assert response.status_code in {401, 403}
    terracotta.refresh_from_db()
    assert terracotta.verified is True


def test_openapi_docs_are_served(db):
    assert Client().get("/api/docs").status_code == 200
    schema = Client().get("/api/openapi.json").json()
    assert "/api/districts/{lgd_code}/odop-products" in schema["paths"]
