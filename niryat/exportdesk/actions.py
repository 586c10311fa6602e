"""Writes of the export desk: atomic, audited, each with its rules (see DESIGN.md)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from niryat.channels.models import ChannelCode
from niryat.channels.models import Order as MarketplaceOrder
from niryat.core.audit import record_audit
from niryat.core.countries import country_name
from niryat.core.messaging import MessageNotSent, MessageRefused, Outgoing, gateway
from niryat.core.models import User
from niryat.core.scoping import require_write, require_write_access
from niryat.core.sheets.reading import Column, SheetError, SheetLayout, read_sheet
from niryat.exportdesk.documents import (
    PREFIXES,
    document_context,
    document_problems,
    render_pdf,
)
from niryat.exportdesk.models import (
    Council,
    Document,
    DocumentCounter,
    ExportOrder,
    ExportOrderLine,
    ExportRule,
    ForeignBuyer,
    MerchantExporter,
    MerchantSale,
    ParcelStatus,
    ReadinessItem,
    ReferenceRate,
    Shipment,
    financial_year_label,
)
from niryat.exportdesk.readiness import (
    FIXED_KINDS,
    check_dates,
    clean_iec_as_pan,
    clean_reference,
    default_expiry,
)
from niryat.exportdesk.s10 import clean_s10
from niryat.registry.actions import do_advance_stage
from niryat.registry.models import Producer, Stage

# Evidence is a scan or a photo of a certificate: PDF or image, at most 5 MB.
EVIDENCE_TYPES = {"pdf", "jpg", "jpeg", "png"}
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024


def _locked_item(producer: Producer, key: str) -> ReadinessItem:
    """The producer's checklist line for `key`, locked; created on its first change."""
    Producer.objects.select_for_update().filter(pk=producer.pk).first()  # serialise creation
    if key.startswith("rule-") and key[5:].isdigit():
        rule = ExportRule.objects.filter(pk=int(key[5:])).first()
        if rule is None:
            raise ValidationError(_("This rule no longer exists."))
        item, _created = ReadinessItem.objects.get_or_create(
            producer=producer, kind=ReadinessItem.Kind.RULE, rule=rule
        )
    elif key in FIXED_KINDS:
        item, _created = ReadinessItem.objects.get_or_create(producer=producer, kind=key, rule=None)
    else:
        raise ValidationError(_("There is no such item on the checklist."))
    return ReadinessItem.objects.select_for_update().select_related("producer").get(pk=item.pk)


def _check_evidence(evidence: UploadedFile) -> None:
    name = evidence.name or ""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in EVIDENCE_TYPES:
        raise ValidationError(_("Evidence must be a PDF, JPEG or PNG file."))
    if (evidence.size or 0) > EVIDENCE_MAX_BYTES:
        raise ValidationError(_("Evidence must be 5 MB at most."))


