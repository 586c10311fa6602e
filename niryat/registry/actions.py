"""Writes of the producer registry. Each `do_*` is atomic, checks scope, and is audited."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from niryat.core.actions import do_create_user
from niryat.core.audit import diff_fields, record_audit
from niryat.core.dates import format_date
from niryat.core.models import AuditEntry, District, Role, TaskProgress, User
from niryat.core.params import record_id
from niryat.core.progress import finish_progress, report_progress, start_progress
from niryat.core.scoping import require_write
from niryat.core.text import in_each_language
from niryat.registry import identifiers, rules
from niryat.registry.duplicates import (
    DISTRICT_SEARCH,
    DistrictSearch,
    district_people,
    find_duplicates_batch,
    flag_duplicates,
    last_district_search,
    record_district_pairs,
)
from niryat.registry.hooks import producer_hooks
from niryat.registry.models import (
    STAGE_ORDER,
    Activity,
    Consent,
    DuplicateFlag,
    Kind,
    Membership,
    MergedProducer,
    OutreachVisit,
    Producer,
    Stage,
    StageChange,
)
from niryat.registry.name_matching import name_key

DISTRICT_SEARCH_DONE = gettext_noop("The search for duplicates is done.")
REGISTERED_REASON = gettext_noop("Added to the registry")

# What identifies or reaches a person: erased on request, keeping only anonymised counts.
PERSONAL_FIELDS = (
    "name_latin",
    "village",
    "tehsil",
    "pin",
    "mobile",
    "mobile_alt",
    "email",
    "bank_ifsc",
    "bank_account_masked",
    "gstin",
    "pan",
    "iec",
    "udyam",
    "aadhaar_last4",
)
# The stored fields a registration or an import sets on a producer (as `rules.clean_producer`
# returns them), and that a merge fills from the duplicate.
PRODUCER_FIELDS = (
    "kind",
    "odop_product",
    "name_hi",
    "gender",
    "women_led",
    "social_category",
    *PERSONAL_FIELDS,
)


def producer_name_key(producer: Producer) -> str:
    """The search and duplicate key of a producer's name, cut to the column's length."""
    return name_key(producer.name_latin or producer.name_hi)[: Producer.NAME_KEY_LENGTH]


def _locked(producer: Producer) -> Producer:
    return Producer.objects.select_for_update().get(pk=producer.pk)


@transaction.atomic
def do_register_producer(
    district: District,
    values: dict[str, Any],
    *,
    activities: list[Activity] | None = None,
    acting_user: User,
) -> Producer:
    """Register a producer in `district` and flag likely duplicates (returned on `.duplicates`).

    `values` are as typed (see `rules.INPUT_FIELDS`, and "stage"): an Aadhaar or bank account
    number given in full is stored masked. Raises ValidationError({field: [messages]}) naming the
    fields as given, and saves nothing, when any value breaks the registry's rules."""
    require_write(district, acting_user)
    stored = rules.clean_producer(values, district)
    producer = Producer(district=district, created_by=acting_user, **stored)
    producer.name_key = producer_name_key(producer)
    producer.full_clean(exclude=["name_key", "created_by", "user"])
    producer.save()
    if activities:
        producer.activities.set(activities)
    reasons = in_each_language(lambda: _(REGISTERED_REASON))
    StageChange.objects.create(
        producer=producer,
        to_stage=producer.stage,
        changed_by=acting_user,
        reason=reasons["en"],
        reason_hi=reasons["hi"],
    )
    record_audit(
        actor=acting_user,
        action="producer.register",
        obj=producer,
        district=district,
        changes={"name": producer.name_latin, "kind": producer.kind},
    )
    producer.duplicates = flag_duplicates(producer)  # type: ignore[attr-defined]
    return producer


