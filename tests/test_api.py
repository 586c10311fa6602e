"""The API as an integration would use it: tokens, scoping, clear errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

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


def test_a_token_expires_after_the_days_chosen_on_my_account(ganesh):
    # given a token made on "My account" for 30 days
    page = client_for(ganesh).post("/account/", {"name": "laptop", "valid_days": "30"})
    token = page.context["new_token"]
    record = ApiToken.objects.get(user=ganesh, name="laptop")
    assert round((record.expires_at - record.created_at) / timedelta(days=1)) == 30
    listing = client_for(ganesh).get("/account/").content.decode()
    assert "Expires" in listing
    assert date_format(timezone.localtime(record.expires_at), "DATE_FORMAT") in listing
    client = Client(headers={"authorization": f"Bearer {token}"})
    assert client.get("/api/me").status_code == 200
    # when its day has passed
    ApiToken.objects.filter(pk=record.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    # then it is refused, saying why
    response = client.get("/api/me")
    assert response.status_code == 401
    record.refresh_from_db()
    expired_on = date_format(timezone.localtime(record.expires_at), "DATE_FORMAT")
    assert response.json() == {
        "detail": f"This API token expired on {expired_on}. Create a new one on your account page."
    }
    assert "(expired)" in client_for(ganesh).get("/account/").content.decode()


def test_a_token_lasts_ninety_days_unless_chosen(ganesh):
    record, _token = do_create_api_token(name="default", acting_user=ganesh)
    assert round((record.expires_at - record.created_at) / timedelta(days=1)) == 90
    page = client_for(ganesh).get("/account/")
    assert page.context["form"]["valid_days"].value() == 90


def test_a_token_lives_one_day_to_a_year(ganesh):
    for days in (0, 366):
        with pytest.raises(ValidationError):
            do_create_api_token(name="bad", valid_days=days, acting_user=ganesh)
    assert not ApiToken.objects.filter(user=ganesh).exists()


def test_revoking_a_token_is_audited_and_refused_by_every_route(ganesh, ramu):
    record, token = do_create_api_token(name="old", acting_user=ganesh)
    client = Client(headers={"authorization": f"Bearer {token}"})
    assert client.get("/api/producers").status_code == 200
    client_for(ganesh).post(f"/account/tokens/{record.pk}/revoke/")
    assert AuditEntry.objects.filter(action="api_token.revoke", actor=ganesh).count() == 1
    for url in ["/api/me", "/api/districts", "/api/producers", "/api/products"]:
        assert client.get(url).status_code == 401, url


@pytest.mark.parametrize("route", ["/api/districts", "/api/producers", "/api/products"])
@pytest.mark.parametrize(
    "query", ["limit=9223372036854775808", "offset=9223372036854775808", "limit=1001", "limit=0"]
)
def test_list_routes_refuse_limits_and_offsets_out_of_bounds(ganesh, route, query):
    response = bearer(ganesh).get(f"{route}?{query}")
    assert response.status_code == 422
    field = query.split("=")[0]
    assert [error["loc"][-1] for error in response.json()["detail"]] == [field]


@pytest.mark.parametrize("route", ["/api/districts", "/api/producers", "/api/products"])
def test_list_routes_page_within_bounds(ganesh, ramu, route):
    client = bearer(ganesh)
    response = client.get(f"{route}?limit=1000&offset=1000000000000")
    assert response.status_code == 200
    assert response.json()["items"] == []
    assert response.json()["count"] == client.get(route).json()["count"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/products?odop_product=99999999999999999999999",
        "/api/products?odop_product=²",
        "/api/producers?district=99999999999999999999999&odop_product=²",
    ],
)
def test_numbers_no_record_can_have_are_ignored_by_the_filters(ganesh, url):
    """Found by the API fuzzing: a number beyond 64 bits (or a superscript digit) in a filter was
    a server error; it names no record, so the filter ignores it."""
    response = bearer(ganesh).get(url)
    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 0}


def test_an_id_beyond_64_bits_is_refused_by_name(ganesh):
    response = bearer(ganesh).post("/api/needs-attention/99999999999999999999/retry")
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["loc"], error["ctx"]) == (["path", "entry_id"], {"le": 2**63 - 1})
