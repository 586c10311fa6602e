"""Registry API: producers (list, search, read, register, update, stage, consent) and imports."""
# No `from __future__ import annotations` here: django-ninja reads these annotations at runtime.

import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from niryat.core.models import District, OdopProduct
from niryat.core.scoping import current_user, get_visible_or_404
from niryat.registry import actions, rules
from niryat.registry.models import Activity, Consent, ImportJob, Kind, Producer, Stage

router = Router(tags=["registry"])


class ProducerOut(Schema):
    uuid: UUID
    kind: str
    district_lgd_code: int = Field(..., alias="district.lgd_code")
    odop_product_id: int | None
    name_hi: str
    name_latin: str
    gender: str
    women_led: bool
    social_category: str
    activities: list[str]
    village: str
    tehsil: str
    pin: str
    mobile: str
    email: str
    bank_ifsc: str
    bank_account_masked: str
    gstin: str
    pan: str
    iec: str
    udyam: str
    aadhaar_last4: str
    stage: str
    listing_consent: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_activities(producer: Producer) -> list[str]:
        return [activity.code for activity in producer.activities.all()]


class ProducerIn(Schema):
    """A producer's details as typed; the registry's rules clean, mask and check them, as on the
    page and in the sheet import."""

    kind: Kind
    name_hi: str
    name_latin: str = ""
    gender: str = ""
    women_led: bool = False
    social_category: str = ""
    odop_product_id: int | None = None
    activities: list[str] = []
    village: str = ""
    tehsil: str = ""
    pin: str = ""
    mobile: str = ""
    email: str = ""
    bank_ifsc: str = ""
    bank_account: str = Field(
        "", description="The number in full or not; only the last 4 digits are kept."
    )
    gstin: str = ""
    pan: str = ""
    iec: str = ""
    udyam: str = ""
    aadhaar: str = Field("", description="Give 12 digits or the last 4; only the last 4 are kept.")


class ProducerPatch(Schema):
    """The details to change, as typed; the others stay. Aadhaar and bank account numbers given
    empty are removed."""

    kind: Kind | None = None
    name_hi: str | None = None
    name_latin: str | None = None
    gender: str | None = None
    women_led: bool | None = None
    social_category: str | None = None
    odop_product_id: int | None = None
    activities: list[str] | None = None
    village: str | None = None
    tehsil: str | None = None
    pin: str | None = None
    mobile: str | None = None
    email: str | None = None
    bank_ifsc: str | None = None
    bank_account: str | None = Field(
        None, description="The number in full or not; only the last 4 digits are kept."
    )
    gstin: str | None = None
    pan: str | None = None
    iec: str | None = None
    udyam: str | None = None
    aadhaar: str | None = Field(
        None, description="Give 12 digits or the last 4; only the last 4 are kept."
    )


class ProducerCreated(Schema):
    producer: ProducerOut
    warnings: list[str]
    possible_duplicates: list[dict[str, Any]]


class ProducerFilters(Schema):
    district: str = ""
    odop_product: str = ""
    kind: str = ""
    stage: str = ""
    women_led: str = Field("", description="yes or no")
    activity: str = ""
    q: str = Field("", description="a name in Devanagari or Latin letters, a mobile, an identifier")


class StageIn(Schema):
    stage: Stage
    reason: str


class ConsentIn(Schema):
    purpose: Consent.Purpose
    given: bool
    on: datetime.date
    method: Consent.Method


class ImportJobOut(Schema):
    uuid: UUID
    file_name: str
    status: str
    total_rows: int
    error_rows: int
    created_count: int
    unchanged_count: int
    errors: list[Any]
    progress_id: UUID | None = Field(None, alias="progress.uuid")


def _action_input(
    given: dict[str, Any], district: District, *, current: Producer | None = None
) -> tuple[dict[str, Any], list[Activity] | None]:
    """The action's values and activities from the API's fields, which name the ODOP product by
    its id and the activities by their codes. Raises the action's ValidationError, with the
    unknown ids and codes named too, so that every error is reported at once."""
    values = {name: value for name, value in given.items() if name != "activities"}
    errors: dict[str, list[str]] = {}
    if "odop_product_id" in values:
        product_id = values.pop("odop_product_id")
        values["odop_product"] = (
            OdopProduct.objects.filter(pk=product_id).first() if product_id is not None else None
        )
        if product_id is not None and values["odop_product"] is None:
            errors["odop_product"] = [_("There is no ODOP product %(id)s.") % {"id": product_id}]
    activities = None
    if "activities" in given:
        codes = given["activities"] or []
        offered = {
            a.code: a
            for a in Activity.objects.all().for_products(list(district.odop_products.all()))
        }
        activities = [offered[code] for code in codes if code in offered]
        unknown = [code for code in codes if code not in offered]
        if unknown:
            errors["activities"] = [
                _("Unknown activity for this district: %(codes)s") % {"codes": ", ".join(unknown)}
            ]
    if errors:
        try:
            rules.clean_producer(values, district, current=current)
        except ValidationError as refused:
            errors = refused.message_dict | errors
        raise ValidationError(errors)
    return values, activities


