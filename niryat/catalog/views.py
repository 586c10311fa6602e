"""Catalogue pages: products and their SKUs, photos (before and after, re-crop, order, main),
the completeness checklist, HS code help, text help and the craft glossary.

Thin: fetch through scoping, call an action, render. Read-only roles see the pages without their
forms, and their POSTs get 403.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from niryat.catalog import actions
from niryat.catalog.attributes import guess_category
from niryat.catalog.completeness import all_check_labels, checklist
from niryat.catalog.forms import (
    AttributeTermForm,
    CropForm,
    GlossaryTermForm,
    PhotoUploadForm,
    ProductForm,
    SkuForm,
)
from niryat.catalog.hs_gloss import describe_codes, hs_lines
from niryat.catalog.models import AttributeTerm, Category, GlossaryTerm, Product, ProductImage, Sku
from niryat.catalog.text_help import draft_english_title, glossary_suggestions, latin_suggestion
from niryat.catalog.text_limits import LIMITS
from niryat.core import hs_codes
from niryat.core.access import signed_in, staff_only
from niryat.core.imaging import ImagingError
from niryat.core.models import OdopProduct, Role, User
from niryat.core.scoping import current_user, get_changeable_or_deny, get_visible_or_404
from niryat.registry.models import Producer

PAGE_SIZE = 50
# Said when a deletion waits for the marketplaces to end listings first.
DELETION_WAITS = gettext_lazy(
    "Its listings are being ended on the marketplaces; it is deleted as soon as they are."
)
PRODUCER_CHOICES = 20
READINESS = [
    ("ready", gettext_lazy("Ready to sell")),
    ("almost", gettext_lazy("Almost ready (70–99 %)")),
    ("needs_work", gettext_lazy("Needs work (below 70 %)")),
]
PRODUCT_GROUPS = [
    (gettext_lazy("What it is"), ["odop_product", "category", "name_hi", "name_en"]),
    (
        gettext_lazy("Tax and origin"),
        ["hs_code", "gst_rate", "country_of_origin", "handmade", "gi_tag"],
    ),
    (gettext_lazy("Making"), ["made_to_order", "lead_time_days"]),
    (
        gettext_lazy("Declarations on the package"),
        ["generic_name", "manufacturer_name", "manufacturer_address"],
    ),
]
SKU_GROUPS = [
    (
        gettext_lazy("Variant"),
        [
            "seller_sku",
            "size",
            "size_en",
            "colour",
            "colour_en",
            "material",
            "material_en",
            "design",
        ],
    ),
    (gettext_lazy("Hindi text"), ["title_hi", "bullets_hi", "description_hi"]),
    (gettext_lazy("English text"), ["title_en", "bullets_en", "description_en"]),
    (gettext_lazy("Price and stock"), ["mrp", "price", "stock"]),
    (
        gettext_lazy("Quantity and package"),
        [
            "net_quantity",
            "net_quantity_unit",
            "weight_g",
            "length_cm",
            "width_cm",
            "height_cm",
            "manufactured_on",
        ],
    ),
]
IMAGE_VARIANTS = ("original", "main", "thumbnail")


def _product(request: HttpRequest, product_uuid: UUID, *, write: bool = False) -> Product:
    records = Product.objects.select_related("producer", "district", "odop_product")
    getter = get_changeable_or_deny if write else get_visible_or_404
    return getter(records, current_user(request), uuid=product_uuid)


def _form_errors(form: Any, error: ValidationError) -> None:
    """Put an action's errors next to the fields they concern."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


# --- list ------------------------------------------------------------------------------------


@require_safe
@signed_in
def product_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if user.role == Role.PRODUCER:
        return _producer_products(request, user)
    params = {key: request.GET.get(key, "") for key in ("q", "odop_product", "category")}
    params |= {key: request.GET.get(key, "") for key in ("readiness", "lacks", "producer")}
    products = Product.objects.visible_to(user).filtered(params).for_list()
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "catalog/product_list.html",
        {
            "page": page,
            "params": params,
            "filters_query": query.urlencode(),
            "odop_products": OdopProduct.objects.visible_to(user).select_related("district"),
            "categories": Category.choices,
            "readiness": READINESS,
            "checks": [item for item in all_check_labels().items() if item[0] != "variants"],
            "can_write": user.can_write,
        },
    )


