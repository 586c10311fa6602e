"""Connecting a marketplace account on a Hindi page: every credential and setting label is Hindi
(they were "application id", "inventory location key"...), and in English starts with a capital."""

from __future__ import annotations

import re

from django.utils import translation

from niryat.channels.registry import CHANNEL_CLASSES, channel_class

DEVANAGARI = re.compile("[\u0900-\u097f]")


def labels() -> list[str]:
    return [
        str(spec.label)
        for code in CHANNEL_CLASSES
        for spec in (
            *channel_class(code).credential_fields,
            *getattr(channel_class(code), "setting_fields", ()),
        )
    ]


def test_credential_labels_are_hindi_on_hindi_pages() -> None:
    with translation.override("hi"):
        hindi = labels()
    assert hindi
    assert [label for label in hindi if not DEVANAGARI.search(label)] == []


def test_credential_labels_start_with_a_capital_in_english() -> None:
    with translation.override("en"):
        english = labels()
    assert [
        label for label in english if not (label[0].isupper() or label.startswith("eBay"))
    ] == []
    assert "Application ID" in english
    assert "eBay category ID" in english
