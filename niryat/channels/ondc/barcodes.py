"""EAN-13 barcodes: ONDC's Home and kitchen domain wants `1:<EAN>` as an item's code, and ONDC's
reviewers check the check digit (shared/ONDC_FACTS.md §2.4)."""

from __future__ import annotations


def ean13_check_digit(first_twelve: str) -> int:
    """GS1's check digit: the digits weighted 1, 3, 1, 3... from the left; what brings their sum
    to the next multiple of 10."""
    total = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(first_twelve))
    return (10 - total % 10) % 10


def is_valid_ean13(code: str) -> bool:
    """Thirteen digits whose last is the check digit of the other twelve."""
    code = code.strip()
    if len(code) != 13 or not code.isascii() or not code.isdigit():
        return False
    return ean13_check_digit(code[:12]) == int(code[12])
