"""The catalogue: products of a producer, their variants (SKUs) and photos, and a craft glossary.

A product holds what all its variants share (category, HS code, GST rate, origin, GI tag, the
Legal Metrology declarations of the maker); each SKU holds what varies (size, colour, material,
design), its own text in Hindi and English, prices, quantity, weight, package and stock.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, Self

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from niryat.core import imaging
from niryat.core.models import District, OdopProduct, Role, Timestamped, User
from niryat.core.params import record_id
from niryat.core.scoping import DistrictWorkQuerySet, M, ScopedQuerySet
from niryat.core.sheets.models import SheetImportJob
from niryat.registry.models import Producer


class Category(models.TextChoices):
    """Which attributes a product's SKUs carry (see attributes.py)."""

    GARMENTS = "garments", _("Garments and textiles")
    HANDICRAFTS = "handicrafts", _("Handicrafts")
    KHADI = "khadi", _("Khadi")
    OTHER = "other", _("Other goods")


class GstRate(models.TextChoices):
    """GST slabs for goods (per cent)."""

    ZERO = "0", "0 %"
    THREE = "3", "3 %"
    FIVE = "5", "5 %"
    TWELVE = "12", "12 %"
    EIGHTEEN = "18", "18 %"
    TWENTY_EIGHT = "28", "28 %"
    FORTY = "40", "40 %"


class QuantityUnit(models.TextChoices):
    PIECE = "piece", _("piece")
    PAIR = "pair", _("pair")
    SET = "set", _("set")
    GRAM = "g", _("gram")
    KILOGRAM = "kg", _("kilogram")
    MILLILITRE = "ml", _("millilitre")
    LITRE = "l", _("litre")
    METRE = "m", _("metre")
    SQUARE_METRE = "m2", _("square metre")


class ProducerOwnedQuerySet(ScopedQuerySet[M]):
    """Catalogue records: district-scoped, and a producer sees only their own."""

    # Path from the model to its Producer.
    producer_field: str = "producer"

    def visible_to(self, user: User) -> Self:
        if user.is_authenticated and user.role == Role.PRODUCER:
            return self.filter(**{f"{self.producer_field}__user": user})
        return super().visible_to(user)


class ProductQuerySet(ProducerOwnedQuerySet["Product"]):
    district_field = "district"

    def with_sku_count(self) -> ProductQuerySet:
        return self.annotate(sku_count=models.Count("skus"))

    def for_list(self) -> ProductQuerySet:
        """What the product list shows of each product: its producer, ODOP product and district,
        how many SKUs, the first ready photo; newest change first. Subqueries, not joins: a
        count over a join of SKUs and images multiplies rows at 100,000 SKUs."""
        return (
            self.select_related("producer", "odop_product", "district")
            .annotate(
                sku_count=models.Subquery(
                    Sku.objects.filter(product=models.OuterRef("pk"))
                    .order_by()
                    .values("product")
                    .annotate(n=models.Count("pk"))
                    .values("n")[:1]
                ),
                main_image=models.Subquery(
                    ProductImage.objects.filter(
                        product=models.OuterRef("pk"), status=ProductImage.Status.READY
                    )
                    .order_by("position", "id")
                    .values("uuid")[:1]
                ),
            )
            .order_by("-updated_at", "-id")
        )

    def filtered(self, params: dict[str, str]) -> ProductQuerySet:
        """The product list's filters: text, producer, ODOP product, category, readiness."""
        records = self
        producer = params.get("producer", "")
        if producer:
            try:
                records = records.filter(producer__uuid=uuid.UUID(producer))
            except ValueError:
                records = records.none()
        odop_product = record_id(params.get("odop_product"))
        if odop_product is not None:
            records = records.filter(odop_product_id=odop_product)
        if params.get("category") in Category.values:
            records = records.filter(category=params["category"])
        readiness = params.get("readiness")
        if readiness == "ready":
            records = records.filter(completeness=100)
        elif readiness == "almost":
            records = records.filter(completeness__gte=70, completeness__lt=100)
        elif readiness == "needs_work":
            records = records.filter(completeness__lt=70)
        lacks = params.get("lacks", "")
        if lacks:
            # `missing` is stored as ",code,code,", so one code matches exactly.
            records = records.filter(missing__contains=f",{lacks},")
        text = params.get("q", "").strip()
        if text:
            # SKU codes are looked up first, on their own index: as an OR across a join to the
            # SKUs, the search needed DISTINCT over every matching row and no index could serve
            # it (0.4-1 s at 100,000 SKUs, bench/bench_catalog.py). Codes are ASCII, so UPPER
            # folds them alike on every database.
            codes = Sku.objects.alias(code=Upper("seller_sku")).filter(code=text.upper())
            records = records.filter(
                models.Q(name_en__icontains=text)
                | models.Q(name_hi__icontains=text)
                | models.Q(pk__in=list(codes.values_list("product_id", flat=True)))
            )
        return records