@transaction.atomic
def do_update_producer(
    producer: Producer,
    values: dict[str, Any],
    *,
    activities: list[Activity] | None = None,
    acting_user: User,
) -> dict[str, list[Any]]:
    """Change the producer's details given in `values` (as typed, like `do_register_producer`'s;
    the others stay) and, unless None, their activities. Returns the changes, as audited."""
    producer = _locked(producer)
    require_write(producer.district, acting_user)
    if "stage" in values:
        raise ValueError("the stage moves with do_move_stage")
    stored = rules.clean_producer(values, producer.district, current=producer)
    changes = diff_fields(producer, stored)
    for field, (_old, new) in changes.items():
        setattr(producer, field, new)
    if "name_latin" in changes or "name_hi" in changes:
        producer.name_key = producer_name_key(producer)
    if changes:
        producer.full_clean(exclude=["name_key", "created_by", "user"])
        producer.save(update_fields=[*changes, "name_key", "updated_at"])
    if activities is not None:
        before = sorted(a.code for a in producer.activities.all())
        after = sorted(a.code for a in activities)
        if before != after:
            producer.activities.set(activities)
            # Joined, so that the audit trail reads "pottery → pottery, firing", not a list repr.
            changes["activities"] = [", ".join(before), ", ".join(after)]
    if changes:
        record_audit(
            actor=acting_user,
            action="producer.update",
            obj=producer,
            district=producer.district,
            changes={k: [str(v) for v in pair] for k, pair in changes.items()},
        )
        flag_duplicates(producer)
    return changes


@transaction.atomic
def do_move_stage(
    producer: Producer, to_stage: Stage, *, reason: str, acting_user: User, reason_hi: str = ""
) -> None:
    """Move a producer along the funnel (or back, with a reason), keeping the dated history.
    `reason_hi`: the reason in Hindi too, where the software wrote `reason`."""
    producer = _locked(producer)
    require_write(producer.district, acting_user)
    if to_stage == producer.stage:
        return
    if not reason.strip():
        raise ValidationError(_("Say why the stage changes."))
    StageChange.objects.create(
        producer=producer,
        from_stage=producer.stage,
        to_stage=to_stage,
        reason=reason.strip(),
        reason_hi=reason_hi,
        changed_by=acting_user,
    )
    record_audit(
        actor=acting_user,
        action="producer.stage",
        obj=producer,
        district=producer.district,
        changes={"stage": [producer.stage, to_stage.value], "reason": reason.strip()},
    )
    producer.stage = to_stage
    producer.save(update_fields=["stage", "updated_at"])


# The stages that events prove; staff move the earlier ones by hand.
PROVEN_STAGES = (Stage.CATALOGUED, Stage.LISTED, Stage.SOLD, Stage.EXPORTING)


@transaction.atomic
def do_advance_stage(producer: Producer, to_stage: Stage, *, cause: Callable[[], str]) -> bool:
    """Move a producer forward to a stage that an event proves (a product ready to sell, a first
    live listing, a first delivered order, a first export), with the cause in the stage history,
    in English and Hindi (`cause` renders it in the language in force).
    Never moves back, and does nothing for a producer already there or beyond. True if moved."""
    if to_stage not in PROVEN_STAGES:
        raise ValueError(f"{to_stage} is moved by staff, not by events")
    producer = _locked(producer)
    if (
        producer.erased_at is not None
        or STAGE_ORDER[Stage(producer.stage)] >= STAGE_ORDER[to_stage]
    ):
        return False
    reasons = in_each_language(cause)
    StageChange.objects.create(
        producer=producer,
        from_stage=producer.stage,
        to_stage=to_stage,
        reason=reasons["en"],
        reason_hi=reasons["hi"],
    )
    record_audit(
        actor=None,
        action="producer.stage",
        obj=producer,
        district=producer.district,
        changes={"stage": [producer.stage, to_stage.value], "reason": reasons["en"]},
    )
    producer.stage = to_stage
    producer.save(update_fields=["stage", "updated_at"])
    return True


