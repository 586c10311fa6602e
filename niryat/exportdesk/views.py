"""Pages of the export desk: a producer's readiness checklist, export orders and shipments."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from niryat.channels.models import Order as MarketplaceOrder
from niryat.core.access import staff_only
from niryat.core.countries import country_name
from niryat.core.models import District, User
from niryat.core.scoping import current_user, get_changeable_or_deny, get_visible_or_404
from niryat.core.sheets.reading import MAX_FILE_BYTES
from niryat.exportdesk.actions import (
    CROSS_BORDER_CHANNELS,
    LineInput,
    do_amend_export_order,
    do_create_export_order,
    do_export_marketplace_order,
    do_import_parcel_statuses,
    do_import_reference_rates,
    do_issue_document,
    do_record_merchant_sale,
    do_record_realisation,
    do_record_reference_rate,
    do_record_shipment,
    do_update_parcel_status,
    do_update_readiness_item,
    shipment_problems,
)
from niryat.exportdesk.documents import postal_declaration
from niryat.exportdesk.forms import (
    ExportOrderForm,
    IssueDocumentForm,
    LineFormSet,
    ListUploadForm,
    MarketplaceExportForm,
    MerchantSaleForm,
    ParcelStatusForm,
    ReadinessItemForm,
    RealisationForm,
    ReferenceRateForm,
    ShipmentForm,
)
from niryat.exportdesk.models import Document, ExportOrder, ReadinessItem, ReferenceRate
from niryat.exportdesk.origin import origin_application
from niryat.exportdesk.pbe3 import pbe3_csv
from niryat.exportdesk.readiness import GUIDES, checklist, item_key
from niryat.exportdesk.reports import (
    exports_by_country,
    exports_by_country_in,
    exports_by_district,
    exports_by_producer,
    overdue_realisations,
)
from niryat.registry.models import Producer

STATE_LABELS = {
    "missing": gettext_lazy("Not yet"),
    "applied": gettext_lazy("Applied for"),
    "done": gettext_lazy("Done"),
    "lapses_soon": gettext_lazy("Lapses soon"),
    "expired": gettext_lazy("Expired"),
}


def _can_change(records: Any, user: User, pk: int) -> bool:
    return bool(records.changeable_by(user).filter(pk=pk).exists())


def _line(
    item: ReadinessItem, today: datetime.date, form: ReadinessItemForm | None
) -> dict[str, Any]:
    key = item_key(item)
    guide = GUIDES.get(item.kind)
    if item.rule_id and item.rule is not None:
        explanation_hi = item.rule.explanation_hi
        explanation_en = item.rule.explanation_en
        source = item.rule.source
    elif guide is not None:
        with translation.override("hi"):
            explanation_hi = str(guide.what)
        with translation.override("en"):
            explanation_en = str(guide.what)
        source = guide.source
    else:  # a rule's line whose rule was deleted: the cascade removes it with the rule
        explanation_hi = explanation_en = source = ""
    state = item.state(today)
    if form is None:
        form = ReadinessItemForm(
            prefix=key,
            kind=item.kind,
            initial={
                "status": item.status,
                "reference": item.reference,
                "council": item.council_id,
                "valid_from": item.valid_from,
                "expires_on": item.expires_on,
                "note": item.note,
            },
        )
    return {
        "item": item,
        "key": key,
        "state": state,
        "state_label": STATE_LABELS[state],
        "explanation_hi": explanation_hi,
        "explanation_en": explanation_en if translation.get_language() != "hi" else "",
        "source": source,
        "unverified": bool(item.rule_id and item.rule and not item.rule.verified),
        "form": form,
    }


def _readiness_page(
    request: HttpRequest,
    producer: Producer,
    *,
    bound: tuple[str, ReadinessItemForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = current_user(request)
    today = timezone.localdate()
    lines = []
    for item in checklist(producer):
        form = bound[1] if bound and bound[0] == item_key(item) else None
        lines.append(_line(item, today, form))
    done = sum(1 for line in lines if line["state"] in {"done", "lapses_soon"})
    return render(
        request,
        "exportdesk/readiness.html",
        {
            "producer": producer,
            "lines": lines,
            "done": done,
            "total": len(lines),
            "can_change": _can_change(Producer.objects, user, producer.pk),
        },
        status=status,
    )


@require_safe
@staff_only
def readiness(request: HttpRequest, uuid: UUID) -> HttpResponse:
    producer = get_visible_or_404(Producer.objects, current_user(request), uuid=uuid)
    return _readiness_page(request, producer)


@require_POST
@staff_only
def readiness_item(request: HttpRequest, uuid: UUID, key: str) -> HttpResponse:
    user = current_user(request)
    producer = get_changeable_or_deny(Producer.objects, user, uuid=uuid)
    kind = ReadinessItem.Kind.RULE if key.startswith("rule-") else key
    if kind not in ReadinessItem.Kind.values:
        raise Http404(_("There is no such item on the checklist."))
    form = ReadinessItemForm(request.POST, request.FILES, prefix=key, kind=kind)
    if form.is_valid():
        data = form.cleaned_data
        try:
            item = do_update_readiness_item(
                producer,
                key,
                status=data["status"],
                reference=data["reference"],
                council=data.get("council"),
                valid_from=data["valid_from"],
                expires_on=data["expires_on"],
                note=data["note"],
                evidence=data["evidence"] or None,
                acting_user=user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved: %(item)s.") % {"item": item})
            return redirect(reverse("export_readiness", args=[producer.uuid]) + f"#item-{key}")
    return _readiness_page(request, producer, bound=(key, form), status=400)


@require_safe
@staff_only
def readiness_evidence(request: HttpRequest, uuid: UUID, pk: int) -> FileResponse:
    user = current_user(request)
    item = get_visible_or_404(
        ReadinessItem.objects.select_related("producer"), user, pk=pk, producer__uuid=uuid
    )
    if not item.evidence:
        raise Http404(_("No evidence was uploaded for this item."))
    return FileResponse(
        item.evidence.open("rb"), as_attachment=True, filename=item.evidence_name or "evidence"
    )


@require_safe
@staff_only
def desk(request: HttpRequest) -> HttpResponse:
    """The district's export desk: orders, and readiness items about to lapse."""
    user = current_user(request)
    today = timezone.localdate()
    orders = (
        ExportOrder.objects.visible_to(user)
        .select_related("buyer", "producer")
        .prefetch_related("shipments")[:50]
    )
    lapsing = (
        ReadinessItem.objects.visible_to(user)
        .filter(status=ReadinessItem.Status.DONE, expires_on__isnull=False)
        .filter(expires_on__lte=today + datetime.timedelta(days=30))
        .filter(producer__erased_at__isnull=True)
        .select_related("producer", "rule")
        .order_by("expires_on")[:50]
    )
    return render(
        request,
        "exportdesk/desk.html",
        {
            "orders": [
                {"order": order, "country": country_name(order.buyer.country)} for order in orders
            ],
            "lapsing": lapsing,
            "overdue": overdue_realisations(ExportOrder.objects.visible_to(user), today),
            "today": today,
        },
    )


