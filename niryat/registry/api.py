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
from niryat.registry import actions
from niryat.registry.forms import ProducerForm
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
    """The fields of the registration form; identifiers are validated as on the page."""

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
    bank_account: str = ""
    gstin: str = ""
    pan: str = ""
    iec: str = ""
    udyam: str = ""
    aadhaar: str = Field("", description="Give 12 digits or the last 4; only the last 4 are kept.")


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


def _form_data(payload: ProducerIn) -> dict[str, Any]:
    data = payload.dict()
    data["odop_product"] = data.pop("odop_product_id") or ""
    data["women_led"] = "on" if data["women_led"] else ""
    return data


def _validated(payload: ProducerIn, district: District, instance: Producer | None) -> ProducerForm:
    """The page's form validates the API's input too, so both refuse exactly the same things."""
    data = _form_data(payload)
    codes = data.pop("activities")
    offered = {
        a.code: a.pk
        for a in Activity.objects.all().for_products(list(district.odop_products.all()))
    }
    data["activities"] = [offered[code] for code in codes if code in offered]
    form = ProducerForm(data, district=district, instance=instance)
    errors = {} if form.is_valid() else {f: list(m) for f, m in form.errors.items()}
    unknown = [code for code in codes if code not in offered]
    if unknown:
        errors["activities"] = [
            _("Unknown activity for this district: %(codes)s") % {"codes": ", ".join(unknown)}
        ]
    if errors:
        raise ValidationError(errors)
    return form


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
    form = _validated(payload, district, None)
    producer = actions.do_register_producer(
        district,
        form.producer_values(),
        activities=list(form.cleaned_data["activities"]),
        acting_user=user,
    )
    duplicates = [
        {"uuid": m.producer.uuid, "name": str(m.producer), "reasons": [_(r) for r in m.reasons]}
        for m in producer.duplicates  # type: ignore[attr-defined]
    ]
    return Status(
        201, {"producer": producer, "warnings": form.warnings, "possible_duplicates": duplicates}
    )


@router.put("/producers/{producer_uuid}", response=ProducerOut, summary="Update a producer")
def update_producer(request: HttpRequest, producer_uuid: UUID, payload: ProducerIn) -> Producer:
    user = current_user(request)
    producer = _producer(request, producer_uuid)
    actions.require_write(producer.district, user)
    form = _validated(payload, producer.district, Producer.objects.get(pk=producer.pk))
    actions.do_update_producer(
        producer,
        form.producer_values(),
        activities=list(form.cleaned_data["activities"]),
        acting_user=user,
    )
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
