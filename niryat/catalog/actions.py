"""Writes of the catalogue. Each `do_*` is atomic, checks scope, is audited, and leaves the
product's completeness up to date. Values arrive cleaned (forms, API schemas, import rows); the
rules that hold whoever writes (prices, HS code, SKU codes) are checked here once."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from niryat.catalog import text_limits, vocabulary
from niryat.catalog.completeness import refresh_completeness
from niryat.catalog.hooks import sku_hooks
from niryat.catalog.models import AttributeTerm, GlossaryTerm, Product, ProductImage, Sku
from niryat.core import hs_codes, imaging
from niryat.core.audit import diff_fields, record_audit
from niryat.core.models import User
from niryat.core.scoping import require_write, require_write_access
from niryat.core.text import clean_text_values
from niryat.registry.models import Producer

PRODUCT_FIELDS = (
    "odop_product",
    "category",
    "name_en",
    "name_hi",
    "hs_code",
    "gst_rate",
    "country_of_origin",
    "handmade",
    "gi_tag",
    "made_to_order",
    "lead_time_days",
    "generic_name",
    "manufacturer_name",
    "manufacturer_address",
)
SKU_FIELDS = (
    "seller_sku",
    "size",
    "colour",
    "material",
    "size_en",
    "colour_en",
    "material_en",
    "design",
    "title_en",
    "title_hi",
    "bullets_en",
    "bullets_hi",
    "description_en",
    "description_hi",
    "attributes",
    "mrp",
    "price",
    "net_quantity",
    "net_quantity_unit",
    "weight_g",
    "length_cm",
    "width_cm",
    "height_cm",
    "manufactured_on",
    "stock",
)
SELLER_SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
MAX_IMAGES = 12  # Amazon takes a main image and 8 others; Flipkart up to 10


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _audit_values(values: dict[str, Any]) -> dict[str, Any]:
    return {key: _text(value) for key, value in values.items()}


def _audit_changes(changes: dict[str, list[Any]]) -> dict[str, Any]:
    return {key: [_text(value) for value in pair] for key, pair in changes.items()}


# --- products --------------------------------------------------------------------------------


def check_product_values(values: dict[str, Any], producer: Producer) -> None:
    unknown = set(values) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValueError(f"not product fields: {sorted(unknown)}")
    errors: dict[str, str] = {}
    odop = values.get("odop_product")
    if odop is not None and odop.district_id != producer.district_id:
        errors["odop_product"] = _("That ODOP product belongs to another district.")
    code = values.get("hs_code") or ""
    if code:
        if not code.isdigit() or not 6 <= len(code) <= 8:
            errors["hs_code"] = _("An HS code has 6 to 8 digits.")
        elif not hs_codes.exists(code[:6]):
            errors["hs_code"] = _("There is no HS code %(code)s in the HS nomenclature.") % {
                "code": code[:6]
            }
    if values.get("made_to_order") and not values.get("lead_time_days"):
        errors["lead_time_days"] = _("A made-to-order product needs its lead time in days.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_create_product(producer: Producer, *, acting_user: User, **values: Any) -> Product:
    """A product of `producer`, in the producer's district."""
    require_write(producer.district, acting_user)
    if producer.erased_at is not None:
        raise ValidationError(_("This producer's record has been erased."))
    values = clean_text_values(Product, values)
    values.setdefault("odop_product", producer.odop_product)
    check_product_values(values, producer)
    product = Product.objects.create(
        producer=producer, district=producer.district, created_by=acting_user, **values
    )
    record_audit(
        actor=acting_user,
        action="product.create",
        obj=product,
        district=product.district,
        changes=_audit_values(values),
    )
    refresh_completeness(product)
    return product


@transaction.atomic
def do_update_product(product: Product, *, acting_user: User, **values: Any) -> Product:
    require_write(product.district, acting_user)
    product = Product.objects.select_for_update().get(pk=product.pk)
    values = clean_text_values(Product, values)
    check_product_values(
        {**{field: getattr(product, field) for field in PRODUCT_FIELDS}, **values},
        product.producer,
    )
    changes = diff_fields(product, values)
    if not changes:
        return product
    for field, value in values.items():
        setattr(product, field, value)
    product.save(update_fields=[*values, "updated_at"])
    record_audit(
        actor=acting_user,
        action="product.update",
        obj=product,
        district=product.district,
        changes=_audit_changes(changes),
    )
    refresh_completeness(product)
    return product


def deletion_consequences(skus: Sequence[Sku]) -> list[str]:
    """What deleting these SKUs would end elsewhere (listings...), for the confirmation page."""
    return [line for hooks in sku_hooks() for line in hooks.deletion_consequences(skus)]


