"""A Hindi page says its sentences in Hindi: the photo-quality checks and the HS descriptions,
which used to stay in English (the report was written by the English-speaking worker, and the HS
nomenclature is English only)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from niryat.catalog import actions
from niryat.catalog.models import Product, ProductImage
from niryat.core.models import User
from tests.catalog.factories import run_tasks
from tests.conftest import client_for
from tests.test_imaging import a_phone_upload, a_photo

pytestmark = pytest.mark.django_db

# Three Latin words in a row make an English phrase; a code ("6913.10", "px") or a proper noun
# alone does not.
ENGLISH_PHRASE = re.compile(r"[A-Za-z]{2,}(?:[\s,;:]+[A-Za-z]{2,}){2,}")


def english_phrases(html: str) -> list[str]:
    text = re.sub(r"<[^>]+>", " ", html)
    return ENGLISH_PHRASE.findall(text)


def items(page: str, list_class: str) -> list[str]:
    block = re.search(rf'<ul class="{list_class}">(.*?)</ul>', page, re.S)
    assert block is not None, f"no list {list_class}"
    return [
        re.sub(r"<[^>]+>|\s+", " ", li).strip() for li in re.findall(r"<li.*?</li>", block[1], re.S)
    ]


@pytest.fixture
def hindi_ganesh(ganesh: User) -> User:
    ganesh.language = "hi"
    ganesh.save(update_fields=["language"])
    return ganesh


def test_photo_quality_lines_are_in_the_readers_language(
    horse: Product, hindi_ganesh: User
) -> None:
    # given a photo processed by the worker (in English, as a worker runs)
    image = actions.do_add_image(
        horse, a_phone_upload(a_photo()), file_name="horse.jpg", acting_user=hindi_ganesh
    )
    run_tasks()
    image.refresh_from_db()
    assert image.status == ProductImage.Status.READY
    # when staff read the product in Hindi
    page = client_for(hindi_ganesh).get(reverse("product_detail", args=[horse.uuid]))
    lines = items(page.content.decode(), "quality-checks")
    # then every check is a Hindi sentence, with numbers but no English phrase
    assert len(lines) == len(image.quality) == 5
    assert [english_phrases(line) for line in lines] == [[]] * 5
    assert all(re.search("[\u0900-\u097f]{3,}", line) for line in lines)
    # and in English the same checks read in English
    hindi_ganesh.language = "en"
    hindi_ganesh.save(update_fields=["language"])
    english = items(
        client_for(hindi_ganesh).get(reverse("product_detail", args=[horse.uuid])).content.decode(),
        "quality-checks",
    )
    assert [line.lstrip("✔✘ ") for line in english] == [check["reason"] for check in image.quality]


def test_hs_descriptions_are_glossed_in_hindi(hindi_ganesh: User) -> None:
    # when staff look for a carpet's code on a Hindi page
    page = (
        client_for(hindi_ganesh).get(reverse("hs_search"), {"hs_query": "कालीन"}).content.decode()
    )
    lines = items(page, "hs-matches")
    # then the carpet headings are named in Hindi, the English kept only on hover
    assert lines
    carpets = [line for line in lines if line.startswith("57")]
    assert carpets
    assert all("कालीन" in line for line in carpets)
    # the materials vocabulary tells the subheadings apart: "of wool", "of coir"...
    assert any("ऊन" in line for line in carpets)
    assert [english_phrases(line) for line in carpets] == [[]] * len(carpets)
    assert 'title="Carpets and other textile floor coverings' in page


def test_hs_descriptions_stay_english_on_english_pages(ganesh: User) -> None:
    page = client_for(ganesh).get(reverse("hs_search"), {"hs_query": "carpet"}).content.decode()
    assert "कालीन" not in page
    assert "Carpets and other textile floor coverings" in page
