"""Pages as each role sees them."""

from __future__ import annotations

import re

from django.conf import settings
from django.test import Client

from niryat.core.models import AuditEntry, Centre
from tests.conftest import client_for


def test_state_home_lists_every_district_with_counts(alice, ganesh, django_assert_num_queries):
    client = client_for(alice)
    client.get("/")  # warm the session and language
    # The session, the user, the districts with their counts, and the funnel: its counts in one
    # GROUP BY query and the ODOP product names.
    with django_assert_num_queries(5):
        response = client.get("/")
    districts = list(response.context["districts"])
    assert len(districts) == 75
    gorakhpur = next(d for d in districts if d.lgd_code == 148)
    assert (gorakhpur.odop_count, gorakhpur.verified_count, gorakhpur.staff_count) == (2, 2, 1)


def test_district_list_filters_by_division(sam):
    response = client_for(sam).get("/districts/?division=Gorakhpur")
    names = [d.name_en for d in response.context["districts"]]
    assert names == ["Deoria", "Gorakhpur", "Kushinagar", "Maharajganj"]


def test_district_officer_lands_on_their_district(gita):
    response = client_for(gita).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/districts/148/"


def test_centre_staff_home_shows_their_centre_and_products(ganesh):
    page = client_for(ganesh, **{"accept-language": "hi"}).get("/").content.decode()
    assert "निर्यात विकास केन्द्र, गोरखपुर" in page
    assert "टेराकोटा" in page


def test_producer_home_is_their_own(prem):
    page = client_for(prem).get("/").content.decode()
    assert "Gorakhpur" in page
    assert "Districts" not in page  # no state navigation


def test_district_page_shows_odop_products_in_both_languages(ganesh):
    page = client_for(ganesh).get("/districts/148/").content.decode()
    assert "टेराकोटा" in page
    assert "Terracotta" in page
    assert "Edit the centre's details" in page


def test_staff_edit_their_centre(ganesh):
    response = client_for(ganesh).post(
        "/districts/148/centre/",
        {
            "name_en": "EDC Gorakhpur",
            "name_hi": "निर्यात विकास केन्द्र गोरखपुर",
            "address": "DIC campus",
            "phone": "0551-2333333",
            "email": "edc@example.org",
        },
    )
    assert response.status_code == 302
    centre = Centre.objects.get(district__lgd_code=148)
    assert (centre.name_en, centre.address) == ("EDC Gorakhpur", "DIC campus")
    assert AuditEntry.objects.get(action="centre.update").changes["address"] == ["", "DIC campus"]


def test_bad_hs_code_on_the_form_saves_nothing(ganesh, terracotta):
    response = client_for(ganesh).post(
        f"/odop-products/{terracotta.pk}/edit/",
        {"name_en": "Terracotta!", "name_hi": "टेराकोटा", "hs_codes": "6913 12ab", "verified": "on"},
    )
    assert response.status_code == 200
    assert "Not an HS code (4, 6 or 8 digits): 12ab" in response.content.decode()
    terracotta.refresh_from_db()
    assert terracotta.name_en == "Terracotta"


def test_anonymous_visitors_are_sent_to_sign_in(db):
    for url in ["/", "/districts/", "/districts/148/", "/account/", "/reference-data/"]:
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")


def test_api_token_is_shown_once(ganesh):
    client = client_for(ganesh)
    response = client.post("/account/", {"name": "laptop"})
    token = response.context["new_token"]
    assert token in response.content.decode()
    assert "it will not be shown again" in response.content.decode()
    again = client.get("/account/").content.decode()
    assert "laptop" in again
    assert token not in again


def test_pages_carry_a_content_security_policy_and_a_permissions_policy(ganesh):
    response = client_for(ganesh).get("/")
    assert response.status_code == 200
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert response["Permissions-Policy"].startswith("camera=(), microphone=(), geolocation=()")
    # The sign-in page, seen before anyone is signed in, carries them too.
    login = Client().get("/login/")
    assert login["Content-Security-Policy"] == response["Content-Security-Policy"]
    assert login["Permissions-Policy"] == response["Permissions-Policy"]


def test_no_page_template_holds_an_inline_script_or_style():
    """The policy refuses them: a new one would silently not work in the browser. A JSON-LD
    block (the showcase's schema.org data) is data that no browser runs: it may be inline."""
    inline = re.compile(
        r"<script(?![^>]*\b(?:src=|type=\"application/ld\+json\"))[^>]*>"
        r"|<style\b|\sstyle=|\son[a-z]+=",
        re.IGNORECASE,
    )
    # Label and export-document PDFs are drawn by WeasyPrint, not a browser: their templates
    # may style themselves.
    offenders = [
        str(path.relative_to(settings.BASE_DIR))
        for path in (settings.BASE_DIR / "templates").rglob("*.html")
        if path.name != "labels.html"
        and path.parent.name != "pdf"
        and inline.search(path.read_text())
    ]
    assert offenders == []
