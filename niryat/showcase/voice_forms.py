"""The forms of producers' voices: feedback (by staff, or by the producer on their own page) and
the consent to show one on the showcase."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from niryat.channels.models import ChannelCode
from niryat.events.models import Programme
from niryat.registry.models import Consent, Producer
from niryat.showcase.models import Feedback
from niryat.showcase.voice_actions import MAX_TEXT, FeedbackInput

RATINGS = [
    (5, _("5: very good")),
    (4, _("4: good")),
    (3, _("3: fair")),
    (2, _("2: poor")),
    (1, _("1: very poor")),
]
# The marketplaces a producer sells on (the "files" channel is the centre's, not a market).
MARKETPLACES = [(code, label) for code, label in ChannelCode.choices if code != ChannelCode.FILES]
# How staff saw the producer agree (a producer signed in agrees themselves: "self").
STAFF_METHODS = [(code, label) for code, label in Consent.Method.choices if code != "self"]


class FeedbackForm(forms.Form):
    about = forms.ChoiceField(label=_("About"), choices=[("", "—"), *Feedback.About.choices])
    programme = forms.ModelChoiceField(
        label=_("Training"),
        queryset=Programme.objects.none(),
        required=False,
        empty_label="—",
        help_text=_("When it is about a training."),
    )
    channel = forms.ChoiceField(
        label=_("Marketplace"),
        choices=[("", "—"), *MARKETPLACES],
        required=False,
        help_text=_("When it is about a marketplace."),
    )
    rating = forms.TypedChoiceField(label=_("Rating"), choices=[("", "—"), *RATINGS], coerce=int)
    text = forms.CharField(
        label=_("Reason, in the producer's words"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("In Hindi or English, as they said it."),
    )
    given_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )
    show_publicly = forms.BooleanField(
        label=_("The producer agrees to show these words on the public showcase, in their name"),
        required=False,
    )
    consent_method = forms.ChoiceField(
        label=_("How they agreed"), choices=[("", "—"), *STAFF_METHODS], required=False
    )

    def __init__(self, *args: Any, producer: Producer, own: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.own = own
        self.fields["given_on"].initial = timezone.localdate()
        programmes = Programme.objects.filter(district=producer.district)
        if own:
            # A producer speaks of the trainings they had a place in, in their own words, today.
            programmes = programmes.filter(participants__producer=producer)
            del self.fields["given_on"]
            del self.fields["consent_method"]
            self.fields["text"].label = _("Why? In your own words")
            self.fields["text"].help_text = _("In Hindi or English.")
            self.fields["rating"].label = _("Your rating")
            self.fields["show_publicly"].label = _(
                "You may show these words on the public showcase, with my name"
            )
        self.fields["programme"].queryset = programmes.order_by("-created_at")  # type: ignore[attr-defined]

    def feedback_input(self) -> FeedbackInput:
        data = self.cleaned_data
        return FeedbackInput(
            about=data["about"],
            rating=data["rating"],
            text=data["text"],
            given_on=data.get("given_on") or timezone.localdate(),
            programme=data.get("programme"),
            channel=data.get("channel") or "",
        )


class AgreeForm(forms.Form):
    agreed_on = forms.DateField(
        label=_("Date agreed"), widget=forms.DateInput(attrs={"type": "date"})
    )
    method = forms.ChoiceField(label=_("How they agreed"), choices=STAFF_METHODS)


class VoiceFilterForm(forms.Form):
    about = forms.ChoiceField(
        label=_("About"), choices=[("", _("All")), *Feedback.About.choices], required=False
    )
    rating = forms.ChoiceField(
        label=_("Rating"), choices=[("", _("All")), *RATINGS], required=False
    )
