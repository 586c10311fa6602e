"""Catalogue API: products, their SKUs and photos, the completeness checklist, HS code search."""
# No `from __future__ import annotations` here: django-ninja reads these annotations at runtime.

import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, PatchDict, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from niryat.catalog import actions
from niryat.catalog.attributes import attributes_for
from niryat.catalog.completeness import checklist
from niryat.catalog.forms import MonthField
from niryat.catalog.models import Category, GstRate, Product, ProductImage, QuantityUnit, Sku
from niryat.core import hs_codes
from niryat.core.imaging import ImagingError
from niryat.core.models import OdopProduct
from niryat.core.scoping import current_user, get_changeable_or_deny, get_visible_or_404
from niryat.registry.models import Producer

router = Router(tags=["catalogue"])

# Constraints live in the annotations so that PatchDict keeps them on the optional copies.
Text40 = Annotated[str, Field(max_length=40)]
Text80 = Annotated[str, Field(max_length=80)]
Text200 = Annotated[str, Field(max_length=200)]
Text300 = Annotated[str, Field(max_length=300)]
Rupees = Annotated[Decimal, Field(max_digits=12, decimal_places=2)]
Centimetres = Annotated[Decimal, Field(max_digits=7, decimal_places=1)]
Count = Annotated[int, Field(le=2_147_483_647)]
Variant = Literal["original", "main", "thumbnail"]


# --- schemas ---------------------------------------------------------------------------------


class ProductIn(Schema):
    """A product's own fields; its variants (SKUs) and photos are added separately."""

    odop_product_id: int | None = Field(
        None, description="An ODOP product of the producer's district; the producer's by default."
    )
    category: Category
    name_en: Text200 = ""
    name_hi: Text200 = ""
    hs_code: str = Field("", description="6 to 8 digits of the HS nomenclature (GST HSN code).")
    gst_rate: GstRate | Literal[""] = ""
    country_of_origin: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] = "IN"
    handmade: bool = True
    gi_tag: Text200 = ""
    made_to_order: bool = False
    lead_time_days: Annotated[int, Field(ge=1, le=365)] | None = None
    generic_name: Text200 = ""
    manufacturer_name: Text200 = ""
    manufacturer_address: str = ""


class SkuIn(Schema):
    """A variant. Money is in INR, sent as a string ("950.00") or a number."""

    seller_sku: str = Field("", description="Empty: one is made (unique among the producer's).")
    size: Text40 = ""
    colour: Text40 = ""
    material: Text80 = ""
    design: Text80 = ""
    title_en: Text300 = ""
    title_hi: Text300 = ""
    bullets_en: str = Field("", description="One bullet point per line.")
    bullets_hi: str = Field("", description="One bullet point per line.")
    description_en: str = ""
    description_hi: str = ""
    attributes: dict[str, str] = Field(
        {}, description="The category's attributes (handicrafts: dimensions, finish…)."
    )
    mrp: Rupees | None = None
    price: Rupees | None = None
    net_quantity: Annotated[Decimal, Field(max_digits=10, decimal_places=3)] | None = None
    net_quantity_unit: QuantityUnit = QuantityUnit.PIECE
    weight_g: Count | None = Field(None, description="Packed weight in grams.")
    length_cm: Centimetres | None = None
    width_cm: Centimetres | None = None
    height_cm: Centimetres | None = None
    manufactured_on: str | None = Field(
        None, description="Month and year of manufacture, YYYY-MM.", examples=["2026-10"]
    )
    stock: Count = 0


class SkuOut(Schema):
    uuid: UUID
    product_uuid: UUID = Field(..., alias="product.uuid")
    seller_sku: str
    size: str
    colour: str
    material: str
    design: str
    title_en: str
    title_hi: str
    bullets_en: str
    bullets_hi: str
    description_en: str
    description_hi: str
    attributes: dict[str, Any]
    currency: str
    mrp: Decimal | None
    price: Decimal | None
    net_quantity: Decimal | None
    net_quantity_unit: str
    weight_g: int | None
    length_cm: Decimal | None
    width_cm: Decimal | None
    height_cm: Decimal | None
    manufactured_on: datetime.date | None
    stock: int
    completeness: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class QualityCheckOut(Schema):
    name: str
    passed: bool
    score: float
    reason: str


class ImageUrls(Schema):
    original: str
    main: str | None
    thumbnail: str | None


