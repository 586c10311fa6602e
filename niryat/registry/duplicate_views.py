"""Pages for reviewing likely duplicate producers: list, compare side by side, merge or dismiss."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from niryat.core.access import staff_only
from niryat.core.dates import format_date
from niryat.core.models import AuditEntry, District, TaskProgress
from niryat.core.scoping import current_user, get_changeable_or_deny, get_visible_or_404
from niryat.registry.actions import (
    PRODUCER_FIELDS,
    do_dismiss_duplicate,
    do_merge_producers,
    do_start_duplicate_search,
)
from niryat.registry.duplicates import DISTRICT_SEARCH, last_district_search
from niryat.registry.models import DuplicateFlag, Producer
from niryat.registry.outreach_views import chosen_district, paginate

# The fields compared side by side.
COMPARED_FIELDS = (*PRODUCER_FIELDS, "stage", "listing_consent", "created_at")


def _flags() -> Any:
    return DuplicateFlag.objects.select_related(
        "district", "first__odop_product", "second__odop_product"
    )


@require_safe
@staff_only
def duplicate_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    district = chosen_district(request, user)
    flags = _flags().visible_to(user).filter(status=DuplicateFlag.Status.OPEN)
    if district is not None:
        flags = flags.filter(district=district)
    search = last_district_search(district) if district is not None else None
    return render(
        request,
        "registry/duplicate_list.html",
        {
            "page": paginate(request, flags),
            "district": district,
            "districts": District.objects.visible_to(user) if user.is_state_level else None,
            "search": search,
            # A whole district is searched, one search at a time: state users pick one first.
            "can_start": district is not None
            and user.can_write
            and (search is None or search.finished),
        },
    )


@require_POST
@staff_only
def duplicate_search(request: HttpRequest) -> HttpResponse:
    """Start a search of the whole district for likely duplicates; the list page follows it."""
    user = current_user(request)
    if not user.can_write:
        raise PermissionDenied(_("You may read this record but not change it."))
    code = request.POST.get("district", "")
    if user.is_state_level and code.isdigit():
        district = get_visible_or_404(District.objects, user, lgd_code=int(code))
    elif user.district is not None and not user.is_state_level:
        district = user.district
    else:
        messages.error(request, _("Choose a district to search."))
        return redirect("duplicate_list")
    do_start_duplicate_search(district, acting_user=user)
    url = reverse("duplicate_list")
    return redirect(f"{url}?district={district.lgd_code}" if user.is_state_level else url)


@require_safe
@staff_only
def duplicate_search_status(request: HttpRequest, search_uuid: UUID) -> HttpResponse:
    """The search's part of the list page, which htmx reloads while the search runs; once it has
    finished, the whole page, so that the pairs it found are listed."""
    user = current_user(request)
    search = get_object_or_404(
        TaskProgress.objects.filter(
            district__in=District.objects.visible_to(user), label=DISTRICT_SEARCH
        ),
        uuid=search_uuid,
    )
    response = render(request, "registry/duplicate_search_status.html", {"search": search})
    if search.finished:
        response["HX-Refresh"] = "true"
    return response


def _display(producer: Producer, field: str) -> Any:
    value = getattr(producer, field)
    display = getattr(producer, f"get_{field}_display", None)
    if display is not None:
        return display()
    if isinstance(value, datetime.datetime):
        return format_date(value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return value if value not in (None, "") else "—"


def _related_counts(producers: list[Producer]) -> dict[int, dict[str, int]]:
    """What each record brings to a merge, counted in one query (and one for the audit trail)."""
    counted = Producer.objects.filter(pk__in=[p.pk for p in producers]).annotate(
        stage_changes_n=Count("stage_changes", distinct=True),
        consents_n=Count("consents", distinct=True),
        groups_n=Count("groups_joined", distinct=True),
        members_n=Count("memberships", distinct=True),
        visits_n=Count("visits", distinct=True),
    )
    audit = dict(
        AuditEntry.objects.filter(
            object_type="registry.producer", object_id__in=[str(p.pk) for p in producers]
        )
        .values_list("object_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        p.pk: {
            "stage_changes": p.stage_changes_n,  # type: ignore[attr-defined]
            "consents": p.consents_n,  # type: ignore[attr-defined]
            "groups": p.groups_n,  # type: ignore[attr-defined]
            "members": p.members_n,  # type: ignore[attr-defined]
            "visits": p.visits_n,  # type: ignore[attr-defined]
            "audit": audit.get(str(p.pk), 0),
        }
        for p in counted
    }


@require_safe
@staff_only
def duplicate_detail(request: HttpRequest, flag_id: int) -> HttpResponse:
    user = current_user(request)
    flag = get_visible_or_404(_flags(), user, pk=flag_id)
    first, second = flag.first, flag.second
    rows = []
    for field in COMPARED_FIELDS:
        left, right = _display(first, field), _display(second, field)
        label = capfirst(
            _("registered on")
            if field == "created_at"
            else Producer._meta.get_field(field).verbose_name  # type: ignore[union-attr]
        )
        rows.append({"label": label, "first": left, "second": right, "same": left == right})
    counts = _related_counts([first, second])
    count_labels = [
        ("stage_changes", _("Stage history entries")),
        ("consents", _("Consent records")),
        ("groups", _("Groups joined")),
        ("members", _("Members (of a group)")),
        ("visits", _("Outreach visits attended")),
        ("audit", _("Audit trail entries")),
    ]
    return render(
        request,
        "registry/duplicate_detail.html",
        {
            "flag": flag,
            "rows": rows,
            "counts": [
                {"label": label, "first": counts[first.pk][key], "second": counts[second.pk][key]}
                for key, label in count_labels
            ],
            "can_change": flag.status == DuplicateFlag.Status.OPEN
            and DuplicateFlag.objects.changeable_by(user).filter(pk=flag.pk).exists(),
        },
    )


def _resolved_already(request: HttpRequest, flag: DuplicateFlag) -> HttpResponse | None:
    if flag.status == DuplicateFlag.Status.OPEN:
        return None
    messages.warning(request, _("This pair has already been reviewed."))
    return redirect("duplicate_detail", flag_id=flag.pk)


@require_POST
@staff_only
def duplicate_merge(request: HttpRequest, flag_id: int) -> HttpResponse:
    user = current_user(request)
    flag = get_changeable_or_deny(_flags(), user, pk=flag_id)
    if (response := _resolved_already(request, flag)) is not None:
        return response
    pair = {str(flag.first.uuid): flag.second, str(flag.second.uuid): flag.first}
    chosen = request.POST.get("survivor", "")
    if chosen not in pair:
        messages.error(request, _("Choose the record to keep."))
        return redirect("duplicate_detail", flag_id=flag.pk)
    survivor = flag.first if chosen == str(flag.first.uuid) else flag.second
    try:
        survivor = do_merge_producers(survivor, pair[chosen], acting_user=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("duplicate_detail", flag_id=flag.pk)
    messages.success(
        request,
        _("Merged. %(name)s keeps the history of both records.") % {"name": survivor},
    )
    return redirect("duplicate_list")


@require_POST
@staff_only
def duplicate_dismiss(request: HttpRequest, flag_id: int) -> HttpResponse:
    user = current_user(request)
    flag = get_changeable_or_deny(_flags(), user, pk=flag_id)
    if (response := _resolved_already(request, flag)) is not None:
        return response
    do_dismiss_duplicate(flag, acting_user=user)
    messages.success(request, _("Marked as not the same: both records stay."))
    return redirect("duplicate_list")
