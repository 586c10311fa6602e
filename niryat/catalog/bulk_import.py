"""Bulk import of products and SKUs from a sheet (XLSX or CSV), with a zip of their photos.

The sheet. One row per SKU. A product's own columns (category, names, HS code, declarations...)
are repeated on each of its SKU rows, or written on its first row only; the rows of one product
share a product key of the staff's own choosing (HORSE-01) and the producer, written as the
producer's mobile number or ID. Headers may be in Hindi, English or both; the file is read by the
registry's reader (`read_sheet` with `CATALOGUE_SHEET`), so every encoding, separator and Excel
quirk it copes with for producer sheets it copes with here.

Checking (`Checker.plan`). Each cell is read as its column's kind of value (amounts, numbers,
months, yes or no, choices in either language), then each product and SKU is held to the
catalogue's own rules by the actions' checks (`check_product_values`, `check_sku_values`): a row
passes here when the product and SKU pages would save it. A photo named in a row must be in the
zip, and be a photo (`imaging.clean_original`, as an upload on the product page).

Matching, and why importing the same file twice changes nothing. The catalogue keeps no product
key, so rows are matched by their seller SKU code: a row whose code the producer already has
updates that SKU and its product; a row without a code gets one made from the product key and
the row's place among the product's rows (HORSE-01-01, HORSE-01-02), which the same file makes
again. An empty cell leaves what the catalogue holds; it never clears a field. A photo whose
perceptual hash matches a photo the product already has is not added again.

Saving (`run_import_job`). Nothing is saved while any row has an error, unless staff chose to
import the rows without errors. The rows are then checked again under a lock on the district
(another import may have saved in between) and written in one transaction through the actions,
as the uploader: audited, and each product's completeness kept up to date. Photos are processed
in the background afterwards, as any uploaded photo is.

The zip of photos is refused whole when it is not a zip, holds more than MAX_ZIP_MEMBERS files,
a path that climbs out of its folder, a password, a file larger than a photo may be, or more than
MAX_ZIP_BYTES unpacked. Sizes are read from the zip's directory before anything is unpacked, and
zipfile never unpacks a member past its declared size (it stops there and fails the CRC check).
"""

from __future__ import annotations

import datetime
import re
import time
import unicodedata
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from pathlib import PurePath, PurePosixPath
from typing import IO, Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from niryat.catalog.actions import (
    MAX_IMAGES,
    PRODUCT_FIELDS,
    SKU_FIELDS,
    check_product_values,
    check_sku_values,
    do_add_image,
    do_add_sku,
    do_create_product,
    do_update_product,
    do_update_sku,
)
from niryat.catalog.attributes import ATTRIBUTES, REQUIRED_COLUMNS, Attribute, attributes_for
from niryat.catalog.models import (
    CatalogImportJob,
    Category,
    GstRate,
    Product,
    ProductImage,
    QuantityUnit,
    Sku,
)
from niryat.core import imaging
from niryat.core.audit import record_audit
from niryat.core.collector import without_gc_pauses
from niryat.core.models import District, User
from niryat.core.progress import fail_progress, finish_progress, report_progress
from niryat.core.scoping import require_write
from niryat.core.sheets import jobs
from niryat.core.sheets.importers import Importer, SheetField
from niryat.core.sheets.models import SheetImportJob
from niryat.core.sheets.reading import (
    Column,
    ParsedSheet,
    SheetError,
    SheetLayout,
    norm,
)
from niryat.core.sheets.writing import Sheet
from niryat.registry.bulk_import import NO_WORDS, YES_WORDS, Problem, rows_with_errors
from niryat.registry.identifiers import clean_mobile
from niryat.registry.models import Producer
from niryat.registry.spreadsheets import ERROR_COLUMN, OTHER_IGNORED_COLUMNS

# Each row costs a few queries to check and some fifteen to save through the actions: a sheet of
# this many SKUs imports in minutes. A district's whole catalogue goes in several files.
MAX_ROWS = 10_000
MAX_ZIP_BYTES = 500 * 1024 * 1024  # unpacked
MAX_ZIP_MEMBERS = 2_000
# Checking reports its progress at most this often (seconds): each report is a write.
PROGRESS_INTERVAL = 0.5

PROGRESS_LABEL = gettext_noop("Import products")
CHECKED_WITH_ERRORS = gettext_noop("The sheet has errors; nothing was imported.")
IMPORTED = gettext_noop("Import finished.")

ATTRIBUTE = "attribute:"  # the field of an attribute's column is "attribute:<key>"

# ---------------------------------------------------------------------------------------------
# The sheet's columns

# Each attribute of attributes.py, as its column is headed; fixed text, not the labels'
# translations, so that a sheet made today still imports when a translation is improved.
ATTRIBUTE_HEADERS: dict[str, tuple[str, str]] = {
    "size_chart": ("साइज़ चार्ट", "size chart"),
    "fabric": ("कपड़ा", "fabric"),
    "fit": ("फ़िटिंग", "fit"),
    "care": ("देखभाल के निर्देश", "care instructions"),
    "dimensions": ("उत्पाद का माप", "product dimensions"),
    "finish": ("फ़िनिश", "finish"),
    "yarn_count": ("सूत का काउंट", "yarn count"),
    "weave": ("बुनाई", "weave"),
    "fibre": ("रेशा", "fibre"),
    "fabric_width": ("कपड़े की चौड़ाई (सेमी)", "fabric width (cm)"),
    "gender": ("किसके लिए", "made for"),
    "brand": ("ब्रांड", "brand"),
    "colour_code": ("रंग कोड", "colour code"),
    "gtin": ("बारकोड (EAN)", "barcode (EAN)"),
}


# Every attribute of every category, by key (a key means the same in each category it is in).
ATTRIBUTE_BY_KEY: dict[str, Attribute] = {}
for _attributes in ATTRIBUTES.values():
    for _attribute in _attributes:
        ATTRIBUTE_BY_KEY.setdefault(_attribute.key, _attribute)


def _attribute_column(key: str) -> Column:
    hindi, english = ATTRIBUTE_HEADERS.get(key, (key, key.replace("_", " ")))
    return Column(
        f"{ATTRIBUTE}{key}",
        f"विशेषता: {hindi}",
        f"Attribute: {english}",
        (f"attribute {english}", f"{english} attribute", hindi, english),
        22,
    )