class ImageOut(Schema):
    uuid: UUID
    product_uuid: UUID = Field(..., alias="product.uuid")
    position: int
    is_main: bool
    file_name: str
    status: str
    error: str
    crop: list[float] | None
    use_original: bool
    quality_score: int | None
    quality: list[QualityCheckOut]
    reused_elsewhere: bool = Field(
        ..., description="The same picture is a photo of another product of the district."
    )
    width: int
    height: int
    urls: ImageUrls
    created_at: datetime.datetime

    @staticmethod
    def resolve_reused_elsewhere(image: ProductImage) -> bool:
        return image.reused_from_id is not None

    @staticmethod
    def resolve_urls(image: ProductImage, context: dict[str, Any]) -> dict[str, str | None]:
        request: HttpRequest = context["request"]
        return {
            variant: request.build_absolute_uri(
                reverse(
                    "api-1.0.0:catalogue_image_file",
                    kwargs={"image_uuid": image.uuid, "variant": variant},
                )
            )
            if getattr(image, variant)
            else None
            for variant in ("original", "main", "thumbnail")
        }


class ImagePatch(Schema):
    crop: tuple[float, float, float, float] | None = Field(
        None,
        description="Where the product is: left, top, right, bottom as fractions of the photo. "
        "null goes back to the automatic cut.",
    )
    use_original: bool | None = Field(None, description="List the photo itself, not a cut-out.")
    make_main: bool = False
    move: Literal[-1, 1] | None = Field(None, description="-1: one place earlier, 1: later.")


class ProblemOut(Schema):
    code: str = Field(..., description="The checklist item: photos, english_text, price…")
    field: str
    message: str
    sku: UUID | None = Field(..., description="The SKU concerned; null for the whole product.")


class ProductOut(Schema):
    uuid: UUID
    district_lgd_code: int = Field(..., alias="district.lgd_code")
    producer_uuid: UUID = Field(..., alias="producer.uuid")
    odop_product_id: int | None
    category: str
    name_en: str
    name_hi: str
    hs_code: str
    gst_rate: str
    country_of_origin: str
    handmade: bool
    gi_tag: str
    made_to_order: bool
    lead_time_days: int | None
    generic_name: str
    manufacturer_name: str
    manufacturer_address: str
    completeness: int = Field(..., description="0-100: the share of the checklist passed.")
    missing: list[str] = Field(..., alias="missing_codes", description="Failing checklist items.")
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ProductDetailOut(ProductOut):
    skus: list[SkuOut]
    images: list[ImageOut]
    problems: list[ProblemOut]

    @staticmethod
    def resolve_problems(product: Product) -> list[dict[str, Any]]:
        return [
            {
                "code": problem.check,
                "field": problem.field,
                "message": str(problem.message),
                "sku": sku.uuid if sku else None,
            }
            for item in checklist(product).items
            for sku, problem in item.problems
        ]


class ProductFilters(Schema):
    q: str = Field("", description="Words of the English or Hindi name, or a seller SKU code")
    producer: str = Field("", description="A producer's uuid")
    odop_product: str = Field("", description="An ODOP product's id")
    category: str = ""
    readiness: str = Field("", description="ready, almost (70 % or more) or needs_work")
    lacks: str = Field("", description="A checklist item the product fails, e.g. photos")


class HsCodeOut(Schema):
    code: str
    description: str
    heading_description: str
    score: float


# --- input to action values ------------------------------------------------------------------


def _refuse_nulls(values: dict[str, Any], schema: type[Schema]) -> None:
    """A PATCH may set a field to null only where null means something (no MRP yet...)."""
    nulls = [
        name
        for name, value in values.items()
        if value is None and schema.model_fields[name].default is not None
    ]
    if nulls:
        raise ValidationError({name: [_("This field cannot be null.")] for name in nulls})


def _product_values(values: dict[str, Any], producer: Producer) -> dict[str, Any]:
    _refuse_nulls(values, ProductIn)
    if "odop_product_id" in values:
        odop_id = values.pop("odop_product_id")
        odop = None if odop_id is None else OdopProduct.objects.filter(pk=odop_id).first()
        if odop_id is not None and odop is None:
            raise ValidationError(
                {"odop_product_id": [_("There is no ODOP product %(id)s.") % {"id": odop_id}]}
            )
        if odop is not None and odop.district_id != producer.district_id:
            # Checked by the action too, but named here by the API's field name.
            raise ValidationError(
                {"odop_product_id": [_("That ODOP product belongs to another district.")]}
            )
        values["odop_product"] = odop
    return values


