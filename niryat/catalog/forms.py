"""Catalogue page forms. They parse what staff type; the catalogue's rules live in actions.py."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from niryat.catalog.actions import PRODUCT_FIELDS, SKU_FIELDS
from niryat.catalog.attributes import attributes_for
from niryat.catalog.models import AttributeTerm, Product, Sku
from niryat.catalog.text_limits import LIMITS
from niryat.core.models import OdopProduct
from niryat.core.widgets import MultipleFilePicker


class MonthInput(forms.DateInput):
    input_type = "month"

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, datetime.date):
            return value.strftime("%Y-%m")
        return super().format_value(value)


class MonthField(forms.DateField):
    """A month and year, typed as YYYY-MM (or MM/YYYY), kept as the month's first day."""

    widget = MonthInput

    def to_python(self, value: Any) -> datetime.date | None:
        if isinstance(value, datetime.date) or value in self.empty_values:
            return value or None
        text = str(value).strip()
        match = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-\d{1,2})?", text) or re.fullmatch(
            r"(\d{1,2})/(\d{4})", text
        )
        if match:
            year, month = match.groups() if len(match.group(1)) == 4 else match.groups()[::-1]
            if 1 <= int(month) <= 12 and 2000 <= int(year) <= 2100:
                return datetime.date(int(year), int(month), 1)
        raise forms.ValidationError(_("Enter the month as YYYY-MM, for example 2026-10."))


