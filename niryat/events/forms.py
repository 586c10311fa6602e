"""Forms of the training pages; the rules live in actions.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from niryat.catalog.models import Product
from niryat.core.models import District, PartnerOrg
from niryat.events.models import Benefit, Event, Programme, Session
from niryat.registry.models import Producer, Stage

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


class EventForm(forms.ModelForm[Event]):
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.none(),
        required=False,
        empty_label=_("State level (all districts nominate)"),
    )

    class Meta:
        model = Event
        fields = [
            "kind",
            "title",
            "starts_on",
            "ends_on",
            "venue",
            "agenda",
            "speakers",
            "partners",
            "floor_rows",
            "floor_columns",
            "itinerary",
        ]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "agenda": forms.Textarea(attrs={"rows": 4}),
            "speakers": forms.Textarea(attrs={"rows": 3}),
            "itinerary": forms.Textarea(attrs={"rows": 3}),
            "partners": forms.CheckboxSelectMultiple,
        }

    def __init__(
        self, *args: object, districts: object, state_level: bool, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["district"].queryset = districts  # type: ignore[attr-defined]
        self.fields["district"].required = not state_level
        self.fields["partners"].queryset = PartnerOrg.objects.all()  # type: ignore[attr-defined]
        for name in ("floor_rows", "floor_columns"):
            self.fields[name].widget.attrs.update({"min": 0, "max": 40})
            self.fields[name].max_value = 40  # type: ignore[attr-defined]
        self.order_fields(["district", *self.Meta.fields])


class StallForm(forms.Form):
    row = forms.IntegerField(label=_("Row"), min_value=1)
    column = forms.IntegerField(label=_("Column"), min_value=1)
    producer = forms.ModelChoiceField(label=_("Producer"), queryset=Producer.objects.none())
    products = forms.ModelMultipleChoiceField(
        label=_("Products shown"),
        queryset=Product.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, producers: object, products: object, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["producer"].queryset = producers  # type: ignore[attr-defined]
        self.fields["producer"].to_field_name = "uuid"  # type: ignore[attr-defined]
        self.fields["products"].queryset = products  # type: ignore[attr-defined]
        self.fields["products"].to_field_name = "uuid"  # type: ignore[attr-defined]


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Will you come?"),
        choices=[("yes", _("Yes, I will come")), ("no", _("No, I cannot come"))],
        widget=forms.RadioSelect,
    )


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How useful was the event? (1 = not at all, 5 = very)"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("What would you tell us?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class NominationForm(forms.Form):
    producer = forms.ModelChoiceField(label=_("Producer"), queryset=Producer.objects.none())
    reason = forms.CharField(label=_("Why this producer"), max_length=300, required=False)

    def __init__(self, *args: object, producers: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["producer"].queryset = producers  # type: ignore[attr-defined]
        self.fields["producer"].to_field_name = "uuid"  # type: ignore[attr-defined]


class VisitReportForm(forms.ModelForm[Event]):
    class Meta:
        model = Event
        fields = ["itinerary", "report"]
        widgets = {
            "itinerary": forms.Textarea(attrs={"rows": 4}),
            "report": forms.Textarea(attrs={"rows": 6}),
        }


class BenefitForm(forms.ModelForm[Benefit]):
    producer = forms.ModelChoiceField(label=_("Beneficiary"), queryset=Producer.objects.none())
    photo = forms.FileField(
        label=_("Photo of the handover"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    class Meta:
        model = Benefit
        fields = ["scheme", "item", "description", "serial_number", "handed_over_on", "programme"]
        widgets = {"handed_over_on": DATE}

    def __init__(
        self, *args: object, producers: object, programmes: object, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["producer"].queryset = producers  # type: ignore[attr-defined]
        self.fields["producer"].to_field_name = "uuid"  # type: ignore[attr-defined]
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        self.order_fields(["producer", *self.Meta.fields, "photo"])