def _sku_values(values: dict[str, Any], product: Product) -> dict[str, Any]:
    _refuse_nulls(values, SkuIn)
    errors: dict[str, list[str]] = {}
    if values.get("manufactured_on"):
        try:
            values["manufactured_on"] = MonthField().to_python(values["manufactured_on"])
        except ValidationError as error:
            errors["manufactured_on"] = error.messages
    if "attributes" in values:
        offered = {attribute.key: attribute for attribute in attributes_for(product.category)}
        unknown = sorted(set(values["attributes"]) - set(offered))
        if unknown:
            errors["attributes"] = [
                _("Not an attribute of this product's category: %(keys)s")
                % {"keys": ", ".join(unknown)}
            ]
        for key, value in values["attributes"].items():
            attribute = offered.get(key)
            if attribute and attribute.choices and value not in dict(attribute.choices):
                errors.setdefault("attributes", []).append(
                    _("%(attribute)s: choose one of %(choices)s")
                    % {
                        "attribute": attribute.label,
                        "choices": ", ".join(choice for choice, _label in attribute.choices),
                    }
                )
    if errors:
        raise ValidationError(errors)
    return values


# --- fetching through scoping ----------------------------------------------------------------


def _product(request: HttpRequest, product_uuid: UUID, *, write: bool = False) -> Product:
    records = Product.objects.select_related("district", "producer", "odop_product")
    if write:
        return get_changeable_or_deny(records, current_user(request), uuid=product_uuid)
    return get_visible_or_404(
        records.prefetch_related("skus", "images"), current_user(request), uuid=product_uuid
    )


def _sku(request: HttpRequest, sku_uuid: UUID, *, write: bool = False) -> Sku:
    records = Sku.objects.select_related("product__district", "product__producer")
    getter = get_changeable_or_deny if write else get_visible_or_404
    return getter(records, current_user(request), uuid=sku_uuid)


def _image(request: HttpRequest, image_uuid: UUID, *, write: bool = False) -> ProductImage:
    records = ProductImage.objects.select_related("product__district")
    getter = get_changeable_or_deny if write else get_visible_or_404
    return getter(records, current_user(request), uuid=image_uuid)


# --- products --------------------------------------------------------------------------------


@router.get("/products", response=list[ProductOut], summary="Products you may see")
@paginate
def list_products(request: HttpRequest, filters: Query[ProductFilters]):  # type: ignore[no-untyped-def]
    return (
        Product.objects.visible_to(current_user(request))
        .filtered(filters.dict())
        .select_related("district", "producer")
    )


@router.get(
    "/products/{product_uuid}",
    response=ProductDetailOut,
    summary="One product, with its SKUs, photos and what it still lacks to be sold",
)
def get_product(request: HttpRequest, product_uuid: UUID) -> Product:
    return _product(request, product_uuid)


@router.post(
    "/producers/{producer_uuid}/products",
    response={201: ProductDetailOut},
    summary="Add a product of a producer (centre staff of the district, state admins)",
)
def create_product(request: HttpRequest, producer_uuid: UUID, payload: ProductIn):  # type: ignore[no-untyped-def]
    user = current_user(request)
    producer = get_changeable_or_deny(
        Producer.objects.select_related("district", "odop_product"), user, uuid=producer_uuid
    )
    values = _product_values(payload.dict(exclude_unset=True), producer)
    product = actions.do_create_product(producer, acting_user=user, **values)
    return Status(201, _product(request, product.uuid))


@router.patch("/products/{product_uuid}", response=ProductDetailOut, summary="Change a product")
def update_product(
    request: HttpRequest, product_uuid: UUID, payload: PatchDict[ProductIn]
) -> Product:
    product = _product(request, product_uuid, write=True)
    values = _product_values(payload, product.producer)
    actions.do_update_product(product, acting_user=current_user(request), **values)
    return _product(request, product_uuid)


@router.delete(
    "/products/{product_uuid}",
    response={204: None},
    summary="Delete a product with its SKUs and photos",
)
def delete_product(request: HttpRequest, product_uuid: UUID):  # type: ignore[no-untyped-def]
    product = _product(request, product_uuid, write=True)
    actions.do_delete_product(product, acting_user=current_user(request))
    return Status(204, None)


# --- SKUs ------------------------------------------------------------------------------------


@router.post(
    "/products/{product_uuid}/skus",
    response={201: SkuOut},
    summary="Add a variant (SKU) to a product",
)
def create_sku(request: HttpRequest, product_uuid: UUID, payload: SkuIn):  # type: ignore[no-untyped-def]
    product = _product(request, product_uuid, write=True)
    values = _sku_values(payload.dict(), product)
    sku = actions.do_add_sku(product, acting_user=current_user(request), **values)
    return Status(201, _sku(request, sku.uuid))