@transaction.atomic
def do_update_readiness_item(
    producer: Producer,
    key: str,
    *,
    status: str,
    reference: str = "",
    council: Council | None = None,
    valid_from: datetime.date | None = None,
    expires_on: datetime.date | None = None,
    note: str = "",
    evidence: UploadedFile | None = None,
    acting_user: User,
) -> ReadinessItem:
    """Record where a readiness item stands. The number is checked (an IEC in PAN form, a GSTIN
    with its check character), the expiry defaults from the item's rule (a LUT's financial year,
    an RCMC's five years) and a LUT may not outlive its financial year. A new expiry date means
    a new reminder before it. `key` names the item: its kind, or `rule-<id>` for a rule."""
    require_write(producer.district, acting_user)
    item = _locked_item(producer, key)
    reference = clean_reference(item.kind, reference)
    if expires_on is None:
        expires_on = default_expiry(item.kind, valid_from)
    check_dates(item.kind, valid_from, expires_on)
    if item.kind == ReadinessItem.Kind.RCMC and status == ReadinessItem.Status.DONE and not council:
        raise ValidationError(_("Choose the council that issued the RCMC."))
    if evidence is not None:
        _check_evidence(evidence)
    old_file = item.evidence.name if evidence is not None else ""
    changes = {
        "status": [item.status, status],
        "reference": [item.reference, reference],
        "expires_on": [str(item.expires_on or ""), str(expires_on or "")],
    }
    item.status = status
    item.reference = reference
    item.council = council if item.kind == ReadinessItem.Kind.RCMC else None
    item.valid_from = valid_from
    item.expires_on = expires_on
    item.note = note.strip()
    item.updated_by = acting_user
    if evidence is not None:
        item.evidence_name = (evidence.name or "")[:200]
        item.evidence.save(evidence.name or "evidence", evidence, save=False)
        changes["evidence"] = ["", item.evidence_name]
        if old_file:
            # The replaced scan is not kept: it holds the producer's data and is no longer used.
            storage, name = item.evidence.storage, old_file
            transaction.on_commit(lambda: storage.delete(name))
    item.save()
    if item.kind == ReadinessItem.Kind.IEC and reference and status == ReadinessItem.Status.DONE:
        producer = item.producer
        if producer.iec != reference:
            producer.iec = reference
            producer.save(update_fields=["iec", "updated_at"])
    record_audit(
        actor=acting_user,
        action="exportdesk.readiness",
        obj=item,
        district=item.producer.district,
        changes={"kind": item.kind, **changes},
    )
    return item


def _in_hindi(item: ReadinessItem) -> str:
    with override("hi"):
        return str(item)


@dataclass(frozen=True)
class ReminderResult:
    sent: int
    skipped: int  # no mobile number: staff see the item on the export desk page instead
    failed: int  # the gateway refused or failed; tried again on the next run


def do_send_readiness_reminders(*, today: datetime.date | None = None) -> ReminderResult:
    """Remind each producer (by SMS, in Hindi) of every item that lapses within the reminder
    window, once per expiry date: running it twice a day sends nothing twice."""
    today = today or timezone.localdate()
    sent = skipped = failed = 0
    for pk in list(ReadinessItem.objects.lapsing(today).values_list("pk", flat=True)):
        with transaction.atomic():
            item = (
                ReadinessItem.objects.select_for_update(of=("self",))
                .select_related("producer", "rule")
                .get(pk=pk)
            )
            if item.reminded_for == item.expires_on or item.expires_on is None:
                continue
            producer = item.producer
            if producer.mobile:
                try:
                    # One message per item and expiry date (the gateway's key), on the channel
                    # the producer uses, in Hindi.
                    gateway().send(
                        Outgoing(
                            template="readiness_reminder",
                            key=f"readiness_reminder:{item.pk}:{item.expires_on}",
                            variables={
                                "item": _in_hindi(item),
                                "name": producer.name_hi or producer.name_latin,
                                "date": item.expires_on.strftime("%d.%m.%Y"),
                            },
                            producer_id=producer.pk,
                            language="hi",
                        )
                    )
                except (MessageNotSent, MessageRefused):
                    # Not marked as reminded: the next run tries again.
                    failed += 1
                    continue
                sent += 1
            else:
                skipped += 1
            item.reminded_for = item.expires_on
            item.save(update_fields=["reminded_for", "updated_at"])
            record_audit(
                actor=None,
                action="exportdesk.reminder",
                obj=item,
                district=producer.district,
                changes={"expires_on": str(item.expires_on), "sms": bool(producer.mobile)},
            )
    return ReminderResult(sent=sent, skipped=skipped, failed=failed)


# --- export orders and shipments -----------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    description: str
    hs_code: str
    quantity: int
    unit_price: Decimal
    net_weight_kg: Decimal | None = None


def clean_hs_code(value: str) -> str:
    code = "".join(ch for ch in value if ch.isdigit())
    if value.strip() and len(code) != 8:
        raise ValidationError(
            _("An HS code for export has 8 digits (India's ITC-HS); %(value)s has not.")
            % {"value": value.strip()}
        )
    return code


def _clean_currency(value: str) -> str:
    currency = value.strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ValidationError(_("The currency is a three-letter code, like USD."))
    return currency


