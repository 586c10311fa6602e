"""Control characters in text: refused by XML (so by XLSX), invisible on a page, never meant.

They arrive pasted from other software (a vertical tab from a Word table, a form feed from a PDF).
Input loses them here, once, for every form, API call and import, through the actions; the XLSX
writers drop them again for records saved before this cleaning existed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import translation
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# C0 controls but tab, line feed and carriage return; DEL; the C1 controls.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LINE_BREAKS = re.compile(r"[\t\r\n]+")


def clean_text(text: str, *, multiline: bool = True) -> str:
    """`text` without control characters; multi-line text keeps its tabs and line breaks, a
    single line gets a space for them."""
    if text.isprintable():  # the usual case, answered without a regular expression
        return text
    text = CONTROL_CHARACTERS.sub("", text)
    return text if multiline else LINE_BREAKS.sub(" ", text)


def _clean_value(value: Any, *, multiline: bool) -> Any:
    if isinstance(value, str):
        return clean_text(value, multiline=multiline)
    if isinstance(value, list):
        return [_clean_value(item, multiline=multiline) for item in value]
    if isinstance(value, dict):
        return {key: _clean_value(item, multiline=multiline) for key, item in value.items()}
    return value


def clean_text_values(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    """`values` for `model`'s fields, their text cleaned: a TextField is multi-line, any other
    field (CharField, a JSON list or mapping of short texts) a single line."""
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            cleaned[name] = value
            continue
        cleaned[name] = _clean_value(value, multiline=isinstance(field, models.TextField))
    return cleaned


def xlsx_safe(value: Any) -> Any:
    """A cell's value without the characters openpyxl refuses to write (it raises on them)."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def in_each_language(render: Callable[[], str]) -> dict[str, str]:
    """`render()` in each language of the interface, by code: for text the software writes into a
    record (why a producer's stage moved) that staff later read in either language."""
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = str(render())
    return texts
