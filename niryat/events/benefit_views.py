"""Pages of scheme benefits: what was handed over to whom and when, with its photo, and what the
beneficiary made and sold after it."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from niryat.core.access import staff_only
from niryat.core.models import District
from niryat.core.scoping import current_user, get_visible_or_404
from niryat.events.actions import do_record_benefit
from niryat.events.forms import BenefitForm
from niryat.events.models import Benefit, Programme, after_benefit
from niryat.registry.models import Producer


@require_safe
@staff_only
def benefit_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    benefits = Benefit.objects.visible_to(user).select_related("producer", "district")[:200]
    return render(
        request,
        "events/benefit_list.html",
        {"benefits": benefits, "can_create": District.objects.changeable_by(user).exists()},
    )


@staff_only
def benefit_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not District.objects.changeable_by(user).exists():
        raise PermissionDenied(_("You may read this record but not change it."))
    producers = (
        Producer.objects.changeable_by(user).filter(erased_at__isnull=True).order_by("name_key")
    )
    programmes = Programme.objects.changeable_by(user)
    form = BenefitForm(
        request.POST or None, request.FILES or None, producers=producers, programmes=programmes
    )
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in BenefitForm.Meta.fields}
        try:
            benefit = do_record_benefit(
                form.cleaned_data["producer"],
                values,
                form.cleaned_data["photo"].read(),
                acting_user=user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Handover recorded: %(what)s.") % {"what": benefit})
            return redirect("benefit_detail", uuid=benefit.uuid)
    return render(request, "events/benefit_form.html", {"form": form})


@require_safe
@staff_only
def benefit_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    benefit = get_visible_or_404(
        Benefit.objects.select_related("producer", "district", "programme"),
        current_user(request),
        uuid=uuid,
    )
    return render(
        request,
        "events/benefit_detail.html",
        {"benefit": benefit, "after": after_benefit(benefit)},
    )


@require_safe
@staff_only
def benefit_photo(request: HttpRequest, uuid: UUID) -> FileResponse:
    """The handover photo, to those who may read the record."""
    benefit = get_visible_or_404(Benefit.objects.all(), current_user(request), uuid=uuid)
    response = FileResponse(benefit.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response
