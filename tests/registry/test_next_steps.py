"""The staff's counts of producers by next step agree with what each producer's page says."""

from __future__ import annotations

import pytest

from niryat.core.models import District, User
from niryat.registry.models import Kind, Producer, Stage
from niryat.registry.next_steps import STAFF_LABELS, STEP_QUERIES, next_steps
from tests.registry.factories import register

VARIETY = [
    {"kind": Kind.ARTISAN, "stage": Stage.CONTACTED},
    {"kind": Kind.ARTISAN, "stage": Stage.SENSITISED, "listing_consent": True},
    {"kind": Kind.SHG, "stage": Stage.REGISTERED, "bank_ifsc": "SBIN0001234"},
    {
        "kind": Kind.MSME,
        "stage": Stage.TRAINED,
        "bank_ifsc": "SBIN0001234",
        "bank_account": "001234561234",
        "listing_consent": True,
    },
    {"kind": Kind.MSME, "stage": Stage.SOLD, "udyam": "UDYAM-UP-52-0012345"},
    {"kind": Kind.ARTISAN, "stage": Stage.EXPORTING, "iec": "0512345678"},
    {"kind": Kind.ARTISAN, "stage": Stage.LISTED, "listing_consent": True},
]


def make(district: District, staff: User, values: dict[str, object]) -> Producer:
    values = dict(values)
    consent = values.pop("listing_consent", False)
    producer = register(district, staff, **values)
    # Consent is recorded through its own action; the flag is all that matters here.
    Producer.objects.filter(pk=producer.pk).update(listing_consent=consent)
    producer.refresh_from_db()
    return producer


@pytest.mark.parametrize("values", VARIETY)
def test_step_queries_match_next_steps(
    values: dict[str, object], gorakhpur: District, ganesh: User
) -> None:
    producer = make(gorakhpur, ganesh, values)
    expected = {step.code for step in next_steps(producer)}
    matched = {
        code
        for code, query in STEP_QUERIES.items()
        if Producer.objects.filter(pk=producer.pk).filter(query).exists()
    }
    assert matched == expected


def test_counts_by_step_in_one_query(
    gorakhpur: District,
    ganesh: User,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    for values in VARIETY:
        make(gorakhpur, ganesh, values)
    with django_assert_num_queries(1):
        counts = Producer.objects.filter(district=gorakhpur).next_step_counts()
    assert counts == {
        "listing_consent": 4,
        "bank": 6,
        "sensitisation": 1,
        "training": 2,
        "catalogue": 1,
        "udyam": 1,
        "iec": 1,
    }
    assert set(STAFF_LABELS) == set(STEP_QUERIES)
