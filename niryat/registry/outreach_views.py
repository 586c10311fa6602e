"""Pages of the outreach funnel: visits and sensitisation meetings, and the funnel counts."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_safe

from niryat.core.access import staff_only
from niryat.core.dates import format_date
from niryat.core.models import District, OdopProduct, User
from niryat.core.scoping import current_user, get_changeable_or_deny, get_visible_or_404
from niryat.registry.actions import do_record_outreach_visit
from niryat.registry.funnel import FunnelFilters, district_funnel, state_funnel
from niryat.registry.models import Kind, OutreachVisit, Producer, Stage, StageChange

PAGE_SIZE = 25
# Search results offered at once when picking attendees; typing more of a name narrows them.
ATTENDEE_RESULTS = 20


def chosen_district(request: HttpRequest, user: User) -> District | None:
    """The district a page is about: the user's own or, for state users, the one picked with
    `?district=<LGD code>`; None means every district (state users only)."""
    if not user.is_state_level:
        return user.district
    code = request.GET.get("district", "")
    if code.isdigit():
        return get_visible_or_404(District.objects, user, lgd_code=int(code))
    return None


def paginate(request: HttpRequest, records: Any) -> Page:
    return Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))


class OutreachVisitForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=OutreachVisit.Kind.choices)
    on = forms.DateField(
        label=gettext_lazy("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200)
    other_attendees = forms.IntegerField(
        label=gettext_lazy("Other people who attended"),
        help_text=gettext_lazy("People who are not registered producers, counted."),
        min_value=0,
        max_value=100_000,
        initial=0,
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean_on(self) -> datetime.date:
        on: datetime.date = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return on


def _uuids(values: list[str]) -> list[uuid.UUID]:
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(value))
        except ValueError:
            continue  # a tampered value is ignored, like an unknown producer
    return found


def _attendee_picker(
    user: User, district: District, chosen_uuids: list[str], query: str
) -> dict[str, Any]:
    """Producers already ticked, and those matching the search, among the district's producers.
    Searching instead of listing keeps the page small with 20,000 producers in a district."""
    producers = Producer.objects.visible_to(user).filter(district=district)
    chosen = list(producers.filter(uuid__in=_uuids(chosen_uuids)))
    results: list[Producer] = []
    more = False
    if query.strip():
        found = list(
            producers.search(query).exclude(pk__in=[p.pk for p in chosen])[: ATTENDEE_RESULTS + 1]
        )
        results, more = found[:ATTENDEE_RESULTS], len(found) > ATTENDEE_RESULTS
    return {"chosen": chosen, "results": results, "more": more, "q": query}


@require_safe
@staff_only
def outreach_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    district = chosen_district(request, user)
    visits = OutreachVisit.objects.visible_to(user)
    if district is not None:
        visits = visits.filter(district=district)
    # Newest first; the annotation's GROUP BY drops the model's default ordering.
    visits = (
        visits.select_related("district", "recorded_by")
        .annotate(attendee_count=Count("attendees"))
        .order_by("-on", "-id")
    )
    return render(
        request,
        "registry/outreach_list.html",
        {
            "page": paginate(request, visits),
            "district": district,
            "districts": District.objects.visible_to(user) if user.is_state_level else None,
            "can_record": user.can_write,
        },
    )


@staff_only
def outreach_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not user.can_write:
        raise PermissionDenied(_("You may read this record but not change it."))
    data = request.POST if request.method == "POST" else request.GET
    if user.is_state_level:
        code = data.get("district", "")
        if not code.isdigit():
            # A state admin first picks the district whose producers attended.
            return render(
                request,
                "registry/outreach_choose_district.html",
                {"districts": District.objects.visible_to(user)},
            )
        district = get_changeable_or_deny(District.objects, user, lgd_code=int(code))
    else:
        district = get_changeable_or_deny(District.objects, user, pk=user.district_id)
    picker = _attendee_picker(user, district, data.getlist("attendees"), data.get("q", ""))
    if request.method == "GET" and request.headers.get("HX-Request"):
        return render(request, "registry/outreach_attendees.html", {**picker, "district": district})
    form = OutreachVisitForm(
        request.POST if request.method == "POST" else None,
        initial={"on": timezone.localdate(), "kind": OutreachVisit.Kind.SENSITISATION},
    )
    if request.method == "POST" and form.is_valid():
        try:
            visit = do_record_outreach_visit(
                district,
                kind=OutreachVisit.Kind(form.cleaned_data["kind"]),
                on=form.cleaned_data["on"],
                place=form.cleaned_data["place"],
                attendees=picker["chosen"],
                other_attendees=form.cleaned_data["other_attendees"],
                notes=form.cleaned_data["notes"],
                acting_user=user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            moved = len(_sensitised_here(visit))
            if moved:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d producer moved from Contacted to Sensitised.",
                        "%(count)d producers moved from Contacted to Sensitised.",
                        moved,
                    )
                    % {"count": moved},
                )
            return redirect("outreach_detail", visit_uuid=visit.uuid)
    return render(
        request,
        "registry/outreach_form.html",
        {**picker, "form": form, "district": district},
    )


def _sensitised_here(visit: OutreachVisit) -> set[int]:
    """Attendees whom recording this meeting moved from contacted to sensitised.

    do_record_outreach_visit gives each such stage change the reason "Attended the sensitisation
    meeting at <place> on <date>", in the language of the person recording it; matching that
    reason in every interface language finds them.
    """
    if visit.kind != OutreachVisit.Kind.SENSITISATION:
        return set()
    reasons = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            # The date as people read it; ISO dates are in the reasons recorded before.
            for date in (format_date(visit.on), visit.on.isoformat()):
                reasons.add(
                    _("Attended the sensitisation meeting at %(place)s on %(date)s")
                    % {"place": visit.place, "date": date}
                )
    return set(
        StageChange.objects.filter(
            producer__in=visit.attendees.all(),
            from_stage=Stage.CONTACTED,
            to_stage=Stage.SENSITISED,
            reason__in=reasons,
        ).values_list("producer_id", flat=True)
    )


@require_safe
@staff_only
def outreach_detail(request: HttpRequest, visit_uuid: uuid.UUID) -> HttpResponse:
    user = current_user(request)
    visit = get_visible_or_404(
        OutreachVisit.objects.select_related("district", "recorded_by"), user, uuid=visit_uuid
    )
    sensitised = _sensitised_here(visit)
    attendees = [
        (producer, producer.pk in sensitised)
        for producer in visit.attendees.select_related("odop_product").order_by("name_latin", "id")
    ]
    return render(
        request,
        "registry/outreach_detail.html",
        {"visit": visit, "attendees": attendees, "sensitised_count": len(sensitised)},
    )


@require_safe
@staff_only
def funnel(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    district = chosen_district(request, user)
    filters = FunnelFilters.from_params(request.GET)
    districts = list(District.objects.visible_to(user)) if user.is_state_level else None
    if district is None:
        # ODOP products belong to districts: the state-wide funnel is not filtered by one.
        filters = FunnelFilters(kind=filters.kind, women_led=filters.women_led)
        data = state_funnel(filters, districts=districts or [])
        products = OdopProduct.objects.none()
    else:
        data = district_funnel(district, filters)
        products = OdopProduct.objects.in_district(district)
    return render(
        request,
        "registry/funnel.html",
        {
            "funnel": data,
            "district": district,
            "filters": filters,
            "districts": districts,
            "odop_products": products,
            "kinds": Kind.choices,
        },
    )