def _order_rate(currency: str, given: Decimal | None, on: datetime.date) -> Decimal | None:
    """The rate staff entered, or else the reference rate in force for the currency."""
    if given is not None:
        return given
    reference = ReferenceRate.objects.rate_for(currency, on)
    return reference.inr_per_unit if reference is not None else None


def _find_buyer(producer: Producer, buyer: dict[str, Any]) -> ForeignBuyer:
    foreign_buyer, _created = ForeignBuyer.objects.get_or_create(
        district=producer.district,
        name=buyer["name"].strip(),
        country=buyer["country"],
        defaults={
            "address": buyer.get("address", ""),
            "importer_reference": buyer.get("importer_reference", ""),
            "email": buyer.get("email", ""),
        },
    )
    return foreign_buyer


def _apply_order_fields(
    export_order: ExportOrder, order: dict[str, Any], currency: str, on: datetime.date
) -> None:
    export_order.buyer_order_ref = order.get("buyer_order_ref", "")
    export_order.incoterm = order["incoterm"]
    export_order.currency = currency
    export_order.exchange_rate = _order_rate(currency, order.get("exchange_rate"), on)
    export_order.freight = order.get("freight") or Decimal(0)
    export_order.insurance = order.get("insurance") or Decimal(0)
    export_order.igst_paid = bool(order.get("igst_paid"))
    export_order.igst_rate = order.get("igst_rate") or Decimal(0)
    export_order.packages = order.get("packages") or 1
    export_order.gross_weight_kg = order.get("gross_weight_kg")


def _write_lines(export_order: ExportOrder, lines: list[LineInput]) -> None:
    ExportOrderLine.objects.bulk_create(
        ExportOrderLine(
            order=export_order,
            description=line.description.strip(),
            hs_code=clean_hs_code(line.hs_code),
            quantity=line.quantity,
            unit_price=line.unit_price,
            net_weight_kg=line.net_weight_kg,
        )
        for line in lines
    )
    if export_order.fob < 0:
        raise ValidationError(_("Freight and insurance are more than the order's total."))


@transaction.atomic
def do_create_export_order(
    producer: Producer,
    *,
    buyer: dict[str, Any],
    order: dict[str, Any],
    lines: list[LineInput],
    acting_user: User,
) -> ExportOrder:
    """A foreign buyer's order to one producer, with its lines. The buyer is found by name and
    country in the district, or added. Without a rate entered, the order takes the reference
    rate in force today for its currency (ReferenceRate), if one is kept."""
    require_write(producer.district, acting_user)
    if not lines:
        raise ValidationError(_("An export order needs at least one line."))
    currency = _clean_currency(order["currency"])
    export_order = ExportOrder(
        district=producer.district,
        producer=producer,
        buyer=_find_buyer(producer, buyer),
        created_by=acting_user,
    )
    _apply_order_fields(export_order, order, currency, timezone.localdate())
    export_order.save()
    _write_lines(export_order, lines)
    record_audit(
        actor=acting_user,
        action="exportdesk.order",
        obj=export_order,
        district=producer.district,
        changes={"buyer": export_order.buyer.name, "country": export_order.buyer.country},
    )
    return export_order


