"""The attributes a SKU carries beyond the common fields, by product category.

Marketplaces ask garments for a size chart, fabric, fit and care; handicrafts for material,
dimensions and finish; khadi for the yarn count and weave. Each attribute is a short text or one
of a few choices; the ones marked `required` are on the completeness checklist.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from niryat.catalog.models import Category


@dataclass(frozen=True)
class Attribute:
    key: str
    label: StrOrPromise
    required: bool = True
    choices: tuple[tuple[str, StrOrPromise], ...] = field(default=())
    help_text: StrOrPromise = ""
    max_length: int = 200


FIT_CHOICES = (
    ("regular", _("Regular")),
    ("slim", _("Slim")),
    ("relaxed", _("Relaxed")),
    ("free_size", _("Free size")),
)
WEAVE_CHOICES = (
    ("plain", _("Plain")),
    ("twill", _("Twill")),
    ("satin", _("Satin")),
    ("jacquard", _("Jacquard")),
    ("jamdani", _("Jamdani")),
    ("dobby", _("Dobby")),
)

GENDER_CHOICES = (
    ("female", _("Women")),
    ("male", _("Men")),
    ("girl", _("Girls")),
    ("boy", _("Boys")),
    ("infant", _("Infants")),
    ("unisex", _("Everyone (unisex)")),
)

# What every category may carry for the marketplaces that ask (none is on the catalogue's own
# checklist: a marketplace's readiness says when it needs one). The barcode is the GTIN/EAN
# printed on the pack, if the goods have one; handmade goods usually do not.
BRAND = Attribute(
    "brand",
    _("brand"),
    required=False,
    help_text=_("The brand on the goods or the label; leave empty if they have none."),
)
GTIN = Attribute(
    "gtin",
    _("barcode (EAN)"),
    required=False,
    help_text=_("The 13 digits under the barcode on the pack, if it has one."),
    max_length=14,
)
COLOUR_CODE = Attribute(
    "colour_code",
    _("colour code"),
    required=False,
    help_text=_(
        "The colour as a hex code such as #E2725B, for colours without a standard code "
        "(saffron, terracotta, cream)."
    ),
    max_length=7,
)
GENDER = Attribute("gender", _("made for"), required=False, choices=GENDER_CHOICES)

ATTRIBUTES: dict[str, tuple[Attribute, ...]] = {
    Category.GARMENTS: (
        Attribute(
            "size_chart",
            _("size chart"),
            help_text=_("Chest, waist and length in cm for this size, e.g. chest 102, length 110"),
        ),
        Attribute("fabric", _("fabric"), help_text=_("e.g. 100% cotton mulmul")),
        Attribute("fit", _("fit"), choices=FIT_CHOICES),
        Attribute("care", _("care instructions"), help_text=_("e.g. hand wash cold, dry in shade")),
        GENDER,
        BRAND,
        COLOUR_CODE,
        GTIN,
    ),
    Category.HANDICRAFTS: (
        Attribute(
            "dimensions",
            _("product dimensions"),
            help_text=_("Length × width × height in cm, e.g. 20 × 20 × 35"),
        ),
        Attribute("finish", _("finish"), help_text=_("e.g. matt, hand-painted, polished")),
        BRAND,
        COLOUR_CODE,
        GTIN,
    ),
    Category.KHADI: (
        Attribute("yarn_count", _("yarn count"), help_text=_("e.g. 40s, 100s")),
        Attribute("weave", _("weave"), choices=WEAVE_CHOICES),
        Attribute("fibre", _("fibre"), help_text=_("e.g. cotton, silk, wool, muslin")),
        Attribute("fabric_width", _("fabric width (cm)"), required=False),
        GENDER,
        BRAND,
        COLOUR_CODE,
        GTIN,
    ),
    Category.OTHER: (BRAND, GTIN),
}


# SKU columns a category must fill: a handicraft's material is its variant's "material" (one
# field, so that staff never type it twice).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {Category.HANDICRAFTS: ("material",)}


def attributes_for(category: str) -> tuple[Attribute, ...]:
    return ATTRIBUTES.get(category, ())


# Words of an ODOP product's English name that suggest its category.
CATEGORY_WORDS = {
    Category.KHADI: ("khadi",),
    Category.GARMENTS: (
        "garment",
        "chikan",
        "textile",
        "saree",
        "sari",
        "apparel",
        "handloom",
        "kurta",
        "silk",
        "hosiery",
        "zari",
        "embroidery",
        "shawl",
    ),
}


def guess_category(odop_name_en: str) -> str:
    name = odop_name_en.lower()
    for category, words in CATEGORY_WORDS.items():
        if any(word in name for word in words):
            return category
    return Category.HANDICRAFTS if name else Category.OTHER
