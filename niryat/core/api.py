"""API endpoints of the core app: the current user, districts, ODOP products, task progress."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from niryat.core import actions
from niryat.core.forms import HS_CODE
from niryat.core.models import District, OdopProduct, TaskProgress, User
from niryat.core.scoping import current_user, get_changeable_or_deny, get_visible_or_404
from niryat.core.views import districts_with_counts

router = Router(tags=["core"])


class DistrictRef(Schema):
    lgd_code: int
    name_en: str
    name_hi: str


class PartnerOrgOut(Schema):
    code: str
    name_en: str
    name_hi: str


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    district: DistrictRef | None
    partner_org: PartnerOrgOut | None
    language: str


class DistrictOut(Schema):
    lgd_code: int
    name_en: str
    name_hi: str
    division_en: str
    division_hi: str
    state: str = Field(..., alias="state.name_en")
    odop_count: int
    verified_count: int
    staff_count: int


class OdopProductOut(Schema):
    id: int
    district_lgd_code: int = Field(..., alias="district.lgd_code")
    name_en: str
    name_hi: str
    listing: str
    hs_codes: list[str]
    verified: bool


class OdopProductPatch(Schema):
    name_en: str | None = Field(None, min_length=1, max_length=200)
    name_hi: str | None = Field(None, min_length=1, max_length=200)
    hs_codes: list[str] | None = None
    verified: bool | None = None


class ProgressOut(Schema):
    uuid: UUID
    label: str
    status: str
    done: int
    total: int
    percent: int
    message: str
    result: dict


@router.get("/me", response=MeOut, summary="The signed-in user")
def me(request: HttpRequest) -> User:
    return current_user(request)


@router.get("/districts", response=list[DistrictOut], summary="Districts you may see")
@paginate
def list_districts(request: HttpRequest):  # type: ignore[no-untyped-def]
    return districts_with_counts(current_user(request)).select_related("state")


@router.get("/districts/{lgd_code}", response=DistrictOut, summary="One district")
def get_district(request: HttpRequest, lgd_code: int):  # type: ignore[no-untyped-def]
    return get_visible_or_404(
        districts_with_counts(current_user(request)).select_related("state"),
        current_user(request),
        lgd_code=lgd_code,
    )


@router.get(
    "/districts/{lgd_code}/odop-products",
    response=list[OdopProductOut],
    summary="A district's ODOP products",
)
def list_odop_products(request: HttpRequest, lgd_code: int):  # type: ignore[no-untyped-def]
    products = OdopProduct.objects.visible_to(current_user(request)).filter(
        district__lgd_code=lgd_code
    )
    if not products.exists():
        # Either the district is not the user's or it has no products: a district the user may
        # see answers an empty list, any other a 404.
        get_visible_or_404(District.objects, current_user(request), lgd_code=lgd_code)
    return products.select_related("district")


@router.get("/odop-products/{product_id}", response=OdopProductOut, summary="One ODOP product")
def get_odop_product(request: HttpRequest, product_id: int):  # type: ignore[no-untyped-def]
    return get_visible_or_404(
        OdopProduct.objects.select_related("district"), current_user(request), pk=product_id
    )


@router.patch(
    "/odop-products/{product_id}",
    response=OdopProductOut,
    summary="Correct or confirm an ODOP product (centre staff of its district, state admins)",
)
def patch_odop_product(request: HttpRequest, product_id: int, payload: OdopProductPatch):  # type: ignore[no-untyped-def]
    user = current_user(request)
    product = get_changeable_or_deny(OdopProduct.objects, user, pk=product_id)
    values = payload.dict(exclude_none=True)
    bad = [code for code in values.get("hs_codes", []) if not HS_CODE.match(code)]
    if bad:
        raise ValidationError(
            _("Not an HS code (4, 6 or 8 digits): %(codes)s") % {"codes": ", ".join(bad)}
        )
    actions.do_update_odop_product(product, acting_user=user, **values)
    return OdopProduct.objects.select_related("district").get(pk=product.pk)


@router.get("/progress/{progress_id}", response=ProgressOut, summary="Progress of your task")
def get_progress(request: HttpRequest, progress_id: UUID) -> TaskProgress:
    record = TaskProgress.objects.filter(uuid=progress_id, owner=current_user(request)).first()
    if record is None:
        raise Http404
    return record