@transaction.atomic
def do_amend_export_order(
    export_order: ExportOrder,
    *,
    buyer: dict[str, Any],
    order: dict[str, Any],
    lines: list[LineInput],
    acting_user: User,
) -> ExportOrder:
    """Amend an order before it ships: its buyer, terms and lines are replaced. Documents
    already issued stay as they were; issuing one again gives a new version with the amended
    values. A shipped order is not amended: its shipments' FOB values rest on it."""
    export_order = (
        ExportOrder.objects.select_for_update()
        .select_related("producer", "buyer", "district")
        .get(pk=export_order.pk)
    )
    require_write(export_order.district, acting_user)
    if export_order.shipments.exists():
        raise ValidationError(_("The order has been shipped: it can no longer be amended."))
    if not lines:
        raise ValidationError(_("An export order needs at least one line."))
    currency = _clean_currency(order["currency"])
    before = {
        "buyer": export_order.buyer.name,
        "currency": export_order.currency,
        "exchange_rate": str(export_order.exchange_rate or ""),
        "total": str(export_order.total),
    }
    export_order.buyer = _find_buyer(export_order.producer, buyer)
    _apply_order_fields(export_order, order, currency, timezone.localdate())
    export_order.save()
    export_order.lines.all().delete()
    _write_lines(export_order, lines)
    after = {
        "buyer": export_order.buyer.name,
        "currency": export_order.currency,
        "exchange_rate": str(export_order.exchange_rate or ""),
        "total": str(export_order.total),
    }
    record_audit(
        actor=acting_user,
        action="exportdesk.order_amended",
        obj=export_order,
        district=export_order.district,
        changes={key: [before[key], after[key]] for key in before if before[key] != after[key]},
    )
    return export_order


# Marketplaces that sell abroad for producers (Amazon Global Selling, eBay).
CROSS_BORDER_CHANNELS = (ChannelCode.AMAZON, ChannelCode.EBAY)


@transaction.atomic
def do_export_marketplace_order(
    marketplace_order: MarketplaceOrder,
    *,
    buyer: dict[str, Any],
    acting_user: User,
) -> ExportOrder:
    """Make the export order of a marketplace order shipped abroad (Amazon Global Selling,
    eBay): its lines (the SKU's English title, its product's 8-digit HS code, quantity, price,
    packed weight), its currency at the reference rate of the order's date, and the buyer staff
    confirm with the destination country (the order book keeps no address). Its documents are
    then issued as for any export order. Once per marketplace order."""
    marketplace_order = (
        MarketplaceOrder.objects.select_for_update(of=("self",))
        .select_related("account", "producer__district")
        .get(pk=marketplace_order.pk)
    )
    require_write(marketplace_order.district, acting_user)
    if ExportOrder.objects.filter(marketplace_order=marketplace_order).exists():
        raise ValidationError(_("This marketplace order already has its export order."))
    if marketplace_order.account.channel not in CROSS_BORDER_CHANNELS:
        raise ValidationError(_("Only Amazon and eBay orders are sold abroad."))
    if buyer["country"] in {"", "IN"}:
        raise ValidationError(_("Choose the country the order ships to, outside India."))
    producer = marketplace_order.producer
    if producer is None:
        raise ValidationError(_("The order is not matched to a producer."))
    lines = []
    for line in marketplace_order.lines.select_related("sku__product"):
        sku = line.sku
        hs_code = sku.product.hs_code if sku is not None else ""
        lines.append(
            LineInput(
                description=(sku.title_en or str(sku.product)) if sku else line.seller_sku,
                hs_code=hs_code if len(hs_code) == 8 else "",  # 6 digits: staff complete it
                quantity=line.quantity,
                unit_price=line.unit_price,
                net_weight_kg=(
                    Decimal(sku.weight_g) / 1000 if sku is not None and sku.weight_g else None
                ),
            )
        )
    if not lines:
        raise ValidationError(_("An export order needs at least one line."))
    currency = _clean_currency(marketplace_order.currency)
    export_order = ExportOrder(
        district=marketplace_order.district,
        producer=producer,
        buyer=_find_buyer(producer, buyer),
        marketplace_order=marketplace_order,
        created_by=acting_user,
    )
    _apply_order_fields(
        export_order,
        {
            "incoterm": "DAP",
            "currency": currency,
            "buyer_order_ref": marketplace_order.channel_order_id,
        },
        currency,
        timezone.localtime(marketplace_order.ordered_at).date(),
    )
    export_order.save()
    _write_lines(export_order, lines)
    record_audit(
        actor=acting_user,
        action="exportdesk.order_from_marketplace",
        obj=export_order,
        district=export_order.district,
        changes={
            "marketplace_order": marketplace_order.channel_order_id,
            "channel": marketplace_order.account.channel,
            "country": buyer["country"],
        },
    )
    return export_order


