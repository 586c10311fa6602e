"""The producer sheet: its columns, the template and the exports.

The template, the exports and the error sheets share one set of columns, each headed in Hindi
and English ("नाम (हिन्दी) / Name (Hindi)"), so that an export or a corrected error sheet imports
as it is. Writing the files (cells escaped so that none runs as a formula) is the import
framework's, in `niryat.core.sheets.writing`.
"""

from __future__ import annotations

from typing import Any

from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from niryat.core.models import District, OdopProduct
from niryat.core.sheets.reading import Column
from niryat.core.sheets.writing import (
    CSV_TYPE,
    FORMULA_STARTS,
    MAX_CELL_CHARS,
    UTF8_BOM,
    XLSX_TYPE,
    Sheet,
    csv_lines,
    csv_response,
    escape_cell,
    unescape_cell,
    write_xlsx,
    xlsx_response,
)
from niryat.registry.models import Activity, Gender, Kind, Producer, SocialCategory

__all__ = [
    "CSV_TYPE",
    "FORMULA_STARTS",
    "MAX_CELL_CHARS",
    "UTF8_BOM",
    "XLSX_TYPE",
    "Column",
    "Sheet",
    "csv_lines",
    "csv_response",
    "escape_cell",
    "unescape_cell",
    "write_xlsx",
    "xlsx_response",
]

# One column per producer field a centre keeps, in the order of the registration form.
COLUMNS: tuple[Column, ...] = (
    Column("kind", "प्रकार", "Kind", ("type", "producer type", "उत्पादक का प्रकार"), 16),
    Column(
        "name_hi",
        "नाम (हिन्दी)",
        "Name (Hindi)",
        (
            "नाम (हिंदी)",
            "नाम",
            "name",
            "name of artisan",
            "producer name",
            "artisan name",
            "कारीगर का नाम",
            "उत्पादक का नाम",
            "हिन्दी नाम",
            "हिंदी नाम",
            "hindi name",
            "name in hindi",
            "name in devanagari",
        ),
        24,
    ),
    Column(
        "name_latin",
        "नाम (अंग्रेज़ी)",
        "Name (English)",
        ("अंग्रेज़ी नाम", "english name", "name in english", "name (latin)", "name in latin letters"),
        24,
    ),
    Column("gender", "लिंग", "Gender", ("sex",), 12),
    Column("women_led", "महिला नेतृत्व वाली", "Women-led", ("women led", "महिला नेतृत्व"), 12),
    Column(
        "social_category",
        "सामाजिक वर्ग",
        "Social category",
        ("category", "caste category", "caste", "वर्ग", "श्रेणी", "जाति", "जाति वर्ग"),
        14,
    ),
    Column("odop_product", "ओडीओपी उत्पाद", "ODOP product", ("odop", "product", "उत्पाद"), 20),
    Column("activities", "गतिविधियाँ", "Activities", ("activity", "गतिविधि"), 24),
    Column(
        "village",
        "गाँव या कस्बा",
        "Village or town",
        ("village", "town", "city", "गाँव", "ग्राम", "कस्बा", "शहर"),
    ),
    Column("tehsil", "तहसील", "Tehsil", ("tahsil",)),
    Column("pin", "पिन कोड", "PIN code", ("pin", "pincode", "postal code", "पिन", "पिनकोड"), 10),
    Column(
        "mobile",
        "मोबाइल",
        "Mobile",
        (
            "mobile number",
            "mobile no",
            "mob",
            "mob no",
            "mobile nos",
            "मोबाइल नं",
            "मो",
            "मो नं",
            "phone",
            "phone number",
            "contact number",
            "मोबाइल नंबर",
            "मोबाइल नम्बर",
            "फ़ोन",
        ),
        16,
    ),
    Column("email", "ईमेल", "Email", ("e-mail", "email address", "ई-मेल"), 24),
    Column("bank_ifsc", "बैंक आईएफएससी", "Bank IFSC", ("ifsc", "ifsc code", "आईएफएससी"), 14),
    Column(
        "bank_account",
        "बैंक खाता संख्या",
        "Bank account number",
        ("bank account", "account number", "account no", "खाता संख्या", "बैंक खाता"),
    ),
    Column("gstin", "जीएसटीआईएन", "GSTIN", ("gst", "gst number", "gst no", "जीएसटी"), 18),
    Column("pan", "पैन", "PAN", ("pan number", "pan no", "पैन नंबर"), 12),
    Column("iec", "आईईसी", "IEC", ("iec code", "importer exporter code"), 12),
    Column(
        "udyam",
        "उद्यम पंजीकरण संख्या",
        "Udyam number",
        ("udyam", "udyam registration number", "उद्यम", "उद्यम संख्या"),
        22,
    ),
    Column(
        "aadhaar",
        "आधार (अंतिम 4 अंक)",
        "Aadhaar (last 4 digits)",
        ("aadhaar", "aadhar", "aadhaar number", "aadhar number", "आधार", "आधार संख्या"),
        12,
    ),
)
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}
REQUIRED_FIELDS = ("kind", "name_hi")