@transaction.atomic
def do_record_consent(
    producer: Producer,
    *,
    purpose: Consent.Purpose,
    given: bool,
    on: datetime.date,
    method: Consent.Method,
    acting_user: User,
) -> Consent:
    """Record a consent or its withdrawal. Withdrawing listing consent hides the producer from
    every channel and export (`Producer.objects.listable()`), and every app above ends what it
    listed (`ProducerHooks.listing_consent_changed`)."""
    producer = _locked(producer)
    if not (acting_user.pk and getattr(producer, "user_id", None) == acting_user.pk):
        require_write(producer.district, acting_user)
    consent = Consent.objects.create(
        producer=producer,
        purpose=purpose,
        given=given,
        on=on,
        method=method,
        recorded_by=acting_user,
    )
    if purpose == Consent.Purpose.LIST_ON_MARKETPLACES and producer.listing_consent != given:
        producer.listing_consent = given
        producer.save(update_fields=["listing_consent", "updated_at"])
        for hooks in producer_hooks():
            hooks.listing_consent_changed(producer, given=given, acting_user=acting_user)
    record_audit(
        actor=acting_user,
        action="producer.consent",
        obj=producer,
        district=producer.district,
        changes={"purpose": purpose.value, "given": given, "method": method.value},
    )
    return consent


@transaction.atomic
def do_add_member(
    group: Producer,
    member: Producer,
    *,
    role: Membership.GroupRole = Membership.GroupRole.MEMBER,
    joined_on: datetime.date,
    acting_user: User,
) -> Membership:
    require_write(group.district, acting_user)
    if group.kind not in {Kind.SHG, Kind.PRODUCER_ORG}:
        raise ValidationError(_("Only a self-help group or a producer organisation has members."))
    if member.pk == group.pk:
        raise ValidationError(_("A group cannot be its own member."))
    if member.district_id != group.district_id:
        raise ValidationError(_("Members must be producers of the same district."))
    if Membership.objects.filter(group=group, member=member).exists():
        raise ValidationError(_("%(name)s is already a member.") % {"name": member})
    membership = Membership.objects.create(
        group=group, member=member, role=role, joined_on=joined_on
    )
    record_audit(
        actor=acting_user,
        action="group.add_member",
        obj=group,
        district=group.district,
        changes={"member": str(member.uuid), "role": role.value},
    )
    return membership


@transaction.atomic
def do_remove_member(membership: Membership, *, acting_user: User) -> None:
    require_write(membership.group.district, acting_user)
    record_audit(
        actor=acting_user,
        action="group.remove_member",
        obj=membership.group,
        district=membership.group.district,
        changes={"member": str(membership.member.uuid)},
    )
    membership.delete()


@transaction.atomic
def do_record_outreach_visit(
    district: District,
    *,
    kind: OutreachVisit.Kind,
    on: datetime.date,
    place: str,
    attendees: list[Producer],
    other_attendees: int = 0,
    notes: str = "",
    acting_user: User,
) -> OutreachVisit:
    """An outreach visit or sensitisation meeting; attendees still at "contacted" move to
    "sensitised" after a sensitisation meeting."""
    require_write(district, acting_user)
    if any(p.district_id != district.pk for p in attendees):
        raise ValidationError(_("Attendees must be producers of this district."))
    visit = OutreachVisit.objects.create(
        district=district,
        kind=kind,
        on=on,
        place=place,
        other_attendees=other_attendees,
        notes=notes,
        recorded_by=acting_user,
    )
    visit.attendees.set(attendees)
    record_audit(
        actor=acting_user,
        action="outreach.record",
        obj=visit,
        district=district,
        changes={"kind": kind.value, "place": place, "attendees": len(attendees)},
    )
    if kind == OutreachVisit.Kind.SENSITISATION:
        contacted = visit.attendees.filter(stage=Stage.CONTACTED)
        for producer in contacted:
            do_move_stage(
                producer,
                Stage.SENSITISED,
                reason=_("Attended the sensitisation meeting at %(place)s on %(date)s")
                % {"place": place, "date": format_date(on)},
                acting_user=acting_user,
            )
    return visit


