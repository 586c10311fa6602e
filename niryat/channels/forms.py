"""Marketplace page forms. They parse what staff type; the rules live in actions.py.

A marketplace's credential fields come from its channel class (`credential_fields`); the
non-secret settings an account needs (seller id, location, eBay policies) from its
`setting_fields`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from niryat.catalog.models import Sku
from niryat.channels.base import CredentialField
from niryat.channels.models import ChannelCode, Grievance, Listing, OndcNode, Warehouse
from niryat.channels.registry import channel_class
from niryat.core.models import District


def setting_fields(channel: str) -> Sequence[CredentialField]:
    return channel_class(channel).setting_fields


def _credential_field(spec: CredentialField, *, required: bool) -> forms.CharField:
    # A secret is never rendered back into the page, not even after an error.
    widget: forms.Widget = (
        forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})
        if spec.secret
        else forms.TextInput(attrs={"autocomplete": "off"})
    )
    return forms.CharField(
        label=spec.label,
        help_text=spec.help_text,
        required=required,
        max_length=2000,
        widget=widget,
        strip=True,
    )


class CredentialsMixin:
    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]
    channel: str

    def add_credential_fields(self, *, required: bool = True) -> None:
        for spec in channel_class(self.channel).credential_fields:
            self.fields[f"cred_{spec.name}"] = _credential_field(spec, required=required)

    def add_setting_fields(self, current: dict[str, Any]) -> None:
        for spec in setting_fields(self.channel):
            field = _credential_field(spec, required=False)
            field.initial = current.get(spec.name, spec.default)
            self.fields[f"set_{spec.name}"] = field

    @property
    def credential_names(self) -> list[str]:
        return [name for name in self.fields if name.startswith("cred_")]

    @property
    def setting_names(self) -> list[str]:
        return [name for name in self.fields if name.startswith("set_")]

    @property
    def credential_inputs(self) -> list[forms.BoundField]:
        return [self[name] for name in self.credential_names]  # type: ignore[index]

    @property
    def setting_inputs(self) -> list[forms.BoundField]:
        return [self[name] for name in self.setting_names]  # type: ignore[index]

    def credentials(self) -> dict[str, str]:
        return {
            name.removeprefix("cred_"): self.cleaned_data.get(name, "")
            for name in self.credential_names
        }

    def settings(self) -> dict[str, str]:
        return {
            name.removeprefix("set_"): value
            for name in self.setting_names
            if (value := self.cleaned_data.get(name, ""))
        }


class ConnectAccountForm(CredentialsMixin, forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Account name"),
        max_length=120,
        help_text=gettext_lazy("As the centre calls it, for example “Centre Flipkart account”."),
    )

    def __init__(
        self, *args: Any, channel: str, districts: QuerySet[District] | None, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.channel = channel
        if districts is not None:
            self.fields["district"] = forms.ModelChoiceField(
                label=gettext_lazy("District"), queryset=districts, to_field_name="lgd_code"
            )
            self.order_fields(["district", "name"])
        self.add_credential_fields()
        self.add_setting_fields({})


class CredentialsForm(CredentialsMixin, forms.Form):
    def __init__(self, *args: Any, channel: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.channel = channel
        self.add_credential_fields()


class SettingsForm(CredentialsMixin, forms.Form):
    def __init__(self, *args: Any, channel: str, current: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.channel = channel
        self.add_setting_fields(current)


class SaveSelectionForm(forms.Form):
    selection_name = forms.CharField(
        label=gettext_lazy("Save the ticked SKUs as"),
        max_length=120,
        required=False,
        help_text=gettext_lazy("For example “40 khadi products for Flipkart”."),
    )


HAND_STATES = [
    (state.value, state.label)
    for state in (
        Listing.State.SUBMITTED,
        Listing.State.LIVE,
        Listing.State.REJECTED,
        Listing.State.PAUSED,
        Listing.State.ENDED,
    )
]


class RecordByHandForm(forms.Form):
    external_id = forms.CharField(
        label=gettext_lazy("Catalogue id on the marketplace"), max_length=80, required=False
    )
    state = forms.ChoiceField(label=gettext_lazy("Status"), choices=HAND_STATES)


class FsnForm(forms.Form):
    fsn = forms.CharField(
        label=gettext_lazy("FSN"),
        max_length=16,
        help_text=gettext_lazy("16 letters and digits, from Seller Hub's listing report."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class CancelOrderForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is the order cancelled?"),
        max_length=300,
        widget=forms.TextInput(),
    )


class ShipOrderForm(forms.Form):
    """The courier and its waybill, asked when an order is marked shipped."""

    carrier = forms.CharField(
        label=gettext_lazy("Courier"),
        max_length=80,
        required=False,
        help_text=gettext_lazy("India Post, Delhivery, Blue Dart..."),
    )
    tracking_number = forms.CharField(
        label=gettext_lazy("Waybill (tracking number)"),
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class WarehouseForm(forms.Form):
    channel = forms.ChoiceField(
        label=gettext_lazy("Marketplace"),
        choices=[(c.value, c.label) for c in (ChannelCode.FLIPKART, ChannelCode.AMAZON)],
    )
    code = forms.CharField(label=gettext_lazy("Warehouse code"), max_length=20)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120, required=False)
    city = forms.CharField(label=gettext_lazy("City"), max_length=80)


class ConsignmentForm(forms.Form):
    """A consignment: the warehouse, the date, and a few rows of SKU code and quantity."""

    ROWS = 5

    warehouse = forms.ModelChoiceField(
        label=gettext_lazy("Warehouse"), queryset=Warehouse.objects.all()
    )
    sent_on = forms.DateField(
        label=gettext_lazy("Sent on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(
        label=gettext_lazy("Shipment reference"),
        max_length=80,
        required=False,
        help_text=gettext_lazy("The courier's docket number or the marketplace's shipment id."),
    )

    def __init__(
        self,
        *args: Any,
        skus: QuerySet[Sku],
        districts: QuerySet[District] | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.skus = skus
        if districts is not None:
            self.fields["district"] = forms.ModelChoiceField(
                label=gettext_lazy("District"), queryset=districts, to_field_name="lgd_code"
            )
            self.order_fields(["district"])
        for row in range(self.ROWS):
            self.fields[f"code_{row}"] = forms.CharField(
                label=gettext_lazy("SKU code"), max_length=40, required=False
            )
            self.fields[f"quantity_{row}"] = forms.IntegerField(
                label=gettext_lazy("Quantity"), min_value=1, required=False
            )

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"code_{row}"], self[f"quantity_{row}"]) for row in range(self.ROWS)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        lines: list[tuple[Sku, int]] = []
        district = cleaned.get("district")
        for row in range(self.ROWS):
            code = (cleaned.get(f"code_{row}") or "").strip()
            quantity = cleaned.get(f"quantity_{row}")
            if not code and quantity is None:
                continue
            if not code or quantity is None:
                self.add_error(
                    f"code_{row}" if not code else f"quantity_{row}",
                    _("Give both the SKU code and the quantity."),
                )
                continue
            matches = self.skus.filter(seller_sku__iexact=code)
            if district is not None:
                matches = matches.filter(product__district=district)
            found = list(matches.select_related("product")[:2])
            if len(found) != 1:
                self.add_error(
                    f"code_{row}",
                    _("No SKU has the code %(code)s.") % {"code": code}
                    if not found
                    else _("More than one producer uses the code %(code)s.") % {"code": code},
                )
                continue
            lines.append((found[0], quantity))
        if not lines and not self.errors:
            raise forms.ValidationError(_("Add at least one SKU and its quantity."))
        cleaned["lines"] = lines
        return cleaned


class ExchangeRateForm(forms.Form):
    currency = forms.CharField(
        label=gettext_lazy("Currency"),
        max_length=3,
        min_length=3,
        help_text=gettext_lazy("Three letters, for example USD."),
        widget=forms.TextInput(attrs={"size": 4, "autocapitalize": "characters"}),
    )
    inr_per_unit = forms.DecimalField(
        label=gettext_lazy("Rupees per unit"),
        max_digits=10,
        decimal_places=4,
        min_value=0,
        widget=forms.NumberInput(attrs={"step": "0.0001", "inputmode": "decimal"}),
    )

    def clean_currency(self) -> str:
        currency = self.cleaned_data["currency"].strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise forms.ValidationError(_("A currency is three letters, like USD."))
        return currency


class GrievanceResponseForm(forms.Form):
    """What staff tell the buyer is being done about a complaint."""

    text = forms.CharField(
        label=gettext_lazy("What is being done"), max_length=255, widget=forms.TextInput()
    )


class GrievanceResolutionForm(forms.Form):
    resolution = forms.CharField(
        label=gettext_lazy("How it was resolved"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    action = forms.ChoiceField(
        label=gettext_lazy("What was done"), choices=Grievance.Action.choices
    )
    refund_amount = forms.DecimalField(
        label=gettext_lazy("Refund (₹)"), required=False, min_value=0, decimal_places=2
    )


class OndcTermsForm(forms.ModelForm):
    """The terms buyers' apps are quoted and paid under (niryat/channels/ondc/actions.py)."""

    class Meta:
        model = OndcNode
        fields = [
            "delivery_charge",
            "packing_charge",
            "serviceable_pins",
            "days_to_deliver",
            "support_phone",
            "support_email",
            "gstin",
            "settlement_beneficiary",
            "settlement_account",
            "settlement_ifsc",
            "settlement_bank",
            "settlement_branch",
        ]
        help_texts = {
            "serviceable_pins": gettext_lazy(
                "PIN code beginnings or ranges, separated by commas; empty: all of India."
            ),
        }
