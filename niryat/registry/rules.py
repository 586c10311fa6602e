"""The registry's rules for a producer's details: what may be stored, and in what form.

`clean_producer` takes the values as people type them (an Aadhaar number in full, a bank account
number, a mobile with spaces, a GSTIN in lower case...) and returns the values to store: cleaned
to their canonical form, and masked where only a part may be kept. It refuses with a
ValidationError keyed by the field each message is about, every error at once, in the active
language. `do_register_producer` and `do_update_producer` call it, and so every way into the
registry (the page, the API, the sheet import) keeps the same rules; the import calls it directly
for each row, because it saves its rows in bulk rather than one action per row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, validate_email
from django.db.models import Field, TextChoices
from django.utils.translation import gettext as _

from niryat.core.models import District, OdopProduct
from niryat.core.text import clean_text_values
from niryat.registry import identifiers
from niryat.registry.models import Gender, Kind, Producer, SocialCategory, Stage
from niryat.registry.transliterate import is_devanagari, to_latin

# The values a form, an API call or a sheet row gives, in the order their errors are listed.
# `aadhaar` and `bank_account` are the numbers as typed: only their masked forms are stored.
INPUT_FIELDS = (
    "kind",
    "name_hi",
    "name_latin",
    "gender",
    "women_led",
    "social_category",
    "odop_product",
    "village",
    "tehsil",
    "pin",
    "mobile",
    "email",
    "bank_ifsc",
    "gstin",
    "pan",
    "iec",
    "udyam",
    "bank_account",
    "aadhaar",
)
# Where a number typed in full is stored, masked.
MASKED_AS = {"aadhaar": "aadhaar_last4", "bank_account": "bank_account_masked"}
# Sent empty with a form or a whole record, these keep the number held: it is never shown back
# in full, so an edit page or a PUT cannot send it again. (A PATCH that names one empties it.)
KEPT_WHEN_EMPTY = ("aadhaar", "bank_account")

REQUIRED = ("kind", "name_hi")
CHOICES: dict[str, type[TextChoices]] = {
    "kind": Kind,
    "gender": Gender,
    "social_category": SocialCategory,
    "stage": Stage,
}
IDENTIFIER_CLEANERS: dict[str, Callable[[str], str]] = {
    "pin": identifiers.clean_pin,
    "mobile": identifiers.clean_mobile,
    "bank_ifsc": identifiers.clean_ifsc,
    "gstin": identifiers.clean_gstin,
    "pan": identifiers.clean_pan,
    "iec": identifiers.clean_iec,
    "udyam": identifiers.clean_udyam,
    # Cut here, before anything else sees them: only the last four digits go any further.
    "aadhaar": identifiers.aadhaar_last4,
    "bank_account": identifiers.mask_account,
}
# TextChoices.values builds a new list on every use; an import checks three choices a row.
_CODES = {choices: frozenset(choices.values) for choices in CHOICES.values()}
_MAX_LENGTH = {
    name: MaxLengthValidator(cast(Field, Producer._meta.get_field(name)).max_length)
    for name in ("name_hi", "name_latin", "village", "tehsil", "email")
}


def clean_producer(
    values: Mapping[str, Any],
    district: District,
    *,
    current: Producer | None = None,
    spell: Callable[[str], str] = to_latin,
) -> dict[str, Any]:
    """The values to store for a producer of `district`, from `values` as typed.

    For a new producer (`current` is None) absent fields are blank. For a change to `current`,
    only the fields in `values` are checked and returned; the rules that join fields (a Latin
    name spelt from the Devanagari one, a woman artisan's enterprise is women-led) read the
    others from `current`. `spell` writes a Devanagari name in Latin letters (the import passes
    a cached `to_latin`). Raises ValidationError({field: [messages]}) naming the fields as given.
    """
    unknown = set(values) - set(INPUT_FIELDS) - {"stage"}
    if unknown:
        raise ValueError(f"not producer fields: {sorted(unknown)}")
    # Control characters pasted from other software go first, for every way in.
    values = clean_text_values(Producer, dict(values))
    given = values if current is not None else {name: "" for name in REQUIRED} | dict(values)
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for name in (*INPUT_FIELDS, "stage"):
        if name not in given:
            continue
        try:
            cleaned[name] = _clean_field(name, given[name], district)
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)

    def now(name: str) -> Any:
        return cleaned[name] if name in cleaned else getattr(current, name, "")

    # An empty Latin name is spelt from the Devanagari one (the page suggests the same spelling).
    if ("name_latin" in cleaned or current is None) and not now("name_latin") and now("name_hi"):
        cleaned["name_latin"] = spell(now("name_hi"))
    # A woman artisan's enterprise is women-led, whatever box was left unticked.
    if {"kind", "gender", "women_led"} & set(cleaned) or current is None:
        if now("kind") == Kind.ARTISAN and now("gender") == Gender.FEMALE:
            cleaned["women_led"] = True
    return {MASKED_AS.get(name, name): value for name, value in cleaned.items()}


def _clean_field(name: str, value: Any, district: District) -> Any:
    if name == "women_led":
        if not isinstance(value, bool):
            raise TypeError(f"women_led must be True or False, not {value!r}")
        return value
    if name == "odop_product":
        if value is not None and not isinstance(value, OdopProduct):
            raise TypeError(f"odop_product must be an OdopProduct or None, not {value!r}")
        if value is not None and value.district_id != district.pk:
            raise ValidationError(_("That ODOP product belongs to another district."))
        return value
    text = str(value or "").strip()
    if not text:
        if name in REQUIRED:
            raise ValidationError(_("This field is required."))
        return ""
    if name in CHOICES:
        return _choice(text, CHOICES[name])
    if name in IDENTIFIER_CLEANERS:
        return IDENTIFIER_CLEANERS[name](text)
    if name in _MAX_LENGTH:
        _MAX_LENGTH[name](text)
    if name == "name_hi" and not is_devanagari(text):
        raise ValidationError(_("Write this name in Devanagari (Hindi) letters."))
    if name == "name_latin" and is_devanagari(text):
        raise ValidationError(_("Write this name in Latin (English) letters."))
    if name == "email":
        validate_email(text)
    return text


def _choice(text: str, choices: type[TextChoices]) -> str:
    if text in _CODES[choices]:
        return text
    raise ValidationError(
        _("«%(value)s» is not one of: %(choices)s.")
        % {"value": text, "choices": ", ".join(str(label) for label in choices.labels)}
    )


def warnings(district: District, *, gstin: str) -> list[str]:
    """What staff should know about a producer's stored values, though they are allowed."""
    warning = identifiers.gstin_state_warning(gstin, district.state.gst_code)
    return [warning] if warning else []