def shipment_problems(order: ExportOrder) -> list[str]:
    """Why the order cannot be shipped yet, one sentence each (nothing: it can)."""
    problems = []
    for index, line in enumerate(order.lines.all(), start=1):
        if not line.hs_code:
            problems.append(
                _("Line %(n)s (%(description)s) has no HS code.")
                % {"n": index, "description": line.description}
            )
    if order.exchange_rate is None:
        problems.append(
            _(
                "There is no exchange rate for %(currency)s: enter the customs notified rate on "
                "the order, or record it among the reference rates."
            )
            % {"currency": order.currency}
        )
    if not order.igst_paid:
        lut = ReadinessItem.objects.filter(
            producer_id=order.producer_id, kind=ReadinessItem.Kind.LUT
        ).first()
        today = timezone.localdate()
        if lut is None or lut.state(today) not in {"done", "lapses_soon"}:
            problems.append(
                _("Without IGST paid, the producer needs a LUT for this financial year.")
            )
    return problems


@transaction.atomic
def do_record_shipment(
    order: ExportOrder,
    *,
    shipped_on: datetime.date,
    mode: str,
    tracking_number: str,
    acting_user: User,
) -> Shipment:
    """Record that the order went abroad. Its FOB value in rupees is fixed at the order's customs
    rate. The producer's first export shipment moves their funnel stage to "exporting" (the
    registry's proven-stage action, in this transaction)."""
    order = ExportOrder.objects.select_for_update().select_related("producer").get(pk=order.pk)
    require_write(order.district, acting_user)
    problems = shipment_problems(order)
    if problems:
        raise ValidationError(problems)
    if mode == Shipment.Mode.POST:
        tracking_number = clean_s10(tracking_number)
    else:
        tracking_number = tracking_number.strip()
    fob_inr = order.fob_inr or Decimal(0)  # never 0: shipment_problems refused a missing rate
    shipment = Shipment.objects.create(
        order=order,
        shipped_on=shipped_on,
        mode=mode,
        tracking_number=tracking_number,
        fob_inr=fob_inr,
        created_by=acting_user,
    )
    do_advance_stage(
        order.producer,
        Stage.EXPORTING,
        cause=lambda: (
            _("First export shipment, to %(buyer)s (%(country)s).")
            % {"buyer": order.buyer.name, "country": country_name(order.buyer.country)}
        ),
    )
    record_audit(
        actor=acting_user,
        action="exportdesk.shipment",
        obj=shipment,
        district=order.district,
        changes={"order": str(order.uuid), "fob_inr": str(fob_inr), "mode": mode},
    )
    return shipment


@transaction.atomic
def do_record_realisation(
    shipment: Shipment, *, realised_on: datetime.date, ebrc_number: str, acting_user: User
) -> Shipment:
    """The buyer's payment reached the producer's bank (its e-BRC number)."""
    shipment = Shipment.objects.select_for_update().select_related("order").get(pk=shipment.pk)
    require_write(shipment.order.district, acting_user)
    if realised_on < shipment.shipped_on:
        raise ValidationError(_("Payment cannot be realised before the goods were shipped."))
    shipment.realised_on = realised_on
    shipment.ebrc_number = ebrc_number.strip()
    shipment.save(update_fields=["realised_on", "ebrc_number", "updated_at"])
    record_audit(
        actor=acting_user,
        action="exportdesk.realisation",
        obj=shipment,
        district=shipment.order.district,
        changes={"realised_on": str(realised_on), "ebrc": shipment.ebrc_number},
    )
    return shipment


# --- documents ------------------------------------------------------------------------------