# Columns of an export that an import reads past: what is kept of an account number is not one.
EXPORT_ONLY_COLUMNS: tuple[Column, ...] = (
    Column("bank_account_masked", "बैंक खाता (अंतिम 4 अंक)", "Bank account (last 4 digits)"),
    Column("district", "जनपद", "District", ("जिला",), 14),
    Column("stage", "चरण", "Stage", (), 14),
    Column("listing_consent", "लिस्टिंग की सहमति", "Listing consent", (), 12),
    Column("created_at", "पंजीकरण की तिथि", "Registered on", (), 14),
    Column("uuid", "पहचान संख्या", "ID", (), 38),
)
ERROR_COLUMN = Column("error", "त्रुटि", "Error", ("errors", "त्रुटियाँ"), 60)
# Other columns centres keep beside the producers' details, read past as well.
OTHER_IGNORED_COLUMNS: tuple[Column, ...] = (
    Column("serial", "क्रम संख्या", "S. No.", ("sl no", "sr no", "serial number", "क्रमांक", "क्र सं")),
    Column("remarks", "टिप्पणी", "Remarks", ("notes", "comments")),
)
IGNORED_COLUMNS = (*EXPORT_ONLY_COLUMNS, ERROR_COLUMN, *OTHER_IGNORED_COLUMNS)

# ---------------------------------------------------------------------------------------------
# The producer sheets: template, export


def _labels(choices: Any) -> str:
    return ", ".join(str(label) for _code, label in choices.choices)


def _offered(district: District | None) -> tuple[list[OdopProduct], list[Activity]]:
    if district is None:
        return [], list(Activity.objects.all())
    products = list(OdopProduct.objects.filter(district=district))
    return products, Activity.objects.all().for_products(products)


def template_header() -> list[str]:
    return [column.header for column in COLUMNS]


