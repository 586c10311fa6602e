"""The division filter of the district list names divisions in the reader's language."""

from __future__ import annotations

import pytest

from niryat.core.models import User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_division_filter_is_in_hindi_on_hindi_pages(alice: User) -> None:
    alice.language = "hi"
    alice.save(update_fields=["language"])
    client = client_for(alice)
    page = client.get("/districts/").content.decode()
    assert '<option value="Agra" >आगरा</option>' in page
    assert ">Agra<" not in page
    # the value stays English, so a link works in both languages
    filtered = client.get("/districts/", {"division": "Agra"}).content.decode()
    assert '<option value="Agra" selected>आगरा</option>' in filtered


def test_division_filter_is_in_english_on_english_pages(alice: User) -> None:
    page = client_for(alice).get("/districts/").content.decode()
    assert '<option value="Agra" >Agra</option>' in page