@transaction.atomic
def do_issue_document(
    order: ExportOrder,
    kind: str,
    *,
    hindi_name: bool = False,
    on: datetime.date | None = None,
    acting_user: User,
) -> Document:
    """Issue a document of the order as a PDF. The first issue takes the next number of its kind
    for the centre and financial year; issuing again (an amendment) makes a new version under
    the same number, and the earlier PDFs stay as they were. A document that cannot be issued
    (documents.document_problems) is refused with every reason, and nothing is kept: no row,
    no file, no number."""
    on = on or timezone.localdate()
    order = (
        ExportOrder.objects.select_for_update()
        .select_related("producer", "buyer", "district")
        .get(pk=order.pk)
    )
    require_write(order.district, acting_user)
    if kind not in Document.Kind.values:
        raise ValidationError(_("There is no such document."))
    problems = document_problems(order, kind, on)
    if problems:
        raise ValidationError(problems)
    previous = Document.objects.filter(order=order, kind=kind).order_by("-version").first()
    if previous is not None:
        number, version = previous.number, previous.version + 1
    else:
        number, version = _next_number(order, kind, on), 1
    invoice = (
        Document.objects.filter(order=order, kind=Document.Kind.INVOICE)
        .order_by("-version")
        .first()
    )
    context = document_context(
        order,
        kind,
        number=number,
        version=version,
        on=on,
        hindi_name=hindi_name,
        invoice_number=invoice.number if invoice else "",
    )
    pdf = render_pdf(context)
    document = Document(
        order=order,
        kind=kind,
        number=number,
        version=version,
        hindi_name=hindi_name,
        issued_by=acting_user,
    )
    # The file is written last, once everything that could refuse the document has passed.
    document.pdf.save(f"{kind}.pdf", ContentFile(pdf), save=False)
    document.save()
    record_audit(
        actor=acting_user,
        action="exportdesk.document",
        obj=document,
        district=order.district,
        changes={"kind": kind, "number": number, "version": version},
    )
    return document


def _next_number(order: ExportOrder, kind: str, on: datetime.date) -> str:
    """The next number of `kind` for the order's centre and financial year, like
    171/INV/2026-27/0001 (LGD code of the district, kind, year, serial)."""
    year = financial_year_label(on)
    DocumentCounter.objects.get_or_create(district=order.district, kind=kind, financial_year=year)
    counter = DocumentCounter.objects.select_for_update().get(
        district=order.district, kind=kind, financial_year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{order.district.lgd_code}/{PREFIXES[kind]}/{year}/{counter.last:04d}"


# --- who really exports -----------------------------------------------------------------------


@transaction.atomic
def do_record_merchant_sale(
    producer: Producer,
    *,
    merchant_name: str,
    merchant_iec: str,
    country: str,
    sold_on: datetime.date,
    value_inr: Decimal,
    note: str = "",
    acting_user: User,
) -> MerchantSale:
    """Record that the producer sold goods to a merchant exporter (known by its IEC in the
    district, added on its first sale) for export to `country`, through Niryat or not."""
    require_write(producer.district, acting_user)
    iec = clean_iec_as_pan(merchant_iec)
    if sold_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    if value_inr <= 0:
        raise ValidationError(_("The value must be more than zero."))
    merchant, _created = MerchantExporter.objects.get_or_create(
        district=producer.district, iec=iec, defaults={"name": merchant_name.strip()}
    )
    sale = MerchantSale.objects.create(
        district=producer.district,
        producer=producer,
        merchant=merchant,
        country=country,
        sold_on=sold_on,
        value_inr=value_inr,
        note=note.strip(),
        recorded_by=acting_user,
    )
    record_audit(
        actor=acting_user,
        action="exportdesk.merchant_sale",
        obj=sale,
        district=producer.district,
        changes={"merchant": iec, "country": country, "value_inr": str(value_inr)},
    )
    return sale


# --- reference exchange rates -------------------------------------------------------------------

RATE_LAYOUT = SheetLayout(
    columns=(
        Column("currency", "मुद्रा", "Currency"),
        Column("on", "तारीख", "Date", aliases=("from", "in force from", "लागू तारीख")),
        Column("rate", "दर", "Rate", aliases=("inr per unit", "rupees per unit", "₹ per unit")),
        Column("source", "स्रोत", "Source"),
    ),
    required=("currency", "on", "rate", "source"),
)


def _parse_date(value: str) -> datetime.date:
    text = value.strip()
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a date)
        except ValueError:
            continue
    raise ValidationError(
        _("%(value)s is not a date; write it like 2026-12-07 or 07.12.2026.") % {"value": text}
    )