def _delete_skus(skus: Sequence[Sku], acting_user: User) -> bool:
    """Tell the apps above, then delete each SKU no app still needs; the others are marked as
    being deleted and go later (`purge_deleted`). True if every SKU is gone now."""
    for hooks in sku_hooks():
        hooks.skus_deleting(skus, acting_user=acting_user)
    kept = [sku.pk for sku in skus if any(h.sku_still_needed(sku) for h in sku_hooks())]
    Sku.objects.filter(pk__in=kept).update(deleting_since=timezone.now())
    Sku.objects.filter(pk__in=[sku.pk for sku in skus]).exclude(pk__in=kept).delete()
    return not kept


def _delete_product_row(product: Product) -> None:
    files = [
        file
        for image in product.images.all()
        for file in (image.original, image.main, image.thumbnail)
        if file
    ]
    product.delete()
    transaction.on_commit(lambda: [file.delete(save=False) for file in files])


@transaction.atomic
def do_delete_product(product: Product, *, acting_user: User) -> None:
    """Delete a product and its SKUs. SKUs listed on a marketplace have their listings ended
    first; the product waits for them (marked as being deleted) and goes with its last SKU."""
    require_write(product.district, acting_user)
    product = Product.objects.select_for_update().get(pk=product.pk)
    record_audit(actor=acting_user, action="product.delete", obj=product, district=product.district)
    skus = list(Sku.objects.select_for_update().filter(product=product).order_by("pk"))
    if _delete_skus(skus, acting_user):
        _delete_product_row(product)
    else:
        product.deleting_since = timezone.now()
        product.save(update_fields=["deleting_since", "updated_at"])


# --- SKUs ------------------------------------------------------------------------------------


def suggest_seller_sku(product: Product) -> str:
    """A SKU code no other SKU of the producer has: ODOP initials, product and variant number."""
    words = (product.odop_product.name_en if product.odop_product else product.name_en) or "SKU"
    prefix = re.sub(r"[^A-Z0-9]", "", words.upper())[:4] or "SKU"
    taken = set(Sku.objects.filter(producer=product.producer).values_list("seller_sku", flat=True))
    number = product.skus.count() + 1
    while True:
        code = f"{prefix}-{product.pk:05d}-{number:02d}"
        if code not in taken:
            return code
        number += 1


def check_sku_values(values: dict[str, Any], product: Product, sku: Sku | None = None) -> None:
    unknown = set(values) - set(SKU_FIELDS)
    if unknown:
        raise ValueError(f"not SKU fields: {sorted(unknown)}")
    errors: dict[str, str] = {}
    code = values.get("seller_sku", "")
    if not SELLER_SKU.match(code or ""):
        errors["seller_sku"] = _(
            "A SKU code has 1 to 40 letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit."
        )
    elif (
        Sku.objects.filter(producer_id=product.producer_id, seller_sku__iexact=code)
        .exclude(pk=sku.pk if sku else 0)
        .exists()
    ):
        errors["seller_sku"] = _("This producer already has a SKU with the code %(code)s.") % {
            "code": code
        }
    for field in vocabulary.FIELDS:
        if vocabulary.has_devanagari(str(values.get(f"{field}_en") or "")):
            errors[f"{field}_en"] = _("Write this in English (Roman letters).")
    mrp, price = values.get("mrp"), values.get("price")
    for field, amount in (("mrp", mrp), ("price", price)):
        if amount is not None and Decimal(amount) < 0:
            errors[field] = _("A price cannot be below zero.")
    if "price" not in errors and mrp is not None and price is not None and price > mrp:
        errors["price"] = _("The selling price cannot be above the MRP.")
    if values.get("stock") is not None and values["stock"] < 0:
        errors["stock"] = _("Stock cannot be below zero.")
    for field in ("bullets_en", "bullets_hi"):
        problem = _bullet_problem(values.get(field) or "")
        if problem:
            errors[field] = problem
    for field in ("weight_g", "net_quantity", "length_cm", "width_cm", "height_cm"):
        if values.get(field) is not None and values[field] <= 0:
            errors[field] = _("Enter a number above zero.")
    if errors:
        raise ValidationError(errors)


def _bullet_problem(text: str) -> str | None:
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > text_limits.MAX_BULLETS:
        return _("At most five bullet points.")
    limit = text_limits.LIMITS["bullet"]
    for line in lines:
        if limit.measure(line) > limit.maximum:
            return str(text_limits.too_long(limit, line))
    return None


