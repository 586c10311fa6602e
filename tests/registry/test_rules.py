"""The registry's rule function itself: whatever is typed, no more than the last four digits of
an Aadhaar or bank account number comes out of it (and so reaches the database by any path:
the page, the API and the import all store what it returns)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from niryat.registry import rules
from niryat.registry.models import Producer

# How people write a number: digits with spaces, dashes, dots or slashes between some of them.
SEPARATORS = st.sampled_from(["", " ", "  ", "-", ".", "/"])


def typed(digits: list[str], separators: list[str]) -> str:
    return "".join(d + s for d, s in zip(digits, separators, strict=False)) + "".join(
        digits[len(separators) :]
    )


def written(count: int) -> st.SearchStrategy[tuple[str, str]]:
    """(the digits, the digits as typed with separators)."""
    return st.lists(st.sampled_from("0123456789"), min_size=count, max_size=count).flatmap(
        lambda digits: st.lists(SEPARATORS, max_size=count).map(
            lambda separators: ("".join(digits), typed(digits, separators))
        )
    )


fixture_settings = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None, max_examples=200
)


@fixture_settings
@given(number=written(12))
def test_a_full_aadhaar_number_comes_out_as_its_last_four_digits(gorakhpur, number):
    digits, as_typed = number
    stored = rules.clean_producer(
        {"kind": "artisan", "name_hi": "रामू", "aadhaar": as_typed}, gorakhpur
    )
    assert stored["aadhaar_last4"] == digits[-4:]
    assert "aadhaar" not in stored
    assert digits[:8] not in " ".join(str(value) for value in stored.values())


@fixture_settings
@given(number=st.integers(min_value=6, max_value=18).flatmap(written))
def test_a_bank_account_number_comes_out_masked_but_its_last_four_digits(gorakhpur, number):
    digits, as_typed = number
    stored = rules.clean_producer(
        {"kind": "msme", "name_hi": "माटी कला", "bank_account": as_typed}, gorakhpur
    )
    assert stored["bank_account_masked"] == "X" * (len(digits) - 4) + digits[-4:]
    assert "bank_account" not in stored
    assert re.sub(r"\D", "", stored["bank_account_masked"]) == digits[-4:]


@fixture_settings
@given(aadhaar=st.text(max_size=40), account=st.text(max_size=40))
def test_whatever_is_typed_no_more_than_four_digits_are_kept(gorakhpur, aadhaar, account):
    for field, value in (("aadhaar", aadhaar), ("bank_account", account)):
        refused: list[str] = []
        stored: dict[str, object] = {}
        try:
            stored = rules.clean_producer(
                {"kind": "artisan", "name_hi": "रामू", field: value}, gorakhpur
            )
        except ValidationError as error:
            refused = list(error.message_dict)
        # either refused, naming the field, or kept as four digits (or nothing) at most
        assert refused == [field] or not refused
        if not refused:
            kept = str(stored[rules.MASKED_AS[field]])
            assert len(re.sub(r"\D", "", kept)) in {0, 4}
            max_length = Producer._meta.get_field(rules.MASKED_AS[field]).max_length
            assert len(kept) <= max_length  # type: ignore[operator]


def test_a_change_returns_only_the_fields_it_names(gorakhpur, ganesh):
    from tests.registry.factories import register

    ramu = register(gorakhpur, ganesh, gender="male")
    assert rules.clean_producer({"pin": " 273 009 "}, gorakhpur, current=ramu) == {"pin": "273009"}
    # an empty Latin name is spelt again from the name held
    assert rules.clean_producer({"name_latin": ""}, gorakhpur, current=ramu) == {
        "name_latin": "Ramu Prajapati"
    }
    with pytest.raises(ValidationError) as refused:
        rules.clean_producer({"name_hi": " ", "kind": "weaver"}, gorakhpur, current=ramu)
    assert refused.value.message_dict == {
        "kind": [
            "«weaver» is not one of: Artisan, Self-help group, MSME unit, Producer organisation."
        ],
        "name_hi": ["This field is required."],
    }


def test_a_field_the_registry_does_not_hold_is_a_programming_error(gorakhpur):
    with pytest.raises(ValueError, match=r"not producer fields: \['aadhaar_last4'\]"):
        rules.clean_producer({"kind": "artisan", "name_hi": "रामू", "aadhaar_last4": "1"}, gorakhpur)
