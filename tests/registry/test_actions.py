"""Registry writes as the actions perform them: validation, scope, history, duplicates, merge."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from niryat.core.models import AuditEntry
from niryat.registry.actions import (
    do_add_member,
    do_erase_producer,
    do_merge_producers,
    do_move_stage,
    do_record_consent,
    do_record_outreach_visit,
    do_update_producer,
)
from niryat.registry.models import (
    Consent,
    DuplicateFlag,
    Kind,
    Membership,
    OutreachVisit,
    Producer,
    Stage,
    StageChange,
)
from tests.registry.factories import register

TODAY = datetime.date(2026, 11, 22)


def test_register_keeps_history_and_audit(gorakhpur, ganesh):
    producer = register(gorakhpur, ganesh, name_hi="रामू प्रजापति", mobile="+919876543210")
    assert producer.stage == Stage.CONTACTED
    assert producer.name_latin == "Ramu Prajapati"
    assert list(
        StageChange.objects.filter(producer=producer).values_list("to_stage", flat=True)
    ) == ["contacted"]
    assert AuditEntry.objects.get(action="producer.register").object_id == str(producer.pk)


def test_read_only_roles_and_other_districts_cannot_register(gorakhpur, gita, vani, sam):
    for user in (gita, vani, sam):
        with pytest.raises(PermissionDenied):
            register(gorakhpur, user)
    assert not Producer.objects.exists()


def test_same_mobile_is_flagged(gorakhpur, ganesh):
    first = register(gorakhpur, ganesh, name_hi="सुनीता देवी", mobile="+919876543210")
    second = register(gorakhpur, ganesh, name_hi="गीता देवी", mobile="+919876543210", pin="273002")
    flag = DuplicateFlag.objects.get()
    assert (flag.first, flag.second) == (first, second)
    assert flag.reasons == ["same mobile number"]
    assert [m.producer for m in second.duplicates] == [first]


def test_similar_name_across_scripts_in_the_same_pin_is_flagged(gorakhpur, ganesh):
    register(gorakhpur, ganesh, name_hi="रामू प्रजापति")
    latin = register(gorakhpur, ganesh, name_hi="रामू प्रजापति", name_latin="Ramoo Prajapati")
    assert [m.reasons for m in latin.duplicates] == [
        ("similar name in the same village or PIN code",)
    ]


def test_a_different_person_in_another_pin_is_not_flagged(gorakhpur, ganesh):
    register(gorakhpur, ganesh, name_hi="रामू प्रजापति", village="Aurangabad", pin="273001")
    other = register(gorakhpur, ganesh, name_hi="श्यामू प्रजापति", village="Bhathat", pin="273003")
    assert other.duplicates == []
    assert not DuplicateFlag.objects.exists()


def test_stage_moves_need_a_reason_and_are_dated(gorakhpur, ganesh):
    producer = register(gorakhpur, ganesh)
    with pytest.raises(ValidationError, match="Say why"):
        do_move_stage(producer, Stage.TRAINED, reason=" ", acting_user=ganesh)
    do_move_stage(producer, Stage.TRAINED, reason="NIFT course, batch 3", acting_user=ganesh)
    producer.refresh_from_db()
    assert producer.stage == Stage.TRAINED
    change = StageChange.objects.filter(producer=producer).first()
    assert (change.from_stage, change.to_stage, change.reason, change.changed_by) == (
        "contacted",
        "trained",
        "NIFT course, batch 3",
        ganesh,
    )


def test_withdrawn_listing_consent_hides_the_producer(gorakhpur, ganesh):
    producer = register(gorakhpur, ganesh)
    do_record_consent(
        producer,
        purpose=Consent.Purpose.LIST_ON_MARKETPLACES,
        given=True,
        on=TODAY,
        method=Consent.Method.PAPER,
        acting_user=ganesh,
    )
    assert list(Producer.objects.listable()) == [producer]
    do_record_consent(
        producer,
        purpose=Consent.Purpose.LIST_ON_MARKETPLACES,
        given=False,
        on=TODAY,
        method=Consent.Method.VERBAL,
        acting_user=ganesh,
    )
    assert list(Producer.objects.listable()) == []
    assert producer.consents.count() == 2


def test_sensitisation_meeting_moves_contacted_attendees(gorakhpur, ganesh):
    contacted = register(gorakhpur, ganesh, name_hi="रामू प्रजापति")
    trained = register(gorakhpur, ganesh, name_hi="मोहन लाल", pin="273009", village="Bhathat")
    do_move_stage(trained, Stage.TRAINED, reason="course", acting_user=ganesh)
    do_record_outreach_visit(
        gorakhpur,
        kind=OutreachVisit.Kind.SENSITISATION,
        on=TODAY,
        place="Aurangabad panchayat bhawan",
        attendees=[contacted, trained],
        other_attendees=12,
        acting_user=ganesh,
    )
    contacted.refresh_from_db()
    trained.refresh_from_db()
    assert (contacted.stage, trained.stage) == (Stage.SENSITISED, Stage.TRAINED)


def test_merge_keeps_every_history_entry_membership_and_consent(gorakhpur, ganesh):
    group = register(gorakhpur, ganesh, name_hi="लक्ष्मी स्वयं सहायता समूह", kind=Kind.SHG, pin="273010")
    survivor = register(gorakhpur, ganesh, name_hi="रामू प्रजापति", mobile="+919876543210")
    duplicate = register(
        gorakhpur,
        ganesh,
        name_hi="रामू प्रजापति",
        name_latin="Ramoo Prajapati",
        gstin="09AAACH7409R1ZZ",
    )
    do_move_stage(duplicate, Stage.TRAINED, reason="solar charkha training", acting_user=ganesh)
    do_add_member(group, duplicate, joined_on=TODAY, acting_user=ganesh)
    do_record_consent(
        duplicate,
        purpose=Consent.Purpose.HOLD_DATA,
        given=True,
        on=TODAY,
        method=Consent.Method.PAPER,
        acting_user=ganesh,
    )
    histories = StageChange.objects.filter(producer__in=[survivor, duplicate]).count()
    audits = AuditEntry.objects.filter(
        object_type="registry.producer", object_id__in=[str(survivor.pk), str(duplicate.pk)]
    ).count()

    merged = do_merge_producers(survivor, duplicate, acting_user=ganesh)

    assert not Producer.objects.filter(pk=duplicate.pk).exists()
    assert merged.stage == Stage.TRAINED  # the further stage wins
    assert merged.gstin == "09AAACH7409R1ZZ"  # blank fields filled from the duplicate
    assert merged.mobile == "+919876543210"
    assert StageChange.objects.filter(producer=merged).count() == histories
    assert (
        AuditEntry.objects.filter(object_type="registry.producer", object_id=str(merged.pk)).count()
        == audits + 1
    )
    assert list(Membership.objects.filter(group=group).values_list("member", flat=True)) == [
        merged.pk
    ]
    assert merged.consents.count() == 1


def test_erasure_keeps_only_anonymised_counts(gorakhpur, ganesh):
    producer = register(
        gorakhpur,
        ganesh,
        name_hi="सुनीता देवी",
        mobile="+919876543210",
        aadhaar_last4="0123",
        gender="female",
    )
    do_erase_producer(producer, acting_user=ganesh)
    producer.refresh_from_db()
    assert (producer.name_latin, producer.mobile, producer.aadhaar_last4) == ("", "", "")
    assert producer.erased_at is not None
    assert producer.gender == "female"
    assert Producer.objects.filter(district=gorakhpur).count() == 1
    assert Producer.objects.visible_to(ganesh).count() == 0


def test_an_odop_product_of_another_district_is_refused(gorakhpur, ganesh, banarasi):
    producer = register(gorakhpur, ganesh)
    with pytest.raises(ValidationError, match="belongs to another district"):
        do_update_producer(producer, {"odop_product": banarasi}, acting_user=ganesh)
    with pytest.raises(ValidationError, match="belongs to another district"):
        register(gorakhpur, ganesh, name_hi="मोहन लाल", odop_product=banarasi)
    producer.refresh_from_db()
    assert producer.odop_product.district == gorakhpur
    assert Producer.objects.count() == 1