@transaction.atomic
def do_merge_producers(survivor: Producer, duplicate: Producer, *, acting_user: User) -> Producer:
    """Merge `duplicate` into `survivor`: the survivor keeps every history entry, membership,
    consent and visit of both, and the apps above move their rows (`ProducerHooks.producer_merged`);
    blank fields are filled from the duplicate."""
    if survivor.pk == duplicate.pk:
        raise ValidationError(_("A record cannot be merged with itself."))
    # Lock both rows in a fixed order so two merges of the same pair cannot deadlock.
    locked = {
        p.pk: p
        for p in Producer.objects.select_for_update()
        .filter(pk__in=[survivor.pk, duplicate.pk])
        .order_by("pk")
    }
    survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
    require_write(survivor.district, acting_user)
    if survivor.district_id != duplicate.district_id:
        raise ValidationError(_("Only producers of the same district can be merged."))
    filled = []
    for field in PRODUCER_FIELDS:
        if getattr(survivor, field) in ("", None) and getattr(duplicate, field) not in ("", None):
            setattr(survivor, field, getattr(duplicate, field))
            filled.append(field)
    if STAGE_ORDER[Stage(duplicate.stage)] > STAGE_ORDER[Stage(survivor.stage)]:
        survivor.stage = duplicate.stage
        filled.append("stage")
    survivor.listing_consent = survivor.listing_consent or duplicate.listing_consent
    StageChange.objects.filter(producer=duplicate).update(producer=survivor)
    Consent.objects.filter(producer=duplicate).update(producer=survivor)
    for membership in Membership.objects.filter(member=duplicate):
        if not Membership.objects.filter(group=membership.group, member=survivor).exists():
            Membership.objects.filter(pk=membership.pk).update(member=survivor)
    for membership in Membership.objects.filter(group=duplicate):
        if (
            membership.member_id != survivor.pk
            and not Membership.objects.filter(group=survivor, member=membership.member).exists()
        ):
            Membership.objects.filter(pk=membership.pk).update(group=survivor)
    for visit in duplicate.visits.all():
        visit.attendees.add(survivor)
    survivor.activities.add(*duplicate.activities.all())
    if survivor.user_id is None and duplicate.user_id is not None:
        survivor.user_id, duplicate.user_id = duplicate.user_id, None
        duplicate.save(update_fields=["user"])
    for hooks in producer_hooks():
        hooks.producer_merged(survivor, duplicate, acting_user=acting_user)
    survivor.name_key = producer_name_key(survivor)
    survivor.save()
    DuplicateFlag.objects.filter(first=survivor, second=duplicate).update(
        status=DuplicateFlag.Status.MERGED, resolved_by=acting_user
    )
    DuplicateFlag.objects.filter(first=duplicate, second=survivor).update(
        status=DuplicateFlag.Status.MERGED, resolved_by=acting_user
    )
    record_audit(
        actor=acting_user,
        action="producer.merge",
        obj=survivor,
        district=survivor.district,
        changes={"merged": f"{duplicate.name_hi} / {duplicate.name_latin}", "filled": filled},
    )
    AuditEntry.objects.filter(object_type="registry.producer", object_id=str(duplicate.pk)).update(
        object_id=str(survivor.pk)
    )
    record_merged_address(duplicate, survivor)
    duplicate.delete()
    return survivor


def record_merged_address(duplicate: Producer, survivor: Producer) -> None:
    """Remember that `duplicate`'s address now leads to `survivor`, and so do the addresses of
    records merged into `duplicate` earlier: one hop, however many merges came before. Called by
    do_merge_producers inside its transaction, before the duplicate is deleted."""
    MergedProducer.objects.filter(survivor=duplicate).update(survivor=survivor)
    MergedProducer.objects.create(merged_uuid=duplicate.uuid, survivor=survivor)


@transaction.atomic
def do_dismiss_duplicate(flag: DuplicateFlag, *, acting_user: User) -> None:
    require_write(flag.district, acting_user)
    flag.status = DuplicateFlag.Status.DISMISSED
    flag.resolved_by = acting_user
    flag.save(update_fields=["status", "resolved_by", "updated_at"])
    record_audit(actor=acting_user, action="duplicate.dismiss", obj=flag, district=flag.district)


@transaction.atomic
def do_start_duplicate_search(district: District, *, acting_user: User) -> TaskProgress:
    """Queue a search of the whole district for likely duplicates (the duplicates page's button).
    While one is waiting or running, that one is the search: two would only find the same pairs."""
    from niryat.registry.tasks import find_district_duplicates

    require_write(district, acting_user)
    # One search at a time per district: the second of two clicks finds the first's search.
    District.objects.select_for_update().filter(pk=district.pk).first()
    last = last_district_search(district)
    if last is not None and not last.finished:
        return last
    progress = start_progress(owner=acting_user, label=DISTRICT_SEARCH, district=district)
    # The database task backend stores the task in this transaction, with its progress.
    find_district_duplicates.enqueue(str(progress.uuid))
    return progress


