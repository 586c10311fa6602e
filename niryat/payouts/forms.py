"""Forms of the payouts pages: the period, an account's payout terms, a settlement report."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from niryat.channels.models import ChannelAccount
from niryat.core.models import User
from niryat.core.sheets.reading import SheetError, check_upload
from niryat.payouts.importers import SETTLEMENT_REPORT_IMPORTER
from niryat.payouts.models import PULLED, PUSHED, PayoutTerms


class PeriodForm(forms.Form):
    """Orders placed from one day to another (both optional: all of them)."""

    start = forms.DateField(
        label=gettext_lazy("Orders from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        label=gettext_lazy("to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise ValidationError(_("The period ends before it starts."))
        return data

    def period(self) -> tuple[dt.date | None, dt.date | None]:
        if not self.is_valid():
            return None, None
        return self.cleaned_data.get("start"), self.cleaned_data.get("end")


class PayoutTermsForm(forms.ModelForm):
    class Meta:
        model = PayoutTerms
        fields = [
            "payment_cycle_days",
            "commission_percent",
            "fixed_fee",
            "shipping_fee",
            "collection_fee",
        ]


class SettlementReportForm(forms.Form):
    account = forms.ModelChoiceField(
        label=gettext_lazy("Seller account"), queryset=ChannelAccount.objects.none()
    )
    file = forms.FileField(label=gettext_lazy("Settlement report (XLSX or CSV)"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        account = cast(forms.ModelChoiceField, self.fields["account"])
        # only the accounts whose payouts come as a report: the others' are read or sent
        account.queryset = (
            ChannelAccount.objects.changeable_by(user)
            .exclude(channel__in=(*PULLED, *PUSHED))
            .select_related("district")
        )
        if self.initial.get("account") is None:
            only = list(account.queryset[:2])
            if len(only) == 1:  # a centre with one such account need not pick it
                self.initial["account"] = only[0]
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv"

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        try:
            check_upload(upload, SETTLEMENT_REPORT_IMPORTER.layout)
        except SheetError as exc:
            raise ValidationError(str(exc)) from exc
        return upload