@transaction.atomic
def do_add_sku(product: Product, *, acting_user: User, **values: Any) -> Sku:
    require_write(product.district, acting_user)
    product = Product.objects.select_for_update().get(pk=product.pk)
    values = clean_text_values(Sku, values)
    if not values.get("seller_sku"):
        values["seller_sku"] = suggest_seller_sku(product)
    values.setdefault("attributes", {})
    vocabulary.fill_english(values)
    check_sku_values(values, product)
    sku = Sku.objects.create(product=product, producer_id=product.producer_id, **values)
    record_audit(
        actor=acting_user,
        action="sku.create",
        obj=sku,
        district=product.district,
        changes=_audit_values(values),
    )
    Product.objects.filter(pk=product.pk).update(updated_at=sku.created_at)
    refresh_completeness(product)
    return sku


def _refuse_deleting(sku: Sku) -> None:
    if sku.deleting_since is not None:
        raise ValidationError(
            _("%(code)s is being deleted: its listings are being ended on the marketplaces.")
            % {"code": sku.seller_sku}
        )


@transaction.atomic
def do_update_sku(sku: Sku, *, acting_user: User, **values: Any) -> Sku:
    product = sku.product
    require_write(product.district, acting_user)
    sku = Sku.objects.select_for_update().get(pk=sku.pk)
    _refuse_deleting(sku)
    values = clean_text_values(Sku, values)
    vocabulary.fill_english(values, {f: getattr(sku, f) for f in SKU_FIELDS})
    check_sku_values({**{f: getattr(sku, f) for f in SKU_FIELDS}, **values}, product, sku)
    changes = diff_fields(sku, values)
    if not changes:
        return sku
    for field, value in values.items():
        setattr(sku, field, value)
    sku.save(update_fields=[*values, "updated_at"])
    record_audit(
        actor=acting_user,
        action="sku.update",
        obj=sku,
        district=product.district,
        changes=_audit_changes(changes),
    )
    Product.objects.filter(pk=product.pk).update(updated_at=sku.updated_at)
    refresh_completeness(product)
    # Every marketplace where the SKU is on sale hears of a new price or stock.
    for hooks in sku_hooks():
        if "stock" in changes:
            before, after = changes["stock"]
            hooks.stock_changed(sku, before or 0, after or 0, acting_user=acting_user)
        if {"price", "mrp"} & changes.keys():
            hooks.price_changed(sku, acting_user=acting_user)
    return sku


@transaction.atomic
def do_delete_sku(sku: Sku, *, acting_user: User) -> None:
    """Delete a SKU. The apps above end what depends on it first (`SkuHooks.skus_deleting`: the
    marketplaces end its listings); while one of them still needs the row, the SKU stays, marked
    as being deleted, unsold and unchangeable, and goes when the last is done (`purge_deleted`)."""
    product = sku.product
    require_write(product.district, acting_user)
    sku = Sku.objects.select_for_update().get(pk=sku.pk)
    record_audit(actor=acting_user, action="sku.delete", obj=sku, district=product.district)
    _delete_skus([sku], acting_user)
    refresh_completeness(product)


def purge_deleted(sku_id: int) -> None:
    """Delete a SKU that was waiting to be deleted, once no app above needs it any more (the
    channels call this when its last listing has ended), and its product if that was being
    deleted too and has no SKU left."""
    with transaction.atomic():
        sku = (
            Sku.objects.select_for_update().filter(pk=sku_id, deleting_since__isnull=False).first()
        )
        if sku is None or any(hooks.sku_still_needed(sku) for hooks in sku_hooks()):
            return
        product = Product.objects.select_for_update().get(pk=sku.product_id)
        sku.delete()
        if product.deleting_since is not None and not product.skus.exists():
            _delete_product_row(product)
        else:
            refresh_completeness(product)


# --- photos ----------------------------------------------------------------------------------


def do_add_image(
    product: Product, data: bytes, *, file_name: str, acting_user: User
) -> ProductImage:
    """Keep a photo (upright, its metadata removed) and process it in the background.

    The upload is decoded here, before anything is saved, so that a file that is not a photo, is
    damaged, or is a decompression bomb is refused with its reason and nothing is kept. The GPS
    position in a phone photo's EXIF never reaches the disk.
    """
    require_write(product.district, acting_user)
    return _add_image(product, data, file_name=file_name, actor=acting_user, via="")


def do_add_producer_photo(
    product: Product, data: bytes, *, file_name: str, producer: Producer, via: str
) -> ProductImage:
    """A photo the producer sent themselves (by WhatsApp: `via` says so) of their own product:
    kept and processed as an upload by staff is, with the producer's own account (if they have
    one) as the uploader and `via` in the audit trail."""
    if product.producer_id != producer.pk:
        raise PermissionDenied(_("You may read this record but not change it."))
    return _add_image(product, data, file_name=file_name, actor=producer.user, via=via)


