"""The public showcase (no sign-in: district pages, search, product pages, photos, QR codes, the
sitemap, the enquiry form) and the staff's pages for enquiries and showcase profiles. Public pages
are rendered once and served from the cache (page_cache.py) until a hook drops them."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from niryat.catalog.models import Product, ProductImage
from niryat.channels.models import ChannelCode, Listing
from niryat.core.access import staff_only
from niryat.core.client_address import client_ip
from niryat.core.middleware import remember_language
from niryat.core.models import District, OdopProduct
from niryat.core.scoping import current_user, get_changeable_or_deny, get_visible_or_404
from niryat.registry.models import Producer
from niryat.showcase import actions
from niryat.showcase.forms import (
    CommitmentForm,
    EnquiryForm,
    FollowForm,
    MouForm,
    ProfileForm,
    ProgressForm,
)
from niryat.showcase.models import (
    Commitment,
    Enquiry,
    Exhibition,
    Feedback,
    GoneProduct,
    Mou,
    Profile,
    search_products,
    shown_producers,
    shown_products,
)
from niryat.showcase.page_cache import cached_page
from niryat.showcase.photos import WIDTHS, photo_bytes

PER_PAGE = 12
# A search longer than this is not a search: it is cut, never an error.
MAX_QUERY = 100
# Marketplaces a buyer can follow a link to, in the order shown.
BUY_ON = (ChannelCode.AMAZON, ChannelCode.FLIPKART, ChannelCode.EBAY, ChannelCode.ONDC)
# Producers' testimonials on a district's or a product's page (all of them: voice_views).
VOICES_ON_A_PAGE = 3


def _param(request: HttpRequest, name: str, limit: int = MAX_QUERY) -> str:
    """A query-string value, cut to `limit` and without NUL characters (which PostgreSQL refuses
    in text): whatever arrives, a page, never a server error."""
    return request.GET.get(name, "")[:limit].replace("\x00", "").strip()


def _page_number(request: HttpRequest) -> int:
    value = _param(request, "page", 6)
    return int(value) if value.isdigit() and int(value) > 0 else 1


def public_language(view: Any) -> Any:
    """`?lang=hi` or `?lang=en` on a showcase address shows it in that language and remembers it
    (links and QR codes can name the language); otherwise the visitor's cookie or browser."""

    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        lang = request.GET.get("lang", "")
        if lang in dict(settings.LANGUAGES):
            translation.activate(lang)
            request.LANGUAGE_CODE = lang
            response: HttpResponse = view(request, *args, **kwargs)
            remember_language(response, lang)
            return response
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _cards(products: Any) -> list[Product]:
    """Products for a list: producer, ODOP product and district, and their first ready photo."""
    return list(
        products.select_related("producer", "odop_product", "district").prefetch_related(
            Prefetch(
                "images",
                queryset=ProductImage.objects.filter(status=ProductImage.Status.READY).order_by(
                    "position", "id"
                ),
                to_attr="ready_images",
            )
        )
    )


def _listing(request: HttpRequest, products: Any, extra: dict[str, Any], template: str) -> Any:
    page = Paginator(products.order_by("-updated_at", "-id"), PER_PAGE).get_page(
        _page_number(request)
    )
    page.object_list = _cards(page.object_list)
    return render(request, template, {**extra, "page": page})


@require_safe
@public_language
def home(request: HttpRequest) -> HttpResponse:
    """Every district with products on the showcase, and the search box."""

    def build() -> HttpResponse:
        districts = (
            District.objects.annotate(
                shown=Count("products", filter=_shown_filter(), distinct=True)
            )
            .filter(shown__gt=0)
            .order_by("name_en")
        )
        current = Exhibition.objects.filter(closes_on__gte=today).order_by("opens_on", "id")
        archive = Exhibition.objects.filter(closes_on__lt=today).order_by("-closes_on", "id")
        return render(
            request,
            "showcase/home.html",
            {
                "districts": districts,
                "exhibitions": [(e, e.phase(today)) for e in current[:10]],
                "archive": archive[:5],
            },
        )

    today = timezone.localdate()
    # Its list of online exhibitions changes the day one opens or closes.
    return cached_page(request, build, vary=today.isoformat())


