"""Pages that gather several apps: each role's home and a district's page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from niryat.core.models import Centre, District, OdopProduct, Role, TaskProgress, User
from niryat.core.scoping import current_user, get_visible_or_404
from niryat.core.views import districts_with_counts
from niryat.exportdesk.reports import exports_by_country
from niryat.registry.funnel import district_funnel, state_funnel
from niryat.registry.portal_views import producer_home
from niryat.site.today import staff_today


def state_home_context(user: User) -> dict[str, Any]:
    """The state's home page: every district with its counts, and the state's funnel."""
    return {"districts": districts_with_counts(user), "funnel": state_funnel()}


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if user.is_state_level:
        return render(request, "core/home_state.html", state_home_context(user))
    if user.role == Role.DISTRICT_OFFICER:
        return redirect("district_detail", lgd_code=user.district.lgd_code)  # type: ignore[union-attr]
    if user.role == Role.PRODUCER:
        return producer_home(request)
    district = user.district
    context = {
        "district": district,
        "centre": Centre.objects.filter(district=district).first(),
        "odop_products": OdopProduct.objects.visible_to(user),
        "tasks": TaskProgress.objects.filter(owner=user)[:5],
        "today": staff_today(user),
        "can_change_centre": user.can_write,
    }
    return render(request, "core/home_staff.html", context)


@require_safe
@login_required
def district_detail(request: HttpRequest, lgd_code: int) -> HttpResponse:
    user = current_user(request)
    district = get_visible_or_404(District.objects, user, lgd_code=lgd_code)
    centre = Centre.objects.filter(district=district).first()
    return render(
        request,
        "core/district_detail.html",
        {
            "district": district,
            "centre": centre,
            "odop_products": OdopProduct.objects.in_district(district),
            "staff": User.objects.filter(district=district, role=Role.CENTRE_STAFF).select_related(
                "partner_org"
            ),
            "can_change": Centre.objects.changeable_by(user).filter(district=district).exists(),
            "funnel": district_funnel(district) if user.role != Role.PRODUCER else None,
            "by_country": exports_by_country(district) if user.role != Role.PRODUCER else None,
        },
    )