PRODUCT_COLUMNS: tuple[Column, ...] = (
    Column(
        "producer",
        "उत्पादक (मोबाइल या आईडी)",
        "Producer (mobile or ID)",
        (
            "producer",
            "producer mobile",
            "producer id",
            "mobile",
            "उत्पादक",
            "उत्पादक का मोबाइल",
            "मोबाइल",
        ),
        20,
    ),
    Column(
        "product_key",
        "उत्पाद कुंजी",
        "Product key",
        ("product code", "key", "उत्पाद कोड", "कुंजी"),
        16,
    ),
    Column("category", "श्रेणी", "Category", ("product category", "उत्पाद श्रेणी"), 16),
    Column(
        "name_hi",
        "उत्पाद का नाम (हिन्दी)",
        "Product name (Hindi)",
        ("उत्पाद का नाम (हिंदी)", "name (hindi)", "hindi name", "नाम (हिन्दी)", "नाम (हिंदी)"),
        24,
    ),
    Column(
        "name_en",
        "उत्पाद का नाम (अंग्रेज़ी)",
        "Product name (English)",
        ("name (english)", "english name", "product name", "नाम (अंग्रेज़ी)"),
        24,
    ),
    Column("hs_code", "एचएस कोड", "HS code", ("hs", "hsn", "hsn code", "एचएसएन कोड"), 12),
    Column(
        "gst_rate",
        "जीएसटी दर (%)",
        "GST rate (%)",
        ("gst rate", "gst", "gst %", "जीएसटी", "जीएसटी दर"),
        10,
    ),
    Column("made_to_order", "ऑर्डर पर बनता है", "Made to order", ("ऑर्डर पर",), 10),
    Column(
        "lead_time_days",
        "बनाने में दिन",
        "Lead time (days)",
        ("lead time", "lead time days", "तैयारी का समय (दिन)"),
        10,
    ),
    Column(
        "generic_name",
        "वस्तु का सामान्य नाम",
        "Generic name",
        ("generic name of the commodity", "सामान्य नाम"),
        22,
    ),
    Column(
        "manufacturer_name",
        "निर्माता या पैकर",
        "Manufacturer or packer",
        ("manufacturer", "manufacturer name", "packer", "निर्माता", "निर्माता का नाम"),
        22,
    ),
    Column(
        "manufacturer_address",
        "निर्माता का पता",
        "Manufacturer's address",
        ("manufacturer address", "packer's address", "address of manufacturer", "पता"),
        30,
    ),
    Column("handmade", "हस्तनिर्मित", "Handmade", ("hand made", "हाथ से बना"), 10),
    Column("gi_tag", "जीआई टैग", "GI tag", ("gi", "geographical indication", "जीआई"), 18),
)
SKU_COLUMNS: tuple[Column, ...] = (
    Column(
        "seller_sku",
        "विक्रेता SKU कोड",
        "Seller SKU",
        ("sku", "sku code", "seller sku code", "एसकेयू", "एसकेयू कोड"),
        18,
    ),
    Column("size", "साइज़", "Size", ("आकार",), 10),
    Column("colour", "रंग", "Colour", ("color",), 12),
    Column("material", "सामग्री", "Material", (), 16),
    Column("design", "डिज़ाइन", "Design", (), 16),
    Column(
        "title_hi",
        "शीर्षक (हिन्दी)",
        "Title (Hindi)",
        ("शीर्षक (हिंदी)", "hindi title"),
        36,
    ),
    Column("title_en", "शीर्षक (अंग्रेज़ी)", "Title (English)", ("english title", "title"), 36),
    Column(
        "bullets_hi",
        "मुख्य बातें (हिन्दी)",
        "Bullet points (Hindi)",
        ("मुख्य बातें (हिंदी)", "bullets (hindi)", "hindi bullets"),
        40,
    ),
    Column(
        "bullets_en",
        "मुख्य बातें (अंग्रेज़ी)",
        "Bullet points (English)",
        ("bullets (english)", "bullets", "bullet points", "key features"),
        40,
    ),
    Column("description_hi", "विवरण (हिन्दी)", "Description (Hindi)", ("विवरण (हिंदी)",), 40),
    Column("description_en", "विवरण (अंग्रेज़ी)", "Description (English)", ("description",), 40),
    *(_attribute_column(key) for key in ATTRIBUTE_BY_KEY),
    Column("mrp", "एमआरपी (₹)", "MRP (₹)", ("mrp", "maximum retail price", "एमआरपी"), 10),
    Column(
        "price",
        "बिक्री मूल्य (₹)",
        "Selling price (₹)",
        ("price", "selling price", "sale price", "मूल्य", "बिक्री मूल्य"),
        10,
    ),
    Column("net_quantity", "शुद्ध मात्रा", "Net quantity", ("quantity", "net qty", "मात्रा"), 10),
    Column("net_quantity_unit", "इकाई", "Unit", ("unit of measure", "uom"), 10),
    Column(
        "weight_g",
        "पैक वज़न (ग्राम)",
        "Packed weight (g)",
        ("weight", "weight (g)", "weight in grams", "वज़न", "वज़न (ग्राम)"),
        10,
    ),
    Column(
        "length_cm",
        "पैकेट की लंबाई (सेमी)",
        "Package length (cm)",
        ("length", "length (cm)", "लंबाई"),
        10,
    ),
    Column(
        "width_cm",
        "पैकेट की चौड़ाई (सेमी)",
        "Package width (cm)",
        ("width", "width (cm)", "breadth", "चौड़ाई"),
        10,
    ),
    Column(
        "height_cm",
        "पैकेट की ऊँचाई (सेमी)",
        "Package height (cm)",
        ("height", "height (cm)", "ऊँचाई", "ऊंचाई"),
        10,
    ),
    Column(
        "manufactured_on",
        "निर्माण का माह",
        "Month of manufacture",
        (
            "month and year of manufacture",
            "manufactured on",
            "mfg month",
            "mfg date",
            "निर्माण माह",
            "निर्माण की तिथि",
        ),
        12,
    ),
    Column("stock", "स्टॉक", "Stock", ("quantity in stock", "inventory", "स्टॉक मात्रा"), 8),
    Column(
        "photos",
        "फ़ोटो (फ़ाइल के नाम)",
        "Photos (file names)",
        ("photos", "photo", "images", "image", "फ़ोटो", "तस्वीरें"),
        30,
    ),
)
COLUMNS: tuple[Column, ...] = (*PRODUCT_COLUMNS, *SKU_COLUMNS)
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}
REQUIRED_FIELDS = ("producer", "product_key")
CATALOGUE_SHEET = SheetLayout(
    COLUMNS,
    (ERROR_COLUMN, *OTHER_IGNORED_COLUMNS),
    REQUIRED_FIELDS,
    gettext_noop("The sheet has headers but no SKUs under them."),
)

# The product's columns that are its fields (producer and key say which product a row is of).
PRODUCT_VALUE_FIELDS = tuple(c.field for c in PRODUCT_COLUMNS if c.field in PRODUCT_FIELDS)
SKU_VALUE_FIELDS = tuple(c.field for c in SKU_COLUMNS if c.field in SKU_FIELDS)


# ---------------------------------------------------------------------------------------------
# Reading cells


class _Invalid(Exception):
    """A cell that cannot be read as its column's kind of value; the message says why."""