def _shown_filter() -> Any:
    from django.db.models import Q

    return Q(products__pk__in=shown_products().values("pk"))


@require_safe
@public_language
def district(request: HttpRequest, lgd_code: int) -> HttpResponse:
    """A district's ODOP products, the producers shown, and their products."""

    def build() -> HttpResponse:
        place = get_object_or_404(District, lgd_code=lgd_code)
        products = shown_products().filter(district=place)
        odop = _param(request, "odop", 12)
        chosen = None
        if odop.isdigit():
            chosen = OdopProduct.objects.filter(district=place, pk=int(odop)).first()
            if chosen is not None:
                products = products.filter(odop_product=chosen)
        extra = {
            "district": place,
            "odop_products": OdopProduct.objects.filter(district=place).order_by("name_en"),
            "chosen": chosen,
            "producers": shown_producers()
            .filter(district=place)
            .select_related("showcase_profile")[:50],
            "filters_query": f"odop={chosen.pk}" if chosen else "",
            "voices": _voices(district=place),
        }
        return _listing(request, products, extra, "showcase/district.html")

    return cached_page(request, build)


def _voices(**where: Any) -> list[Feedback]:
    """The newest testimonials of a district or a producer, for a showcase page."""
    shown = Feedback.objects.shown().filter(**where)
    return list(shown.select_related("producer__odop_product", "programme")[:VOICES_ON_A_PAGE])


@require_safe
@public_language
def search(request: HttpRequest) -> HttpResponse:
    """Products by their name, their ODOP product or their producer's name, in either script."""
    text = _param(request, "q")

    def build() -> HttpResponse:
        products = search_products(shown_products(), text) if text else Product.objects.none()
        from urllib.parse import urlencode

        extra = {"q": text, "filters_query": urlencode({"q": text}) if text else ""}
        return _listing(request, products, extra, "showcase/search.html")

    return cached_page(request, build)


def _shown_or_gone(request: HttpRequest, product_uuid: UUID) -> Product | HttpResponse:
    """The shown product; or, for one that left the showcase, 410 Gone saying nothing of what
    was there; or 404."""
    product = (
        shown_products()
        .filter(uuid=product_uuid)
        .select_related("producer__showcase_profile", "odop_product", "district")
        .first()
    )
    if product is not None:
        return product
    if GoneProduct.objects.filter(product_uuid=product_uuid).exists():
        return render(request, "showcase/gone.html", status=410)
    raise Http404


@require_safe
@public_language
def product(request: HttpRequest, product_uuid: UUID) -> HttpResponse:
    """A product's page: photos, text in both languages, the producer and their story, links to
    buy it on the marketplaces where it is live, and the enquiry form's address."""

    def build() -> HttpResponse:
        found = _shown_or_gone(request, product_uuid)
        if isinstance(found, HttpResponse):
            return found
        return render(request, "showcase/product.html", _product_context(request, found))

    return cached_page(request, build)


