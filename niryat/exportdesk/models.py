"""The export desk: readiness to export, export orders and their shipments.

Facts behind the fields are in ../shared/data/EXPORT_FACTS.md; each field that rests on one names
its section there.
"""

from __future__ import annotations

import calendar
import datetime
import uuid
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from niryat.channels.models import Order as MarketplaceOrder
from niryat.core.models import District, Timestamped, User
from niryat.core.scoping import DistrictWorkQuerySet, ScopedQuerySet
from niryat.registry.models import Producer

# Staff are reminded this many days before a readiness item lapses (and the page warns as long).
REMINDER_DAYS = 30

# The full export value is to be realised and repatriated within nine months from the date of
# export: FEMA (Export of Goods and Services) Regulations as summarised at
# https://www.taxtmi.com/acts?id=2365, and RBI's directions, A.2(i) "nine months from the date of
# export for all exporters … until further notice", as quoted at howtoexportimport.com (RBI
# regulations on realization of export bills). Unrealised after it, a shipment is flagged.
REALISATION_MONTHS = 9


def add_months(on: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (or earlier), or the month's last day if it has no such day."""
    index = on.year * 12 + on.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(on.day, last))


class Council(Timestamped):
    """An export promotion council, commodity board or FIEO: the bodies that issue an RCMC
    (EXPORT_FACTS.md §7). Kept as data; staff add the councils their producers need."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    covers = models.CharField(_("products it covers"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=500)

    class Meta:
        ordering = ["code"]
        verbose_name = _("export promotion council")
        verbose_name_plural = _("export promotion councils")

    def __str__(self) -> str:
        return f"{self.code.upper()} · {self.name}"


class ExportRuleQuerySet(models.QuerySet["ExportRule"]):
    def applying_to(self, countries: set[str], hs_codes: set[str]) -> list[ExportRule]:
        """The rules for these destinations and products: a rule with no country applies to
        every destination, one with no HS prefix to every product."""
        return [
            rule
            for rule in self
            if (not rule.country or rule.country in countries)
            and (not rule.hs_prefix or any(code.startswith(rule.hs_prefix) for code in hs_codes))
        ]


class ExportRule(Timestamped):
    """A rule that applies per destination and product (labelling, restricted dyes and materials,
    children's products), kept as data with its source; staff extend the list. A rule resting on
    one weak source stays "to verify" until a second source confirms it: it is shown to staff but
    does not hold a producer back."""

    country = models.CharField(
        _("destination country (ISO code)"),
        max_length=2,
        blank=True,
        help_text=_("Empty: every destination."),
    )
    hs_prefix = models.CharField(
        _("HS code or its first digits"),
        max_length=8,
        blank=True,
        help_text=_("Empty: every product."),
    )
    title = models.CharField(_("rule"), max_length=200)
    explanation_hi = models.TextField(_("explanation in Hindi"))
    explanation_en = models.TextField(_("explanation in English"), blank=True)
    source = models.CharField(_("source"), max_length=500)
    second_source = models.CharField(_("second source"), max_length=500, blank=True)

    objects = ExportRuleQuerySet.as_manager()

    class Meta:
        ordering = ["country", "hs_prefix", "title"]
        verbose_name = _("export rule")
        verbose_name_plural = _("export rules")

    def __str__(self) -> str:
        return self.title

    @property
    def verified(self) -> bool:
        return bool(self.second_source.strip())


class ReadinessItemQuerySet(DistrictWorkQuerySet["ReadinessItem"]):
    district_field = "producer__district"

    def lapsing(self, today: datetime.date) -> ReadinessItemQuerySet:
        """Done items that lapse within the reminder window (or have lapsed) and whose reminder
        for this expiry date has not been sent."""
        return self.filter(
            status=ReadinessItem.Status.DONE,
            expires_on__isnull=False,
            expires_on__lte=today + datetime.timedelta(days=REMINDER_DAYS),
            producer__erased_at__isnull=True,
        ).exclude(reminded_for=models.F("expires_on"))


def evidence_path(item: ReadinessItem, filename: str) -> str:
    # A random name: the producer's documents are never reached by guessing; the page serves them.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"exportdesk/evidence/{item.producer.uuid}/{uuid.uuid4().hex}.{suffix}"


class ReadinessItem(Timestamped):
    """One line of a producer's export readiness checklist."""

    class Kind(models.TextChoices):
        IEC = "iec", _("Importer-Exporter Code (IEC)")
        GST = "gst", _("GST registration")
        LUT = "lut", _("Letter of Undertaking (LUT) for this financial year")
        AD_CODE = "ad_code", _("AD code at the port or foreign post office")
        RCMC = "rcmc", _("Registration-cum-Membership Certificate (RCMC)")
        BANK = "bank", _("Bank account for foreign payments")
        ICEGATE = "icegate", _("ICEGATE registration")
        RULE = "rule", _("Destination and product rule")

    class Status(models.TextChoices):
        MISSING = "missing", _("Not yet")
        APPLIED = "applied", _("Applied for")
        DONE = "done", _("Done")

    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="readiness_items")
    kind = models.CharField(_("item"), max_length=10, choices=Kind.choices)
    rule = models.ForeignKey(
        ExportRule, on_delete=models.CASCADE, null=True, blank=True, related_name="items"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.MISSING
    )
    reference = models.CharField(_("number or reference"), max_length=60, blank=True)
    council = models.ForeignKey(
        Council,
        verbose_name=_("council"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    valid_from = models.DateField(_("issued or valid from"), null=True, blank=True)
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    evidence = models.FileField(_("evidence"), upload_to=evidence_path, max_length=255, blank=True)
    evidence_name = models.CharField(max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # The expiry date whose reminder was sent: a renewed item (a new date) is reminded again.
    reminded_for = models.DateField(null=True, blank=True, editable=False)
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ReadinessItemQuerySet.as_manager()

    class Meta:
        ordering = ["producer", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["producer", "kind"],
                condition=Q(rule__isnull=True),
                name="readiness_one_item_per_kind",
            ),
            models.UniqueConstraint(
                fields=["producer", "rule"],
                condition=Q(rule__isnull=False),
                name="readiness_one_item_per_rule",
            ),
        ]

    def __str__(self) -> str:
        return str(self.rule) if self.rule_id else str(self.get_kind_display())

    def state(self, today: datetime.date) -> str:
        """What the page shows: missing, applied, done, lapses_soon or expired."""
        if self.status != self.Status.DONE:
            return str(self.status)
        if self.expires_on is not None:
            if self.expires_on < today:
                return "expired"
            if self.expires_on <= today + datetime.timedelta(days=REMINDER_DAYS):
                return "lapses_soon"
        return "done"


class ForeignBuyer(Timestamped):
    """A buyer abroad, of a district's producers. The importer reference is CN 23's
    "importer/addressee reference (tax code / VAT no. / importer code)" (EXPORT_FACTS.md §2)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("buyer's name"), max_length=200)
    country = models.CharField(_("country"), max_length=2)
    address = models.TextField(_("address"), blank=True)
    importer_reference = models.CharField(
        _("importer reference (tax, VAT or importer code)"), max_length=60, blank=True
    )
    email = models.EmailField(_("email"), blank=True)

    objects: Any = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Incoterm(models.TextChoices):
    """Incoterms 2020 (ICC)."""

    EXW = "EXW", "EXW"
    FCA = "FCA", "FCA"
    CPT = "CPT", "CPT"
    CIP = "CIP", "CIP"
    DAP = "DAP", "DAP"
    DPU = "DPU", "DPU"
    DDP = "DDP", "DDP"
    FAS = "FAS", "FAS"
    FOB = "FOB", "FOB"
    CFR = "CFR", "CFR"
    CIF = "CIF", "CIF"


class ExportOrderQuerySet(DistrictWorkQuerySet["ExportOrder"]):
    district_field = "district"


class ExportOrder(Timestamped):
    """An order from a foreign buyer to one producer. Values are in the order's currency; the
    exchange rate is the customs notified rate (rupees per unit) that turns FOB into rupees
    (EXPORT_FACTS.md §3, PBE-III columns 16-34: "FOB, Currency, Exchange rate, Amount in INR")."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    producer = models.ForeignKey(Producer, on_delete=models.PROTECT, related_name="export_orders")
    buyer = models.ForeignKey(ForeignBuyer, on_delete=models.PROTECT, related_name="orders")
    buyer_order_ref = models.CharField(_("buyer's order reference"), max_length=60, blank=True)
    incoterm = models.CharField(_("Incoterm (2020)"), max_length=3, choices=Incoterm.choices)
    currency = models.CharField(_("currency"), max_length=3)
    exchange_rate = models.DecimalField(
        _("customs exchange rate (₹ per unit)"),
        max_digits=10,
        decimal_places=4,
        null=True,
        blank=True,
    )
    # Freight and insurance in the invoice total (CIF, CIP...), taken off to give the FOB value.
    freight = models.DecimalField(_("freight"), max_digits=12, decimal_places=2, default=0)
    insurance = models.DecimalField(_("insurance"), max_digits=12, decimal_places=2, default=0)
    # PBE-III declaration 2: zero-rated under s.16 IGST Act (under LUT) unless IGST is paid.
    igst_paid = models.BooleanField(_("IGST paid (not under LUT)"), default=False)
    igst_rate = models.DecimalField(_("IGST rate (%)"), max_digits=5, decimal_places=2, default=0)
    packages = models.PositiveIntegerField(_("number of packages"), default=1)
    gross_weight_kg = models.DecimalField(
        _("gross weight (kg)"), max_digits=9, decimal_places=3, null=True, blank=True
    )
    # The marketplace order (Amazon Global Selling, eBay) this export order was made from: at
    # most one export order per marketplace order.
    marketplace_order = models.OneToOneField(
        MarketplaceOrder,
        verbose_name=_("marketplace order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="export_order",
    )
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ExportOrderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.buyer} · {self.producer}"

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines.all()), Decimal(0))

    @property
    def fob(self) -> Decimal:
        return self.total - self.freight - self.insurance

    @property
    def fob_inr(self) -> Decimal | None:
        if self.exchange_rate is None:
            return None
        return (self.fob * self.exchange_rate).quantize(Decimal("0.01"))


