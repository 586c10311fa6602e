"""Walk every page and API route as each role: nothing of another district is read or changed.

A new URL with a parameter must be added to FOREIGN_VALUES below, or this test fails: that is
deliberate, so that no page escapes the walk.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from niryat.api import api
from niryat.core.actions import do_create_api_token
from niryat.core.models import ApiToken, AuditEntry, Centre, OdopProduct, User
from niryat.core.progress import start_progress
from tests.conftest import client_for

MARKER = "VARANASI-PRIVATE-MARKER"

# Pages that are not about any district: signing in and out, the language, one's own account.
NOT_DISTRICT_PAGES = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
}


def walk(patterns: list[Any], prefix: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern) in {"admin/", "api/"}:
                continue  # the admin is checked on its own, the API below
            found += walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif pattern.name:
            found.append((prefix + str(pattern.pattern), pattern))
    return found


@pytest.fixture
def foreign(varanasi, vani, banarasi) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Varanasi's records, marked so that a leak shows in any page."""
    Centre.objects.filter(district=varanasi).update(address=MARKER)
    OdopProduct.objects.filter(pk=banarasi.pk).update(listing=MARKER)
    token, _ = do_create_api_token(name=MARKER, acting_user=vani)
    progress = start_progress(owner=vani, label=MARKER, district=varanasi)
    return {
        "lgd_code": varanasi.lgd_code,
        "pk": {"odop_product_edit": banarasi.pk, "api_token_revoke": token.pk},
        "uuid": progress.uuid,
        "product_id": banarasi.pk,
        "progress_id": progress.uuid,
    }


def kwargs_for(name: str, pattern: URLPattern, foreign: dict[str, Any]) -> dict[str, Any]:
    kwargs = {}
    for key in pattern.pattern.converters:
        value = foreign.get(key)
        if isinstance(value, dict):
            value = value.get(name)
        assert value is not None, f"add a foreign value for {name}:{key} in FOREIGN_VALUES"
        kwargs[key] = value
    return kwargs


def snapshot() -> list[Any]:
    return [
        list(OdopProduct.objects.order_by("pk").values()),
        list(Centre.objects.order_by("pk").values()),
        list(ApiToken.objects.order_by("pk").values_list("pk", "name")),
        AuditEntry.objects.count(),
    ]


@pytest.mark.parametrize("persona", ["gita", "ganesh", "prem"])
def test_district_people_never_see_or_change_another_district(request, persona, foreign):
    user: User = request.getfixturevalue(persona)
    client = client_for(user)
    before = snapshot()
    pages = walk(get_resolver().url_patterns)
    assert len(pages) >= 10
    for route, pattern in pages:
        name = pattern.name
        if name in NOT_DISTRICT_PAGES:
            continue
        url = reverse(name, kwargs=kwargs_for(name, pattern, foreign))
        got = client.get(url)
        content = got.content.decode()
        assert MARKER not in content, f"{persona} read Varanasi's data on {route}"
        if pattern.pattern.converters:
            assert got.status_code in {403, 404, 405}, f"{persona} GET {url}: {got.status_code}"
        posted = client.post(url, {"name_en": "changed", "address": "changed", "verified": "on"})
        allowed = {403, 404, 405} if pattern.pattern.converters else {200, 302, 403, 405}
        assert posted.status_code in allowed, f"{persona} POST {url}: {posted.status_code}"
        assert MARKER not in posted.content.decode()
    # Nothing was changed: no record, no token, no audit entry.
    assert snapshot() == before


def test_refused_writes_leave_no_trace(ganesh, gita, sam, banarasi, terracotta):
    """A staff user of Gorakhpur, an officer and a state viewer all fail to change records."""
    before = snapshot()
    attempts = [
        (ganesh, reverse("odop_product_edit", args=[banarasi.pk]), 404),
        (ganesh, reverse("centre_edit", args=[187]), 404),
        (gita, reverse("odop_product_edit", args=[terracotta.pk]), 403),
        (gita, reverse("centre_edit", args=[148]), 403),
        (sam, reverse("odop_product_edit", args=[terracotta.pk]), 403),
        (sam, reverse("centre_edit", args=[187]), 403),
    ]
    for user, url, status in attempts:
        response = client_for(user).post(url, {"name_en": "X", "name_hi": "क", "verified": "on"})
        assert response.status_code == status, (user.username, url)
    assert snapshot() == before


def api_routes() -> list[tuple[str, str, list[str]]]:
    schema = api.get_openapi_schema()
    routes = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            params = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            routes.append((method.upper(), path, params))
    return routes


@pytest.mark.parametrize("persona", ["gita", "ganesh", "prem"])
def test_every_api_route_is_scoped(request, persona, foreign):
    user: User = request.getfixturevalue(persona)
    _, token = do_create_api_token(name="walk", acting_user=user)
    client = client_for(user)
    client.logout()
    headers = {"Authorization": f"Bearer {token}"}
    before = snapshot()
    routes = api_routes()
    assert len(routes) >= 6
    for method, path, params in routes:
        url = path
        for param in params:
            assert param in foreign, f"add a foreign value for API parameter {param}"
            url = url.replace("{" + param + "}", str(foreign[param]))
        body = json.dumps({"name_en": "changed", "verified": True})
        response = client.generic(
            method, url, body, content_type="application/json", headers=headers
        )
        assert MARKER not in response.content.decode(), f"{persona} {method} {url} leaked"
        if params:
            assert response.status_code in {403, 404}, f"{persona} {method} {url}"
        else:
            assert response.status_code == 200, f"{persona} {method} {url}"
    assert snapshot() == before


def test_state_viewer_reads_everything_but_changes_nothing(sam, banarasi):
    client = client_for(sam)
    assert client.get(reverse("district_detail", args=[187])).status_code == 200
    response = client.patch(
        f"/api/odop-products/{banarasi.pk}", {"verified": False}, content_type="application/json"
    )
    assert response.status_code == 403
    banarasi.refresh_from_db()
    assert banarasi.verified is True


def test_state_admin_may_change_any_district(alice, banarasi):
    response = client_for(alice).post(
        reverse("odop_product_edit", args=[banarasi.pk]),
        {
            "name_en": "Banarasi silk sarees",
            "name_hi": "बनारसी साड़ी",
            "hs_codes": "5007",
            "verified": "on",
        },
    )
    assert response.status_code == 302
    banarasi.refresh_from_db()
    assert banarasi.name_hi == "बनारसी साड़ी"
    entry = AuditEntry.objects.get(action="odop_product.update")
    assert entry.actor == alice
    assert entry.changes == {"name_hi": ["बनारसी रेशमी साड़ी", "बनारसी साड़ी"]}


def test_admin_site_is_for_state_admins_only(alice, ganesh, sam):
    assert client_for(alice).get("/admin/").status_code == 200
    for user in (ganesh, sam):
        response = client_for(user).get("/admin/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