def _parse_rate(value: str) -> Decimal:
    try:
        rate = Decimal(value.strip().replace(",", ""))
    except ArithmeticError:
        rate = Decimal(0)
    if not rate.is_finite() or rate <= 0 or rate >= Decimal("100000000"):
        raise ValidationError(
            _("%(value)s is not a rate: give the rupees per unit, like 83.25.")
            % {"value": value.strip()}
        )
    return rate.quantize(Decimal("0.0001"))


def _check_rate(currency: str, source: str) -> str:
    currency = _clean_currency(currency)
    if currency == "INR":
        raise ValidationError(_("The rupee needs no rate."))
    if not source.strip():
        raise ValidationError(_("Name the source of the rate (the Customs notification)."))
    return currency


def _save_rate(
    currency: str, on: datetime.date, rate: Decimal, source: str, acting_user: User
) -> tuple[ReferenceRate, bool]:
    """Add or correct the rate of a day; (rate, changed)."""
    existing = ReferenceRate.objects.select_for_update().filter(currency=currency, on=on).first()
    if existing is not None:
        if existing.inr_per_unit == rate and existing.source == source.strip():
            return existing, False
        old = str(existing.inr_per_unit)
        existing.inr_per_unit = rate
        existing.source = source.strip()[:300]
        existing.recorded_by = acting_user
        existing.save(update_fields=["inr_per_unit", "source", "recorded_by", "updated_at"])
        changes = {"currency": currency, "on": str(on), "rate": [old, str(rate)]}
        record_audit(actor=acting_user, action="exportdesk.rate", obj=existing, changes=changes)
        return existing, True
    created = ReferenceRate.objects.create(
        currency=currency,
        on=on,
        inr_per_unit=rate,
        source=source.strip()[:300],
        recorded_by=acting_user,
    )
    record_audit(
        actor=acting_user,
        action="exportdesk.rate",
        obj=created,
        changes={"currency": currency, "on": str(on), "rate": str(rate)},
    )
    return created, True


@transaction.atomic
def do_record_reference_rate(
    currency: str,
    *,
    on: datetime.date,
    inr_per_unit: Decimal,
    source: str,
    acting_user: User,
) -> ReferenceRate:
    """Record the rupee rate of a currency (or of the SDR, XDR) in force from `on`, with its
    source. Rates belong to no district: centre staff and state admins keep them."""
    require_write_access(acting_user)
    currency = _check_rate(currency, source)
    if inr_per_unit <= 0:
        raise ValidationError(_("The rate must be more than zero."))
    rate, _changed = _save_rate(currency, on, inr_per_unit, source, acting_user)
    return rate


def _row_problem(number: int, exc: ValidationError) -> str:
    return _("Row %(row)s: %(problem)s") % {"row": number, "problem": " ".join(exc.messages)}


def _read_list(data: bytes, name: str, layout: SheetLayout) -> list[tuple[int, dict[str, str]]]:
    try:
        return list(read_sheet(data, layout=layout).records())
    except SheetError as exc:
        raise ValidationError(str(exc)) from exc


@transaction.atomic
def do_import_reference_rates(data: bytes, *, name: str = "", acting_user: User) -> int:
    """Import a list of reference rates (currency, date, rate, source; CSV or XLSX, headers in
    Hindi or English). Every row is checked first: one bad row imports nothing and every bad
    row is named. Importing the same list again changes nothing. Gives the rows changed."""
    require_write_access(acting_user)
    rows = []
    problems = []
    for number, record in _read_list(data, name, RATE_LAYOUT):
        try:
            currency = _check_rate(record.get("currency", ""), record.get("source", ""))
            on = _parse_date(record.get("on", ""))
            rate = _parse_rate(record.get("rate", ""))
        except ValidationError as exc:
            problems.append(_row_problem(number, exc))
            continue
        rows.append((currency, on, rate, record["source"]))
    if problems:
        raise ValidationError(problems)
    return sum(_save_rate(*row, acting_user)[1] for row in rows)