class ExportOrderLine(models.Model):
    """One line of an export order. The HS code is India's 8-digit ITC-HS (CTH in PBE-III,
    EXPORT_FACTS.md §8)."""

    order = models.ForeignKey(ExportOrder, on_delete=models.CASCADE, related_name="lines")
    description = models.CharField(_("description"), max_length=200)
    hs_code = models.CharField(_("HS code (8 digits)"), max_length=8, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    net_weight_kg = models.DecimalField(
        _("net weight (kg)"), max_digits=9, decimal_places=3, null=True, blank=True
    )

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.description

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


class ParcelStatus(models.TextChoices):
    """Where a parcel is, from posting to delivery (entered by staff or imported from a list)."""

    BOOKED = "booked", _("Booked")
    IN_TRANSIT = "in_transit", _("In transit")
    AT_DESTINATION = "at_destination", _("Arrived in the destination country")
    DELIVERED = "delivered", _("Delivered")
    RETURNED = "returned", _("Returned to sender")


class ShipmentQuerySet(DistrictWorkQuerySet["Shipment"]):
    district_field = "order__district"


class Shipment(Timestamped):
    """An export order sent abroad: by post (a UPU S10 tracking number), courier or cargo."""

    class Mode(models.TextChoices):
        POST = "post", _("India Post (Dak Ghar Niryat Kendra)")
        COURIER = "courier", _("Courier")
        CARGO = "cargo", _("Air or sea cargo")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order = models.ForeignKey(ExportOrder, on_delete=models.PROTECT, related_name="shipments")
    shipped_on = models.DateField(_("shipped on"))
    mode = models.CharField(_("sent by"), max_length=10, choices=Mode.choices)
    tracking_number = models.CharField(_("tracking number"), max_length=40, blank=True)
    fob_inr = models.DecimalField(_("FOB value (₹)"), max_digits=14, decimal_places=2)
    realised_on = models.DateField(_("payment realised on"), null=True, blank=True)
    ebrc_number = models.CharField(_("e-BRC number"), max_length=40, blank=True)
    status = models.CharField(
        _("parcel status"), max_length=16, choices=ParcelStatus.choices, default=ParcelStatus.BOOKED
    )
    status_on = models.DateField(_("status since"), null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ShipmentQuerySet.as_manager()

    class Meta:
        ordering = ["-shipped_on", "-id"]

    def __str__(self) -> str:
        return self.tracking_number or str(self.shipped_on)

    @property
    def realisation_due(self) -> datetime.date:
        return add_months(self.shipped_on, REALISATION_MONTHS)

    def realisation_overdue(self, today: datetime.date) -> bool:
        """Unrealised after the RBI period."""
        return self.realised_on is None and today > self.realisation_due


# The IMF's Special Drawing Right has the ISO 4217 code XDR: its rupee rate is kept as a reference
# rate like any currency's, dated and with its source.
SDR = "XDR"

# CN 22 is for contents up to 300 SDR; above, CN 23 (EXPORT_FACTS.md §1: the India Post CN 22
# form, "300 SDR = Rs.23000 – value of SDR may change", and Mumbai Customs' APSO export procedure,
# https://mumbaicustomszone3.gov.in/apsc-export-procedure-through-postal-channel-apso).
CN22_LIMIT_SDR = Decimal(300)


class ReferenceRateQuerySet(models.QuerySet["ReferenceRate"]):
    def rate_for(self, currency: str, on: datetime.date) -> ReferenceRate | None:
        """The rate of `currency` in force on `on`: the latest one dated on or before it."""
        return self.filter(currency=currency.upper(), on__lte=on).order_by("-on", "-id").first()


class ReferenceRate(Timestamped):
    """Rupees per unit of a currency from a date on, with its source: the exchange rate Customs
    notifies for exports (the rate that turns FOB into rupees, PBE-III columns 16-34,
    EXPORT_FACTS.md §3), or the SDR's rupee rate (currency XDR) that sets the CN 22 limit.
    Staff enter them or import a list; they belong to no district."""

    currency = models.CharField(_("currency"), max_length=3)
    on = models.DateField(_("in force from"))
    inr_per_unit = models.DecimalField(_("rupees per unit"), max_digits=12, decimal_places=4)
    source = models.CharField(_("source"), max_length=300)
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ReferenceRateQuerySet.as_manager()

    class Meta:
        ordering = ["currency", "-on"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "on"], name="reference_rate_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.on}: ₹{self.inr_per_unit}"


def financial_year_label(on: datetime.date) -> str:
    """The Indian financial year holding `on`, as documents write it: 2026-27."""
    start = on.year if on.month >= 4 else on.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


class DocumentCounter(models.Model):
    """The last number issued of a kind of document, per centre (district) and financial year.
    Taken under a row lock in the transaction that issues the document: a refused or failed
    document rolls the counter back with it, so no number is consumed."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12)
    financial_year = models.CharField(max_length=7)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["district", "kind", "financial_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "kind", "financial_year"], name="document_counter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.financial_year}: {self.last}"


def document_path(document: Document, filename: str) -> str:
    return f"exportdesk/documents/{document.order.uuid}/{uuid.uuid4().hex}.pdf"


class DocumentQuerySet(DistrictWorkQuerySet["Document"]):
    district_field = "order__district"


class Document(Timestamped):
    """An issued export document as a PDF. Amending one issues a new version under the same
    number; earlier versions stay readable and are never overwritten."""

    class Kind(models.TextChoices):
        PROFORMA = "proforma", _("Proforma invoice")
        INVOICE = "invoice", _("Commercial invoice")
        PACKING_LIST = "packing_list", _("Packing list")
        CN22 = "cn22", _("CN 22 customs declaration")
        CN23 = "cn23", _("CN 23 customs declaration")

    order = models.ForeignKey(ExportOrder, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("document"), max_length=12, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=40)
    version = models.PositiveIntegerField(_("version"), default=1)
    pdf = models.FileField(upload_to=document_path, max_length=255)
    hindi_name = models.BooleanField(_("producer's name also in Hindi"), default=False)
    issued_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["order", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "kind", "version"], name="document_one_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number} v{self.version}"


class MerchantExporter(Timestamped):
    """A merchant exporter that buys from the district's producers and exports under its own IEC
    (seed 001: many Gorakhpur units export "not directly but through a merchant exporter")."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    iec = models.CharField(_("IEC"), max_length=10)
    city = models.CharField(_("city"), max_length=100, blank=True)

    objects: Any = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "iec"], name="merchant_exporter_iec")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.iec})"


class MerchantSaleQuerySet(DistrictWorkQuerySet["MerchantSale"]):
    district_field = "district"


class MerchantSale(Timestamped):
    """A producer's sale to a merchant exporter, for export to a country: recorded by staff,
    whether or not it passed through Niryat."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    producer = models.ForeignKey(Producer, on_delete=models.PROTECT, related_name="merchant_sales")
    merchant = models.ForeignKey(
        MerchantExporter, verbose_name=_("merchant exporter"), on_delete=models.PROTECT
    )
    country = models.CharField(_("destination country"), max_length=2)
    sold_on = models.DateField(_("sold on"))
    value_inr = models.DecimalField(_("value (₹)"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = MerchantSaleQuerySet.as_manager()

    class Meta:
        ordering = ["-sold_on", "-id"]

    def __str__(self) -> str:
        return f"{self.producer} → {self.merchant} ({self.country})"
