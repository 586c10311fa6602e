"""Forms of the training pages; the rules live in actions.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from niryat.core.models import District, PartnerOrg
from niryat.events.models import Programme, Session
from niryat.registry.models import Stage

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProgrammeForm(forms.ModelForm[Programme]):
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none())

    class Meta:
        model = Programme
        fields = ["kind", "title", "partner", "scheme", "eligibility", "capacity"]
        widgets = {"eligibility": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: object, districts: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["district"].queryset = districts  # type: ignore[attr-defined]
        self.fields["partner"].queryset = PartnerOrg.objects.all()  # type: ignore[attr-defined]
        self.fields["capacity"].min_value = 1  # type: ignore[attr-defined]
        self.fields["capacity"].widget.attrs["min"] = 1
        self.order_fields(["district", *self.Meta.fields])


class SessionForm(forms.ModelForm[Session]):
    class Meta:
        model = Session
        fields = ["date", "venue", "online_link", "trainers", "topics"]
        widgets = {"date": DATE, "topics": forms.Textarea(attrs={"rows": 2})}

    online_link = forms.URLField(label=_("online link"), required=False, assume_scheme="https")


class ProducerFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, mobile or village"), required=False)
    stage = forms.ChoiceField(
        label=_("Funnel stage"), required=False, choices=[("", _("Any stage")), *Stage.choices]
    )


class CheckInCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Check-in code"),
        max_length=40,
        help_text=_("As printed under the QR code, e.g. P123-4F2A9C1B."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Why is it revoked?"), max_length=300)


class TraineeListForm(forms.Form):
    file = forms.FileField(
        label=_("Sheet (XLSX or CSV)"),
        help_text=_("One trainee a row, with their mobile number as the registry has it."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt"}),
    )