class ProductForm(forms.ModelForm):
    # Typed as printed on tariffs ("6913.90.00"); dots and spaces are dropped on cleaning.
    hs_code = forms.CharField(
        label=gettext_lazy("HS code"),
        max_length=14,
        required=False,
        help_text=gettext_lazy("6 to 8 digits; it is also the GST HSN code."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    class Meta:
        model = Product
        fields = list(PRODUCT_FIELDS)
        widgets = {
            "manufacturer_address": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, district_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["odop_product"].queryset = OdopProduct.objects.filter(  # type: ignore[attr-defined]
            district_id=district_id
        )
        self.fields["name_hi"].widget.attrs["lang"] = "hi"
        self.fields["country_of_origin"].widget.attrs.update({"maxlength": 2, "size": 3})

    def clean_hs_code(self) -> str:
        return re.sub(r"[\s.]", "", self.cleaned_data["hs_code"])

    def clean_country_of_origin(self) -> str:
        code = self.cleaned_data["country_of_origin"].strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise forms.ValidationError(_("Enter a two-letter country code, such as IN."))
        return code


# Each text field counts its length as the marketplaces do (see text_limits.py); the page
# shows a live counter from these attributes.
def _counted(field: str, widget: forms.Widget) -> forms.Widget:
    limit = LIMITS.get(field)
    if limit:
        widget.attrs.update({"data-limit": limit.maximum, "data-unit": limit.unit})
    return widget


# Size, colour and material in English: eBay, Amazon abroad and Flipkart's sheet take English only.
ENGLISH_HELP = gettext_lazy(
    "For marketplaces that take English only. Left empty, it is filled from the vocabulary of "
    "sizes, colours and materials."
)


class SkuForm(forms.ModelForm):
    manufactured_on = MonthField(
        label=gettext_lazy("Month and year of manufacture"),
        required=False,
        help_text=gettext_lazy("For example 2026-10."),
    )

    class Meta:
        model = Sku
        fields = [field for field in SKU_FIELDS if field != "attributes"]
        widgets = {
            "title_en": _counted("title_en", forms.TextInput()),
            "title_hi": _counted("title_hi", forms.TextInput(attrs={"lang": "hi"})),
            "bullets_en": forms.Textarea(attrs={"rows": 4}),
            "bullets_hi": forms.Textarea(attrs={"rows": 4, "lang": "hi"}),
            "description_en": _counted("description_en", forms.Textarea(attrs={"rows": 4})),
            "description_hi": _counted(
                "description_hi", forms.Textarea(attrs={"rows": 4, "lang": "hi"})
            ),
        }
        help_texts = {
            "bullets_en": gettext_lazy("One point per line, at most five."),
            "bullets_hi": gettext_lazy("One point per line, at most five."),
            "seller_sku": gettext_lazy("Leave empty to have one made for you."),
            "size_en": ENGLISH_HELP,
            "colour_en": ENGLISH_HELP,
            "material_en": ENGLISH_HELP,
        }

    def __init__(self, *args: Any, category: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seller_sku"].required = False
        self.attribute_names = []
        current = self.instance.attributes if self.instance.pk else {}
        for attribute in attributes_for(category):
            name = f"attr_{attribute.key}"
            field: forms.Field
            if attribute.choices:
                field = forms.ChoiceField(
                    label=attribute.label,
                    choices=[("", "—"), *attribute.choices],
                    required=False,
                    help_text=attribute.help_text,
                )
            else:
                field = forms.CharField(
                    label=attribute.label,
                    required=False,
                    max_length=attribute.max_length,
                    help_text=attribute.help_text,
                )
            field.initial = current.get(attribute.key, "")
            self.fields[name] = field
            self.attribute_names.append(name)
        self.category = category

    def clean_seller_sku(self) -> str:
        return self.cleaned_data["seller_sku"].strip()

    def _get_validation_exclusions(self) -> set[str]:  # type: ignore[misc]  # not in the stubs
        # The price rules (the model's check constraints) are checked by the actions, which put
        # a sentence next to the field; the constraints' own errors only name themselves.
        return {*super()._get_validation_exclusions(), "price", "mrp"}  # type: ignore[misc]

    def values(self) -> dict[str, Any]:
        """The SKU fields for the actions, attributes gathered into one dict."""
        values = {field: self.cleaned_data[field] for field in self.Meta.fields}
        values["attributes"] = {
            name.removeprefix("attr_"): self.cleaned_data[name]
            for name in self.attribute_names
            if self.cleaned_data.get(name)
        }
        return values


class MultipleFileField(forms.FileField):
    """Several files from one input (Django's documented recipe)."""

    widget = MultipleFilePicker

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data]
        cleaned = [super(MultipleFileField, self).clean(file, initial) for file in files if file]
        if not cleaned:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return cleaned


class PhotoUploadForm(forms.Form):
    photos = MultipleFileField(
        label=gettext_lazy("Photos"),
        widget=MultipleFilePicker(attrs={"accept": "image/jpeg,image/png,image/webp,image/heic"}),
        help_text=gettext_lazy(
            "JPEG, PNG, WebP or HEIC, from a phone or a folder; several at once."
        ),
    )


class CropForm(forms.Form):
    """Where the product is in the photo, in per cent of its width and height."""

    left = forms.DecimalField(label=gettext_lazy("Left (%)"), min_value=0, max_value=100)
    top = forms.DecimalField(label=gettext_lazy("Top (%)"), min_value=0, max_value=100)
    right = forms.DecimalField(label=gettext_lazy("Right (%)"), min_value=0, max_value=100)
    bottom = forms.DecimalField(label=gettext_lazy("Bottom (%)"), min_value=0, max_value=100)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if len(cleaned) == 4:
            if cleaned["left"] >= cleaned["right"] or cleaned["top"] >= cleaned["bottom"]:
                raise forms.ValidationError(
                    _("Left must be less than right, and top less than bottom.")
                )
        return cleaned

    def box(self) -> tuple[float, float, float, float]:
        return tuple(  # type: ignore[return-value]
            float(self.cleaned_data[side]) / 100 for side in ("left", "top", "right", "bottom")
        )


class GlossaryTermForm(forms.Form):
    hindi = forms.CharField(
        label=gettext_lazy("Hindi term"),
        max_length=100,
        widget=forms.TextInput(attrs={"lang": "hi"}),
    )
    english = forms.CharField(label=gettext_lazy("English phrasing"), max_length=200)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


class AttributeTermForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=AttributeTerm.Kind.choices)
    hindi = forms.CharField(
        label=gettext_lazy("In Hindi"), max_length=80, widget=forms.TextInput(attrs={"lang": "hi"})
    )
    english = forms.CharField(
        label=gettext_lazy("In English"),
        max_length=80,
        widget=forms.TextInput(attrs={"lang": "en"}),
    )