@router.get("/skus/{sku_uuid}", response=SkuOut, summary="One SKU")
def get_sku(request: HttpRequest, sku_uuid: UUID) -> Sku:
    return _sku(request, sku_uuid)


@router.patch("/skus/{sku_uuid}", response=SkuOut, summary="Change a SKU")
def update_sku(request: HttpRequest, sku_uuid: UUID, payload: PatchDict[SkuIn]) -> Sku:
    sku = _sku(request, sku_uuid, write=True)
    values = _sku_values(payload, sku.product)
    actions.do_update_sku(sku, acting_user=current_user(request), **values)
    return _sku(request, sku_uuid)


@router.delete("/skus/{sku_uuid}", response={204: None}, summary="Delete a SKU")
def delete_sku(request: HttpRequest, sku_uuid: UUID):  # type: ignore[no-untyped-def]
    sku = _sku(request, sku_uuid, write=True)
    actions.do_delete_sku(sku, acting_user=current_user(request))
    return Status(204, None)


# --- photos ----------------------------------------------------------------------------------


@router.post(
    "/products/{product_uuid}/images",
    response={201: ImageOut},
    summary="Upload a photo (JPEG, PNG, WebP or HEIC); it is processed in the background",
)
def upload_image(request: HttpRequest, product_uuid: UUID, image: File[UploadedFile]):  # type: ignore[no-untyped-def]
    product = _product(request, product_uuid, write=True)
    try:
        added = actions.do_add_image(
            product, image.read(), file_name=image.name or "", acting_user=current_user(request)
        )
    except ImagingError as error:
        raise ValidationError({"image": [str(error.message)]}) from None
    except ValidationError as error:
        raise ValidationError({"image": error.messages}) from None
    return Status(201, _image(request, added.uuid))


@router.get(
    "/images/{image_uuid}",
    response=ImageOut,
    summary="One photo: its processing status, quality score and checks",
)
def get_image(request: HttpRequest, image_uuid: UUID) -> ProductImage:
    return _image(request, image_uuid)


@router.patch(
    "/images/{image_uuid}",
    response=ImageOut,
    summary="Re-crop a photo, keep its original, make it the main photo or move it",
)
def update_image(request: HttpRequest, image_uuid: UUID, payload: ImagePatch) -> ProductImage:
    user = current_user(request)
    image = _image(request, image_uuid, write=True)
    sent = payload.model_fields_set
    with transaction.atomic():  # all the changes asked for, or none
        if "crop" in sent or payload.use_original is not None:
            actions.do_change_image(
                image,
                crop=payload.crop,
                reset_crop="crop" in sent and payload.crop is None,
                use_original=payload.use_original,
                acting_user=user,
            )
        if payload.make_main:
            actions.do_set_main_image(image, acting_user=user)
        if payload.move:
            actions.do_move_image(image, by=payload.move, acting_user=user)
    return _image(request, image_uuid)


@router.delete("/images/{image_uuid}", response={204: None}, summary="Delete a photo")
def delete_image(request: HttpRequest, image_uuid: UUID):  # type: ignore[no-untyped-def]
    image = _image(request, image_uuid, write=True)
    actions.do_delete_image(image, acting_user=current_user(request))
    return Status(204, None)


@router.get(
    "/images/{image_uuid}/{variant}",
    summary="A photo's file (JPEG): the original, the main image or the thumbnail",
    url_name="catalogue_image_file",
    openapi_extra={
        "responses": {
            200: {
                "description": "The JPEG file",
                "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def image_file(request: HttpRequest, image_uuid: UUID, variant: Variant) -> FileResponse:
    image = _image(request, image_uuid)
    file = getattr(image, variant)
    if not file:
        raise Http404(_("This photo has not been processed yet."))
    response = FileResponse(file.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- HS codes --------------------------------------------------------------------------------


@router.get(
    "/hs-codes",
    response=list[HsCodeOut],
    summary="HS codes for words in English or Hindi, best first",
)
def search_hs_codes(
    request: HttpRequest,
    q: str = Query("", description="e.g. chikan kurta, कालीन, brass vase"),
    limit: int = Query(10, ge=1, le=50),
) -> list[hs_codes.Match]:
    return hs_codes.search(q, limit=limit) if q.strip() else []