def _add_image(
    product: Product, data: bytes, *, file_name: str, actor: User | None, via: str
) -> ProductImage:
    clean, _format, size = imaging.clean_original(data)  # raises ImagingError
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product.pk)
        if product.images.count() >= MAX_IMAGES:
            raise ValidationError(
                _("A product can have at most %(count)d photos.") % {"count": MAX_IMAGES}
            )
        position = (product.images.aggregate(last=Max("position"))["last"] or 0) + 1
        if not product.images.exists():
            position = 0
        image = ProductImage(
            product=product,
            position=position,
            file_name=file_name[:255],
            width=size[0],
            height=size[1],
            uploaded_by=actor,
        )
        image.original.save("original.jpg", ContentFile(clean), save=False)
        image.save()
        record_audit(
            actor=actor,
            action="image.add",
            obj=image,
            district=product.district,
            changes={"file_name": file_name, **({"via": via} if via else {})},
        )
        refresh_completeness(product)
        _process_later(image)
    return image


def _process_later(image: ProductImage) -> None:
    from niryat.catalog.tasks import process_image

    # The database task backend stores the task in this transaction: it runs only if the photo
    # was saved, and is never lost if it was.
    process_image.enqueue(str(image.uuid))


def process_image_now(image: ProductImage) -> ProductImage:
    """Make the main image and thumbnails of a kept photo and judge it (the background task).

    Idempotent: it reads only the kept original and the staff's choices (crop, keep the
    original), and replaces what an earlier run made.
    """
    with image.original.open("rb") as file:
        data = file.read()
    crop = tuple(image.crop) if image.crop else None
    try:
        result = imaging.process_photo(
            data,
            crop=crop,  # type: ignore[arg-type]
            keep_original=image.use_original,
        )
    except imaging.ImagingError as exc:
        ProductImage.objects.filter(pk=image.pk).update(
            status=ProductImage.Status.FAILED, error=str(exc.message)
        )
        image.refresh_from_db()
        _refresh_product(image.product_id)
        return image
    old = [file.name for file in (image.main, image.thumbnail) if file]
    image.main.save("main.jpg", ContentFile(result.main.jpeg), save=False)
    image.thumbnail.save(
        "thumbnail.jpg", ContentFile(result.main.thumbnails[imaging.THUMBNAILS[0]]), save=False
    )
    with transaction.atomic():
        locked = ProductImage.objects.select_for_update().get(pk=image.pk)
        locked.main, locked.thumbnail = image.main, image.thumbnail
        locked.status = ProductImage.Status.READY
        locked.error = ""
        locked.quality_score = result.quality.score
        locked.quality = [
            {
                "name": check.name,
                "passed": check.passed,
                "score": round(check.score, 2),
                # The English sentence for readers of the raw data; pages show `message` with
                # `params` in their reader's language (ProductImage.quality_checks).
                "reason": check.message.format(**check.params),
                "message": check.message,
                "params": check.params,
            }
            for check in result.quality.checks
        ]
        locked.phash = result.quality.phash
        locked.reused_from = _same_photo_elsewhere(locked)
        locked.save()
        _refresh_product(locked.product_id)
    storage = image.main.storage
    for name in old:
        if name not in (locked.main.name, locked.thumbnail.name):
            storage.delete(name)
    return locked


def _same_photo_elsewhere(image: ProductImage) -> ProductImage | None:
    """A photo of another product in the district that is the same picture (perceptual hash)."""
    others = (
        ProductImage.objects.filter(product__district_id=image.product.district_id)
        .exclude(product_id=image.product_id)
        .exclude(phash="")
        .values_list("pk", "phash")
    )
    for pk, phash in others.iterator():
        if imaging.same_photo(image.phash, phash):
            return ProductImage.objects.get(pk=pk)
    return None


def _refresh_product(product_id: int) -> None:
    refresh_completeness(Product.objects.get(pk=product_id))


def _locked_image(image: ProductImage, acting_user: User) -> ProductImage:
    require_write(image.product.district, acting_user)
    return ProductImage.objects.select_for_update().select_related("product").get(pk=image.pk)


@transaction.atomic
def do_set_main_image(image: ProductImage, *, acting_user: User) -> None:
    """Make `image` the product's main image; the others keep their order after it."""
    image = _locked_image(image, acting_user)
    images = list(image.product.images.select_for_update().order_by("position", "id"))
    ordered = [image] + [other for other in images if other.pk != image.pk]
    _renumber(ordered)
    record_audit(actor=acting_user, action="image.main", obj=image, district=image.product.district)
    refresh_completeness(image.product)


