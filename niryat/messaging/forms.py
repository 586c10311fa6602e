from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from niryat.messaging.actions import TEMPLATE_FIELDS
from niryat.messaging.models import Channel, MessageTemplate


class TemplateForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = MessageTemplate
        fields = TEMPLATE_FIELDS
        widgets = {
            "body_hi": forms.Textarea(attrs={"rows": 3, "lang": "hi"}),
            "body_en": forms.Textarea(attrs={"rows": 3, "lang": "en"}),
        }


class ContactChoiceForm(forms.Form):
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)
    address = forms.CharField(label=_("number or address"), max_length=254, required=False)
    agreed = forms.BooleanField(label=_("agreed to messages"), required=False)
