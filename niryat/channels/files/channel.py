"""Files for manual upload: a generic listing sheet (FilesChannel), and any channel's listing data
as a sheet (`listing_sheet`), for a seller who uploads by hand because no API is open to them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from django.db.models import Field
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from niryat.catalog.attributes import attributes_for
from niryat.catalog.completeness import Problem
from niryat.catalog.models import Category, Product, Sku
from niryat.channels.base import Channel
from niryat.channels.files.workbook import Sheet, flatten, workbook_bytes
from niryat.channels.media import public_image_urls
from niryat.channels.registry import channel_class

if TYPE_CHECKING:
    from niryat.channels.models import ChannelAccount

CODE = "files"
MAX_IMAGE_COLUMNS = 10


def label(model: type[Product] | type[Sku], field: str) -> StrOrPromise:
    model_field = model._meta.get_field(field)
    return capfirst(model_field.verbose_name) if isinstance(model_field, Field) else field


SKU_FIELDS = (
    "seller_sku",
    "title_en",
    "title_hi",
    "description_en",
    "bullets_en",
    "mrp",
    "price",
    "stock",
    "size",
    "colour",
    "material",
    "design",
    "net_quantity",
    "weight_g",
    "length_cm",
    "width_cm",
    "height_cm",
)
PRODUCT_FIELDS = ("category", "hs_code", "gst_rate", "country_of_origin", "handmade", "gi_tag")


def attribute_label(key: str) -> StrOrPromise:
    """An attribute's label, as the catalogue names it (any category's), else its key."""
    for category in Category.values:
        for attribute in attributes_for(category):
            if attribute.key == key:
                return capfirst(attribute.label)
    return key


def generic_sheet(skus: Sequence[Sku]) -> Sheet:
    """One row per SKU: our own fields, the product's, the attributes, then the photo URLs."""
    attribute_keys: list[str] = []
    images = {sku.pk: public_image_urls(sku)[:MAX_IMAGE_COLUMNS] for sku in skus}
    for sku in skus:
        for key in sku.attributes or {}:
            if key not in attribute_keys:
                attribute_keys.append(key)
    image_columns = max((len(urls) for urls in images.values()), default=0)
    header = [
        *(str(label(Sku, name)) for name in SKU_FIELDS),
        str(label(Sku, "net_quantity_unit")),
        *(str(label(Product, name)) for name in PRODUCT_FIELDS),
        *(str(attribute_label(key)) for key in attribute_keys),
        *(str(_("Photo {number}")).format(number=n + 1) for n in range(image_columns)),
    ]
    rows = []
    for sku in skus:
        product = sku.product
        urls = images[sku.pk]
        rows.append(
            [
                *(getattr(sku, name) for name in SKU_FIELDS),
                sku.get_net_quantity_unit_display(),
                product.get_category_display(),
                product.hs_code,
                int(product.gst_rate) if product.gst_rate else None,
                product.country_of_origin,
                product.handmade,
                product.gi_tag,
                *((sku.attributes or {}).get(key) for key in attribute_keys),
                *(urls + [None] * (image_columns - len(urls))),
            ]
        )
    return Sheet(str(_("Listings")), header, rows)


class FilesChannel(Channel):
    """Listing data as an XLSX for manual upload: no API, so nothing is sent; staff upload the
    sheet and record the result by hand."""

    code: ClassVar[str] = CODE
    name: ClassVar[StrOrPromise] = _("Files for manual upload")
    has_api: ClassVar[bool] = False

    def validate(self, sku: Sku) -> list[Problem]:
        """Only what any upload sheet needs: a title, a price and the seller SKU code."""
        problems = []
        if not sku.seller_sku.strip():
            problems.append(Problem(CODE, "seller_sku", _("Enter the seller SKU code.")))
        if not (sku.title_en.strip() or sku.title_hi.strip()):
            problems.append(Problem(CODE, "title_en", _("Write a title.")))
        if sku.price is None:
            problems.append(Problem(CODE, "price", _("Enter the selling price.")))
        return problems

    def build(self, skus: Sequence[Sku]) -> bytes:
        return workbook_bytes([generic_sheet(skus)])


def _rows(channel: Channel, skus: Sequence[Sku]) -> list[dict[str, Any]]:
    """Each SKU's part of the channel's payload, flattened. A payload that is a list with one
    entry per SKU is split as it is; anything else is built SKU by SKU."""
    built = channel.build(skus)
    if isinstance(built, list) and len(built) == len(skus):
        return [flatten(entry) for entry in built]
    rows = []
    for sku in skus:
        one = channel.build([sku])
        if isinstance(one, list) and len(one) == 1:
            one = one[0]
        rows.append(flatten(one))
    return rows


def listing_sheet(
    channel_code: str, skus: Sequence[Sku], account: ChannelAccount | None = None
) -> bytes:
    """Any channel's listing data as an XLSX: a channel without an API builds its own sheet; an
    API channel's payload (JSON) is flattened to one row per SKU, one column per field path."""
    channel = channel_class(channel_code)(account)
    skus = list(skus)
    if not channel.has_api:
        sheet: bytes = channel.build(skus)
        return sheet
    rows = _rows(channel, skus)
    columns: list[str] = []
    for row in rows:
        for column in row:
            if column not in columns:
                columns.append(column)
    header = [str(label(Sku, "seller_sku")), *columns]
    body = [
        [sku.seller_sku, *(row.get(column) for column in columns)]
        for sku, row in zip(skus, rows, strict=True)
    ]
    return workbook_bytes([Sheet(str(channel.name), header, body, width=24)])