def do_flag_district_duplicates(
    district: District, *, acting_user: User, progress: UUID | None = None
) -> DistrictSearch:
    """Find the likely duplicates among all the district's producers, in one pass, and flag the
    pairs not flagged yet for staff to merge or dismiss (dismissed pairs stay dismissed).

    Only the recording is one transaction: the search reads the district and works in memory for
    seconds, which on SQLite would hold every other writer back for as long."""
    require_write(district, acting_user)
    people = district_people(district)
    if progress is not None:
        report_progress(progress, done=0, total=len(people))
    pairs = find_duplicates_batch(people)
    with transaction.atomic():
        found, new = record_district_pairs(district, pairs)
        search = DistrictSearch(producers=len(people), pairs=found, new=new)
        record_audit(
            actor=acting_user,
            action="duplicate.search",
            obj=district,
            district=district,
            changes={"producers": search.producers, "pairs": search.pairs, "new": search.new},
        )
        if progress is not None:
            report_progress(progress, done=len(people))  # every producer searched
            finish_progress(
                progress,
                message=DISTRICT_SEARCH_DONE,
                result={"producers": search.producers, "pairs": search.pairs, "new": search.new},
            )
    return search


@transaction.atomic
def do_keep_second_mobile(
    producer: Producer, mobile: str, *, acting_user: User
) -> dict[str, list[Any]]:
    """Keep `mobile` as the producer's second number (an import that found another one for them),
    beside the first; nothing changes when it is one of theirs already."""
    producer = _locked(producer)
    require_write(producer.district, acting_user)
    cleaned = identifiers.clean_mobile(mobile)
    if cleaned in {producer.mobile, producer.mobile_alt}:
        return {}
    changes = {"mobile_alt": [producer.mobile_alt, cleaned]}
    producer.mobile_alt = cleaned
    producer.save(update_fields=["mobile_alt", "updated_at"])
    record_audit(
        actor=acting_user,
        action="producer.update",
        obj=producer,
        district=producer.district,
        changes=changes,
    )
    return changes


@transaction.atomic
def do_erase_producer(producer: Producer, *, acting_user: User) -> None:
    """Erase a producer's personal data on request, keeping only what anonymised counts need
    (district, kind, ODOP product, stage, gender, women-led, social category)."""
    producer = _locked(producer)
    require_write(producer.district, acting_user)
    # Their rows in the sheets still kept for an error sheet go too. (bulk_import imports this
    # module, for the fields an import may set.)
    from niryat.registry.bulk_import import blank_producer_in_kept_sheets

    blank_producer_in_kept_sheets(
        producer.district,
        names=[producer.name_hi, producer.name_latin],
        identifiers=[producer.mobile, producer.mobile_alt, producer.gstin, producer.udyam],
    )
    # Before the record is emptied: the hooks find the producer's rows by their numbers.
    for hooks in producer_hooks():
        hooks.producer_erased(producer, acting_user=acting_user)
    for field in (*PERSONAL_FIELDS, "name_key"):
        setattr(producer, field, "")
    producer.name_hi = _("Erased producer")
    producer.listing_consent = False
    producer.erased_at = timezone.now()
    user = producer.user
    producer.user = None
    producer.save()
    if user is not None:
        user.is_active = False
        user.save(update_fields=["is_active"])
    StageChange.objects.filter(producer=producer).update(reason="")
    DuplicateFlag.objects.filter(first=producer).delete()
    DuplicateFlag.objects.filter(second=producer).delete()
    record_audit(
        actor=acting_user, action="producer.erase", obj=producer, district=producer.district
    )