def _line_inputs(lines: Any) -> list[LineInput]:
    return [
        LineInput(
            description=line["description"],
            hs_code=line.get("hs_code", ""),
            quantity=line["quantity"],
            unit_price=line["unit_price"],
            net_weight_kg=line.get("net_weight_kg"),
        )
        for line in lines.cleaned_data
        if line
    ]


def _order_values(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The form's values as the actions take them: (buyer, order)."""
    buyer = {
        "name": data["buyer_name"],
        "country": data["buyer_country"],
        "address": data["buyer_address"],
        "importer_reference": data["importer_reference"],
    }
    fields = (
        "buyer_order_ref",
        "incoterm",
        "currency",
        "exchange_rate",
        "freight",
        "insurance",
        "igst_paid",
        "igst_rate",
        "packages",
        "gross_weight_kg",
    )
    return buyer, {name: data[name] for name in fields}


@staff_only
def order_new(request: HttpRequest, uuid: UUID) -> HttpResponse:
    user = current_user(request)
    producer = get_changeable_or_deny(Producer.objects, user, uuid=uuid)
    form = ExportOrderForm(request.POST or None)
    lines = LineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        buyer, values = _order_values(form.cleaned_data)
        try:
            order = do_create_export_order(
                producer, buyer=buyer, order=values, lines=_line_inputs(lines), acting_user=user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Export order saved."))
            return redirect("export_order_detail", uuid=order.uuid)
    return render(
        request,
        "exportdesk/order_form.html",
        {"producer": producer, "form": form, "lines": lines},
        status=400 if request.method == "POST" else 200,
    )


@staff_only
def order_edit(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Staff amend an order before it ships; documents issued before stay as they were."""
    order = _order(request, uuid, change=True)
    initial = {
        "buyer_name": order.buyer.name,
        "buyer_country": order.buyer.country,
        "buyer_address": order.buyer.address,
        "importer_reference": order.buyer.importer_reference,
        "buyer_order_ref": order.buyer_order_ref,
        "incoterm": order.incoterm,
        "currency": order.currency,
        "exchange_rate": order.exchange_rate,
        "freight": order.freight,
        "insurance": order.insurance,
        "igst_paid": order.igst_paid,
        "igst_rate": order.igst_rate,
        "packages": order.packages,
        "gross_weight_kg": order.gross_weight_kg,
    }
    line_initial = [
        {
            "description": line.description,
            "hs_code": line.hs_code,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "net_weight_kg": line.net_weight_kg,
        }
        for line in order.lines.all()
    ]
    form = ExportOrderForm(request.POST or None, initial=initial)
    lines = LineFormSet(request.POST or None, prefix="lines", initial=line_initial)
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        buyer, values = _order_values(form.cleaned_data)
        try:
            do_amend_export_order(
                order,
                buyer=buyer,
                order=values,
                lines=_line_inputs(lines),
                acting_user=current_user(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Order amended. Issue its documents again for amended versions.")
            )
            return redirect("export_order_detail", uuid=order.uuid)
    return render(
        request,
        "exportdesk/order_form.html",
        {"producer": order.producer, "form": form, "lines": lines, "order": order},
        status=400 if request.method == "POST" else 200,
    )


def _order_page(
    request: HttpRequest,
    order: ExportOrder,
    *,
    shipment_form: ShipmentForm | None = None,
    document_form: IssueDocumentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = current_user(request)
    documents = list(order.documents.select_related("issued_by").order_by("kind", "-version"))
    return render(
        request,
        "exportdesk/order_detail.html",
        {
            "order": order,
            "country": country_name(order.buyer.country),
            "lines": list(order.lines.all()),
            "shipments": [
                {
                    "shipment": shipment,
                    "form": RealisationForm(prefix=f"r{shipment.pk}"),
                    "status_form": ParcelStatusForm(
                        prefix=f"s{shipment.pk}",
                        initial={"status": shipment.status, "on": timezone.localdate()},
                    ),
                    "overdue": shipment.realisation_overdue(timezone.localdate()),
                }
                for shipment in order.shipments.all()
            ],
            "problems": shipment_problems(order),
            "postal_declaration": postal_declaration(order, timezone.localdate()),
            "documents": documents,
            "document_form": document_form or IssueDocumentForm(),
            "shipment_form": shipment_form
            or ShipmentForm(initial={"shipped_on": timezone.localdate()}),
            "can_change": _can_change(ExportOrder.objects, user, order.pk),
        },
        status=status,
    )


def _order(request: HttpRequest, uuid: UUID, *, change: bool) -> ExportOrder:
    records = ExportOrder.objects.select_related("buyer", "producer", "district")
    get = get_changeable_or_deny if change else get_visible_or_404
    return get(records, current_user(request), uuid=uuid)


@require_safe
@staff_only
def order_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    return _order_page(request, _order(request, uuid, change=False))


@require_safe
@staff_only
def order_origin(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The data of the order's certificate of origin application."""
    order = _order(request, uuid, change=False)
    return render(
        request,
        "exportdesk/origin.html",
        {
            "order": order,
            "country": country_name(order.buyer.country),
            "application": origin_application(order),
        },
    )


@require_POST
@staff_only
def shipment_new(request: HttpRequest, uuid: UUID) -> HttpResponse:
    order = _order(request, uuid, change=True)
    form = ShipmentForm(request.POST)
    if form.is_valid():
        try:
            do_record_shipment(
                order,
                shipped_on=form.cleaned_data["shipped_on"],
                mode=form.cleaned_data["mode"],
                tracking_number=form.cleaned_data["tracking_number"],
                acting_user=current_user(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Shipment recorded."))
            return redirect("export_order_detail", uuid=order.uuid)
    return _order_page(request, order, shipment_form=form, status=400)


@require_POST
@staff_only
def shipment_realised(request: HttpRequest, uuid: UUID, pk: int) -> HttpResponse:
    order = _order(request, uuid, change=True)
    shipment = order.shipments.filter(pk=pk).first()
    if shipment is None:
        raise Http404(_("Not found, or not in your district."))
    form = RealisationForm(request.POST, prefix=f"r{shipment.pk}")
    if form.is_valid():
        try:
            do_record_realisation(
                shipment,
                realised_on=form.cleaned_data["realised_on"],
                ebrc_number=form.cleaned_data["ebrc_number"],
                acting_user=current_user(request),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Payment realisation recorded."))
    else:
        messages.error(request, _("Enter the date the payment was realised."))
    return redirect("export_order_detail", uuid=order.uuid)


@require_POST
@staff_only
def document_issue(request: HttpRequest, uuid: UUID) -> HttpResponse:
    order = _order(request, uuid, change=True)
    form = IssueDocumentForm(request.POST)
    if form.is_valid():
        try:
            document = do_issue_document(
                order,
                form.cleaned_data["kind"],
                hindi_name=form.cleaned_data["hindi_name"],
                acting_user=current_user(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Issued: %(document)s.") % {"document": document})
            return redirect("export_order_detail", uuid=order.uuid)
    return _order_page(request, order, document_form=form, status=400)


@require_safe
@staff_only
def document_pdf(request: HttpRequest, uuid: UUID, pk: int) -> FileResponse:
    document = get_visible_or_404(
        Document.objects.select_related("order"), current_user(request), pk=pk, order__uuid=uuid
    )
    name = f"{document.number.replace('/', '-')}-v{document.version}.pdf"
    return FileResponse(
        document.pdf.open("rb"), as_attachment=True, filename=name, content_type="application/pdf"
    )


@require_safe
@staff_only
def pbe3(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The order's PBE-III data, as a CSV for the DNK portal; what is missing, on the order."""
    order = _order(request, uuid, change=False)
    try:
        data = pbe3_csv(order)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("export_order_detail", uuid=order.uuid)
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="pbe3-{order.uuid}.csv"'
    return response


def _chosen_district(request: HttpRequest, user: User) -> District | None:
    """The user's district, or for state users the one picked with `?district=<LGD code>`."""
    if not user.is_state_level:
        return user.district
    code = request.GET.get("district", "")
    if code.isdigit():
        return get_visible_or_404(District.objects, user, lgd_code=int(code))
    return None


@require_safe
@staff_only
def who_exports(request: HttpRequest) -> HttpResponse:
    """A district's exports direct against through merchant exporters, by country and by
    producer; for state users without a district chosen, the whole state's, by district and by
    country."""
    user = current_user(request)
    district = _chosen_district(request, user)
    state_wide = user.is_state_level and district is None
    visible = District.objects.visible_to(user)
    return render(
        request,
        "exportdesk/who_exports.html",
        {
            "district": district,
            "districts": visible if user.is_state_level else [],
            "by_country": (
                exports_by_country(district)
                if district
                else exports_by_country_in(visible)
                if state_wide
                else []
            ),
            "by_producer": exports_by_producer(district) if district else [],
            "by_district": exports_by_district(visible) if state_wide else [],
            "state_wide": state_wide,
        },
    )


@staff_only
def merchant_sale_new(request: HttpRequest, uuid: UUID) -> HttpResponse:
    user = current_user(request)
    producer = get_changeable_or_deny(Producer.objects, user, uuid=uuid)
    form = MerchantSaleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            do_record_merchant_sale(
                producer,
                merchant_name=data["merchant_name"],
                merchant_iec=data["merchant_iec"],
                country=data["country"],
                sold_on=data["sold_on"],
                value_inr=data["value_inr"],
                note=data["note"],
                acting_user=user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Sale through a merchant exporter recorded."))
            return redirect("export_who_exports")
    return render(
        request,
        "exportdesk/merchant_sale_form.html",
        {"producer": producer, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@staff_only
def parcel_status(request: HttpRequest, uuid: UUID, pk: int) -> HttpResponse:
    order = _order(request, uuid, change=True)
    shipment = order.shipments.filter(pk=pk).first()
    if shipment is None:
        raise Http404(_("Not found, or not in your district."))
    form = ParcelStatusForm(request.POST, prefix=f"s{shipment.pk}")
    if form.is_valid():
        try:
            do_update_parcel_status(
                shipment,
                status=form.cleaned_data["status"],
                on=form.cleaned_data["on"],
                acting_user=current_user(request),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Parcel status saved."))
    else:
        messages.error(request, _("Choose the status and its date."))
    return redirect(reverse("export_order_detail", args=[order.uuid]) + "#shipments")


def _upload(form: ListUploadForm) -> tuple[bytes, str] | None:
    if not form.is_valid():
        return None
    upload = form.cleaned_data["file"]
    if (upload.size or 0) > MAX_FILE_BYTES:
        form.add_error("file", _("The file is too big."))
        return None
    return upload.read(), upload.name or ""


@staff_only
def parcels_import(request: HttpRequest) -> HttpResponse:
    """Parcel statuses imported from a list of tracking number, status and date."""
    user = current_user(request)
    form = ListUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not user.can_write:
            raise PermissionDenied(_("You may read this record but not change it."))
        upload = _upload(form)
        if upload is not None:
            try:
                changed = do_import_parcel_statuses(upload[0], name=upload[1], acting_user=user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("Parcel statuses imported: %(count)s parcels changed.") % {"count": changed},
                )
                return redirect("export_parcels_import")
    return render(
        request,
        "exportdesk/parcels_import.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@staff_only
def rates(request: HttpRequest) -> HttpResponse:
    """The reference rates: customs notified exchange rates and the SDR's, entered or imported."""
    user = current_user(request)
    form = ReferenceRateForm(
        request.POST if request.POST.get("action") == "add" else None,
        initial={"on": timezone.localdate()},
    )
    upload_form = ListUploadForm(
        request.POST if request.POST.get("action") == "import" else None,
        request.FILES if request.POST.get("action") == "import" else None,
    )
    if request.method == "POST":
        if not user.can_write:
            raise PermissionDenied(_("You may read this record but not change it."))
        if request.POST.get("action") == "add" and form.is_valid():
            data = form.cleaned_data
            try:
                do_record_reference_rate(
                    data["currency"],
                    on=data["on"],
                    inr_per_unit=data["inr_per_unit"],
                    source=data["source"],
                    acting_user=user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Rate saved."))
                return redirect("export_rates")
        elif request.POST.get("action") == "import":
            upload = _upload(upload_form)
            if upload is not None:
                try:
                    changed = do_import_reference_rates(upload[0], name=upload[1], acting_user=user)
                except ValidationError as exc:
                    upload_form.add_error(None, exc)
                else:
                    messages.success(
                        request, _("Rates imported: %(count)s changed.") % {"count": changed}
                    )
                    return redirect("export_rates")
    return render(
        request,
        "exportdesk/rates.html",
        {
            "rates": ReferenceRate.objects.select_related("recorded_by")[:200],
            "form": form,
            "upload_form": upload_form,
            "can_change": user.can_write,
        },
        status=400 if request.method == "POST" else 200,
    )


def _cross_border(user: User) -> Any:
    return (
        MarketplaceOrder.objects.visible_to(user)
        .filter(account__channel__in=CROSS_BORDER_CHANNELS, producer__isnull=False)
        .exclude(state=MarketplaceOrder.State.CANCELLED)
    )


@require_safe
@staff_only
def marketplace_orders(request: HttpRequest) -> HttpResponse:
    """Amazon and eBay orders not yet made export orders: staff pick those shipped abroad."""
    orders = (
        _cross_border(current_user(request))
        .filter(export_order__isnull=True)
        .select_related("account", "producer")
        .order_by("-ordered_at")[:100]
    )
    return render(request, "exportdesk/marketplace_orders.html", {"orders": orders})


@staff_only
def marketplace_order_export(request: HttpRequest, uuid: UUID) -> HttpResponse:
    user = current_user(request)
    marketplace_order = get_changeable_or_deny(
        _cross_border(user).select_related("account", "producer"), user, uuid=uuid
    )
    form = MarketplaceExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = do_export_marketplace_order(
                marketplace_order,
                buyer={
                    "name": data["buyer_name"],
                    "country": data["buyer_country"],
                    "address": data["buyer_address"],
                },
                acting_user=user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Export order made from the marketplace order."))
            return redirect("export_order_detail", uuid=order.uuid)
    return render(
        request,
        "exportdesk/marketplace_order_form.html",
        {"marketplace_order": marketplace_order, "form": form},
        status=400 if request.method == "POST" else 200,
    )
