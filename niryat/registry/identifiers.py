"""Producer identifiers: each cleaned to its canonical form, or refused with a readable sentence.

GSTIN and PAN use python-stdnum (format and check character); phone numbers use phonenumbers. Udyam,
IEC, IFSC and PIN have no maintained library, so their published formats are checked here.
"""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.in_ import gstin as stdnum_gstin
from stdnum.in_ import pan as stdnum_pan

UDYAM = re.compile(r"^UDYAM-([A-Z]{2})-(\d{2})-(\d{7})$")
IFSC = re.compile(r"^[A-Z]{4}0[A-Z0-9]{6}$")
IEC = re.compile(r"^[A-Z0-9]{10}$")
PIN = re.compile(r"^[1-9]\d{5}$")


def _compact(value: str) -> str:
    return re.sub(r"[\s\-./]", "", value).upper()


def clean_gstin(value: str) -> str:
    number = _compact(value)
    try:
        return str(stdnum_gstin.validate(number))
    except InvalidChecksum:
        raise ValidationError(
            _(
                "GSTIN %(value)s has a wrong check character (the last one). "
                "Check it on the GST certificate."
            )
            % {"value": number}
        ) from None
    except StdnumError:
        raise ValidationError(
            _("GSTIN must be 15 characters, like 09AAACH7409R1ZZ; %(value)s is not.")
            % {"value": number}
        ) from None


def gstin_state_warning(gstin: str, gst_state_code: str) -> str | None:
    """A GSTIN registered in another state is allowed, but staff should know."""
    if gstin and gst_state_code and gstin[:2] != gst_state_code:
        return _(
            "GSTIN %(gstin)s is registered in state code %(code)s, "
            "not %(expected)s of this district."
        ) % {"gstin": gstin, "code": gstin[:2], "expected": gst_state_code}
    return None


def clean_pan(value: str) -> str:
    number = _compact(value)
    try:
        return str(stdnum_pan.validate(number))
    except StdnumError:
        raise ValidationError(
            _("PAN must be 10 characters, like ABCPE1234F; %(value)s is not.") % {"value": number}
        ) from None


def clean_iec(value: str) -> str:
    number = _compact(value)
    if not IEC.match(number):
        raise ValidationError(
            _("IEC must be 10 letters or digits (usually the PAN); %(value)s is not.")
            % {"value": number}
        )
    return number


def clean_udyam(value: str) -> str:
    number = value.strip().upper().replace(" ", "")
    if not UDYAM.match(number):
        raise ValidationError(
            _("Udyam number must look like UDYAM-UP-00-0000000; %(value)s does not.")
            % {"value": number}
        )
    return number


def clean_ifsc(value: str) -> str:
    code = _compact(value)
    if not IFSC.match(code):
        raise ValidationError(
            _("IFSC must be 11 characters, like SBIN0001234 (the fifth is zero); %(value)s is not.")
            % {"value": code}
        )
    return code


def clean_pin(value: str) -> str:
    code = re.sub(r"\s", "", value)
    if not PIN.match(code):
        raise ValidationError(_("PIN code must be 6 digits; %(value)s is not.") % {"value": code})
    return code


def clean_mobile(value: str) -> str:
    """An Indian mobile number in E.164 form (+91XXXXXXXXXX)."""
    try:
        number = phonenumbers.parse(value, "IN")
    except phonenumbers.NumberParseException:
        number = None
    if (
        number is None
        or number.country_code != 91
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number)
        not in {
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        }
    ):
        raise ValidationError(
            _("%(value)s is not a valid mobile number. Give 10 digits, like 98765 43210.")
            % {"value": value.strip()}
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def aadhaar_last4(value: str) -> str:
    """Only the last four digits of an Aadhaar number are ever kept; the rest is dropped here."""
    digits = re.sub(r"\D", "", value)
    if len(digits) not in {4, 12}:
        raise ValidationError(
            _("Give the last 4 digits of the Aadhaar number (or all 12; only the last 4 are kept).")
        )
    return digits[-4:]


def mask_account(value: str) -> str:
    """A bank account number shown and stored as its last four digits only. A number already
    masked so (an error sheet's, "XXXXXXXX1234") is taken as it is."""
    already = re.fullmatch(r"\s*([Xx×*]+)(\d{4})\s*", value)
    if already and 6 <= len(already[1]) + 4 <= 18:
        return "X" * len(already[1]) + already[2]
    digits = re.sub(r"\D", "", value)
    if not 6 <= len(digits) <= 18:
        raise ValidationError(_("A bank account number has 6 to 18 digits."))
    return "X" * (len(digits) - 4) + digits[-4:]