@transaction.atomic
def do_move_image(image: ProductImage, *, by: int, acting_user: User) -> None:
    """Move a photo earlier (by < 0) or later in the product's order."""
    image = _locked_image(image, acting_user)
    ordered = list(image.product.images.select_for_update().order_by("position", "id"))
    index = next(i for i, other in enumerate(ordered) if other.pk == image.pk)
    target = min(max(index + by, 0), len(ordered) - 1)
    ordered.insert(target, ordered.pop(index))
    _renumber(ordered)
    record_audit(actor=acting_user, action="image.move", obj=image, district=image.product.district)
    refresh_completeness(image.product)


def _renumber(ordered: list[ProductImage]) -> None:
    for position, image in enumerate(ordered):
        if image.position != position:
            ProductImage.objects.filter(pk=image.pk).update(position=position)
            image.position = position


@transaction.atomic
def do_change_image(
    image: ProductImage,
    *,
    acting_user: User,
    crop: tuple[float, float, float, float] | None = None,
    use_original: bool | None = None,
    reset_crop: bool = False,
) -> ProductImage:
    """Re-crop a photo or keep its original, and process it again in the background."""
    image = _locked_image(image, acting_user)
    changes: dict[str, Any] = {}
    if reset_crop:
        changes["crop"] = None
    elif crop is not None:
        left, top, right, bottom = crop
        if not (0 <= left < right <= 1 and 0 <= top < bottom <= 1):
            raise ValidationError(_("The crop must lie inside the photo, left before right."))
        if right - left < 0.05 or bottom - top < 0.05:
            raise ValidationError(_("The crop is too small: choose a larger part of the photo."))
        changes["crop"] = [round(v, 4) for v in crop]
    if use_original is not None:
        changes["use_original"] = use_original
    if not changes:
        return image
    for field, value in changes.items():
        setattr(image, field, value)
    image.status = ProductImage.Status.PROCESSING
    image.save(update_fields=[*changes, "status", "updated_at"])
    record_audit(
        actor=acting_user,
        action="image.change",
        obj=image,
        district=image.product.district,
        changes={k: str(v) for k, v in changes.items()},
    )
    _process_later(image)
    return image


@transaction.atomic
def do_delete_image(image: ProductImage, *, acting_user: User) -> None:
    image = _locked_image(image, acting_user)
    product = image.product
    files = [file for file in (image.original, image.main, image.thumbnail) if file]
    record_audit(actor=acting_user, action="image.delete", obj=image, district=product.district)
    image.delete()
    product.images.filter(position__gt=image.position).update(position=F("position") - 1)
    refresh_completeness(product)
    transaction.on_commit(lambda: [file.delete(save=False) for file in files])


# --- glossary --------------------------------------------------------------------------------


@transaction.atomic
def do_add_glossary_term(
    *, hindi: str, english: str, note: str = "", acting_user: User
) -> GlossaryTerm:
    """Staff extend the craft glossary; a term already there gets the new phrasing."""
    require_write_access(acting_user)
    hindi, english = hindi.strip(), english.strip()
    if not hindi or not english:
        raise ValidationError(_("Enter both the Hindi term and its English phrasing."))
    term, _created = GlossaryTerm.objects.update_or_create(
        hindi=hindi, defaults={"english": english, "note": note.strip(), "added_by": acting_user}
    )
    record_audit(
        actor=acting_user,
        action="glossary.add",
        obj=term,
        changes={"hindi": hindi, "english": english},
    )
    return term


def do_add_attribute_term(
    *, kind: str, hindi: str, english: str, acting_user: User
) -> AttributeTerm:
    """Staff add a size, colour or material to the vocabulary; a Hindi value already there gets
    the new English. SKUs written with it get their English when next saved."""
    require_write_access(acting_user)
    hindi, english = " ".join(hindi.split()), " ".join(english.split())
    if kind not in AttributeTerm.Kind.values:
        raise ValidationError(_("Choose colour, material or size."))
    if not hindi or not english:
        raise ValidationError(_("Enter the value in Hindi and in English."))
    if vocabulary.has_devanagari(english):
        raise ValidationError(_("Write the English value in Roman letters."))
    term, _created = AttributeTerm.objects.update_or_create(
        kind=kind, hindi=hindi, defaults={"english": english, "added_by": acting_user}
    )
    record_audit(
        actor=acting_user,
        action="attribute_term.add",
        obj=term,
        changes={"kind": kind, "hindi": hindi, "english": english},
    )
    return term
