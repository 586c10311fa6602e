"""The producer list's search: part of a name in either script, any case, a mobile number's
digits; on SQLite from the trigram index (migration 0005), which every write keeps in step."""

from __future__ import annotations

import pytest
from django.db import connection

from niryat.core.models import District, User
from niryat.registry.actions import do_update_producer
from niryat.registry.models import Producer
from tests.registry.factories import register


def found(text: str) -> list[str]:
    return list(Producer.objects.search(text).values_list("name_latin", flat=True))


@pytest.fixture
def ramu(gorakhpur: District, ganesh: User) -> Producer:
    return register(
        gorakhpur, ganesh, name_hi="रामू प्रजापति", name_latin="Ramu Prajapati", mobile="9812345678"
    )


@pytest.fixture
def irfan(gorakhpur: District, ganesh: User) -> Producer:
    return register(gorakhpur, ganesh, name_hi="इरफ़ान अंसारी", name_latin="Irfan Ansari")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Praj", ["Ramu Prajapati"]),  # part of a Latin name
        ("prajA", ["Ramu Prajapati"]),  # any case
        ("प्रजा", ["Ramu Prajapati"]),  # part of a Devanagari name
        ("इरफ़ा", ["Irfan Ansari"]),
        ("Ramoo", ["Ramu Prajapati"]),  # another spelling, through the name key
        ("अंसारी", ["Irfan Ansari"]),
        ("an", ["Irfan Ansari"]),  # two letters: too short for trigrams, LIKE answers
        ("45678", ["Ramu Prajapati"]),  # the digits of a mobile number
        ("98123 45678", ["Ramu Prajapati"]),
        ('Ra"mu', []),  # a quote is text, not FTS syntax
        ("Sita", []),
    ],
)
def test_part_of_a_name_is_found_in_either_script(
    ramu: Producer, irfan: Producer, text: str, expected: list[str]
) -> None:
    assert found(text) == expected


def test_a_renamed_producer_is_found_by_the_new_name_only(ramu: Producer, ganesh: User) -> None:
    # when
    do_update_producer(
        ramu, {"name_hi": "श्यामू कुम्हार", "name_latin": "Shyamu Kumhar"}, acting_user=ganesh
    )
    # then
    assert found("Kumh") == ["Shyamu Kumhar"]
    assert found("कुम्हा") == ["Shyamu Kumhar"]
    assert found("Praj") == []


def test_a_deleted_producer_is_not_found(ramu: Producer, irfan: Producer) -> None:
    # when
    Producer.objects.filter(pk=ramu.pk).delete()
    # then
    assert found("Praj") == []
    assert found("Ansa") == ["Irfan Ansari"]


def test_on_sqlite_the_trigram_index_and_its_triggers_exist(db: None) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL searches with its own trigram index (migration 0003)")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type, name FROM sqlite_master WHERE name IN ('registry_producer_search', "
            "'registry_producer_search_delete', 'registry_producer_search_insert', "
            "'registry_producer_search_update') ORDER BY type, name"
        )
        objects = cursor.fetchall()
    assert objects == [
        ("table", "registry_producer_search"),
        ("trigger", "registry_producer_search_delete"),
        ("trigger", "registry_producer_search_insert"),
        ("trigger", "registry_producer_search_update"),
    ]


@pytest.fixture
def unit(gorakhpur: District, ganesh: User) -> Producer:
    return register(
        gorakhpur,
        ganesh,
        kind="msme",
        name_hi="हस्तकला उद्योग",
        name_latin="Hastkala Udyog",
        gstin="09AAACH7409R1ZZ",
        pan="ABCPE9057F",
        iec="AAACH7409R",
        udyam="UDYAM-UP-29-0012345",
        mobile="9812345670",
    )


@pytest.mark.parametrize(
    "text",
    [
        "09AAACH7409R1ZZ",
        "09aaach7409r1zz",  # as typed, in lower case
        "09 AAACH 7409 R1ZZ",  # with spaces, as printed on a certificate
        "abcpe9057f",  # PAN
        "AAACH7409R",  # IEC
        "UDYAM-UP-29-0012345",
        "udyam up 29 0012345",
        "udyam-up-29-0012345",
        "+91 98123 45670",  # the mobile number in full, as the registry prints it
        "098123 45670",
    ],
)
def test_an_identifier_is_found_exactly_however_it_is_typed(
    unit: Producer, ramu: Producer, text: str
) -> None:
    assert found(text) == ["Hastkala Udyog"]


def test_an_identifier_search_keeps_to_the_list_being_searched(
    unit: Producer, ramu: Producer, gorakhpur: District
) -> None:
    # An exact identifier match is one more way to match, not a way around the list's filters.
    others = Producer.objects.filter(kind="artisan")
    assert list(others.search("ABCPE9057F")) == []
    assert list(Producer.objects.filter(district=gorakhpur).search("ABCPE9057F")) == [unit]
