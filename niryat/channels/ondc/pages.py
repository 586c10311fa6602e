"""Staff pages of the ONDC catalogue: which domain each ODOP product's goods are offered in (state
admins for every district, centre staff for their own), and a producer's pickup location."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from niryat.channels.models import OndcDomainMapping, OndcLocation
from niryat.channels.ondc.catalogue_actions import do_set_ondc_domain, do_set_ondc_location
from niryat.channels.ondc.forms import SEPARATOR, OndcDomainForm, OndcLocationForm
from niryat.channels.ondc.taxonomy import default_mapping
from niryat.core.access import staff_only
from niryat.core.models import District, OdopProduct
from niryat.core.params import record_id
from niryat.core.scoping import current_user, get_changeable_or_deny, get_visible_or_404
from niryat.registry.models import Producer


@require_http_methods(["GET", "POST"])
@staff_only
def ondc_domains(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if request.method == "POST":
        if not user.can_write:
            raise PermissionDenied(_("You may read these records but not change them."))
        odop_id = record_id(request.POST.get("odop"))
        if odop_id is None:
            messages.error(request, _("Choose an ODOP product."))
            return redirect(request.path)
        odop = get_changeable_or_deny(
            OdopProduct.objects.select_related("district"), user, pk=odop_id
        )
        form = OndcDomainForm(request.POST)
        if form.is_valid():
            domain, category = form.domain_and_category()
            try:
                do_set_ondc_domain(odop, domain, category, acting_user=user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    _("%(product)s: %(where)s.")
                    % {"product": odop, "where": category or _("not offered on ONDC")},
                )
        return redirect(f"{request.path}#odop-{odop.pk}")
    products = list(
        OdopProduct.objects.visible_to(user)
        .select_related("district")
        .order_by("district__name_en", "name_en")
    )
    mappings = {
        m.odop_product_id: m
        for m in OndcDomainMapping.objects.filter(odop_product__in=[p.pk for p in products])
    }
    writable = set(District.objects.changeable_by(user).values_list("pk", flat=True))
    rows = []
    for product in products:
        mapping = mappings.get(product.pk)
        domain, category = (
            (mapping.domain, mapping.category) if mapping else default_mapping(product.name_en)
        )
        initial = f"{domain}{SEPARATOR}{category}" if domain else ""
        rows.append(
            {
                "product": product,
                "category": category,
                "form": OndcDomainForm(initial={"choice": initial}, auto_id=f"id_{product.pk}_%s"),
                "can_write": product.district_id in writable,
            }
        )
    return render(
        request,
        "channels/ondc_domains.html",
        {"rows": rows, "state_wide": user.is_state_level},
    )


@require_http_methods(["GET", "POST"])
@staff_only
def ondc_location(request: HttpRequest, producer_uuid: UUID) -> HttpResponse:
    user = current_user(request)
    if request.method == "POST":
        producer = get_changeable_or_deny(Producer.objects, user, uuid=producer_uuid)
    else:
        producer = get_visible_or_404(Producer.objects, user, uuid=producer_uuid)
    location = OndcLocation.objects.filter(producer=producer).first()
    initial = (
        {
            "latitude": location.latitude,
            "longitude": location.longitude,
            "street": location.street,
            "locality": location.locality,
        }
        if location
        else {"locality": producer.village}
    )
    form = OndcLocationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            do_set_ondc_location(producer, **form.cleaned_data, acting_user=user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The pickup location is saved."))
            return redirect("ondc_location", producer_uuid=producer.uuid)
    return render(
        request,
        "channels/ondc_location.html",
        {"producer": producer, "form": form, "can_write": user.can_write},
    )
