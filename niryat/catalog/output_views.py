"""Catalogue output for paper and Excel: SKU label sheets as PDF, the product list as XLSX.

Thin: records are fetched through scoping, the files are made in `labels` and `exports`. Both are
for anyone who may read a district's catalogue, except producers.
"""

from __future__ import annotations

import tempfile
from uuid import UUID

from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from niryat.catalog.exports import write_products_xlsx
from niryat.catalog.labels import MAX_COPIES, MAX_LABELS, label_sheet_pdf
from niryat.catalog.models import Product, Sku
from niryat.core.access import staff_only
from niryat.core.scoping import current_user
from niryat.core.sheets.writing import XLSX_TYPE

# As for the producer export: beyond this openpyxl would outlast the request.
XLSX_EXPORT_MAX_ROWS = 100_000


def _message(request: HttpRequest, title: str, message: str) -> HttpResponse:
    return render(request, "core/message.html", {"title": title, "message": message}, status=400)


def _uuids(values: list[str]) -> list[UUID]:
    """The UUIDs asked for, in order, once each; a malformed one is a record nobody can see."""
    try:
        return list(dict.fromkeys(UUID(value) for value in values))
    except ValueError as exc:
        raise Http404(_("Not found, or not in your district.")) from exc


@require_safe
@staff_only
def sku_labels(request: HttpRequest) -> HttpResponse:
    """A PDF sheet of labels for the SKUs given (`sku`, repeatable) and every SKU of the products
    given (`product`), `copies` of each. One SKU the user may not see and nothing is printed."""
    user = current_user(request)
    sku_uuids = _uuids(request.GET.getlist("sku"))
    product_uuids = _uuids(request.GET.getlist("product"))
    visible = Sku.objects.visible_to(user).select_related("product")
    asked = {sku.uuid: sku for sku in visible.filter(uuid__in=sku_uuids)}
    products = Product.objects.visible_to(user).filter(uuid__in=product_uuids)
    if len(asked) != len(sku_uuids) or products.count() != len(product_uuids):
        raise Http404(_("Not found, or not in your district."))
    skus = [asked[uuid] for uuid in sku_uuids]
    of_product: dict[UUID, list[Sku]] = {}
    for sku in visible.filter(product__in=products).exclude(uuid__in=sku_uuids).order_by("id"):
        of_product.setdefault(sku.product.uuid, []).append(sku)
    for product_uuid in product_uuids:
        skus += of_product.get(product_uuid, [])
    title = _("No labels printed")
    if not skus:
        return _message(
            request,
            title,
            _("No SKUs to print labels for: choose SKUs, or a product that has some."),
        )
    copies_text = request.GET.get("copies", "1").strip()
    # isdecimal, not isdigit: int() refuses "²", which isdigit accepts.
    if not (
        copies_text.isdecimal() and len(copies_text) <= 3 and 1 <= int(copies_text) <= MAX_COPIES
    ):
        return _message(
            request,
            title,
            _("Copies must be a whole number from 1 to %(max)s.") % {"max": MAX_COPIES},
        )
    copies = int(copies_text)
    if len(skus) * copies > MAX_LABELS:
        return _message(
            request,
            title,
            _("At most %(limit)s labels at a time: choose fewer SKUs or fewer copies.")
            % {"limit": f"{MAX_LABELS:,}"},
        )
    pdf = label_sheet_pdf(
        skus,
        copies=copies,
        product_url=lambda product: request.build_absolute_uri(
            reverse("product_detail", args=[product.uuid])
        ),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="labels.pdf"'
    return response


@require_safe
@staff_only
def product_list_xlsx(request: HttpRequest) -> HttpResponse | FileResponse:
    """The product list, with the list page's filters, as XLSX: a row per SKU."""
    user = current_user(request)
    products = Product.objects.visible_to(user).filtered(request.GET.dict())
    count = Sku.objects.filter(product__in=products.values("pk")).count() + (
        products.filter(~Exists(Sku.objects.filter(product=OuterRef("pk")))).count()
    )
    if count > XLSX_EXPORT_MAX_ROWS:
        return _message(
            request,
            _("Too many SKUs for one Excel sheet"),
            _(
                "%(count)s SKUs match; an Excel export holds up to %(limit)s. "
                "Choose a producer, an ODOP product or other filters."
            )
            % {"count": f"{count:,}", "limit": f"{XLSX_EXPORT_MAX_ROWS:,}"},
        )
    records = (
        products.select_related("district", "producer", "odop_product")
        .prefetch_related("skus")
        .order_by("-updated_at", "-id")
    )
    # Kept in memory while small, on disk beyond; FileResponse closes it once sent.
    buffer = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    write_products_xlsx(records.iterator(chunk_size=1000), _("Products"), buffer)
    buffer.seek(0)
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=f"products-{timezone.localdate():%Y-%m-%d}.xlsx",
        content_type=XLSX_TYPE,
    )