def _product_context(request: HttpRequest, product: Product) -> dict[str, Any]:
    images = list(product.images.filter(status=ProductImage.Status.READY).order_by("position"))
    skus = list(product.skus.filter(deleting_since__isnull=True).order_by("id"))
    listings = (
        Listing.objects.filter(
            sku__product=product,
            state=Listing.State.LIVE,
            account__channel__in=BUY_ON,
        )
        .exclude(url="")
        .select_related("account")
        .order_by("account__channel", "id")
    )
    buy_on: dict[str, str] = {}
    for listing in listings:
        buy_on.setdefault(listing.account.channel, listing.url)
    links = [(ChannelCode(code).label, buy_on[code]) for code in BUY_ON if code in buy_on]
    site = settings.SITE_URL.rstrip("/")
    url = site + reverse("showcase_product", args=[product.uuid])
    first = skus[0] if skus else None
    language = translation.get_language()
    description = ""
    if first is not None:
        description = (
            (first.description_hi or first.description_en)
            if language == "hi"
            else (first.description_en or first.description_hi)
        )
    image_url = site + reverse("showcase_photo", args=[images[0].uuid, 800]) if images else ""
    prices = [sku.price for sku in skus if sku.price is not None]
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": str(product),
        "url": url,
        "description": description[:500],
        "countryOfOrigin": product.country_of_origin,
        "brand": {"@type": "Brand", "name": str(product.producer)},
    }
    if image_url:
        data["image"] = [image_url]
    if first is not None:
        data["sku"] = first.seller_sku
    if product.hs_code:
        data["additionalProperty"] = [
            {"@type": "PropertyValue", "name": "HS code", "value": product.hs_code}
        ]
    if prices:
        data["offers"] = {
            "@type": "AggregateOffer",
            "priceCurrency": "INR",
            "lowPrice": str(min(prices)),
            "highPrice": str(max(prices)),
            "offerCount": len(prices),
            "availability": "https://schema.org/InStock"
            if any(sku.stock > 0 for sku in skus)
            else "https://schema.org/MadeToOrder",
        }
    # Escaped so that no text of the product can close the script element.
    json_ld = (
        json.dumps(data, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )
    profile = getattr(product.producer, "showcase_profile", None)
    return {
        "product": product,
        "images": images,
        "skus": skus,
        "links": links,
        "canonical": url,
        "og_image": image_url,
        "description": description,
        "json_ld": mark_safe(json_ld),  # noqa: S308 - escaped above
        "story": profile.story if profile else "",
        "voices": _voices(producer=product.producer),
        "in_hindi": language == "hi",
    }


@require_safe
def qr_code(request: HttpRequest, product_uuid: UUID) -> HttpResponse:
    """A QR code of the product's showcase address (SVG), for stalls and labels."""
    found = _shown_or_gone(request, product_uuid)
    if isinstance(found, HttpResponse):
        return found
    url = settings.SITE_URL.rstrip("/") + reverse("showcase_product", args=[found.uuid])
    svg = segno.make(url, error="m", micro=False).svg_inline(scale=4, border=2, title=url)
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def photo(request: HttpRequest, image_uuid: UUID, width: int) -> HttpResponse:
    """A photo of a shown product, in one of the showcase's widths."""
    if width not in WIDTHS:
        raise Http404
    image = get_object_or_404(
        ProductImage.objects.filter(product__in=shown_products(), status=ProductImage.Status.READY),
        uuid=image_uuid,
    )
    response = HttpResponse(photo_bytes(image, width), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def sitemap(request: HttpRequest) -> HttpResponse:
    """Every district page, product page and opened online exhibition of the showcase, for
    search engines."""
    site = settings.SITE_URL.rstrip("/")
    today = timezone.localdate()

    def build() -> HttpResponse:
        products = shown_products().order_by("id").values_list("uuid", "updated_at")[:50_000]
        lgd_codes = (
            District.objects.filter(products__in=shown_products())
            .distinct()
            .order_by("lgd_code")
            .values_list("lgd_code", flat=True)
        )
        exhibitions = (
            Exhibition.objects.opened(today).order_by("id").values_list("uuid", flat=True)[:1000]
        )
        return render(
            request,
            "showcase/sitemap.xml",
            {
                "site": site,
                "products": products,
                "districts": lgd_codes,
                "exhibitions": exhibitions,
            },
            content_type="application/xml",
        )

    return cached_page(request, build, vary=today.isoformat())


@require_http_methods(["GET", "POST"])
@public_language
def enquire(request: HttpRequest, product_uuid: UUID) -> HttpResponse:
    """The buyer's enquiry form. A filled honeypot field is a robot: it is thanked and nothing
    is kept. Too many enquiries from one address in an hour: a clear message, nothing kept."""
    found = _shown_or_gone(request, product_uuid)
    if isinstance(found, HttpResponse):
        return found
    exhibition = _exhibited_in(request, found)
    form = EnquiryForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["website"]:
            return redirect("showcase_enquiry_sent")
        try:
            actions.do_create_enquiry(
                found,
                form.enquiry_input(),
                address=client_ip(request) or "",
                acting_user=None,
                exhibition=exhibition,
            )
        except actions.TooManyEnquiries:
            form.add_error(
                None,
                _(
                    "Too many enquiries from your connection in the last hour. Please try "
                    "again later, or write to the centre."
                ),
            )
            status = 429
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            return redirect("showcase_enquiry_sent")
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "showcase/enquire.html",
        {"product": found, "form": form, "exhibition": exhibition},
        status=status,
    )


def _exhibited_in(request: HttpRequest, product: Product) -> Exhibition | None:
    """The online exhibition the buyer came from (`?exhibition=`), if it has opened and shows
    this product: the enquiry then counts for its exhibitor. Anything else is ignored."""
    value = _param(request, "exhibition", 36)
    try:
        exhibition_uuid = UUID(value)
    except ValueError:
        return None
    return (
        Exhibition.objects.opened(timezone.localdate())
        .filter(
            uuid=exhibition_uuid,
            exhibitors__products=product,
            exhibitors__producer=product.producer_id,
        )
        .first()
    )


@require_safe
@public_language
def enquiry_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "showcase/enquiry_sent.html")