# --- parcel status --------------------------------------------------------------------------------

PARCEL_LAYOUT = SheetLayout(
    columns=(
        Column("tracking_number", "ट्रैकिंग नंबर", "Tracking number", aliases=("article number",)),
        Column("status", "स्थिति", "Status"),
        Column("on", "तारीख", "Date"),
    ),
    required=("tracking_number", "status", "on"),
)


def _parcel_status(value: str) -> str:
    """A status by its code or its name in English or Hindi ("delivered", "Delivered",
    "पहुँच गया")."""
    wanted = value.strip().casefold()
    for choice in ParcelStatus:
        names = {choice.value, str(choice.label).casefold()}
        with override("en"):
            names.add(str(choice.label).casefold())
        with override("hi"):
            names.add(str(choice.label).casefold())
        if wanted in names:
            return str(choice.value)
    raise ValidationError(
        _("%(value)s is not a parcel status; use one of: %(choices)s.")
        % {"value": value.strip(), "choices": ", ".join(str(c.label) for c in ParcelStatus)}
    )


def _set_status(shipment: Shipment, status: str, on: datetime.date, acting_user: User) -> bool:
    if on < shipment.shipped_on:
        raise ValidationError(
            _("The status date %(date)s is before the parcel was shipped.")
            % {"date": on.strftime("%d.%m.%Y")}
        )
    if on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    if shipment.status == status and shipment.status_on == on:
        return False
    old = shipment.status
    shipment.status = status
    shipment.status_on = on
    shipment.save(update_fields=["status", "status_on", "updated_at"])
    record_audit(
        actor=acting_user,
        action="exportdesk.parcel_status",
        obj=shipment,
        district=shipment.order.district,
        changes={"status": [old, status], "on": str(on)},
    )
    return True


@transaction.atomic
def do_update_parcel_status(
    shipment: Shipment, *, status: str, on: datetime.date, acting_user: User
) -> Shipment:
    """Record where a parcel is, up to its delivery (or its return)."""
    shipment = (
        Shipment.objects.select_for_update().select_related("order__district").get(pk=shipment.pk)
    )
    require_write(shipment.order.district, acting_user)
    if status not in ParcelStatus.values:
        raise ValidationError(_("There is no such parcel status."))
    _set_status(shipment, status, on, acting_user)
    return shipment


@transaction.atomic
def do_import_parcel_statuses(data: bytes, *, name: str = "", acting_user: User) -> int:
    """Import a list of parcel statuses (tracking number, status, date), as India Post's
    tracking gives them. Each tracking number is checked (UPU S10 with its check digit) and must
    be a parcel the user's centre sent; one bad row imports nothing. Gives the parcels changed."""
    require_write_access(acting_user)
    found = []
    problems = []
    for number, record in _read_list(data, name, PARCEL_LAYOUT):
        try:
            tracking = clean_s10(record.get("tracking_number", ""))
            status = _parcel_status(record.get("status", ""))
            on = _parse_date(record.get("on", ""))
            shipment = (
                Shipment.objects.changeable_by(acting_user)
                .select_for_update(of=("self",))
                .select_related("order__district")
                .filter(tracking_number=tracking)
                .first()
            )
            if shipment is None:
                raise ValidationError(
                    _("No parcel of your centre has the tracking number %(value)s.")
                    % {"value": tracking}
                )
            if on < shipment.shipped_on:
                raise ValidationError(
                    _("The status date %(date)s is before the parcel was shipped.")
                    % {"date": on.strftime("%d.%m.%Y")}
                )
        except ValidationError as exc:
            problems.append(_row_problem(number, exc))
            continue
        found.append((shipment, status, on))
    if problems:
        raise ValidationError(problems)
    return sum(_set_status(shipment, status, on, acting_user) for shipment, status, on in found)
