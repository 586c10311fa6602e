"""Forms of the export desk pages; the rules themselves live in actions.py and readiness.py."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from niryat.core.countries import destination_choices
from niryat.exportdesk.models import (
    Council,
    Document,
    Incoterm,
    ParcelStatus,
    ReadinessItem,
    Shipment,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReadinessItemForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ReadinessItem.Status.choices)
    reference = forms.CharField(label=_("Number or reference"), max_length=60, required=False)
    council = forms.ModelChoiceField(
        label=_("Council that issued it"), queryset=Council.objects.all(), required=False
    )
    valid_from = forms.DateField(label=_("Issued or valid from"), required=False, widget=DATE)
    expires_on = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DATE,
        help_text=_(
            "Left empty, a LUT lapses at the end of its financial year, an RCMC after five."
        ),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    evidence = forms.FileField(
        label=_("Evidence (PDF, JPEG or PNG, up to 5 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args: object, kind: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if kind != ReadinessItem.Kind.RCMC:
            del self.fields["council"]
        if kind not in {ReadinessItem.Kind.LUT, ReadinessItem.Kind.RCMC}:
            self.fields["expires_on"].help_text = ""


class ExportOrderForm(forms.Form):
    buyer_name = forms.CharField(label=_("Buyer's name"), max_length=200)
    buyer_country = forms.ChoiceField(label=_("Buyer's country"), choices=())
    buyer_address = forms.CharField(
        label=_("Buyer's address"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    importer_reference = forms.CharField(
        label=_("Importer reference (tax, VAT or importer code)"), max_length=60, required=False
    )
    buyer_order_ref = forms.CharField(
        label=_("Buyer's order reference"), max_length=60, required=False
    )
    incoterm = forms.ChoiceField(label=_("Incoterm (2020)"), choices=Incoterm.choices)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="USD")
    exchange_rate = forms.DecimalField(
        label=_("Customs exchange rate (₹ per unit)"),
        required=False,
        min_value=Decimal("0.0001"),
        max_digits=10,
        decimal_places=4,
        help_text=_("The rate Customs notified for the currency; needed before shipping."),
    )
    freight = forms.DecimalField(
        label=_("Freight in the total"), required=False, min_value=0, decimal_places=2
    )
    insurance = forms.DecimalField(
        label=_("Insurance in the total"), required=False, min_value=0, decimal_places=2
    )
    igst_paid = forms.BooleanField(label=_("IGST paid (not under LUT)"), required=False)
    igst_rate = forms.DecimalField(
        label=_("IGST rate (%)"), required=False, min_value=0, max_value=100, decimal_places=2
    )
    packages = forms.IntegerField(
        label=_("Number of packages"), min_value=1, initial=1, required=False
    )
    gross_weight_kg = forms.DecimalField(
        label=_("Gross weight (kg)"), required=False, min_value=0, max_digits=9, decimal_places=3
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["buyer_country"].choices = [("", "—"), *destination_choices()]  # type: ignore[attr-defined]


class LineForm(forms.Form):
    description = forms.CharField(label=_("Description"), max_length=200)
    hs_code = forms.CharField(label=_("HS code (8 digits)"), max_length=10, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    unit_price = forms.DecimalField(
        label=_("Unit price"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    net_weight_kg = forms.DecimalField(
        label=_("Net weight (kg)"), required=False, min_value=0, max_digits=9, decimal_places=3
    )


LineFormSet = forms.formset_factory(LineForm, extra=3, min_num=1, validate_min=True)


class ShipmentForm(forms.Form):
    shipped_on = forms.DateField(label=_("Shipped on"), widget=DATE)
    mode = forms.ChoiceField(label=_("Sent by"), choices=Shipment.Mode.choices)
    tracking_number = forms.CharField(
        label=_("Tracking number"),
        max_length=40,
        required=False,
        help_text=_("By post: the 13-character number on the receipt, like EE123456785IN."),
    )


class RealisationForm(forms.Form):
    realised_on = forms.DateField(label=_("Payment realised on"), widget=DATE)
    ebrc_number = forms.CharField(label=_("e-BRC number"), max_length=40, required=False)


class IssueDocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=Document.Kind.choices)
    hindi_name = forms.BooleanField(
        label=_("Also give the producer's name in Hindi"), required=False, initial=True
    )


class MerchantSaleForm(forms.Form):
    merchant_name = forms.CharField(label=_("Merchant exporter's name"), max_length=200)
    merchant_iec = forms.CharField(label=_("Merchant exporter's IEC"), max_length=12)
    country = forms.ChoiceField(label=_("Destination country"), choices=())
    sold_on = forms.DateField(label=_("Sold on"), widget=DATE)
    value_inr = forms.DecimalField(
        label=_("Value (₹)"), min_value=Decimal("0.01"), max_digits=14, decimal_places=2
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["country"].choices = [("", "—"), *destination_choices()]  # type: ignore[attr-defined]


class ParcelStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Parcel status"), choices=ParcelStatus.choices)
    on = forms.DateField(label=_("Date"), widget=DATE)


class ReferenceRateForm(forms.Form):
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        help_text=_("Three letters, like USD; XDR for the SDR, which sets the CN 22 limit."),
    )
    on = forms.DateField(label=_("In force from"), widget=DATE)
    inr_per_unit = forms.DecimalField(
        label=_("Rupees per unit"), min_value=Decimal("0.0001"), max_digits=12, decimal_places=4
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        help_text=_("The Customs notification that gives the rate, with its number and date."),
    )


class ListUploadForm(forms.Form):
    file = forms.FileField(
        label=_("List (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class MarketplaceExportForm(forms.Form):
    buyer_name = forms.CharField(label=_("Buyer's name"), max_length=200)
    buyer_country = forms.ChoiceField(label=_("Country it ships to"), choices=())
    buyer_address = forms.CharField(
        label=_("Buyer's address"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["buyer_country"].choices = [("", "—"), *destination_choices()]  # type: ignore[attr-defined]