# --- staff -----------------------------------------------------------------------------------


@require_safe
@staff_only
def enquiry_list(request: HttpRequest) -> HttpResponse:
    """The district's enquiries, newest first, by status."""
    params = {"status": _param(request, "status", 12)}
    records = (
        Enquiry.objects.visible_to(current_user(request))
        .filtered(params)
        .select_related("district", "producer")
    )
    page = Paginator(records, 50).get_page(_page_number(request))
    return render(
        request,
        "showcase/enquiry_list.html",
        {
            "page": page,
            "statuses": Enquiry.Status.choices,
            "status": params["status"],
            "filters_query": f"status={params['status']}" if params["status"] else "",
        },
    )


@require_http_methods(["GET", "POST"])
@staff_only
def enquiry_detail(request: HttpRequest, enquiry_uuid: UUID) -> HttpResponse:
    """An enquiry, and the staff's answer and where it led."""
    user = current_user(request)
    enquiry = get_visible_or_404(
        Enquiry.objects.select_related("district", "producer", "product", "exhibition"),
        user,
        uuid=enquiry_uuid,
    )
    form = FollowForm(request.POST or None, initial={"status": enquiry.status})
    if request.method == "POST":
        enquiry = get_changeable_or_deny(Enquiry.objects.all(), user, uuid=enquiry_uuid)
        if form.is_valid():
            try:
                actions.do_follow_enquiry(
                    enquiry,
                    status=form.cleaned_data["status"],
                    answer=form.cleaned_data["answer"],
                    acting_user=user,
                )
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(request, _("The enquiry was updated."))
                return redirect("showcase_enquiry_detail", enquiry_uuid=enquiry.uuid)
    return render(request, "showcase/enquiry_detail.html", {"enquiry": enquiry, "form": form})