def _choice_words(
    choices: Iterable[tuple[str, Any]], words: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Every way a sheet may write a choice: its code, its English and Hindi labels, other words."""
    found = {norm(text): code for text, code in (words or {}).items()}
    for code, label in choices:
        found[norm(code)] = code
        for language in ("en", "hi"):
            with translation.override(language):
                found[norm(str(label))] = code
    return found


@cache
def _categories() -> dict[str, str]:
    return _choice_words(
        Category.choices,
        {
            "garment": Category.GARMENTS,
            "garments": Category.GARMENTS,
            "textiles": Category.GARMENTS,
            "वस्त्र": Category.GARMENTS,
            "handicraft": Category.HANDICRAFTS,
            "craft": Category.HANDICRAFTS,
            "हस्तशिल्प": Category.HANDICRAFTS,
            "खादी": Category.KHADI,
            "other": Category.OTHER,
            "अन्य": Category.OTHER,
        },
    )


@cache
def _units() -> dict[str, str]:
    piece, gram, litre, metre = (
        QuantityUnit.PIECE,
        QuantityUnit.GRAM,
        QuantityUnit.LITRE,
        QuantityUnit.METRE,
    )
    return _choice_words(
        QuantityUnit.choices,
        {
            **dict.fromkeys(("pc", "pcs", "pieces", "nos", "no", "number", "नग", "पीस"), piece),
            **dict.fromkeys(("pairs", "जोड़ा", "जोड़ी"), QuantityUnit.PAIR),
            **dict.fromkeys(("sets", "सेट"), QuantityUnit.SET),
            **dict.fromkeys(("gm", "gms", "grams", "ग्राम"), gram),
            **dict.fromkeys(("kgs", "kilograms", "किलो", "किलोग्राम"), QuantityUnit.KILOGRAM),
            **dict.fromkeys(("millilitres", "milliliter", "मिलीलीटर"), QuantityUnit.MILLILITRE),
            **dict.fromkeys(("ltr", "litres", "liter", "liters", "लीटर"), litre),
            **dict.fromkeys(("meter", "meters", "metres", "mtr", "मीटर"), metre),
            **dict.fromkeys(("sqm", "sq m", "square meter", "वर्ग मीटर"), QuantityUnit.SQUARE_METRE),
        },
    )


@cache
def _attribute_choices(key: str) -> dict[str, str]:
    return _choice_words(ATTRIBUTE_BY_KEY[key].choices)


def _labels(choices: Iterable[tuple[str, Any]]) -> str:
    return ", ".join(str(label) for _code, label in choices)


def _choice(text: str, words: Mapping[str, str], choices: Iterable[tuple[str, Any]]) -> str:
    code = words.get(norm(text))
    if code is None:
        raise _Invalid(
            _("«%(value)s» is not one of: %(choices)s.")
            % {"value": text, "choices": _labels(choices)}
        )
    return code


def _yes_no(text: str) -> bool:
    key = norm(text)
    if key in YES_WORDS:
        return True
    if key in NO_WORDS:
        return False
    raise _Invalid(_("Write yes or no, not «%(value)s».") % {"value": text})


_RUPEES = re.compile(r"^(?:₹|rs\.?|inr)|(?:/-|₹)$", re.IGNORECASE)


def _decimal(text: str, field_name: str, *, rupees: bool = False) -> Decimal:
    """A number for a DecimalField, rounded to its places: "1,250.5" → 1250.50."""
    model_field = cast(models.DecimalField, Sku._meta.get_field(field_name))
    places = model_field.decimal_places or 0
    digits = model_field.max_digits or 0
    cleaned = re.sub(r"[,\s]", "", text)
    if rupees:
        cleaned = _RUPEES.sub("", cleaned)
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        if rupees:
            message = _("«%(value)s» is not an amount; write it like 1250 or 1250.50.")
        else:
            message = _("«%(value)s» is not a number; write it like 35 or 35.5.")
        raise _Invalid(message % {"value": text})
    if abs(number) >= Decimal(10) ** (digits - places):
        raise _Invalid(_("%(value)s is too large for this column.") % {"value": text})
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _whole(text: str, *, most: int = 2_147_483_647) -> int:
    cleaned = re.sub(r"[,\s]", "", text)
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number != number.to_integral_value():
        raise _Invalid(_("«%(value)s» is not a whole number.") % {"value": text})
    if abs(number) > most:
        raise _Invalid(_("%(value)s is too large for this column.") % {"value": text})
    return int(number)


def _lead_time(text: str) -> int:
    days = _whole(text)
    if not 1 <= days <= 365:
        raise _Invalid(_("Write the lead time as a number of days from 1 to 365."))
    return days


def _gst_rate(text: str) -> str:
    cleaned = re.sub(r"[%\s]", "", text)
    try:
        rate = Decimal(cleaned)
    except InvalidOperation:
        rate = None
    if rate is not None and rate.is_finite():
        if 0 < rate < 1:  # a cell formatted as a percentage holds 0.05 for 5 %
            rate *= 100
        if rate == rate.to_integral_value() and str(int(rate)) in GstRate.values:
            return str(int(rate))
    raise _Invalid(
        _("«%(value)s» is not a GST rate. Write one of: %(choices)s.")
        % {"value": text, "choices": ", ".join(GstRate.values)}
    )


_MONTHS = (
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})(?:-\d{1,2})?"),
    re.compile(r"(?P<month>\d{1,2})[/.-](?P<year>\d{4})"),
    # A date cell, as the reader writes it (dd/mm/yyyy), or typed so.
    re.compile(r"\d{1,2}[/.-](?P<month>\d{1,2})[/.-](?P<year>\d{4})(?: \d{1,2}:\d{2})?"),
)


def _month(text: str) -> datetime.date:
    for pattern in _MONTHS:
        match = pattern.fullmatch(text.strip())
        if match:
            year, month = int(match["year"]), int(match["month"])
            if 1 <= month <= 12 and 2000 <= year <= 2100:
                return datetime.date(year, month, 1)
    raise _Invalid(
        _("«%(value)s» is not a month; write it like 2026-10 or 10/2026.") % {"value": text}
    )


def _bullets(text: str) -> str:
    """Bullet points written one a line, or separated by |, kept one a line."""
    return "\n".join(part.strip() for part in re.split(r"[\n|]", text) if part.strip())


def _text_reader(model: type[models.Model], name: str) -> Callable[[str], str]:
    limit = getattr(model._meta.get_field(name), "max_length", None)

    def read(text: str) -> str:
        if limit and len(text) > limit:
            raise _Invalid(
                _("At most %(limit)s characters; this has %(count)s.")
                % {"limit": limit, "count": len(text)}
            )
        return text

    return read


def _category(text: str) -> str:
    return _choice(text, _categories(), Category.choices)


def _unit(text: str) -> str:
    return _choice(text, _units(), QuantityUnit.choices)


READERS: dict[str, Callable[[str], Any]] = {
    "category": _category,
    "name_hi": _text_reader(Product, "name_hi"),
    "name_en": _text_reader(Product, "name_en"),
    "hs_code": lambda text: re.sub(r"[\s.]", "", text),  # "6913.90.00" as tariffs print it
    "gst_rate": _gst_rate,
    "made_to_order": _yes_no,
    "lead_time_days": _lead_time,
    "generic_name": _text_reader(Product, "generic_name"),
    "manufacturer_name": _text_reader(Product, "manufacturer_name"),
    "manufacturer_address": lambda text: text,
    "handmade": _yes_no,
    "gi_tag": _text_reader(Product, "gi_tag"),
    "seller_sku": lambda text: text,  # check_sku_values says what a code may hold
    "size": _text_reader(Sku, "size"),
    "colour": _text_reader(Sku, "colour"),
    "material": _text_reader(Sku, "material"),
    "design": _text_reader(Sku, "design"),
    "title_hi": _text_reader(Sku, "title_hi"),
    "title_en": _text_reader(Sku, "title_en"),
    "bullets_hi": _bullets,
    "bullets_en": _bullets,
    "description_hi": lambda text: text,
    "description_en": lambda text: text,
    "mrp": lambda text: _decimal(text, "mrp", rupees=True),
    "price": lambda text: _decimal(text, "price", rupees=True),
    "net_quantity": lambda text: _decimal(text, "net_quantity"),
    "net_quantity_unit": _unit,
    "weight_g": _whole,
    "length_cm": lambda text: _decimal(text, "length_cm"),
    "width_cm": lambda text: _decimal(text, "width_cm"),
    "height_cm": lambda text: _decimal(text, "height_cm"),
    "manufactured_on": _month,
    "stock": _whole,
}


def _attribute_value(key: str, text: str) -> str:
    attribute = ATTRIBUTE_BY_KEY[key]
    if attribute.choices:
        return _choice(text, _attribute_choices(key), attribute.choices)
    if len(text) > attribute.max_length:
        raise _Invalid(
            _("At most %(limit)s characters; this has %(count)s.")
            % {"limit": attribute.max_length, "count": len(text)}
        )
    return text


def made_seller_sku(key: str, position: int) -> str:
    """The seller SKU of a row that has none: the product key and the row's place among the
    product's rows ("horse 01", 2 → "HORSE-01-02"); "" when the key has nothing to make it of."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", key).strip("-._").upper()[:36]
    return f"{stem}-{position:02d}" if stem else ""


# ---------------------------------------------------------------------------------------------
# The zip of photos


def _photo_key(name: str) -> str:
    """A photo's name as rows and zip members are matched: its base name, in any case."""
    base = _base(name.strip())
    # macOS writes Hindi file names decomposed; typed ones are composed.
    return unicodedata.normalize("NFC", base).casefold()


def _base(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).name


def _read_past(name: str) -> bool:
    """Files a zip carries beside the photos: folders, macOS resource forks, Windows thumbnails."""
    base = PurePosixPath(name).name
    return (
        name.endswith("/")
        or name.startswith("__MACOSX/")
        or base.startswith(".")
        or base.casefold() in {"thumbs.db", "desktop.ini"}
    )


def _outside(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return name.startswith(("/", "\\")) or ".." in parts or bool(re.match(r"[A-Za-z]:", name))


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}"


@dataclass(frozen=True)
class ZipPhoto:
    name: str  # the member's name in the zip
    phash: str  # of the photo as the catalogue keeps it (imaging.clean_original)


def _phash_of_kept(jpeg: bytes) -> str:
    """The perceptual hash of a kept (cleaned) photo; a reduced decode is enough for 32 × 32."""
    return imaging.phash(imaging.open_photo(jpeg, max_side=256))


class PhotoArchive:
    """The uploaded zip of photos, checked from its directory before anything is unpacked.
    Raises SheetError, with the reason, for a zip that is refused whole."""

    def __init__(self, source: IO[bytes]) -> None:
        try:
            self.zip = zipfile.ZipFile(source)
            members = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
            raise SheetError(
                _(
                    "The photos file is not a zip archive. Put the photos in a .zip file and "
                    "upload that."
                )
            ) from exc
        if len(members) > MAX_ZIP_MEMBERS:
            raise SheetError(
                _("The zip holds %(count)s files; up to %(limit)s can be imported at once.")
                % {"count": f"{len(members):,}", "limit": f"{MAX_ZIP_MEMBERS:,}"}
            )
        self.by_name: dict[str, list[zipfile.ZipInfo]] = defaultdict(list)
        total = 0
        for member in members:
            if _outside(member.filename):
                raise SheetError(
                    _(
                        "The zip holds «%(name)s», a path outside its folder, and was refused. "
                        "Zip the photos again from their own folder."
                    )
                    % {"name": member.filename}
                )
            if member.flag_bits & 0x1:
                raise SheetError(
                    _("The zip is protected by a password. Zip the photos again without one.")
                )
            if _read_past(member.filename):
                continue
            if member.file_size > imaging.MAX_BYTES:
                raise SheetError(
                    _("«%(name)s» in the zip is %(size)s MB; a photo may be up to %(limit)s MB.")
                    % {
                        "name": member.filename,
                        "size": _mb(member.file_size),
                        "limit": imaging.MAX_BYTES // 1024 // 1024,
                    }
                )
            total += member.file_size
            self.by_name[_photo_key(member.filename)].append(member)
        if total > MAX_ZIP_BYTES:
            raise SheetError(
                _(
                    "The photos in the zip come to %(size)s MB unpacked; up to %(limit)s MB can "
                    "be imported at once. Split the sheet and its photos into smaller files."
                )
                % {"size": _mb(total), "limit": MAX_ZIP_BYTES // 1024 // 1024}
            )
        self._checked: dict[str, ZipPhoto | str] = {}

    def names(self) -> list[str]:
        return [member.filename for members in self.by_name.values() for member in members]

    def find(self, name: str) -> zipfile.ZipInfo:
        key = _photo_key(name)
        found = self.by_name.get(key, [])
        if not found and not PurePath(key).suffix:  # "horse-front" for horse-front.jpg
            found = [m for k, ms in self.by_name.items() if PurePath(k).stem == key for m in ms]
        if not found:
            raise _Invalid(_("The zip of photos has no file named «%(name)s».") % {"name": name})
        if len(found) > 1:
            raise _Invalid(
                _("The zip holds more than one photo named «%(name)s»: %(paths)s.")
                % {"name": name, "paths": ", ".join(member.filename for member in found)}
            )
        return found[0]

    def read(self, member: zipfile.ZipInfo) -> bytes:
        with self.zip.open(member) as handle:
            return handle.read()

    def photo(self, member: zipfile.ZipInfo) -> ZipPhoto:
        """The member as a checked photo, each member decoded once; _Invalid if it is none."""
        if member.filename not in self._checked:
            try:
                kept, _format, _size = imaging.clean_original(self.read(member))
                self._checked[member.filename] = ZipPhoto(member.filename, _phash_of_kept(kept))
            except imaging.ImagingError as exc:
                self._checked[member.filename] = str(exc.message)
            except Exception:  # zipfile raises many kinds of error on a damaged member
                self._checked[member.filename] = _("This file in the zip is damaged.")
        checked = self._checked[member.filename]
        if isinstance(checked, str):
            raise _Invalid(
                _("«%(name)s»: %(reason)s") % {"name": member.filename, "reason": checked}
            )
        return checked


def check_photos(upload: UploadedFile) -> None:
    """Refuse a photos file that is not a zip we import, before keeping it."""
    if upload.size is not None and upload.size > MAX_ZIP_BYTES:
        raise SheetError(
            _("The zip is %(size)s MB; up to %(limit)s MB can be imported at once.")
            % {"size": _mb(upload.size), "limit": MAX_ZIP_BYTES // 1024 // 1024}
        )
    upload.seek(0)
    PhotoArchive(upload)
    upload.seek(0)


# ---------------------------------------------------------------------------------------------
# Checking rows


@dataclass
class _Row:
    number: int
    producer: Producer | None = None
    key: str = ""  # the product key as written
    product: dict[str, Any] = field(default_factory=dict)  # product values in non-empty cells
    sku: dict[str, Any] = field(default_factory=dict)  # SKU values in non-empty cells
    attributes: dict[str, str] = field(default_factory=dict)
    photos: list[ZipPhoto] = field(default_factory=list)
    named: set[str] = field(default_factory=set)  # the zip members its photos cell names
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field, message)
    warnings: list[str] = field(default_factory=list)  # about its photos
    code: str = ""  # the seller SKU, given or made
    existing: Sku | None = None
    values: dict[str, Any] = field(default_factory=dict)  # the SKU's values, once checked


@dataclass
class _Group:
    """The rows of one product: one producer, one product key."""

    producer: Producer
    key: str
    rows: list[_Row] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)  # the product's values
    source: dict[str, _Row] = field(default_factory=dict)  # the row each value was read from
    product: Product | None = None
    failed: bool = False  # the product has errors: none of its rows is imported
    photos: list[ZipPhoto] = field(default_factory=list)  # photos new to the product


@dataclass
class PlannedSku:
    row: int
    sku: Sku | None  # None: a new SKU
    values: dict[str, Any]  # a new SKU's values, or an existing one's changes


@dataclass
class PlannedProduct:
    producer: Producer
    key: str
    product: Product | None  # None: a new product
    values: dict[str, Any]  # a new product's values, or an existing one's changes
    skus: list[PlannedSku]
    photos: list[ZipPhoto]


@dataclass
class Plan:
    """What importing the sheet would do, and what is wrong with it."""

    total: int = 0
    error_rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    products: list[PlannedProduct] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def photos(self) -> int:
        return sum(len(product.photos) for product in self.products)


def _chunks(items: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Checker:
    """Checks the rows of one sheet (and its zip of photos) for one district, and plans their
    import. `plan` may run twice (checking, then saving under a lock); each photo is decoded
    once."""

    def __init__(
        self, district: District, sheet: ParsedSheet, archive: PhotoArchive | None = None
    ) -> None:
        self.district = district
        self.records = list(sheet.records())
        if len(self.records) > MAX_ROWS:
            raise SheetError(
                _("The sheet has more than %(limit)s rows. Split it into smaller files.")
                % {"limit": f"{MAX_ROWS:,}"}
            )
        self.headers = {column.field: column.header for column in COLUMNS}
        self.headers.update(sheet.headers_by_field())
        self.archive = archive

    def plan(self, on_progress: Callable[[int], None] | None = None) -> Plan:
        producers = self._producers()
        rows = []
        for done, (number, values) in enumerate(self.records):
            if on_progress is not None:
                on_progress(done)
            rows.append(self._read(number, values, producers))
        groups = self._groups(rows)
        existing = self._existing_skus(groups)
        claimed: dict[int, _Group] = {}
        for group in groups:
            self._match(group, existing, claimed)
            self._check_product(group)
            for row in group.rows:
                self._check_sku(group, row)
        images = self._image_hashes(groups)
        for group in groups:
            self._choose_photos(group, images)
        return self._planned(rows, groups)

    # --- reading -------------------------------------------------------------------------

    def _producers(self) -> dict[str, Producer | str]:
        """Each producer cell's producer of the district, or a message saying why there is none."""
        found: dict[str, Producer | str] = {}
        ids: dict[str, uuid.UUID] = {}
        mobiles: dict[str, str] = {}
        for _number, values in self.records:
            text = values.get("producer", "").strip()
            if not text or text in found or text in ids or text in mobiles:
                continue
            try:
                ids[text] = uuid.UUID(text)
                continue
            except ValueError:
                pass
            try:
                mobiles[text] = clean_mobile(text)
            except ValidationError:
                found[text] = _("«%(value)s» is neither a mobile number nor a producer ID.") % {
                    "value": text
                }
        producers = Producer.objects.active().filter(district=self.district)
        by_id: dict[uuid.UUID, Producer] = {}
        for chunk in _chunks(sorted(set(ids.values()))):
            by_id.update((p.uuid, p) for p in producers.filter(uuid__in=chunk))
        by_mobile: dict[str, list[Producer]] = defaultdict(list)
        for chunk in _chunks(sorted(set(mobiles.values()))):
            for producer in producers.filter(mobile__in=chunk).order_by("pk"):
                by_mobile[producer.mobile].append(producer)
        district = self.district.name
        for text, producer_id in ids.items():
            found[text] = by_id.get(producer_id) or _(
                "No producer of %(district)s has the ID %(value)s."
            ) % {"district": district, "value": text}
        for text, mobile in mobiles.items():
            matches = by_mobile.get(mobile, [])
            if len(matches) == 1:
                found[text] = matches[0]
            elif matches:
                found[text] = _(
                    "%(count)s producers of %(district)s have the mobile number %(value)s; "
                    "write the producer's ID instead."
                ) % {"count": len(matches), "district": district, "value": text}
            else:
                found[text] = _("No producer of %(district)s has the mobile number %(value)s.") % {
                    "district": district,
                    "value": text,
                }
        return found

    def _read(
        self, number: int, values: Mapping[str, str], producers: Mapping[str, Producer | str]
    ) -> _Row:
        row = _Row(number)
        text = values.get("producer", "").strip()
        if not text:
            row.errors.append(("producer", _("Write the producer's mobile number or ID.")))
        else:
            producer = producers[text]
            if isinstance(producer, str):
                row.errors.append(("producer", producer))
            else:
                row.producer = producer
        row.key = " ".join(values.get("product_key", "").split())
        if not row.key:
            row.errors.append(
                (
                    "product_key",
                    _("Write the product key: the same on each row of one product, like HORSE-01."),
                )
            )
        for name in (*PRODUCT_VALUE_FIELDS, *SKU_VALUE_FIELDS):
            text = values.get(name, "").strip()
            if not text:
                continue  # an empty cell leaves the catalogue's value as it is
            try:
                value = READERS[name](text)
            except _Invalid as exc:
                row.errors.append((name, str(exc)))
                continue
            (row.product if name in PRODUCT_FIELDS else row.sku)[name] = value
        for key in ATTRIBUTE_BY_KEY:
            text = values.get(f"{ATTRIBUTE}{key}", "").strip()
            if text:
                try:
                    row.attributes[key] = _attribute_value(key, text)
                except _Invalid as exc:
                    row.errors.append((f"{ATTRIBUTE}{key}", str(exc)))
        names = [name.strip() for name in re.split(r"[;,\n]", values.get("photos", ""))]
        for name in dict.fromkeys(filter(None, names)):
            try:
                if self.archive is None:
                    raise _Invalid(
                        _("The photo «%(name)s» is named here, but no zip of photos was uploaded.")
                        % {"name": name}
                    )
                member = self.archive.find(name)
                row.named.add(member.filename)
                photo = self.archive.photo(member)
            except _Invalid as exc:
                row.errors.append(("photos", str(exc)))
                continue
            if photo not in row.photos:
                row.photos.append(photo)
        return row

    # --- products and SKUs ---------------------------------------------------------------

    def _groups(self, rows: list[_Row]) -> list[_Group]:
        groups: dict[tuple[int, str], _Group] = {}
        codes: dict[tuple[int, str], int] = {}  # (producer, code) → the first row with it
        for row in rows:
            if row.producer is None or not row.key:
                continue
            group_key = (row.producer.pk, row.key.casefold())
            group = groups.setdefault(group_key, _Group(row.producer, row.key))
            group.rows.append(row)
            row.code = row.sku.pop("seller_sku", "") or made_seller_sku(group.key, len(group.rows))
            if not row.code:
                row.errors.append(
                    (
                        "seller_sku",
                        _(
                            "Write a seller SKU: none can be made from the product key "
                            "«%(key)s», which has no Latin letters or digits."
                        )
                        % {"key": group.key},
                    )
                )
                continue
            first = codes.setdefault((row.producer.pk, row.code.lower()), row.number)
            if first != row.number:
                row.errors.append(
                    (
                        "seller_sku",
                        _("Row %(row)s has the same seller SKU, %(code)s, for this producer.")
                        % {"row": first, "code": row.code},
                    )
                )
        return list(groups.values())

    def _existing_skus(self, groups: list[_Group]) -> dict[tuple[int, str], Sku]:
        """The producers' SKUs that the rows' codes name, by (producer, code in lower case)."""
        wanted: dict[int, set[str]] = defaultdict(set)
        for group in groups:
            wanted[group.producer.pk].update(row.code.lower() for row in group.rows if row.code)
        found: dict[tuple[int, str], Sku] = {}
        for producer_id, codes in wanted.items():
            for chunk in _chunks(sorted(codes)):
                skus = (
                    Sku.objects.filter(producer_id=producer_id)
                    .alias(code=Lower("seller_sku"))
                    .filter(code__in=chunk)
                    .select_related("product")
                )
                found.update(((producer_id, sku.seller_sku.lower()), sku) for sku in skus)
        return found

    def _match(
        self,
        group: _Group,
        existing: Mapping[tuple[int, str], Sku],
        claimed: dict[int, _Group],
    ) -> None:
        """The group's product values (conflicts are errors) and its product, if it has one."""
        for row in group.rows:
            for name, value in row.product.items():
                if name not in group.values:
                    group.values[name] = value
                    group.source[name] = row
                elif group.values[name] != value:
                    row.errors.append(
                        (
                            name,
                            _(
                                "This differs from row %(row)s of the same product (%(key)s). "
                                "Write a product's details the same on each of its rows, or on "
                                "its first row only."
                            )
                            % {"row": group.source[name].number, "key": group.key},
                        )
                    )
        for row in group.rows:
            row.existing = existing.get((group.producer.pk, row.code.lower())) if row.code else None
            if row.existing is None:
                continue
            if group.product is None:
                group.product = row.existing.product
            elif row.existing.product_id != group.product.pk:
                row.errors.append(
                    (
                        "seller_sku",
                        _(
                            "The seller SKU %(code)s is a SKU of another product, «%(product)s», "
                            "than the other rows of %(key)s. Give each product its own key."
                        )
                        % {"code": row.code, "product": row.existing.product, "key": group.key},
                    )
                )
                row.existing, row.code = None, ""  # not checked as a SKU of this product
        if group.product is not None:
            other = claimed.setdefault(group.product.pk, group)
            if other is not group:
                group.failed = True
                for row in group.rows:
                    row.errors.append(
                        (
                            "product_key",
                            _(
                                "The product keys %(key)s and %(other)s name SKUs of one product "
                                "already in the catalogue, «%(product)s»; use one key for it."
                            )
                            % {"key": group.key, "other": other.key, "product": group.product},
                        )
                    )

    def _check_product(self, group: _Group) -> None:
        if group.failed:
            return
        errors: dict[str, list[str]] = {}
        if group.product is None and "category" not in group.values:
            errors["category"] = [
                _("Write the category of this new product: one of %(choices)s.")
                % {"choices": _labels(Category.choices)}
            ]
        current = (
            {name: getattr(group.product, name) for name in PRODUCT_FIELDS}
            if group.product is not None
            else {}
        )
        try:
            check_product_values({**current, **group.values}, group.producer)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name, []).extend(messages)
        if not errors:
            return
        group.failed = True
        first: _Row | None = None
        for name, messages in errors.items():
            row = group.source.get(name, group.rows[0])
            first = row if first is None or row.number < first.number else first
            row.errors += [(name, message) for message in messages]
        for row in group.rows:
            if not any(name in errors for name, _message in row.errors) and first is not None:
                row.errors.append(
                    (
                        "product_key",
                        _("Not imported: the product %(key)s has errors in row %(row)s.")
                        % {"key": group.key, "row": first.number},
                    )
                )

    def _check_sku(self, group: _Group, row: _Row) -> None:
        if not row.code:
            return
        category = group.values.get("category") or (
            group.product.category if group.product is not None else ""
        )
        allowed = {attribute.key for attribute in attributes_for(category)}
        attributes = dict(row.existing.attributes) if row.existing is not None else {}
        for key, value in row.attributes.items():
            if category and key not in allowed:
                row.errors.append(
                    (
                        f"{ATTRIBUTE}{key}",
                        _(
                            "A product of the category %(category)s has no attribute "
                            "«%(attribute)s»; leave this cell empty."
                        )
                        % {
                            "category": Category(category).label,
                            "attribute": ATTRIBUTE_BY_KEY[key].label,
                        },
                    )
                )
            attributes[key] = value
        row.values = {**row.sku, "seller_sku": row.code, "attributes": attributes}
        current = (
            {name: getattr(row.existing, name) for name in SKU_FIELDS}
            if row.existing is not None
            else {}
        )
        product = group.product or Product(producer=group.producer, district=self.district)
        try:
            check_sku_values({**current, **row.values}, product, row.existing)
        except ValidationError as exc:
            row.errors += [
                (name, message)
                for name, messages in exc.message_dict.items()
                for message in messages
            ]

    # --- photos --------------------------------------------------------------------------

    def _image_hashes(self, groups: list[_Group]) -> dict[int, list[tuple[str, str]]]:
        """The photos the groups' products already have, as (perceptual hash, file name)."""
        products = [g.product.pk for g in groups if g.product is not None and not g.failed]
        found: dict[int, list[tuple[str, str]]] = defaultdict(list)
        if not any(row.photos for group in groups for row in group.rows):
            return found
        for chunk in _chunks(products):
            for image in ProductImage.objects.filter(product_id__in=chunk):
                # A photo still waiting for its processing has no hash yet.
                phash = image.phash or _stored_phash(image)
                found[image.product_id].append((phash, image.file_name))
        return found

    def _choose_photos(self, group: _Group, images: Mapping[int, list[tuple[str, str]]]) -> None:
        """The photos new to the product, in the order the rows name them. A photo the product
        has (or an earlier row adds) is left out: silently when it comes under the same file
        name, as it does when a sheet is imported again; with a warning otherwise, since two
        shots of one product against one background can look alike to a perceptual hash."""
        if group.failed:
            return
        known = list(images.get(group.product.pk, [])) if group.product is not None else []
        count = len(known)
        for row in group.rows:
            if row.errors:
                continue
            adding: list[ZipPhoto] = []
            warnings: list[str] = []
            for photo in row.photos:
                name = _base(photo.name)
                candidates = [*known, *((p.phash, _base(p.name)) for p in adding)]
                same = [
                    other_name
                    for other_hash, other_name in candidates
                    if other_hash and imaging.same_photo(photo.phash, other_hash)
                ]
                if not same:
                    adding.append(photo)
                elif _photo_key(name) not in {_photo_key(other) for other in same}:
                    warnings.append(
                        _(
                            "«%(name)s» was not added: %(key)s already has the same photo, "
                            "«%(other)s»."
                        )
                        % {"name": name, "key": group.key, "other": same[0]}
                    )
            total = count + len(group.photos) + len(adding)
            if total > MAX_IMAGES:
                row.errors.append(
                    (
                        "photos",
                        _(
                            "A product can have at most %(limit)s photos; with this row's, "
                            "%(key)s would have %(count)s."
                        )
                        % {"limit": MAX_IMAGES, "key": group.key, "count": total},
                    )
                )
                continue
            row.warnings += warnings
            group.photos += adding
            known += [(photo.phash, _base(photo.name)) for photo in adding]

    # --- the plan ------------------------------------------------------------------------

    def _planned(self, rows: list[_Row], groups: list[_Group]) -> Plan:
        plan = Plan(total=len(rows))
        for group in groups:
            valid = [row for row in group.rows if not row.errors]
            if group.failed or not valid:
                continue
            product = group.product
            changes = (
                {name: v for name, v in group.values.items() if getattr(product, name) != v}
                if product is not None
                else dict(group.values)
            )
            skus = []
            for row in valid:
                if row.existing is None:
                    skus.append(PlannedSku(row.number, None, row.values))
                    plan.created += 1
                    continue
                sku_changes = {
                    name: value
                    for name, value in row.values.items()
                    if getattr(row.existing, name) != value
                }
                skus.append(PlannedSku(row.number, row.existing, sku_changes))
                if sku_changes or changes:
                    plan.updated += 1
                else:
                    plan.unchanged += 1
            plan.products.append(
                PlannedProduct(group.producer, group.key, product, changes, skus, group.photos)
            )
        order = {column.field: position for position, column in enumerate(COLUMNS)}
        for row in rows:
            if row.errors:
                plan.error_rows += 1
            for name, message in sorted(row.errors, key=lambda error: order.get(error[0], -1)):
                plan.problems.append(Problem(row.number, self.headers.get(name, ""), message))
            plan.problems += [
                Problem(row.number, self.headers["photos"], message, "warning")
                for message in row.warnings
            ]
        if self.archive is not None:
            plan.problems += self._unnamed_photos(self.archive, rows)
        return plan

    def _unnamed_photos(self, archive: PhotoArchive, rows: list[_Row]) -> list[Problem]:
        named = {name for row in rows for name in row.named}
        unnamed = [name for name in archive.names() if name not in named]
        if not unnamed:
            return []
        shown = ", ".join(unnamed[:10]) + (" …" if len(unnamed) > 10 else "")
        message = ngettext(
            "%(count)s file in the zip is not named in any row, and was not imported: %(names)s.",
            "%(count)s files in the zip are not named in any row, and were not imported: "
            "%(names)s.",
            len(unnamed),
        ) % {"count": len(unnamed), "names": shown}
        return [Problem(None, self.headers["photos"], message, "warning")]


def _stored_phash(image: ProductImage) -> str:
    try:
        with image.original.open("rb") as handle:
            return _phash_of_kept(handle.read())
    except (OSError, imaging.ImagingError):
        return ""  # a kept photo that cannot be read is not one a new photo could repeat


# ---------------------------------------------------------------------------------------------
# Saving


def save_plan(
    plan: Plan, archive: PhotoArchive | None, *, acting_user: User, kept: list[FieldFile]
) -> None:
    """Write the plan's products, SKUs and photos through the actions, in the caller's
    transaction. Each photo file saved is added to `kept`, for the caller to delete if the
    transaction is rolled back: storage is not part of it."""
    for planned in plan.products:
        if planned.product is None:
            product = do_create_product(planned.producer, acting_user=acting_user, **planned.values)
        elif planned.values:
            product = do_update_product(planned.product, acting_user=acting_user, **planned.values)
        else:
            product = planned.product
        for planned_sku in planned.skus:
            if planned_sku.sku is None:
                do_add_sku(product, acting_user=acting_user, **planned_sku.values)
            elif planned_sku.values:
                # The product as it now is, so that its completeness is worked out from it.
                planned_sku.sku.product = product
                do_update_sku(planned_sku.sku, acting_user=acting_user, **planned_sku.values)
        for photo in planned.photos:
            if archive is None:
                raise ValueError("a plan with photos needs their zip")
            data = archive.read(archive.zip.getinfo(photo.name))
            image = do_add_image(
                product,
                data,
                file_name=_base(photo.name),
                acting_user=acting_user,
            )
            kept.append(image.original)


def _record(job: CatalogImportJob, plan: Plan, status: str) -> None:
    job.status = status
    job.total_rows = plan.total
    job.error_rows = plan.error_rows
    saved = status == CatalogImportJob.Status.DONE
    job.created_count = plan.created if saved else 0
    job.updated_count = plan.updated if saved else 0
    job.unchanged_count = plan.unchanged if saved else 0
    job.photo_count = plan.photos if saved else 0
    job.errors = [problem.as_json() for problem in plan.problems]
    job.save(
        update_fields=[
            "status",
            "total_rows",
            "error_rows",
            "created_count",
            "updated_count",
            "unchanged_count",
            "photo_count",
            "errors",
            "updated_at",
        ]
    )


def _import(job: CatalogImportJob, checker: Checker, acting_user: User) -> bool:
    """Check the sheet again under the district's lock and save it; False if it has errors after
    all (the catalogue changed since it was checked) and the valid rows were not asked for."""
    CatalogImportJob.objects.filter(pk=job.pk).update(status=CatalogImportJob.Status.IMPORTING)
    kept: list[FieldFile] = []
    try:
        with transaction.atomic():
            # One import at a time per district, so that two uploads of one file cannot both
            # create the same SKUs.
            District.objects.select_for_update().filter(pk=job.district_id).first()
            plan = checker.plan()
            if plan.error_rows and not job.import_valid_rows:
                _record(job, plan, CatalogImportJob.Status.HAS_ERRORS)
                return False
            save_plan(plan, checker.archive, acting_user=acting_user, kept=kept)
            record_audit(
                actor=acting_user,
                action="catalogue.import",
                obj=job,
                district=job.district,
                changes={
                    "file": job.file_name,
                    "photos": job.photos_name,
                    "sha256": job.sha256,
                    "rows": plan.total,
                    "created": plan.created,
                    "updated": plan.updated,
                    "unchanged": plan.unchanged,
                    "photos_added": plan.photos,
                    "rows_with_errors": plan.error_rows,
                },
            )
            _record(job, plan, CatalogImportJob.Status.DONE)
    except BaseException:
        for file in kept:
            if file.name:
                file.storage.delete(file.name)
        raise
    return True


# ---------------------------------------------------------------------------------------------
# Import jobs: an uploaded sheet (and zip), checked and imported by a background task


def start_import(
    district: District,
    sheet: UploadedFile,
    photos: UploadedFile | None,
    *,
    acting_user: User,
    language: str,
) -> CatalogImportJob:
    """Keep the uploaded files; queue their import, or wait for the sheet's columns to be mapped
    (the import framework's job: niryat/core/sheets/jobs.py)."""
    return cast(
        CatalogImportJob,
        jobs.start_job(
            CATALOGUE_IMPORTER,
            district,
            sheet,
            acting_user=acting_user,
            language=language,
            also_keep={"photos": photos},
            photos_name=PurePath(photos.name or "photos.zip").name[:255] if photos else "",
        ),
    )


def import_valid_rows_of(
    job: CatalogImportJob, *, acting_user: User, language: str
) -> CatalogImportJob:
    """The user's choice, after seeing the errors: import the rows that have none."""
    return cast(
        CatalogImportJob,
        jobs.import_valid_rows_of(
            CATALOGUE_IMPORTER, job, acting_user=acting_user, language=language
        ),
    )


class CatalogueImporter(Importer):
    """The catalogue's sheet, for the framework's file handling, progress and clean-up; its
    checking and saving (products, SKUs, photos from a zip) are this module's `Checker` and
    `save_plan`, run by `run_import_job`."""

    key = "catalogue"
    label = PROGRESS_LABEL
    fields = tuple(
        SheetField(c.field, c.hindi, c.english, c.aliases, required=c.field in REQUIRED_FIELDS)
        for c in COLUMNS
    )
    ignored = CATALOGUE_SHEET.ignored
    no_rows = CATALOGUE_SHEET.no_rows
    job_model = CatalogImportJob
    url_prefix = "catalogue"
    sheet_title = gettext_noop("A sheet of products and SKUs")
    template_prefix = "catalog/import_"

    @property
    def layout(self) -> SheetLayout:  # type: ignore[override]
        return CATALOGUE_SHEET

    def enqueue(self, job: SheetImportJob, language: str) -> None:
        from niryat.catalog.tasks import import_catalogue

        import_catalogue.enqueue(str(job.uuid), language)


CATALOGUE_IMPORTER = CatalogueImporter()


def read_job_sheet(job: CatalogImportJob) -> ParsedSheet:
    return jobs.read_job_file(CATALOGUE_IMPORTER, job)


@contextmanager
def _job_photos(job: CatalogImportJob) -> Iterator[PhotoArchive | None]:
    if not job.photos:
        yield None
        return
    with job.photos.open("rb") as handle:
        yield PhotoArchive(handle)


def run_import_job(job: CatalogImportJob, *, language: str) -> None:
    """The background task's work: read the job's files, check them, and import them if they may
    be. A task that runs twice does its work once."""
    if job.status not in {CatalogImportJob.Status.CHECKING, CatalogImportJob.Status.IMPORTING}:
        return
    progress = job.progress.uuid if job.progress else None
    last_report = 0.0

    def checked(done: int) -> None:
        nonlocal last_report
        if progress is not None and time.monotonic() - last_report >= PROGRESS_INTERVAL:
            report_progress(progress, done=done)
            last_report = time.monotonic()

    saved = False
    with translation.override(language), without_gc_pauses():
        try:
            uploader = job.uploaded_by
            if uploader is None:
                raise PermissionDenied(
                    _("The person who uploaded this sheet no longer has an account.")
                )
            require_write(job.district, uploader)
            sheet = read_job_sheet(job)
            with _job_photos(job) as archive:
                checker = Checker(job.district, sheet, archive)
                if progress is not None:
                    report_progress(progress, done=0, total=len(checker.records))
                plan = checker.plan(on_progress=checked)
                if progress is not None:
                    report_progress(progress, done=len(checker.records))
                if plan.error_rows and not job.import_valid_rows:
                    _record(job, plan, CatalogImportJob.Status.HAS_ERRORS)
                else:
                    saved = _import(job, checker, uploader)
        except (SheetError, PermissionDenied) as exc:
            _fail(job, str(exc))
            return
        except ValidationError as exc:  # an action refused a row the check had let through
            _fail(
                job,
                _(
                    "The catalogue changed while this sheet was being imported (%(reason)s). "
                    "Nothing was saved; upload the sheet again."
                )
                % {"reason": " ".join(exc.messages)},
            )
            return
        except Exception:
            _fail(job, _("The import stopped on an unexpected error, and nothing was saved."))
            raise
        job.refresh_from_db()
        jobs.end_of_file(
            job, needed=any(p.get("kind") == "error" and p.get("row") for p in job.errors)
        )
        if progress is not None:
            finish_progress(
                progress,
                message=IMPORTED if saved else CHECKED_WITH_ERRORS,
                result={
                    "created": job.created_count,
                    "updated": job.updated_count,
                    "unchanged": job.unchanged_count,
                    "photos": job.photo_count,
                },
            )


def _fail(job: CatalogImportJob, message: str) -> None:
    CatalogImportJob.objects.filter(pk=job.pk).update(
        status=CatalogImportJob.Status.FAILED,
        errors=[Problem(None, "", message).as_json()],
        updated_at=timezone.now(),
    )
    if job.progress is not None:
        fail_progress(job.progress.uuid, message=message)
    job.refresh_from_db()
    jobs.end_of_file(job, needed=False)


def error_sheet(job: CatalogImportJob) -> tuple[str, list[str], list[list[str]]]:
    """The uploaded sheet again, every row, with an error column: ("xlsx" or "csv", header,
    rows)."""
    return rows_with_errors(read_job_sheet(job), job.errors)


# ---------------------------------------------------------------------------------------------
# The template


def template_header() -> list[str]:
    return [column.header for column in COLUMNS]


def _help_texts() -> dict[str, str]:
    yes_no = _("Yes or No.")
    help_texts = {
        "producer": _(
            "Required. The producer's mobile number (10 digits) or ID, as the registry shows "
            "them. The producer must be registered in your district."
        ),
        "product_key": _(
            "Required. Your own key for the product, the same on each of its rows (one row per "
            "SKU), like HORSE-01."
        ),
        "category": _("Required for a new product. One of: %(choices)s.")
        % {"choices": _labels(Category.choices)},
        "name_hi": _("The product's name in Devanagari."),
        "name_en": _("The product's name in English."),
        "hs_code": _("6 to 8 digits, like 69139000; it is also the GST HSN code."),
        "gst_rate": _("In per cent, one of: %(choices)s.") % {"choices": ", ".join(GstRate.values)},
        "made_to_order": yes_no,
        "lead_time_days": _("Days to make it, 1 to 365; needed when it is made to order."),
        "generic_name": _("What the goods are, as the package must say: “Terracotta figurine”."),
        "manufacturer_name": _("The manufacturer or packer, as the package must say."),
        "manufacturer_address": _("The manufacturer's or packer's address."),
        "handmade": yes_no,
        "gi_tag": _("The registered Geographical Indication, if the product has one."),
        "seller_sku": _(
            "The SKU's code: letters, digits and - _ . only. Leave it empty to have one made "
            "from the product key and the row's place among the product's rows (HORSE-01-02); "
            "then keep the rows in their order when you import the sheet again."
        ),
        "size": _(
            "What tells this SKU from the product's others: its size, colour, material or design."
        ),
        "title_hi": _("The listing title in Hindi."),
        "title_en": _("The listing title in English."),
        "bullets_hi": _("One bullet point a line, or separated by |."),
        "bullets_en": _("One bullet point a line, or separated by |."),
        "description_hi": _("The description in Hindi."),
        "description_en": _("The description in English."),
        "mrp": _("In rupees, like 1200 or 1200.50."),
        "price": _("In rupees; not above the MRP."),
        "net_quantity": _("How much one SKU holds, in the unit of the next column."),
        "net_quantity_unit": _("One of: %(choices)s.") % {"choices": _labels(QuantityUnit.choices)},
        "weight_g": _("The packed weight in grams."),
        "length_cm": _("The package's length in cm."),
        "width_cm": _("The package's width in cm."),
        "height_cm": _("The package's height in cm."),
        "manufactured_on": _("The month and year of manufacture, like 2026-10 or 10/2026."),
        "stock": _("How many are ready to sell."),
        "photos": _(
            "File names of the product's photos in the zip you upload with the sheet, "
            "separated by ; or commas. The first photo of a new product is its main photo."
        ),
    }
    for field_name in ("colour", "design"):
        help_texts[field_name] = help_texts["size"]
    help_texts["material"] = _(
        "What the SKU is made of, like terracotta clay or brass; it also tells this SKU from "
        "the product's others."
    )
    for field_name in SKU_VALUE_FIELDS:
        needing = [
            str(Category(category).label)
            for category, field_names in REQUIRED_COLUMNS.items()
            if field_name in field_names
        ]
        if needing:
            help_texts[field_name] += " " + _("A complete listing of %(categories)s needs it.") % {
                "categories": ", ".join(needing)
            }
    for key, attribute in ATTRIBUTE_BY_KEY.items():
        categories = [
            str(Category(category).label)
            for category, attributes in ATTRIBUTES.items()
            if attribute in attributes
        ]
        text = _("For %(categories)s.") % {"categories": ", ".join(categories)}
        if attribute.choices:
            text += " " + _("One of: %(choices)s.") % {"choices": _labels(attribute.choices)}
        elif attribute.help_text:
            text += f" {attribute.help_text}"
        help_texts[f"{ATTRIBUTE}{key}"] = text
    return help_texts


EXAMPLE: tuple[dict[str, str], ...] = (
    {
        "producer": "98390 12345",
        "product_key": "HORSE-01",
        "category": "Handicrafts",
        "name_hi": "टेराकोटा घोड़ा",
        "name_en": "Terracotta horse",
        "hs_code": "69139000",
        "gst_rate": "5",
        "made_to_order": "No",
        "generic_name": "Terracotta figurine",
        "manufacturer_name": "Ramu Prajapati",
        "manufacturer_address": "Aurangabad, Gorakhpur 273001",
        "handmade": "Yes",
        "gi_tag": "Gorakhpur Terracotta",
        "size": "20 cm",
        "material": "terracotta clay",
        "title_hi": "गोरखपुर टेराकोटा घोड़ा, हस्तनिर्मित, 20 सेमी",
        "title_en": "Gorakhpur terracotta horse, handmade, 20 cm",
        "bullets_en": "Hand-shaped from local clay | Fired in a wood kiln",
        "description_en": "A traditional terracotta horse from Aurangabad village, Gorakhpur.",
        f"{ATTRIBUTE}dimensions": "15 × 6 × 20",
        f"{ATTRIBUTE}finish": "matt",
        "mrp": "800",
        "price": "650",
        "net_quantity": "1",
        "net_quantity_unit": "piece",
        "weight_g": "900",
        "length_cm": "25",
        "width_cm": "12",
        "height_cm": "25",
        "manufactured_on": "2026-10",
        "stock": "12",
        "photos": "horse-front.jpg; horse-side.jpg",
    },
    {
        "producer": "98390 12345",
        "product_key": "HORSE-01",
        "size": "35 cm",
        "material": "terracotta clay",
        "title_hi": "गोरखपुर टेराकोटा घोड़ा, हस्तनिर्मित, 35 सेमी",
        "title_en": "Gorakhpur terracotta horse, handmade, 35 cm",
        "bullets_en": "Hand-shaped from local clay | Fired in a wood kiln",
        "description_en": "A traditional terracotta horse from Aurangabad village, Gorakhpur.",
        f"{ATTRIBUTE}dimensions": "25 × 10 × 35",
        f"{ATTRIBUTE}finish": "matt",
        "mrp": "1200",
        "price": "950",
        "net_quantity": "1",
        "net_quantity_unit": "piece",
        "weight_g": "1800",
        "length_cm": "40",
        "width_cm": "18",
        "height_cm": "40",
        "manufactured_on": "2026-10",
        "stock": "5",
    },
)


def template_sheets() -> list[Sheet]:
    """The import template: an empty sheet to fill in, instructions, and an example product with
    two SKUs on a sheet of its own (so that a filled-in template does not import it)."""
    widths = [column.width for column in COLUMNS]
    help_texts = _help_texts()
    instructions: list[list[str]] = [
        [
            column.header,
            _("Required") if column.field in REQUIRED_FIELDS else "",
            str(help_texts[column.field]),
            EXAMPLE[0].get(column.field, ""),
        ]
        for column in COLUMNS
    ]
    notes = [
        _(
            "Write one SKU per row on the first sheet, under its header row. The rows of one "
            "product share its producer and product key; write the product's own columns on "
            "each of its rows, or on its first row only. Headers may be in Hindi, English or both."
        ),
        _(
            "Upload the photos named in the sheet as one zip file with it. A photo the product "
            "already has is not added again."
        ),
        _(
            "While any row has an error nothing is imported: correct the rows, or choose to "
            "import only the rows without errors."
        ),
        _(
            "A row whose seller SKU the producer already has updates that SKU and its product. "
            "An empty cell leaves what the catalogue holds. Importing the same sheet again "
            "changes nothing."
        ),
    ]
    instructions += [[""], *[[note] for note in notes]]
    example = [[row.get(column.field, "") for column in COLUMNS] for row in EXAMPLE]
    return [
        Sheet("उत्पाद - Products", template_header(), [], widths),
        Sheet(
            "निर्देश - Instructions",
            [_("Column"), _("Required"), _("What to write"), _("Example")],
            instructions,
            [34, 12, 70, 30],
        ),
        Sheet("उदाहरण - Example", template_header(), example, widths),
    ]


def blank_producer_in_kept_sheets(producer: Producer) -> int:
    """Empty the rows naming an erased producer (by their ID or a mobile number of theirs) in
    every catalogue sheet still kept for its error sheet; the number of rows emptied."""
    named = {str(producer.uuid)}
    for number in (producer.mobile, producer.mobile_alt):
        if number:
            named.add(number)

    def matches(values: Mapping[str, str]) -> bool:
        text = values.get("producer", "").strip()
        if not text:
            return False
        if text.lower() in named:
            return True
        try:
            return clean_mobile(text) in named
        except ValidationError:
            return False

    return jobs.blank_rows_in_kept_files(CATALOGUE_IMPORTER, producer.district, matches)
