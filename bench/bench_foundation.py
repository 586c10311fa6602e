"""What the foundation costs: district scoping, the state home page, and API authentication."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.shortcuts import render
from django.test import Client, RequestFactory

from bench.generate import a_user, describe
from bench.harness import Result, Target, compare, queries
from niryat.core.actions import do_create_api_token, do_revoke_api_token
from niryat.core.models import District, Role, User
from niryat.core.views import districts_with_counts
from niryat.site.views import state_home_context

SIZE = ("districts", "odop_products", "users")


def unscoped_counts() -> Any:
    """The counts of `views.districts_with_counts` on a bare queryset, with no scoping."""
    return District.objects.all().with_counts().order_by("name_en")


def joined_counts() -> Any:
    """The first version of the counts: one query joining products and users, counted distinct."""
    return (
        District.objects.all()
        .annotate(
            odop_count=Count("odop_products", distinct=True),
            verified_count=Count(
                "odop_products", filter=Q(odop_products__verified=True), distinct=True
            ),
            staff_count=Count("users", filter=Q(users__role=Role.CENTRE_STAFF), distinct=True),
        )
        .order_by("name_en")
    )


def _same_sql(ours: Any, theirs: Any, what: str) -> None:
    # A baseline that drifted from the view would measure something else; fail loudly instead.
    if str(ours.query) != str(theirs.query):
        raise AssertionError(f"the baseline no longer matches {what}; update bench_foundation")


def _ok(response: Any) -> Any:
    if response.status_code != 200:
        raise AssertionError(f"{response.request['PATH_INFO']} answered {response.status_code}")
    return response


def scoping(admin: User, staff: User) -> list[Result]:
    """`visible_to` + the home page's counts, evaluated, against the same query unscoped."""
    _same_sql(districts_with_counts(admin), unscoped_counts(), "districts_with_counts(state user)")

    def by_hand() -> Any:
        return unscoped_counts().filter(pk=staff.district_id)

    _same_sql(districts_with_counts(staff), by_hand(), "districts_with_counts(centre staff)")
    size = describe(*SIZE)

    admin_ms, bare_ms = compare(
        lambda: list(districts_with_counts(admin)), lambda: list(unscoped_counts())
    )
    staff_ms, staff_bare_ms = compare(
        lambda: list(districts_with_counts(staff)), lambda: list(unscoped_counts())
    )

    def counted(districts: Any) -> list[tuple[int, int, int, int]]:
        return [(d.pk, d.odop_count, d.verified_count, d.staff_count) for d in districts]

    if counted(unscoped_counts()) != counted(joined_counts()):
        raise AssertionError("subquery and join counts differ")
    subquery_ms, join_ms = compare(lambda: list(unscoped_counts()), lambda: list(joined_counts()))
    staff_layer_ms, staff_hand_ms = compare(
        lambda: list(districts_with_counts(staff)), lambda: list(by_hand())
    )
    return [
        Result(
            "counts: subqueries (75 rows)",
            size,
            subquery_ms,
            join_ms,
            "the first version: one query joining products and users, counted distinct",
        ),
        Result(
            "scoping: counts, state admin (75 rows)",
            size,
            admin_ms,
            bare_ms,
            "the same counts on District.objects.all(), unscoped, all districts",
        ),
        Result(
            "scoping: counts, centre staff (1 row)",
            size,
            staff_ms,
            staff_bare_ms,
            "the same counts on District.objects.all(), unscoped, all districts",
            note="below 1 because scoping narrows the query to one district",
        ),
        Result(
            "scoping: counts, centre staff (1 row)",
            size,
            staff_layer_ms,
            staff_hand_ms,
            "the same counts with .filter(pk=district) written by hand (identical SQL), "
            "i.e. the scoping layer's own cost",
            target=Target("ratio", 1.25),
        ),
    ]


def home_page(admin: User) -> Result:
    """GET / as a state admin, against its query and template rendered without the request stack."""
    client = Client()
    client.force_login(admin)
    request = RequestFactory().get("/")
    request.user = admin
    request.session = client.session

    def direct() -> Any:
        # What the view does, minus URL routing, middleware (session, auth, CSRF, locale, axes)
        # and the test client's own request building.
        return render(request, "core/home_state.html", state_home_context(admin))

    page = _ok(client.get("/"))
    if page.content.count(b"<tr>") != direct().content.count(b"<tr>"):
        raise AssertionError("the baseline renders a different table than GET /")
    measured, baseline = compare(lambda: _ok(client.get("/")), direct)
    ours, theirs = queries(lambda: client.get("/")), queries(direct)
    return Result(
        "page: GET / (state admin)",
        describe(*SIZE),
        measured,
        baseline,
        "the same queryset and template rendered directly (RequestFactory request, no middleware, "
        "no session or user lookup)",
        note=f"SQL statements per call: {ours} measured, {theirs} baseline",
    )


def api_auth(admin: User) -> Result:
    """GET /api/districts with a bearer token, against the same request on a browser session."""
    record, token = do_create_api_token(name="bench", acting_user=admin)
    bearer = Client(headers={"Authorization": f"Bearer {token}"})
    session = Client()
    session.force_login(admin)
    count = District.objects.count()
    for client in (bearer, session):
        if _ok(client.get("/api/districts")).json()["count"] != count:
            raise AssertionError("/api/districts did not list every district")
    measured, baseline = compare(
        lambda: _ok(bearer.get("/api/districts")), lambda: _ok(session.get("/api/districts"))
    )
    ours = queries(lambda: bearer.get("/api/districts"))
    theirs = queries(lambda: session.get("/api/districts"))
    do_revoke_api_token(record, acting_user=admin)
    return Result(
        "api: GET /api/districts, bearer token",
        describe(*SIZE),
        measured,
        baseline,
        "the same request signed in by session cookie (django-ninja SessionAuth)",
        note=f"SQL statements per call: {ours} measured (the token's last use is written at most "
        f"every 5 minutes), {theirs} baseline; both count the districts for pagination",
    )


def run(scale: float) -> list[Result]:
    admin = a_user(Role.STATE_ADMIN)
    staff = a_user(Role.CENTRE_STAFF)
    return [*scoping(admin, staff), home_page(admin), api_auth(admin)]
