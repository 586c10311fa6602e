"""The enquiry form (public); the staff's forms: follow-up, showcase profile, MoUs, online
exhibitions."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from niryat.catalog.models import Product
from niryat.channels.models import ChannelCode
from niryat.core.countries import destination_choices
from niryat.core.models import District, PartnerOrg
from niryat.registry.models import Consent, Producer
from niryat.showcase.actions import (
    MAX_QUANTITY,
    CommitmentInput,
    EnquiryInput,
    ExhibitionInput,
    MouInput,
)
from niryat.showcase.models import Commitment, Enquiry, Hall, Profile


class EnquiryForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=120)
    company = forms.CharField(label=_("Company"), max_length=160, required=False)
    email = forms.EmailField(label=_("Email"), max_length=254)
    phone = forms.CharField(label=_("Phone (with country code)"), max_length=30, required=False)
    country = forms.ChoiceField(label=_("Destination country"))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY)
    message = forms.CharField(
        label=_("Message"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # The honeypot: hidden from people (niryat.css), filled by robots that fill every field.
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = [
            ("", _("Choose a country")),
            *destination_choices(),
        ]

    def enquiry_input(self) -> EnquiryInput:
        data = self.cleaned_data
        return EnquiryInput(
            name=data["name"],
            company=data["company"],
            email=data["email"],
            phone=data["phone"],
            country=data["country"],
            quantity=data["quantity"],
            message=data["message"],
        )


class FollowForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Where it stands"),
        choices=[c for c in Enquiry.Status.choices if c[0] != Enquiry.Status.NEW],
    )
    answer = forms.CharField(
        label=_("Answer or note"), required=False, max_length=4000, widget=forms.Textarea
    )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["shown", "agreed_on", "method", "story_hi", "story_en"]
        widgets = {"agreed_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["method"]).choices = [
            ("", "—"),
            *Consent.Method.choices,
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["method"] = data.get("method") or ""
        return data


class MouForm(forms.Form):
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none())
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=PartnerOrg.objects.all())
    other_parties = forms.CharField(
        label=_("Other parties"),
        max_length=300,
        required=False,
        help_text=_("Anyone else who signed, such as the khadi board or a bank."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    signed_on = forms.DateField(
        label=_("Signed on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    terms = forms.CharField(
        label=_("Terms"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, districts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["district"])  # type: ignore[type-arg]
        field.queryset = districts
        if districts.count() == 1:
            field.initial = districts.first()

    def mou_input(self) -> MouInput:
        data = self.cleaned_data
        return MouInput(
            partner=data["partner"],
            title=data["title"],
            signed_on=data["signed_on"],
            valid_until=data["valid_until"],
            other_parties=data["other_parties"],
            terms=data["terms"],
        )


class CommitmentForm(forms.Form):
    description = forms.CharField(label=_("Commitment"), max_length=300)
    measure = forms.ChoiceField(label=_("Measured by"), choices=Commitment.Measure.choices)
    channel = forms.ChoiceField(
        label=_("Marketplace"),
        required=False,
        choices=[("", "—"), *ChannelCode.choices],
        help_text=_("For the measures that count listings."),
    )
    target = forms.IntegerField(label=_("Target"), min_value=1, max_value=10_000_000)
    due_on = forms.DateField(label=_("By"), widget=forms.DateInput(attrs={"type": "date"}))

    def commitment_input(self) -> CommitmentInput:
        data = self.cleaned_data
        return CommitmentInput(
            description=data["description"],
            measure=data["measure"],
            target=data["target"],
            due_on=data["due_on"],
            channel=data["channel"],
        )


class ProgressForm(forms.Form):
    value = forms.IntegerField(label=_("Progress so far"), min_value=0, max_value=10_000_000)


# --- online exhibitions (staff) --------------------------------------------------------------


class ExhibitionForm(forms.Form):
    title_hi = forms.CharField(label=_("Title (Hindi)"), max_length=200, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    opens_on = forms.DateField(label=_("Open from"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(
        label=_("Open until"),
        help_text=_("The last day it is open."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def exhibition_input(self) -> ExhibitionInput:
        data = self.cleaned_data
        return ExhibitionInput(
            title_en=data["title_en"],
            title_hi=data["title_hi"],
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
        )


class HallForm(forms.Form):
    name_hi = forms.CharField(label=_("Hall name (Hindi)"), max_length=100, required=False)
    name_en = forms.CharField(label=_("Hall name (English)"), max_length=100, required=False)


class ExhibitorForm(forms.Form):
    """A producer on the showcase, into a hall; their products are chosen on the next page."""

    hall = forms.ModelChoiceField(label=_("Hall"), queryset=Hall.objects.none())
    producer = forms.ModelChoiceField(
        label=_("Producer"),
        queryset=Producer.objects.none(),
        help_text=_(
            "Only producers who agreed to be on the public showcase. Their products at their "
            "stall, or else all their products on the showcase, are shown; choose fewer after."
        ),
    )

    def __init__(self, *args: Any, halls: Any, producers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["hall"]).queryset = halls  # type: ignore[type-arg]
        field = cast(forms.ModelChoiceField, self.fields["producer"])  # type: ignore[type-arg]
        field.queryset = producers
        field.to_field_name = "uuid"


class ExhibitorProductsForm(forms.Form):
    hall = forms.ModelChoiceField(label=_("Hall"), queryset=Hall.objects.none())
    products = forms.ModelMultipleChoiceField(
        label=_("Products shown"),
        queryset=Product.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        to_field_name="uuid",
    )

    def __init__(self, *args: Any, halls: Any, products: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["hall"]).queryset = halls  # type: ignore[type-arg]
        field = cast(forms.ModelMultipleChoiceField, self.fields["products"])  # type: ignore[type-arg]
        field.queryset = products