@transaction.atomic
def do_enable_producer_sign_in(
    producer: Producer, *, acting_user: User, user: User | None = None
) -> User:
    """Let a producer sign in with their mobile number and a code by SMS (niryat/registry/otp.py).
    Creates their user (role producer, no password, Hindi pages) unless they have one, and
    activates it again if sign-in was disabled; or links `user`: a producer account of the same
    district that belongs to no producer yet (the demo's `<district>.producer`, who also has a
    password). The view then texts them the address."""
    producer = _locked(producer)
    require_write(producer.district, acting_user)
    if producer.erased_at is not None:
        raise ValidationError(_("This producer's data has been erased."))
    if producer.user is not None:
        if not producer.user.is_active:
            _check_mobile_free(producer)
            producer.user.is_active = True
            producer.user.save(update_fields=["is_active"])
            record_audit(
                actor=acting_user,
                action="producer.enable_sign_in",
                obj=producer,
                district=producer.district,
                changes={"user": producer.user.username},
            )
        return producer.user
    _check_mobile_free(producer)
    if user is not None:
        if (
            user.role != Role.PRODUCER
            or user.district_id != producer.district_id
            or Producer.objects.filter(user=user).exists()
        ):
            raise ValidationError(
                _("This account is not a producer account of the district, or has a producer.")
            )
        username = user.username
    else:
        # The user name only has to be unique: sign-in looks producers up by their current mobile.
        username, n = producer.mobile, 1
        while User.objects.filter(username=username).exists():
            n += 1
            username = f"{producer.mobile}-{n}"
        user = do_create_user(
            username=username,
            password=None,
            role=Role.PRODUCER,
            district=producer.district,
            full_name=producer.name_hi or producer.name_latin,
            acting_user=acting_user,
        )
    # Hindi first for producers; they can switch, and their choice is then kept on the account.
    user.language = "hi"
    user.save(update_fields=["language"])
    producer.user = user
    producer.save(update_fields=["user", "updated_at"])
    record_audit(
        actor=acting_user,
        action="producer.enable_sign_in",
        obj=producer,
        district=producer.district,
        changes={"user": username},
    )
    return user


def _check_mobile_free(producer: Producer) -> None:
    """A producer signs in with their mobile number, which must be theirs alone."""
    if not producer.mobile:
        raise ValidationError(_("Add the producer's mobile number first: they sign in with it."))
    if (
        Producer.objects.active()
        .filter(mobile=producer.mobile, user__is_active=True)
        .exclude(pk=producer.pk)
        .exists()
    ):
        raise ValidationError(
            _(
                "Another producer already signs in with this mobile number. Merge the two records "
                "if they are the same, or correct one of the numbers."
            )
        )


@transaction.atomic
def do_disable_producer_sign_in(producer: Producer, *, acting_user: User) -> None:
    """Stop a producer signing in: their user is deactivated (kept, with its history and language,
    so that enabling it again brings the same account back). Does nothing if sign-in is off."""
    producer = _locked(producer)
    require_write(producer.district, acting_user)
    user = producer.user
    if user is None or not user.is_active:
        return
    user.is_active = False
    user.save(update_fields=["is_active"])
    record_audit(
        actor=acting_user,
        action="producer.disable_sign_in",
        obj=producer,
        district=producer.district,
        changes={"user": user.username},
    )


@transaction.atomic
def do_record_producer_data_export(producer: Producer, *, fmt: str, acting_user: User) -> None:
    """Note that `acting_user` downloaded everything held about `producer` (JSON or XLSX): a
    copy of personal data left the system, and the producer may ask who took one."""
    require_write(producer.district, acting_user)
    record_audit(
        actor=acting_user,
        action="producer.data_export",
        obj=producer,
        district=producer.district,
        changes={"format": fmt},
    )


@transaction.atomic
def do_record_producer_list_export(
    *, fmt: str, filters: dict[str, str], count: int, acting_user: User
) -> None:
    """Note that `acting_user` downloaded the producer list (names, mobiles, addresses) with
    these filters: which producers it held is what the filters chose, `count` of them."""
    district = None
    code = record_id(filters.get("district"))
    if code is not None:
        district = District.objects.filter(lgd_code=code).first()
    record_audit(
        actor=acting_user,
        action="producer.list_export",
        obj=Producer,
        district=district or acting_user.district,
        changes={"format": fmt, "filters": filters, "count": count},
    )
