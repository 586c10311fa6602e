from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from niryat.registry import identifiers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("09AAACH7409R1ZZ", "09AAACH7409R1ZZ"),
        ("09aaach7409r1zz", "09AAACH7409R1ZZ"),
        (" 27AAPFU0939F1ZV ", "27AAPFU0939F1ZV"),
    ],
)
def test_gstin_is_normalised(value, expected):
    assert identifiers.clean_gstin(value) == expected


def test_gstin_with_a_wrong_check_character_is_explained():
    with pytest.raises(ValidationError, match="wrong check character"):
        identifiers.clean_gstin("09AAACH7409R1ZA")
    with pytest.raises(ValidationError, match="15 characters"):
        identifiers.clean_gstin("09AAACH7409")


def test_gstin_of_another_state_is_flagged_not_refused():
    assert identifiers.gstin_state_warning("09AAACH7409R1ZZ", "09") is None
    assert identifiers.gstin_state_warning("27AAPFU0939F1ZV", "09") == (
        "GSTIN 27AAPFU0939F1ZV is registered in state code 27, not 09 of this district."
    )


def test_pan_iec_udyam_ifsc_pin():
    assert identifiers.clean_pan("abcpe1234f") == "ABCPE1234F"
    with pytest.raises(ValidationError):
        identifiers.clean_pan("ABC1234")
    assert identifiers.clean_iec("ABCPE1234F") == "ABCPE1234F"
    with pytest.raises(ValidationError, match="10 letters or digits"):
        identifiers.clean_iec("12345")
    assert identifiers.clean_udyam("udyam-up-29-0012345") == "UDYAM-UP-29-0012345"
    with pytest.raises(ValidationError, match="UDYAM-UP-00-0000000"):
        identifiers.clean_udyam("UDYAM-UP-2-12345")
    assert identifiers.clean_ifsc("sbin0001234") == "SBIN0001234"
    with pytest.raises(ValidationError, match="fifth is zero"):
        identifiers.clean_ifsc("SBIN1001234")
    assert identifiers.clean_pin("273 001") == "273001"
    with pytest.raises(ValidationError):
        identifiers.clean_pin("073001")


@pytest.mark.parametrize("value", ["9876543210", "+91 98765 43210", "098765-43210", "919876543210"])
def test_mobile_is_stored_in_e164(value):
    assert identifiers.clean_mobile(value) == "+919876543210"


@pytest.mark.parametrize("value", ["12345", "0551233333", "abc", "+1 202 555 0100x"])
def test_bad_mobile_is_refused(value):
    with pytest.raises(ValidationError, match="not a valid mobile number"):
        identifiers.clean_mobile(value)


def test_only_the_last_four_aadhaar_digits_survive():
    assert identifiers.aadhaar_last4("2345 6789 0123") == "0123"
    assert identifiers.aadhaar_last4("0123") == "0123"
    with pytest.raises(ValidationError):
        identifiers.aadhaar_last4("12345")


def test_bank_account_is_masked():
    assert identifiers.mask_account("123456789012") == "XXXXXXXX9012"


def test_errors_are_in_hindi_for_hindi_users():
    with translation.override("hi"), pytest.raises(ValidationError) as error:
        identifiers.clean_pin("12")
    assert error.value.messages[0] != "PIN code must be 6 digits; 12 is not."
    assert "12" in error.value.messages[0]