class Product(Timestamped):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The producer's district, copied so that scoping and district lists need no join.
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="products")
    producer = models.ForeignKey(
        Producer, verbose_name=_("producer"), on_delete=models.PROTECT, related_name="products"
    )
    odop_product = models.ForeignKey(
        OdopProduct,
        verbose_name=_("ODOP product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
    )
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_hi = models.CharField(_("name (Hindi)"), max_length=200, blank=True)
    hs_code = models.CharField(
        _("HS code"),
        max_length=8,
        blank=True,
        help_text=_("6 to 8 digits; it is also the GST HSN code."),
    )
    gst_rate = models.CharField(_("GST rate"), max_length=2, choices=GstRate.choices, blank=True)
    country_of_origin = models.CharField(_("country of origin"), max_length=2, default="IN")
    handmade = models.BooleanField(_("handmade"), default=True)
    gi_tag = models.CharField(
        _("GI tag"),
        max_length=200,
        blank=True,
        help_text=_("The registered Geographical Indication, if the product has one."),
    )
    made_to_order = models.BooleanField(_("made to order"), default=False)
    lead_time_days = models.PositiveSmallIntegerField(
        _("lead time (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    # Legal Metrology (Packaged Commodities) declarations.
    generic_name = models.CharField(_("generic name of the commodity"), max_length=200, blank=True)
    manufacturer_name = models.CharField(_("manufacturer or packer"), max_length=200, blank=True)
    manufacturer_address = models.TextField(_("manufacturer's or packer's address"), blank=True)
    # What the product still lacks to be sold (completeness.py): a score 0-100, and the missing
    # checks' codes as ",code,code," so that a list can be filtered by one of them.
    completeness = models.PositiveSmallIntegerField(_("completeness"), default=0)
    missing = models.CharField(max_length=300, blank=True, default="")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    # Deleted by staff while a SKU's listings were still being ended on a marketplace: the row
    # goes when the last of them is (`actions.purge_deleted`).
    deleting_since = models.DateTimeField(null=True, blank=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        # The list is always newest first; a filter on the score walks this index and stops at
        # a page. An index on (district, completeness) made SQLite sort every matching row.
        indexes = [models.Index(fields=["district", "-updated_at"])]

    def __str__(self) -> str:
        if get_language() == "hi":
            return self.name_hi or self.name_en or str(self.uuid)[:8]
        return self.name_en or self.name_hi or str(self.uuid)[:8]

    @property
    def missing_codes(self) -> list[str]:
        return [code for code in self.missing.split(",") if code]


class SkuQuerySet(ProducerOwnedQuerySet["Sku"]):
    district_field = "product__district"
    producer_field = "product__producer"


class Sku(Timestamped):
    """A variant of a product, as a marketplace sells it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="skus")
    # Copied from the product, for the per-producer uniqueness of the seller SKU code.
    producer = models.ForeignKey(Producer, on_delete=models.PROTECT, related_name="+")
    seller_sku = models.CharField(
        _("seller SKU code"),
        max_length=40,
        help_text=_("Letters, digits and - _ . only; unique among this producer's SKUs."),
    )
    # Size, colour and material as staff write them (Hindi or English), and in English for the
    # marketplaces that take English only; the actions fill the English from the vocabulary
    # (AttributeTerm) when staff leave it blank.
    size = models.CharField(_("size"), max_length=40, blank=True)
    colour = models.CharField(_("colour"), max_length=40, blank=True)
    material = models.CharField(_("material"), max_length=80, blank=True)
    size_en = models.CharField(_("English size"), max_length=40, blank=True)
    colour_en = models.CharField(_("English colour"), max_length=40, blank=True)
    material_en = models.CharField(_("English material"), max_length=80, blank=True)
    design = models.CharField(_("design"), max_length=80, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_hi = models.CharField(_("title (Hindi)"), max_length=300, blank=True)
    bullets_en = models.TextField(_("bullet points (English)"), blank=True)
    bullets_hi = models.TextField(_("bullet points (Hindi)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_hi = models.TextField(_("description (Hindi)"), blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    currency = models.CharField(max_length=3, default="INR", editable=False)
    mrp = models.DecimalField(_("MRP (₹)"), max_digits=12, decimal_places=2, null=True, blank=True)
    price = models.DecimalField(
        _("selling price (₹)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    net_quantity = models.DecimalField(
        _("net quantity"), max_digits=10, decimal_places=3, null=True, blank=True
    )
    net_quantity_unit = models.CharField(
        _("unit"), max_length=6, choices=QuantityUnit.choices, default=QuantityUnit.PIECE
    )
    weight_g = models.PositiveIntegerField(_("packed weight (g)"), null=True, blank=True)
    length_cm = models.DecimalField(
        _("package length (cm)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    width_cm = models.DecimalField(
        _("package width (cm)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    height_cm = models.DecimalField(
        _("package height (cm)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    manufactured_on = models.DateField(
        _("month and year of manufacture"),
        null=True,
        blank=True,
        help_text=_("Stored as the first day of the month."),
    )
    stock = models.PositiveIntegerField(_("stock"), default=0)
    completeness = models.PositiveSmallIntegerField(_("completeness"), default=0)
    # Deleted by staff while its listings are being ended on the marketplaces: the row goes when
    # the last listing has ended (`actions.purge_deleted`). Nothing sells or edits it meanwhile.
    deleting_since = models.DateTimeField(null=True, blank=True)

    objects = SkuQuerySet.as_manager()

    class Meta:
        ordering = ["product_id", "id"]
        verbose_name = _("SKU")
        verbose_name_plural = _("SKUs")
        # The product list's search finds a SKU code typed in any case.
        indexes = [models.Index(Upper("seller_sku"), name="catalog_sku_code_upper")]
        constraints = [
            models.UniqueConstraint(
                fields=["producer", "seller_sku"], name="sku_unique_per_producer"
            ),
            models.CheckConstraint(
                condition=models.Q(mrp__isnull=True)
                | models.Q(price__isnull=True)
                | models.Q(price__lte=models.F("mrp")),
                name="sku_price_not_above_mrp",
            ),
            models.CheckConstraint(
                condition=models.Q(price__isnull=True) | models.Q(price__gte=Decimal(0)),
                name="sku_price_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.seller_sku

    @property
    def title(self) -> str:
        if get_language() == "hi":
            return self.title_hi or self.title_en
        return self.title_en or self.title_hi

    @property
    def variant(self) -> str:
        return " · ".join(v for v in (self.size, self.colour, self.material, self.design) if v)

    def in_english(self, field: str) -> str:
        """Size, colour or material as an English-only marketplace gets it: the English value,
        else the value as written (which `validate` refuses if it is in Devanagari); nothing
        when there is no value (the English is that of the value, never a value by itself)."""
        written = getattr(self, field).strip()
        return (getattr(self, f"{field}_en").strip() or written) if written else ""

    def bullet_list(self, language: str) -> list[str]:
        text = self.bullets_hi if language == "hi" else self.bullets_en
        return [line.strip() for line in text.splitlines() if line.strip()]


def _image_path(image: ProductImage, name: str) -> str:
    return f"catalogue/{image.product.uuid}/{image.uuid}/{name}"


def original_path(image: ProductImage, filename: str) -> str:
    return _image_path(image, "original.jpg")


def main_path(image: ProductImage, filename: str) -> str:
    return _image_path(image, "main.jpg")


def thumbnail_path(image: ProductImage, filename: str) -> str:
    return _image_path(image, "thumbnail.jpg")


class ProductImageQuerySet(ProducerOwnedQuerySet["ProductImage"]):
    district_field = "product__district"
    producer_field = "product__producer"


class ProductImage(Timestamped):
    """A photo of a product: the original (upright, no metadata) and the marketplace main image
    made from it in the background (white background, square), with its quality report."""

    class Status(models.TextChoices):
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Could not be processed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField(default=0)
    file_name = models.CharField(max_length=255, blank=True)
    original = models.ImageField(upload_to=original_path, max_length=255)
    main = models.ImageField(upload_to=main_path, max_length=255, blank=True)
    thumbnail = models.ImageField(upload_to=thumbnail_path, max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROCESSING)
    error = models.TextField(blank=True)
    # Staff choices: a crop of the original (fractions left, top, right, bottom) in which to find
    # the product, and whether to list the original itself instead of the white-background image.
    crop = models.JSONField(null=True, blank=True)
    use_original = models.BooleanField(_("keep the original"), default=False)
    quality_score = models.PositiveSmallIntegerField(null=True, blank=True)
    # [{name, passed, score, reason, message, params}]: see imaging.reason_text
    quality = models.JSONField(default=list, blank=True)
    phash = models.CharField(max_length=16, blank=True, db_index=True)
    reused_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ProductImageQuerySet.as_manager()

    def quality_checks(self) -> list[dict[str, Any]]:
        """The quality report's checks, each with its `reason` in the active language."""
        return [{**check, "reason": imaging.reason_text(check)} for check in self.quality]

    class Meta:
        ordering = ["product_id", "position", "id"]
        verbose_name = _("product photo")
        verbose_name_plural = _("product photos")

    def __str__(self) -> str:
        return self.file_name or str(self.uuid)

    @property
    def is_main(self) -> bool:
        return self.position == 0


class GlossaryTerm(Timestamped):
    """A craft word in Hindi and the English phrasing marketplaces' buyers search for."""

    hindi = models.CharField(_("Hindi term"), max_length=100)
    english = models.CharField(_("English phrasing"), max_length=200)
    note = models.CharField(_("note"), max_length=200, blank=True)
    added_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["hindi"]
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary terms")
        constraints = [models.UniqueConstraint(fields=["hindi"], name="glossary_hindi_unique")]

    def __str__(self) -> str:
        return f"{self.hindi} → {self.english}"


class AttributeTerm(Timestamped):
    """A value of a SKU's size, colour or material in Hindi and in English (लाल = Red), so that
    a variant written in Hindi reaches English-only marketplaces in English. Seeded with common
    values (migration 0006); staff add the words their district uses."""

    class Kind(models.TextChoices):
        COLOUR = "colour", _("Colour")
        MATERIAL = "material", _("Material")
        SIZE = "size", _("Size")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    hindi = models.CharField(_("Hindi"), max_length=80)
    english = models.CharField(_("English"), max_length=80)
    added_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["kind", "english"]
        verbose_name = _("attribute value")
        verbose_name_plural = _("attribute values")
        constraints = [
            models.UniqueConstraint(fields=["kind", "hindi"], name="attribute_term_hindi_unique")
        ]

    def __str__(self) -> str:
        return f"{self.hindi} → {self.english}"


class CatalogImportJobQuerySet(DistrictWorkQuerySet["CatalogImportJob"]):
    district_field = "district"


class CatalogImportJob(SheetImportJob):
    """One uploaded sheet of products and SKUs, with an optional zip of their photos: checked row
    by row, imported whole or not at all (see bulk_import.py; the job is the import framework's,
    niryat/core/sheets)."""

    file = models.FileField(upload_to="catalogue-imports/%Y/%m/", max_length=255, blank=True)
    photos = models.FileField(upload_to="catalogue-imports/%Y/%m/", max_length=255, blank=True)
    photos_name = models.CharField(max_length=255, blank=True)
    updated_count = models.PositiveIntegerField(default=0)
    photo_count = models.PositiveIntegerField(default=0)

    objects = CatalogImportJobQuerySet.as_manager()

    class Meta(SheetImportJob.Meta):
        verbose_name = _("catalogue import")
        verbose_name_plural = _("catalogue imports")
