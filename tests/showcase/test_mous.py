"""Partners and MoUs: staff record an MoU and its commitments; progress comes from the records
(live listings, producers' stages, the showcase) or is recorded by staff."""

from __future__ import annotations

import datetime

import pytest

from niryat.catalog.models import Product
from niryat.core.models import AuditEntry, District, PartnerOrg, User
from niryat.showcase.models import Commitment, Mou
from tests.conftest import client_for, hindi

pytestmark = pytest.mark.django_db

MOU = {
    "district": "",
    "partner": "",
    "other_parties": "UP Khadi and Village Industries Board",
    "title": "Amazon Karigar onboarding, Gorakhpur",
    "signed_on": "2026-04-01",
    "valid_until": "2027-03-31",
    "terms": "Amazon trains artisans and waives fees for a year.",
}


@pytest.fixture
def amazon() -> PartnerOrg:
    return PartnerOrg.objects.get(code="amazon")


def record_mou(staff: User, district: District, partner: PartnerOrg) -> Mou:
    response = client_for(staff).post(
        "/showcase/mous/new/", {**MOU, "district": district.pk, "partner": partner.pk}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Mou.objects.get()


def test_staff_record_an_mou_and_see_live_sellers_against_its_target(
    ganesh: User, gorakhpur: District, amazon: PartnerOrg, horse: Product
) -> None:
    # given Ramu's horse live on the centre's Flipkart account (tests/showcase/conftest.py)
    mou = record_mou(ganesh, gorakhpur, amazon)
    assert mou.district == gorakhpur
    staff = client_for(ganesh)
    response = staff.post(
        f"/showcase/mous/{mou.uuid}/",
        {
            "description": "Onboard 500 artisans by March",
            "measure": "sellers_live",
            "channel": "flipkart",
            "target": "500",
            "due_on": "2027-03-31",
        },
    )
    assert response.status_code == 302
    page = staff.get(f"/showcase/mous/{mou.uuid}/").content.decode()
    assert "Onboard 500 artisans by March" in page
    assert "1 of 500 (0 %)" in page
    listing = staff.get("/showcase/mous/").content.decode()
    assert "Amazon Karigar onboarding, Gorakhpur" in listing
    assert "1 of 500" in listing
    assert AuditEntry.objects.filter(action="showcase.commitment").count() == 1


@pytest.mark.parametrize(
    ("measure", "expected"),
    [("trained", 1), ("exporting", 0), ("shown", 1), ("listings_live", 1)],
)
def test_each_measure_counts_the_records(
    ganesh: User,
    gorakhpur: District,
    amazon: PartnerOrg,
    horse: Product,
    measure: str,
    expected: int,
) -> None:
    mou = record_mou(ganesh, gorakhpur, amazon)
    commitment = Commitment.objects.create(
        mou=mou,
        description="x",
        measure=measure,
        channel="flipkart",
        target=10,
        due_on=datetime.date(2027, 3, 31),
    )
    assert commitment.progress() == expected


def test_recorded_progress_and_a_late_commitment(
    ganesh: User, gorakhpur: District, amazon: PartnerOrg
) -> None:
    mou = record_mou(ganesh, gorakhpur, amazon)
    commitment = Commitment.objects.create(
        mou=mou,
        description="Train 40 artisans in packaging",
        measure="recorded",
        target=40,
        due_on=datetime.date(2026, 1, 31),
    )
    staff = client_for(ganesh)
    staff.post(f"/showcase/commitments/{commitment.pk}/progress/", {"value": "25"})
    page = staff.get(f"/showcase/mous/{mou.uuid}/").content.decode()
    assert "25 of 40 (62 %)" in page
    assert "overdue" in page
    bad = staff.post(f"/showcase/commitments/{commitment.pk}/progress/", {"value": "-3"})
    assert bad.status_code == 302
    commitment.refresh_from_db()
    assert commitment.recorded == 25


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"measure": "sellers_live", "channel": ""}, "channel", "Choose the marketplace"),
        ({"target": "0"}, "target", ""),
        ({"measure": "nonsense"}, "measure", ""),
    ],
)
def test_bad_commitments_are_refused_clearly(
    ganesh: User,
    gorakhpur: District,
    amazon: PartnerOrg,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    mou = record_mou(ganesh, gorakhpur, amazon)
    response = client_for(ganesh).post(
        f"/showcase/mous/{mou.uuid}/",
        {
            "description": "Onboard artisans",
            "measure": "recorded",
            "target": "5",
            "due_on": "2027-03-31",
            **changes,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert message in response.content.decode()
    assert Commitment.objects.count() == 0


def test_an_mou_cannot_end_before_it_is_signed(
    ganesh: User, gorakhpur: District, amazon: PartnerOrg
) -> None:
    response = client_for(ganesh).post(
        "/showcase/mous/new/",
        {**MOU, "district": gorakhpur.pk, "partner": amazon.pk, "valid_until": "2026-01-01"},
    )
    assert response.status_code == 200
    assert "An MoU cannot end before it is signed." in response.content.decode()
    assert Mou.objects.count() == 0


def test_other_districts_and_read_only_roles(
    ganesh: User, gita: User, vani: User, prem: User, gorakhpur: District, amazon: PartnerOrg
) -> None:
    mou = record_mou(ganesh, gorakhpur, amazon)
    assert "Amazon Karigar" not in client_for(vani).get("/showcase/mous/").content.decode()
    assert client_for(vani).get(f"/showcase/mous/{mou.uuid}/").status_code == 404
    # the district officer reads it but cannot add to it
    assert client_for(gita).get(f"/showcase/mous/{mou.uuid}/").status_code == 200
    refused = client_for(gita).post(
        f"/showcase/mous/{mou.uuid}/",
        {"description": "x", "measure": "recorded", "target": "5", "due_on": "2027-03-31"},
    )
    assert refused.status_code == 403
    assert client_for(gita).get("/showcase/mous/new/").status_code == 403
    assert client_for(prem).get("/showcase/mous/").status_code == 403
    assert Commitment.objects.count() == 0


def test_mou_pages_in_hindi(ganesh: User, gorakhpur: District, amazon: PartnerOrg) -> None:
    mou = record_mou(ganesh, gorakhpur, amazon)
    staff = client_for(ganesh, **{"accept-language": "hi"})
    page = staff.get(f"/showcase/mous/{mou.uuid}/").content.decode()
    assert hindi("Commitments and progress") in page
    assert "अमेज़न" in page
    assert hindi("Partners and MoUs") in staff.get("/showcase/mous/").content.decode()