def _producer_products(request: HttpRequest, user: User) -> HttpResponse:
    """A producer's own products, read-only: what the centre lists for them, with prices and
    stock, on a phone."""
    products = (
        Product.objects.visible_to(user)
        .prefetch_related("skus")
        .annotate(
            main_image=Subquery(
                ProductImage.objects.filter(
                    product=OuterRef("pk"), status=ProductImage.Status.READY
                )
                .order_by("position", "id")
                .values("uuid")[:1]
            )
        )
        .order_by("-updated_at", "-id")
    )
    return render(request, "catalog/producer_products.html", {"products": products})


# --- products --------------------------------------------------------------------------------


def _pick_producer(request: HttpRequest, user: User) -> HttpResponse:
    text = request.GET.get("q", "").strip()
    producers = Producer.objects.changeable_by(user).active()
    if text:
        producers = producers.search(text)
    return render(
        request,
        "catalog/pick_producer.html",
        {"producers": producers.select_related("odop_product")[:PRODUCER_CHOICES], "q": text},
    )


def _grouped(form: Any, groups: list[tuple[Any, list[str]]]) -> list[tuple[Any, list[Any]]]:
    return [(legend, [form[name] for name in names]) for legend, names in groups]


@require_http_methods(["GET", "POST"])
@staff_only
def product_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not user.can_write:
        raise PermissionDenied(_("You may read the catalogue but not change it."))
    try:
        producer_uuid = UUID(request.GET.get("producer", ""))
    except ValueError:
        return _pick_producer(request, user)
    producer = get_changeable_or_deny(
        Producer.objects.active().select_related("district", "odop_product"),
        user,
        uuid=producer_uuid,
    )
    initial = {
        "odop_product": producer.odop_product,
        "category": guess_category(producer.odop_product.name_en if producer.odop_product else ""),
        "manufacturer_name": producer.name_latin,
        "manufacturer_address": ", ".join(
            part for part in (producer.village, producer.tehsil, producer.pin) if part
        ),
    }
    form = ProductForm(request.POST or None, initial=initial, district_id=producer.district_id)
    if request.method == "POST" and form.is_valid():
        try:
            product = actions.do_create_product(producer, acting_user=user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Product saved. Now add its variants and photos."))
            return redirect("sku_create", product_uuid=product.uuid)
    return render(
        request,
        "catalog/product_form.html",
        {
            "form": form,
            "groups": _grouped(form, PRODUCT_GROUPS),
            "producer": producer,
            "usual_hs_codes": describe_codes(_usual_hs_codes(producer.odop_product)),
        },
    )


def _usual_hs_codes(odop: OdopProduct | None) -> list[hs_codes.HsCode]:
    """The 6-digit codes under the ODOP product's usual headings (a 4-digit heading alone is
    not enough for a listing)."""
    if odop is None:
        return []
    usual = []
    for code in odop.hs_codes:
        found = hs_codes.get(code)
        if found is not None:
            usual.extend(hs_codes.subheadings(code) if found.level == 4 else [found])
    return usual


@require_http_methods(["GET", "POST"])
@staff_only
def product_edit(request: HttpRequest, product_uuid: UUID) -> HttpResponse:
    user = current_user(request)
    product = _product(request, product_uuid, write=True)
    form = ProductForm(request.POST or None, instance=product, district_id=product.district_id)
    if request.method == "POST" and form.is_valid():
        values = {field: form.cleaned_data[field] for field in form.Meta.fields}
        product.refresh_from_db()  # the form wrote into the instance; the action compares
        try:
            actions.do_update_product(product, acting_user=user, **values)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Product saved."))
            return redirect("product_detail", product_uuid=product.uuid)
    return render(
        request,
        "catalog/product_form.html",
        {
            "form": form,
            "groups": _grouped(form, PRODUCT_GROUPS),
            "product": product,
            "producer": product.producer,
            "usual_hs_codes": describe_codes(_usual_hs_codes(product.odop_product)),
        },
    )


@require_safe
@signed_in
def product_detail(request: HttpRequest, product_uuid: UUID) -> HttpResponse:
    user = current_user(request)
    # The checklist reads the SKUs and photos through the product: fetch them once.
    product = get_visible_or_404(
        Product.objects.select_related("producer", "district", "odop_product").prefetch_related(
            "skus", "images"
        ),
        user,
        uuid=product_uuid,
    )
    skus = list(product.skus.all())
    images = list(product.images.all())
    can_write = Product.objects.changeable_by(user).filter(pk=product.pk).exists()
    return render(
        request,
        "catalog/product_detail.html",
        {
            "product": product,
            "skus": skus,
            "images": images,
            "processing": any(i.status == ProductImage.Status.PROCESSING for i in images),
            "checklist": checklist(product),
            "can_write": can_write,
            "upload_form": PhotoUploadForm() if can_write else None,
        },
    )


@require_http_methods(["GET", "POST"])
@staff_only
def product_delete(request: HttpRequest, product_uuid: UUID) -> HttpResponse:
    """What deleting the product ends (its listings), and the button that confirms it."""
    product = _product(request, product_uuid, write=True)
    skus = list(product.skus.all())
    if request.method == "POST":
        actions.do_delete_product(product, acting_user=current_user(request))
        if Product.objects.filter(pk=product.pk).exists():
            messages.success(request, DELETION_WAITS)
            return redirect("product_detail", product_uuid=product.uuid)
        messages.success(request, _("Product deleted."))
        return redirect("product_list")
    return render(
        request,
        "catalog/confirm_delete.html",
        {
            "title": _("Delete %(name)s") % {"name": product},
            "back": reverse("product_detail", args=[product.uuid]),
            "consequences": actions.deletion_consequences(skus),
        },
    )


# --- SKUs ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_only
def sku_create(request: HttpRequest, product_uuid: UUID) -> HttpResponse:
    user = current_user(request)
    product = _product(request, product_uuid, write=True)
    source = product.skus.last()  # a new variant starts as a copy of the last one
    initial: dict[str, Any] = {}
    if source is not None:
        initial = {field: getattr(source, field) for field in actions.SKU_FIELDS}
        initial |= {f"attr_{key}": value for key, value in source.attributes.items()}
        initial["seller_sku"] = ""
    form = SkuForm(request.POST or None, initial=initial, category=product.category)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_add_sku(product, acting_user=user, **form.values())
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Variant saved."))
            if "add_another" in request.POST:
                return redirect("sku_create", product_uuid=product.uuid)
            return redirect("product_detail", product_uuid=product.uuid)
    return _sku_page(request, form, product, None)


@require_http_methods(["GET", "POST"])
@staff_only
def sku_edit(request: HttpRequest, sku_uuid: UUID) -> HttpResponse:
    user = current_user(request)
    sku = get_changeable_or_deny(
        Sku.objects.select_related("product__producer", "product__district"), user, uuid=sku_uuid
    )
    product = sku.product
    form = SkuForm(request.POST or None, instance=sku, category=product.category)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        sku.refresh_from_db()
        try:
            actions.do_update_sku(sku, acting_user=user, **values)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Variant saved."))
            return redirect("product_detail", product_uuid=product.uuid)
    return _sku_page(request, form, product, sku)


def _sku_page(request: HttpRequest, form: SkuForm, product: Product, sku: Sku | None) -> Any:
    groups = _grouped(form, SKU_GROUPS)
    # As the Hindi title is typed, htmx asks for its Latin spelling and English phrasing.
    form.fields["title_hi"].widget.attrs.update(
        {
            "hx-get": reverse("text_help"),
            "hx-trigger": "input changed delay:500ms",
            "hx-target": "#text-help",
            "hx-swap": "innerHTML",
        }
    )
    if form.attribute_names:
        groups.insert(1, (_("Attributes"), [form[name] for name in form.attribute_names]))
    return render(
        request,
        "catalog/sku_form.html",
        {
            "form": form,
            "groups": groups,
            "product": product,
            "sku": sku,
            "counted": {
                name: limit.allowance() for name, limit in LIMITS.items() if name in form.fields
            },
        },
    )


@require_http_methods(["GET", "POST"])
@staff_only
def sku_delete(request: HttpRequest, sku_uuid: UUID) -> HttpResponse:
    """What deleting the SKU ends (its listings), and the button that confirms it."""
    user = current_user(request)
    sku = get_changeable_or_deny(Sku.objects.select_related("product"), user, uuid=sku_uuid)
    if request.method == "POST":
        actions.do_delete_sku(sku, acting_user=user)
        if Sku.objects.filter(pk=sku.pk).exists():
            messages.success(request, DELETION_WAITS)
        else:
            messages.success(request, _("Variant deleted."))
        return redirect("product_detail", product_uuid=sku.product.uuid)
    return render(
        request,
        "catalog/confirm_delete.html",
        {
            "title": _("Delete %(code)s") % {"code": sku.seller_sku},
            "back": reverse("product_detail", args=[sku.product.uuid]),
            "consequences": actions.deletion_consequences([sku]),
        },
    )


# --- photos ----------------------------------------------------------------------------------


@require_POST
@staff_only
def image_upload(request: HttpRequest, product_uuid: UUID) -> HttpResponse:
    """Keep every photo that can be read; name each one that cannot, with its reason."""
    user = current_user(request)
    product = _product(request, product_uuid, write=True)
    form = PhotoUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose one or more photos to upload."))
        return redirect("product_detail", product_uuid=product.uuid)
    saved = 0
    for upload in form.cleaned_data["photos"]:
        name = upload.name or ""
        try:
            actions.do_add_image(product, upload.read(), file_name=name, acting_user=user)
        except ImagingError as error:
            messages.error(request, f"{name}: {error.message}")
        except ValidationError as error:
            messages.error(request, f"{name}: {' '.join(error.messages)}")
        else:
            saved += 1
    if saved:
        messages.success(
            request,
            _("%(count)d photo kept; it is being processed.") % {"count": saved}
            if saved == 1
            else _("%(count)d photos kept; they are being processed.") % {"count": saved},
        )
    return redirect(reverse("product_detail", kwargs={"product_uuid": product.uuid}) + "#photos")


@require_safe
@signed_in
def product_images(request: HttpRequest, product_uuid: UUID) -> HttpResponse:
    """The photos section alone, polled by htmx while photos are being processed."""
    user = current_user(request)
    product = _product(request, product_uuid)
    images = list(product.images.all())
    return render(
        request,
        "catalog/_images.html",
        {
            "product": product,
            "images": images,
            "processing": any(i.status == ProductImage.Status.PROCESSING for i in images),
            "can_write": Product.objects.changeable_by(user).filter(pk=product.pk).exists(),
        },
    )


@require_safe
@signed_in
def catalogue_image(request: HttpRequest, image_uuid: UUID, variant: str) -> FileResponse:
    """A photo file, to those who may read its product (marketplaces get public copies)."""
    if variant not in IMAGE_VARIANTS:
        raise Http404
    image = get_visible_or_404(ProductImage.objects.all(), current_user(request), uuid=image_uuid)
    file = getattr(image, variant)
    if not file:
        raise Http404(_("This photo has not been processed yet."))
    response = FileResponse(file.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _image(request: HttpRequest, image_uuid: UUID) -> ProductImage:
    return get_changeable_or_deny(
        ProductImage.objects.select_related("product__district"),
        current_user(request),
        uuid=image_uuid,
    )


@require_POST
@staff_only
def image_main(request: HttpRequest, image_uuid: UUID) -> HttpResponse:
    image = _image(request, image_uuid)
    actions.do_set_main_image(image, acting_user=current_user(request))
    messages.success(request, _("Main photo chosen."))
    return redirect(reverse("product_detail", args=[image.product.uuid]) + "#photos")


@require_POST
@staff_only
def image_move(request: HttpRequest, image_uuid: UUID) -> HttpResponse:
    image = _image(request, image_uuid)
    by = -1 if request.POST.get("direction") == "earlier" else 1
    actions.do_move_image(image, by=by, acting_user=current_user(request))
    return redirect(reverse("product_detail", args=[image.product.uuid]) + "#photos")


@require_POST
@staff_only
def image_delete(request: HttpRequest, image_uuid: UUID) -> HttpResponse:
    image = _image(request, image_uuid)
    actions.do_delete_image(image, acting_user=current_user(request))
    messages.success(request, _("Photo deleted."))
    return redirect(reverse("product_detail", args=[image.product.uuid]) + "#photos")


@require_http_methods(["GET", "POST"])
@staff_only
def image_edit(request: HttpRequest, image_uuid: UUID) -> HttpResponse:
    """Before and after, large; re-crop, keep the original, or go back to the automatic cut."""
    user = current_user(request)
    if request.method == "POST":
        image = _image(request, image_uuid)
    else:
        image = get_visible_or_404(
            ProductImage.objects.select_related("product"), user, uuid=image_uuid
        )
    crop = image.crop or [0, 0, 1, 1]
    initial = dict(
        zip(("left", "top", "right", "bottom"), (round(v * 100, 1) for v in crop), strict=True)
    )
    form = CropForm(request.POST if "crop" in request.POST else None, initial=initial)
    if request.method == "POST":
        try:
            if "crop" in request.POST:
                if form.is_valid():
                    actions.do_change_image(image, crop=form.box(), acting_user=user)
                    messages.success(request, _("The photo is being cut again."))
                    return redirect("image_edit", image_uuid=image.uuid)
            elif "keep_original" in request.POST:
                actions.do_change_image(image, use_original=True, acting_user=user)
                messages.success(request, _("The original photo will be listed."))
                return redirect("image_edit", image_uuid=image.uuid)
            elif "automatic" in request.POST:
                actions.do_change_image(
                    image, use_original=False, reset_crop=True, acting_user=user
                )
                messages.success(request, _("The photo is being cut out again automatically."))
                return redirect("image_edit", image_uuid=image.uuid)
        except ValidationError as error:
            _form_errors(form, error)
    return render(
        request,
        "catalog/image_edit.html",
        {
            "image": image,
            "product": image.product,
            "form": form,
            "crop_box": _percent_box(image.crop) if image.crop else None,
            "can_write": ProductImage.objects.changeable_by(user).filter(pk=image.pk).exists(),
        },
    )


def _percent_box(crop: list[float]) -> list[str]:
    """Left, top, width and height in per cent, for the overlay on the photo."""
    left, top, right, bottom = crop
    return [f"{value * 100:.1f}" for value in (left, top, right - left, bottom - top)]


# --- help while typing -----------------------------------------------------------------------


@require_safe
@staff_only
def hs_search(request: HttpRequest) -> HttpResponse:
    """HS codes for the words typed (English or Hindi), best first; htmx fills the list."""
    text = request.GET.get("hs_query", "").strip()
    found = hs_codes.search(text, limit=8) if len(text) >= 2 else []
    lines = hs_lines([(match.code, match.description) for match in found])
    headings = hs_lines([(match.code, match.heading_description) for match in found])
    matches = [
        {
            "code": match.code,
            "line": line,
            "heading": heading if heading.english != line.english else None,
        }
        for match, line, heading in zip(found, lines, headings, strict=True)
    ]
    return render(request, "catalog/_hs_matches.html", {"matches": matches, "query": text})


@require_safe
@staff_only
def text_help(request: HttpRequest) -> HttpResponse:
    """For a Hindi title: its Latin spelling for proper nouns, and English craft phrasing."""
    text = request.GET.get("title_hi", "").strip()
    return render(
        request,
        "catalog/_text_help.html",
        {
            "latin": latin_suggestion(text),
            "terms": glossary_suggestions(text),
            "draft": draft_english_title(text),
            "text": text,
        },
    )


@require_http_methods(["GET", "POST"])
@staff_only
def glossary(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = GlossaryTermForm(request.POST or None)
    if request.method == "POST":
        if not user.can_write:
            raise PermissionDenied(_("You may read the glossary but not change it."))
        if form.is_valid():
            try:
                actions.do_add_glossary_term(acting_user=user, **form.cleaned_data)
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Term saved."))
                return redirect("glossary")
    terms = GlossaryTerm.objects.all()
    text = request.GET.get("q", "").strip()
    if text:
        terms = terms.filter(hindi__icontains=text) | terms.filter(english__icontains=text)
    return render(
        request,
        "catalog/glossary.html",
        {"terms": terms, "form": form, "can_write": user.can_write, "q": text},
    )


@require_http_methods(["GET", "POST"])
@staff_only
def attribute_terms(request: HttpRequest) -> HttpResponse:
    """The vocabulary of sizes, colours and materials in Hindi and English; staff extend it."""
    user = current_user(request)
    form = AttributeTermForm(request.POST or None)
    if request.method == "POST":
        if not user.can_write:
            raise PermissionDenied(_("You may read the vocabulary but not change it."))
        if form.is_valid():
            try:
                actions.do_add_attribute_term(acting_user=user, **form.cleaned_data)
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Value saved."))
                return redirect("attribute_terms")
    return render(
        request,
        "catalog/attribute_terms.html",
        {"terms": AttributeTerm.objects.all(), "form": form, "can_write": user.can_write},
    )