def _producer(request: HttpRequest, producer_uuid: UUID) -> Producer:
    return get_visible_or_404(
        Producer.objects.select_related("district").prefetch_related("activities"),
        current_user(request),
        uuid=producer_uuid,
    )


@router.get("/producers", response=list[ProducerOut], summary="Producers you may see")
@paginate
def list_producers(request: HttpRequest, filters: Query[ProducerFilters]):  # type: ignore[no-untyped-def]
    return (
        Producer.objects.visible_to(current_user(request))
        .filtered(filters.dict())
        .select_related("district")
        .prefetch_related("activities")
    )


@router.get("/producers/{producer_uuid}", response=ProducerOut, summary="One producer")
def get_producer(request: HttpRequest, producer_uuid: UUID) -> Producer:
    return _producer(request, producer_uuid)


@router.post(
    "/districts/{lgd_code}/producers",
    response={201: ProducerCreated},
    summary="Register a producer in a district (centre staff of the district, state admins)",
)
def register_producer(request: HttpRequest, lgd_code: int, payload: ProducerIn):  # type: ignore[no-untyped-def]
    user = current_user(request)
    district = get_visible_or_404(District.objects.select_related("state"), user, lgd_code=lgd_code)
    actions.require_write(district, user)
    values, activities = _action_input(payload.dict(), district)
    producer = actions.do_register_producer(
        district, values, activities=activities, acting_user=user
    )
    duplicates = [
        {"uuid": m.producer.uuid, "name": str(m.producer), "reasons": [_(r) for r in m.reasons]}
        for m in producer.duplicates  # type: ignore[attr-defined]
    ]
    return Status(
        201,
        {
            "producer": producer,
            "warnings": rules.warnings(district, gstin=producer.gstin),
            "possible_duplicates": duplicates,
        },
    )


@router.put("/producers/{producer_uuid}", response=ProducerOut, summary="Update a producer")
def update_producer(request: HttpRequest, producer_uuid: UUID, payload: ProducerIn) -> Producer:
    """Every detail is replaced, except Aadhaar and bank account numbers sent empty: those stay
    (they are never read back in full)."""
    user = current_user(request)
    producer = _producer(request, producer_uuid)
    actions.require_write(producer.district, user)
    given = payload.dict()
    for name in rules.KEPT_WHEN_EMPTY:
        if not given[name]:
            del given[name]
    values, activities = _action_input(given, producer.district, current=producer)
    actions.do_update_producer(producer, values, activities=activities, acting_user=user)
    return _producer(request, producer_uuid)


@router.patch(
    "/producers/{producer_uuid}", response=ProducerOut, summary="Change some details of a producer"
)
def patch_producer(request: HttpRequest, producer_uuid: UUID, payload: ProducerPatch) -> Producer:
    user = current_user(request)
    producer = _producer(request, producer_uuid)
    actions.require_write(producer.district, user)
    given = payload.dict(exclude_unset=True)
    for name, value in list(given.items()):
        if value is None and name in {"kind", "women_led"}:
            del given[name]  # neither can be empty: null leaves them as they are
        elif value is None and name not in {"odop_product_id", "activities"}:
            given[name] = ""  # null empties a text field, as "" does
    values, activities = _action_input(given, producer.district, current=producer)
    actions.do_update_producer(producer, values, activities=activities, acting_user=user)
    return _producer(request, producer_uuid)


@router.post("/producers/{producer_uuid}/stage", response=ProducerOut, summary="Move in the funnel")
def move_stage(request: HttpRequest, producer_uuid: UUID, payload: StageIn) -> Producer:
    producer = _producer(request, producer_uuid)
    actions.do_move_stage(
        producer, payload.stage, reason=payload.reason, acting_user=current_user(request)
    )
    return _producer(request, producer_uuid)


@router.post(
    "/producers/{producer_uuid}/consents",
    response=ProducerOut,
    summary="Record or withdraw consent",
)
def record_consent(request: HttpRequest, producer_uuid: UUID, payload: ConsentIn) -> Producer:
    producer = _producer(request, producer_uuid)
    actions.do_record_consent(
        producer,
        purpose=payload.purpose,
        given=payload.given,
        on=payload.on,
        method=payload.method,
        acting_user=current_user(request),
    )
    return _producer(request, producer_uuid)


@router.get("/imports/{job_uuid}", response=ImportJobOut, summary="Status of a producer import")
def get_import(request: HttpRequest, job_uuid: UUID) -> ImportJob:
    return get_visible_or_404(
        ImportJob.objects.select_related("progress"), current_user(request), uuid=job_uuid
    )


@router.get(
    "/odop-products/{product_id}/activities",
    response=list[dict[str, str]],
    summary="Activities offered for an ODOP product",
)
def odop_activities(request: HttpRequest, product_id: int) -> list[dict[str, str]]:
    product = get_visible_or_404(OdopProduct.objects, current_user(request), pk=product_id)
    return [
        {"code": a.code, "name_en": a.name_en, "name_hi": a.name_hi}
        for a in Activity.objects.all().for_products([product])
    ]