def template_sheets(district: District | None) -> list[Sheet]:
    """The import template: an empty producer sheet, and instructions with an example row.

    The example is on the instructions sheet, not the producer sheet, so that a template filled
    in around it does not import a "Ramu Prajapati" nobody meant to register."""
    products, activities = _offered(district)
    if products:
        odop_help = _(
            "One of the district's ODOP products, by its English or Hindi name: %(choices)s."
        ) % {"choices": ", ".join(f"{p.name_en} ({p.name_hi})" for p in products)}
    else:
        odop_help = _("One of the district's ODOP products, by its English or Hindi name.")
    help_texts = {
        "kind": _("Required. One of: %(choices)s.") % {"choices": _labels(Kind)},
        "name_hi": _("Required. The name in Devanagari (Unicode Hindi, not a Kruti Dev font)."),
        "name_latin": _(
            "The name in Latin letters. Leave it empty to have it spelt from the Hindi name."
        ),
        "gender": _("One of: %(choices)s.") % {"choices": _labels(Gender)},
        "women_led": _("Yes or No. A woman artisan is women-led without saying so."),
        "social_category": _("One of: %(choices)s. May be left empty.")
        % {"choices": _labels(SocialCategory)},
        "odop_product": odop_help,
        "activities": _("One or more of these, separated by commas: %(choices)s.")
        % {"choices": ", ".join(str(a) for a in activities)},
        "village": _("The village or town."),
        "tehsil": _("The tehsil."),
        "pin": _("6 digits."),
        "mobile": _("10 digits; +91 or 0 in front is fine."),
        "email": _("An email address, if the producer has one."),
        "bank_ifsc": _("11 characters, like SBIN0001234."),
        "bank_account": _("The account number; only its last 4 digits are kept."),
        "gstin": _("15 characters, like 09AAACH7409R1ZZ."),
        "pan": _("10 characters, like ABCPE1234F."),
        "iec": _("10 letters or digits (usually the PAN)."),
        "udyam": _("Like UDYAM-UP-00-0000000."),
        "aadhaar": _("Only the last 4 digits (or all 12: only the last 4 are kept)."),
    }
    example = {
        "kind": Kind.ARTISAN.label,
        "name_hi": "रामू प्रजापति",
        "name_latin": "Ramu Prajapati",
        "gender": Gender.MALE.label,
        "women_led": _("No"),
        "social_category": SocialCategory.OBC.label,
        "odop_product": products[0].name if products else "Terracotta",
        "activities": ", ".join(str(a) for a in activities[:2]),
        "village": "Aurangabad",
        "tehsil": "Sadar",
        "pin": "273001",
        "mobile": "98765 43210",
        "bank_ifsc": "SBIN0001234",
        "bank_account": "123456789012",
        "aadhaar": "1234",
    }
    notes = [
        _(
            "Write one producer per row on the first sheet, under its header row. Keep the "
            "headers; they may be in Hindi, English or both."
        ),
        _(
            "Empty rows are skipped. While any row has an error nothing is imported: correct "
            "the rows, or choose to import only the rows without errors."
        ),
        _(
            "Importing the same sheet again changes nothing: producers already registered "
            "(the same mobile, GSTIN or Udyam number, or the same name and PIN code) are left "
            "as they are."
        ),
    ]
    instructions = [
        [
            column.header,
            _("Required") if column.field in REQUIRED_FIELDS else "",
            str(help_texts[column.field]),
            str(example.get(column.field, "")),
        ]
        for column in COLUMNS
    ]
    instructions += [[""], *[[note] for note in notes]]
    return [
        Sheet("उत्पादक - Producers", template_header(), [], [c.width for c in COLUMNS]),
        Sheet(
            "निर्देश - Instructions",
            [_("Column"), _("Required"), _("What to write"), _("Example")],
            instructions,
            [34, 12, 70, 30],
        ),
    ]


# An export carries what is kept of an account number, not a number to import.
EXPORT_COLUMNS: tuple[Column, ...] = (
    *(EXPORT_ONLY_COLUMNS[0] if c.field == "bank_account" else c for c in COLUMNS),
    *EXPORT_ONLY_COLUMNS[1:],
)


def export_header() -> list[str]:
    return [column.header for column in EXPORT_COLUMNS]


def export_row(producer: Producer) -> list[str]:
    """A producer as a row under `export_header()`; choices in the user's language, which the
    import reads back. Expects `district`, `odop_product` and `activities` fetched with it."""
    yes, no = _("Yes"), _("No")
    values: dict[str, object] = {
        "kind": producer.get_kind_display(),
        "name_hi": producer.name_hi,
        "name_latin": producer.name_latin,
        "gender": producer.get_gender_display() if producer.gender else "",
        "women_led": yes if producer.women_led else no,
        "social_category": (
            producer.get_social_category_display() if producer.social_category else ""
        ),
        "odop_product": producer.odop_product.name if producer.odop_product else "",
        "activities": ", ".join(str(a) for a in producer.activities.all()),
        "village": producer.village,
        "tehsil": producer.tehsil,
        "pin": producer.pin,
        "mobile": producer.mobile,
        "email": producer.email,
        "bank_ifsc": producer.bank_ifsc,
        "bank_account_masked": producer.bank_account_masked,
        "gstin": producer.gstin,
        "pan": producer.pan,
        "iec": producer.iec,
        "udyam": producer.udyam,
        "aadhaar": producer.aadhaar_last4,
        "district": producer.district.name,
        "stage": producer.get_stage_display(),
        "listing_consent": yes if producer.listing_consent else no,
        "created_at": localtime(producer.created_at).strftime("%d/%m/%Y"),
        "uuid": str(producer.uuid),
    }
    return [str(values[column.field]) for column in EXPORT_COLUMNS]