@require_http_methods(["GET", "POST"])
@staff_only
def profile_edit(request: HttpRequest, producer_uuid: UUID) -> HttpResponse:
    """Whether a producer agrees to be on the public showcase, and their story."""
    user = current_user(request)
    producer = get_visible_or_404(Producer.objects.all(), user, uuid=producer_uuid)
    profile = Profile.objects.filter(producer=producer).first()
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST":
        producer = get_changeable_or_deny(Producer.objects.all(), user, uuid=producer_uuid)
        if form.is_valid():
            try:
                actions.do_update_profile(producer, **form.cleaned_data, acting_user=user)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("The showcase profile was saved."))
                return redirect("showcase_profile", producer_uuid=producer.uuid)
    return render(
        request,
        "showcase/profile_form.html",
        {"producer": producer, "form": form, "listable": producer.listing_consent},
    )


# --- partners and MoUs (staff) ---------------------------------------------------------------


@require_safe
@staff_only
def mou_list(request: HttpRequest) -> HttpResponse:
    """The district's MoUs with its partners, each with its commitments' progress."""
    user = current_user(request)
    mous = list(
        Mou.objects.visible_to(user)
        .select_related("partner", "district")
        .prefetch_related("commitments__mou")
    )
    return render(
        request,
        "showcase/mou_list.html",
        {
            "mous": [(mou, _progress_rows(mou)) for mou in mous],
            "can_add": District.objects.changeable_by(user).exists(),
        },
    )


def _progress_rows(mou: Mou) -> list[dict[str, Any]]:
    today = timezone.localdate()
    rows = []
    for commitment in mou.commitments.all():
        done = commitment.progress()
        rows.append(
            {
                "commitment": commitment,
                "done": done,
                "percent": min(100, round(100 * done / commitment.target)),
                "met": done >= commitment.target,
                "late": done < commitment.target and commitment.due_on < today,
            }
        )
    return rows


@require_http_methods(["GET", "POST"])
@staff_only
def mou_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    districts = District.objects.changeable_by(user).order_by("name_en")
    if not districts.exists():
        raise PermissionDenied(_("You may read this record but not change it."))
    form = MouForm(request.POST or None, districts=districts)
    if request.method == "POST" and form.is_valid():
        try:
            mou = actions.do_create_mou(
                form.cleaned_data["district"], form.mou_input(), acting_user=user
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("The MoU was recorded. Add its commitments."))
            return redirect("showcase_mou_detail", mou_uuid=mou.uuid)
    return render(request, "showcase/mou_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@staff_only
def mou_detail(request: HttpRequest, mou_uuid: UUID) -> HttpResponse:
    """An MoU, its commitments and their progress; staff add a commitment here."""
    user = current_user(request)
    mou = get_visible_or_404(Mou.objects.select_related("partner", "district"), user, uuid=mou_uuid)
    form = CommitmentForm(request.POST or None)
    if request.method == "POST":
        mou = get_changeable_or_deny(Mou.objects.all(), user, uuid=mou_uuid)
        if form.is_valid():
            try:
                actions.do_add_commitment(mou, form.commitment_input(), acting_user=user)
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(request, _("The commitment was added."))
                return redirect("showcase_mou_detail", mou_uuid=mou.uuid)
    can_change = Mou.objects.changeable_by(user).filter(pk=mou.pk).exists()
    return render(
        request,
        "showcase/mou_detail.html",
        {
            "mou": mou,
            "rows": _progress_rows(mou),
            "form": form,
            "can_change": can_change,
            "progress_form": ProgressForm(),
        },
    )


@require_POST
@staff_only
def commitment_progress(request: HttpRequest, commitment_id: int) -> HttpResponse:
    """Staff record the progress of a commitment the records cannot measure."""
    user = current_user(request)
    commitment = get_object_or_404(
        Commitment.objects.select_related("mou__district"),
        pk=commitment_id,
        mou__in=Mou.objects.visible_to(user),
    )
    get_changeable_or_deny(Mou.objects.all(), user, pk=commitment.mou_id)
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            actions.do_record_progress(commitment, form.cleaned_data["value"], acting_user=user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The progress was recorded."))
    else:
        messages.error(request, _("Give the progress as a whole number from 0."))
    return redirect("showcase_mou_detail", mou_uuid=commitment.mou.uuid)
