"""The registry's rules as every way in must keep them: the page, the API and the sheet import
each run these cases (tests/registry/test_actions.py, test_api.py, test_bulk_import.py,
test_producer_pages.py) and must refuse each with the same sentence, next to the same field."""

from __future__ import annotations

from django.apps import apps

# A valid artisan, as typed; each case below changes one value.
VALID = {"kind": "artisan", "name_hi": "रामू प्रजापति", "gender": "male"}

# (field, what was typed, the sentence it is refused with)
REFUSED = [
    (
        "gstin",
        "09AAACH7409R1ZA",
        "GSTIN 09AAACH7409R1ZA has a wrong check character (the last one). "
        "Check it on the GST certificate.",
    ),
    (
        "gstin",
        "09AAACH7409",
        "GSTIN must be 15 characters, like 09AAACH7409R1ZZ; 09AAACH7409 is not.",
    ),
    ("mobile", "12345", "12345 is not a valid mobile number. Give 10 digits, like 98765 43210."),
    ("pin", "073001", "PIN code must be 6 digits; 073001 is not."),
    ("pan", "ABC1234", "PAN must be 10 characters, like ABCPE1234F; ABC1234 is not."),
    ("iec", "12345", "IEC must be 10 letters or digits (usually the PAN); 12345 is not."),
    (
        "udyam",
        "UDYAM-UP-2-12345",
        "Udyam number must look like UDYAM-UP-00-0000000; UDYAM-UP-2-12345 does not.",
    ),
    (
        "bank_ifsc",
        "SBIN1001234",
        "IFSC must be 11 characters, like SBIN0001234 (the fifth is zero); SBIN1001234 is not.",
    ),
    ("bank_account", "123", "A bank account number has 6 to 18 digits."),
    (
        "aadhaar",
        "2345 6789 01",
        "Give the last 4 digits of the Aadhaar number (or all 12; only the last 4 are kept).",
    ),
    ("email", "ramu@", "Enter a valid email address."),
    ("name_hi", "Ramu", "Write this name in Devanagari (Hindi) letters."),
    ("name_hi", "", "This field is required."),
    ("name_latin", "रामू", "Write this name in Latin (English) letters."),
    (
        "gender",
        "Weaver",
        "«Weaver» is not one of: Woman, Man, Other, Prefers not to say.",
    ),
    ("village", "x" * 101, "Ensure this value has at most 100 characters (it has 101)."),
]
REFUSED_IDS = [f"{field}={typed[:16]!r}" for field, typed, _sentence in REFUSED]

# An Aadhaar and a bank account number typed in full, and what may be kept of them.
FULL_AADHAAR, AADHAAR_LAST4 = "2345 6789 0123", "0123"
FULL_ACCOUNT, ACCOUNT_MASKED = "0012345678901", "XXXXXXXXX8901"
# Runs of digits that only the full numbers hold.
SECRET_PARTS = ("23456789", "2345 6789", "001234567", "0012345678901")


def assert_not_stored(*parts: str) -> None:
    """No row of any table holds any of `parts`: not a field, not an audit entry, not an import
    job's list of errors."""
    for model in apps.get_models():
        for row in model._default_manager.values_list():
            text = " ".join(str(value) for value in row)
            for part in parts:
                assert part not in text, f"{part!r} stored in {model.__name__}"
