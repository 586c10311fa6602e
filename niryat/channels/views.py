"""Marketplace pages: seller accounts, push, listings, the calls that need attention, the order
book (and the producer's "what to pack" list), consignments, the numbers, exchange rates.

Thin: fetch through scoping, call an action, render. Read-only roles see the pages without their
forms, and their POSTs get 403; another district's records are 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from niryat.catalog.actions import SKU_FIELDS
from niryat.catalog.completeness import Problem, readiness_problems
from niryat.catalog.models import Category, Product, ProductImage, Sku
from niryat.catalog.views import READINESS
from niryat.channels import actions
from niryat.channels.forms import (
    CancelOrderForm,
    ConnectAccountForm,
    ConsignmentForm,
    CredentialsForm,
    ExchangeRateForm,
    FsnForm,
    GrievanceResolutionForm,
    GrievanceResponseForm,
    OndcTermsForm,
    RecordByHandForm,
    SaveSelectionForm,
    SettingsForm,
    ShipOrderForm,
    WarehouseForm,
    setting_fields,
)
from niryat.channels.models import (
    ChannelAccount,
    ChannelCode,
    Consignment,
    ExchangeRate,
    Grievance,
    Listing,
    OndcNode,
    OndcOrder,
    Order,
    OrderLine,
    OutboxEntry,
    SkuSelection,
    Warehouse,
    WarehouseStock,
)
from niryat.channels.ondc import actions as ondc_actions
from niryat.channels.registry import channel_class, channel_for
from niryat.channels.urgency import OPEN_ORDER_STATES, mark_urgency
from niryat.core.access import staff_only
from niryat.core.models import District, OdopProduct, Role, User
from niryat.core.money import rupees
from niryat.core.scoping import current_user, get_changeable_or_deny, get_visible_or_404
from niryat.registry.models import Producer

PAGE_SIZE = 50
PRODUCER_CHOICES = 20
# Orders that still have to leave the producer.
CHANNELS = ChannelCode.choices
# Problems with these fields are fixed on the variant's form (the rest on the product's page).
SKU_FIX_FIELDS = frozenset(SKU_FIELDS)
# Problems recorded on the listing itself rather than the catalogue.
LISTING_FIELDS = frozenset({"fsn", "external_id"})


def _deny_read_only(user: User) -> None:
    if not user.can_write:
        raise PermissionDenied(_("You may read these records but not change them."))


def _error_text(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def _form_errors(form: Any, error: ValidationError) -> None:
    """Put an action's errors next to the fields they concern."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _districts_to_choose(user: User) -> QuerySet[District] | None:
    """State users pick the district a record belongs to; everyone else works in their own."""
    if user.district_id is not None:
        return None
    return District.objects.changeable_by(user).order_by("name_en")


def _working_district(chosen: District | None, user: User) -> District:
    district = chosen or user.district
    if district is None:
        raise PermissionDenied(_("Choose a district."))
    return district


# --- fixing a problem --------------------------------------------------------------------------


@dataclass(frozen=True)
class Fix:
    """A problem or marketplace error, with where to fix it."""

    message: str | Promise
    field: str
    url: str
    explanation: str | Promise = ""
    code: str = ""


def _fix_url(field: str, sku: Sku, can_write: bool) -> str:
    """SKU fields (text, prices, stock, attributes) are fixed on the variant's form; the rest
    (photos, HS code, GST, declarations) on the product's page."""
    name = field.split(".", 1)[0]
    if name == "listing_consent":  # recorded on the producer's page
        return reverse("producer_detail", args=[sku.product.producer.uuid])
    if can_write and name in SKU_FIX_FIELDS:
        # Straight to the field: "attributes.fabric" is the form's "attr_fabric".
        anchor = f"attr_{field.split('.', 1)[1]}" if name == "attributes" and "." in field else name
        return f"{reverse('sku_edit', args=[sku.uuid])}#id_{anchor}"
    url = reverse("product_detail", args=[sku.product.uuid])
    return url + "#photos" if name == "images" else url


def _fixes(
    problems: Iterable[Problem], sku: Sku, can_write: bool, listing: Listing | None = None
) -> list[Fix]:
    seen = set()
    fixes = []
    for problem in problems:
        key = (problem.field, str(problem.message))
        if key in seen:  # the catalogue and the marketplace may say the same thing
            continue
        seen.add(key)
        if problem.field in LISTING_FIELDS:
            # Done on the marketplace's side and recorded on the listing (Flipkart's FSN).
            url = reverse("listing_detail", args=[listing.uuid]) if listing and listing.pk else ""
        else:
            url = _fix_url(problem.field, sku, can_write)
        fixes.append(Fix(problem.message, problem.field, url))
    return fixes


def _error_fixes(errors: list[dict[str, str]], sku: Sku, can_write: bool) -> list[Fix]:
    return [
        Fix(
            message=error.get("message", ""),
            field=error.get("field", ""),
            url=_fix_url(error.get("field", ""), sku, can_write) if error.get("field") else "",
            # Stored in English, the source language: shown in the reader's.
            explanation=_(error["explanation"]) if error.get("explanation") else "",
            code=error.get("code", ""),
        )
        for error in errors
    ]


# --- home --------------------------------------------------------------------------------------


@require_safe
@staff_only
def channels_home(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    accounts = (
        ChannelAccount.objects.visible_to(user)
        .select_related("producer", "district")
        .annotate(listing_count=Count("listings"))
        .order_by("district__name_en", "channel", "name")
    )
    return render(
        request,
        "channels/home.html",
        {
            "accounts": accounts,
            "attention": OutboxEntry.objects.visible_to(user).needs_attention().count(),
            "open_orders": Order.objects.visible_to(user)
            .filter(state__in=OPEN_ORDER_STATES)
            .count(),
            "channels": CHANNELS,
            "can_write": user.can_write,
            "show_district": user.is_state_level,
        },
    )


# --- accounts ----------------------------------------------------------------------------------


def _pick_producer(request: HttpRequest, user: User) -> list[Producer]:
    text = request.GET.get("q", "").strip()
    if not text:
        return []
    producers = Producer.objects.changeable_by(user).active().search(text)
    return list(producers.select_related("district")[:PRODUCER_CHOICES])


@require_http_methods(["GET", "POST"])
@staff_only
def account_connect(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    _deny_read_only(user)
    channel = request.POST.get("channel") or request.GET.get("channel", "")
    if channel not in ChannelCode.values:
        return render(request, "channels/account_choose.html", {"channels": CHANNELS})
    producer = None
    producer_uuid = _uuid(request.POST.get("producer") or request.GET.get("producer", ""))
    if producer_uuid is not None:
        producer = get_changeable_or_deny(
            Producer.objects.select_related("district"), user, uuid=producer_uuid
        )
    districts = _districts_to_choose(user) if producer is None else None
    form = ConnectAccountForm(request.POST or None, channel=channel, districts=districts)
    if request.method == "POST" and form.is_valid():
        district = producer.district if producer else form.cleaned_data.get("district")
        try:
            account = actions.do_connect_account(
                district=_working_district(district, user),
                channel=channel,
                name=form.cleaned_data["name"],
                credentials=form.credentials(),
                settings=form.settings(),
                producer=producer,
                acting_user=user,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Account connected."))
            return redirect("account_detail", account_uuid=account.uuid)
    return render(
        request,
        "channels/account_connect.html",
        {
            "form": form,
            "channel": channel,
            "channel_label": ChannelCode(channel).label,
            "has_api": channel_class(channel).has_api,
            "producer": producer,
            "producers": _pick_producer(request, user) if producer is None else [],
            "q": request.GET.get("q", ""),
        },
    )


@require_http_methods(["GET", "POST"])
@staff_only
def account_detail(request: HttpRequest, account_uuid: UUID) -> HttpResponse:
    user = current_user(request)
    records = ChannelAccount.objects.select_related("producer", "district", "created_by")
    if request.method == "POST":
        account = get_changeable_or_deny(records, user, uuid=account_uuid)
    else:
        account = get_visible_or_404(records, user, uuid=account_uuid)
    can_write = ChannelAccount.objects.changeable_by(user).filter(pk=account.pk).exists()
    data = request.POST if request.method == "POST" else None
    credentials_form = CredentialsForm(
        data if "save_credentials" in request.POST else None, channel=account.channel
    )
    settings_form = SettingsForm(
        data if "save_settings" in request.POST else None,
        channel=account.channel,
        current=account.settings,
    )
    if request.method == "POST":
        try:
            if "fetch_orders" in request.POST:
                actions.do_request_orders(account, acting_user=user)
                messages.success(request, _("New orders will be fetched in a moment."))
                return redirect("account_detail", account_uuid=account.uuid)
            if "check_quantities" in request.POST:
                actions.do_request_quantity_check(account, acting_user=user)
                messages.success(
                    request,
                    _(
                        "The quantities on the marketplace will be checked in a moment; any that "
                        "differ from our stock are corrected and noted on their listing."
                    ),
                )
                return redirect("account_detail", account_uuid=account.uuid)
            if "upload_fsns" in request.POST:
                recorded = _record_fsn_report(request, account, user)
                messages.success(
                    request,
                    ngettext(
                        "%(count)d listing got its FSN and is being sent.",
                        "%(count)d listings got their FSN and are being sent.",
                        len(recorded),
                    )
                    % {"count": len(recorded)},
                )
                return redirect("account_detail", account_uuid=account.uuid)
            if "disconnect" in request.POST:
                actions.do_disconnect_account(account, acting_user=user)
                messages.success(request, _("Account disconnected; its credentials are deleted."))
                return redirect("account_detail", account_uuid=account.uuid)
            if "save_credentials" in request.POST and credentials_form.is_valid():
                actions.do_update_credentials(
                    account, credentials_form.credentials(), acting_user=user
                )
                messages.success(request, _("Credentials checked and saved."))
                return redirect("account_detail", account_uuid=account.uuid)
            if "save_settings" in request.POST and settings_form.is_valid():
                actions.do_update_account_settings(
                    account, settings_form.settings(), acting_user=user
                )
                messages.success(request, _("Settings saved."))
                return redirect("account_detail", account_uuid=account.uuid)
        except ValidationError as error:
            if "save_settings" in request.POST:
                _form_errors(settings_form, error)
            elif "save_credentials" in request.POST:
                _form_errors(credentials_form, error)
            else:
                messages.error(request, _error_text(error))
                return redirect("account_detail", account_uuid=account.uuid)
    awaiting_fsn = (
        account.listings.filter(external_id="").exclude(state=Listing.State.ENDED).count()
        if account.channel == ChannelCode.FLIPKART
        else 0
    )
    labels = {spec.name: spec.label for spec in setting_fields(account.channel)}
    listings = (
        account.listings.order_by().values_list("state").annotate(n=Count("pk")).order_by("state")
    )
    return render(
        request,
        "channels/account_detail.html",
        {
            "account": account,
            "settings": [(labels.get(key, key), value) for key, value in account.settings.items()],
            "has_api": channel_class(account.channel).has_api,
            "has_credentials": bool(account.credentials_encrypted),
            "credentials_form": credentials_form,
            "settings_form": settings_form,
            "listing_counts": [(Listing.State(state).label, n) for state, n in listings],
            "connected": account.status != ChannelAccount.Status.DISCONNECTED,
            "can_write": can_write,
            "awaiting_fsn": awaiting_fsn,
        },
    )


MAX_REPORT_BYTES = 20 * 1024 * 1024


def _record_fsn_report(request: HttpRequest, account: ChannelAccount, user: User) -> list[Listing]:
    """Flipkart: read Seller Hub's listing report and record the FSNs it gives."""
    from niryat.channels import flipkart

    upload = request.FILES.get("report")
    if upload is None:
        raise ValidationError(_("Choose Seller Hub's listing report (.xlsx)."))
    if upload.size is not None and upload.size > MAX_REPORT_BYTES:
        raise ValidationError(_("The report is larger than 20 MB."))
    try:
        fsns = flipkart.parse_fsn_report(upload.read())
    except ValueError as error:
        raise ValidationError(
            _("This is not Seller Hub's listing report: %(reason)s") % {"reason": error}
        ) from error
    return actions.do_record_fsns(account, fsns, acting_user=user)


@require_safe
@staff_only
def account_catalogue_sheet(request: HttpRequest, account_uuid: UUID) -> HttpResponse:
    """Flipkart: the bulk catalogue sheet of every listing still waiting for its FSN."""
    from niryat.channels import flipkart

    user = current_user(request)
    account = get_visible_or_404(ChannelAccount.objects.all(), user, uuid=account_uuid)
    if account.channel != ChannelCode.FLIPKART:
        raise Http404
    skus = [
        listing.sku
        for listing in account.listings.filter(external_id="")
        .exclude(state=Listing.State.ENDED)
        .select_related("sku__product__producer")
        .prefetch_related("sku__product__images")
    ]
    response = HttpResponse(
        flipkart.catalogue_sheet(skus, account.settings),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="flipkart-catalogue.xlsx"'
    return response


# --- push --------------------------------------------------------------------------------------


@dataclass
class PushRow:
    sku: Sku
    fixes: list[Fix]
    listing: Listing | None
    next_steps: list[Fix]


def _push_skus(request: HttpRequest, user: User, params: dict[str, str]) -> QuerySet[Sku]:
    products = Product.objects.visible_to(user).filtered(params)
    return Sku.objects.visible_to(user).filter(product__in=products)


def _push_context(
    request: HttpRequest, user: User
) -> tuple[ChannelAccount | None, SkuSelection | None, dict[str, str]]:
    params = {key: request.GET.get(key, "") for key in ("q", "odop_product", "category")}
    params["readiness"] = request.GET.get("readiness", "")
    account = selection = None
    account_uuid = _uuid(request.GET.get("account", ""))
    if account_uuid is not None:
        account = get_visible_or_404(
            ChannelAccount.objects.select_related("producer"), user, uuid=account_uuid
        )
    selection_uuid = _uuid(request.GET.get("selection", ""))
    if selection_uuid is not None:
        selection = get_visible_or_404(SkuSelection.objects, user, uuid=selection_uuid)
    return account, selection, params


@require_http_methods(["GET", "POST"])
@staff_only
def push(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if request.method == "POST":
        return _push_post(request, user)
    account, selection, params = _push_context(request, user)
    skus = _push_skus(request, user, params)
    if selection is not None:
        skus = skus.filter(pk__in=selection.skus.values("pk"))
    if account is not None:
        skus = skus.filter(product__district_id=account.district_id)
        if account.producer_id:
            skus = skus.filter(product__producer_id=account.producer_id)
    skus = (
        skus.select_related("product__producer", "product__odop_product")
        .prefetch_related("product__images")
        .order_by("product__producer__name_latin", "product_id", "id")
    )
    page = Paginator(skus, PAGE_SIZE).get_page(request.GET.get("page"))
    can_write = user.can_write
    rows = []
    listings: dict[int, Listing] = {}
    if account is not None:
        listings = {
            listing.sku_id: listing
            for listing in Listing.objects.filter(account=account, sku__in=list(page))
        }
    channel = channel_for(account) if account is not None else None
    for sku in page:
        listing = listings.get(sku.pk)
        if listing is not None:
            listing.sku = sku  # fetched with its product and photos already
        steps: list[Problem] = []
        if account is not None and channel is not None:
            problems = actions.sku_problems_for_channel(sku, account.channel)
            # Not the SKU's fault, but a step on the marketplace's side (Flipkart's FSN).
            steps = channel.listing_problems(listing or Listing(sku=sku, account=account))
        else:
            problems = readiness_problems(sku.product, sku, marketplaces=False)
        rows.append(
            PushRow(
                sku,
                _fixes(problems, sku, can_write, listing),
                listing,
                _fixes(steps, sku, can_write, listing),
            )
        )
    accounts = (
        ChannelAccount.objects.visible_to(user)
        .exclude(status=ChannelAccount.Status.DISCONNECTED)
        .select_related("producer")
    )
    return render(
        request,
        "channels/push.html",
        {
            "account": account,
            "accounts": accounts,
            "selection": selection,
            "selections": SkuSelection.objects.visible_to(user),
            "page": page,
            "rows": rows,
            "params": params,
            "filters_query": _query_without_page(request),
            "odop_products": OdopProduct.objects.visible_to(user).select_related("district"),
            "categories": Category.choices,
            "readiness": READINESS,
            "selection_form": SaveSelectionForm(),
            "can_write": can_write
            and account is not None
            and ChannelAccount.objects.changeable_by(user).filter(pk=account.pk).exists(),
            "can_save": can_write,
        },
    )


def _push_post(request: HttpRequest, user: User) -> HttpResponse:
    _deny_read_only(user)
    back = reverse("push") + "?" + request.POST.get("query", "")
    uuids = [u for value in request.POST.getlist("sku") if (u := _uuid(value))]
    skus = list(
        Sku.objects.changeable_by(user)
        .filter(uuid__in=uuids)
        .select_related("product__producer", "product__district")
        .prefetch_related("product__images")
    )
    if not skus:
        messages.error(request, _("Tick at least one SKU."))
        return redirect(back)
    if "save_selection" in request.POST:
        form = SaveSelectionForm(request.POST)
        try:
            selection = actions.do_save_selection(
                district=user.district or skus[0].product.district,
                name=form.cleaned_data["selection_name"] if form.is_valid() else "",
                skus=skus,
                acting_user=user,
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
            return redirect(back)
        messages.success(
            request,
            ngettext(
                "Selection “%(name)s” saved with %(count)d SKU.",
                "Selection “%(name)s” saved with %(count)d SKUs.",
                len(skus),
            )
            % {"name": selection.name, "count": len(skus)},
        )
        query = QueryDict(request.POST.get("query", ""), mutable=True)
        query["selection"] = str(selection.uuid)
        query.pop("page", None)
        return redirect(reverse("push") + "?" + query.urlencode())
    account_uuid = _uuid(request.POST.get("account", ""))
    if account_uuid is None:
        messages.error(request, _("Choose the account to push to."))
        return redirect(back)
    account = get_changeable_or_deny(ChannelAccount.objects.all(), user, uuid=account_uuid)
    try:
        result = actions.do_push(skus, account, acting_user=user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(back)
    if result.queued:
        messages.success(
            request,
            ngettext(
                "%(count)d SKU sent to %(account)s.",
                "%(count)d SKUs sent to %(account)s.",
                len(result.queued),
            )
            % {"count": len(result.queued), "account": account},
        )
    for sku, problems in result.not_ready:
        reasons = " ".join(dict.fromkeys(str(problem.message) for problem in problems))
        messages.warning(
            request,
            _("%(sku)s is not ready: %(reasons)s") % {"sku": sku.seller_sku, "reasons": reasons},
        )
    if result.waiting:
        steps = " ".join(
            dict.fromkeys(str(step.message) for _listing, found in result.waiting for step in found)
        )
        messages.info(
            request,
            ngettext(
                "%(count)d SKU is ready and waits for you on the marketplace: %(steps)s",
                "%(count)d SKUs are ready and wait for you on the marketplace: %(steps)s",
                len(result.waiting),
            )
            % {"count": len(result.waiting), "steps": steps},
        )
    return redirect(back)


@require_POST
@staff_only
def selection_delete(request: HttpRequest, selection_uuid: UUID) -> HttpResponse:
    user = current_user(request)
    selection = get_changeable_or_deny(SkuSelection.objects, user, uuid=selection_uuid)
    actions.do_delete_selection(selection, acting_user=user)
    messages.success(request, _("Selection deleted."))
    return redirect("push")


# --- listings ----------------------------------------------------------------------------------


@require_safe
@staff_only
def listing_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    params = {key: request.GET.get(key, "") for key in ("account", "channel", "state")}
    listings = Listing.objects.visible_to(user).select_related("sku__product", "account__producer")
    account_uuid = _uuid(params["account"])
    if account_uuid is not None:
        listings = listings.filter(account__uuid=account_uuid)
    if params["channel"] in ChannelCode.values:
        listings = listings.filter(account__channel=params["channel"])
    if params["state"] in Listing.State.values:
        listings = listings.filter(state=params["state"])
    page = Paginator(listings.order_by("-updated_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "channels/listing_list.html",
        {
            "page": page,
            "params": params,
            "filters_query": _query_without_page(request),
            "accounts": ChannelAccount.objects.visible_to(user),
            "channels": CHANNELS,
            "states": Listing.State.choices,
        },
    )


@require_http_methods(["GET", "POST"])
@staff_only
def listing_detail(request: HttpRequest, listing_uuid: UUID) -> HttpResponse:
    user = current_user(request)
    records = Listing.objects.select_related(
        "sku__product__producer", "account__district", "account__producer"
    )
    if request.method == "POST":
        listing = get_changeable_or_deny(records, user, uuid=listing_uuid)
    else:
        listing = get_visible_or_404(records, user, uuid=listing_uuid)
    can_write = Listing.objects.changeable_by(user).filter(pk=listing.pk).exists()
    has_api = channel_class(listing.account.channel).has_api
    hand_form = RecordByHandForm(
        request.POST if "record_by_hand" in request.POST else None,
        initial={"external_id": listing.external_id, "state": listing.state},
    )
    fsn_form = FsnForm(request.POST if "record_fsn" in request.POST else None)
    if request.method == "POST":
        try:
            if "pause" in request.POST:
                actions.do_pause_listing(listing, acting_user=user)
                messages.success(request, _("Listing paused: the marketplace will offer 0."))
            elif "resume" in request.POST:
                actions.do_resume_listing(listing, acting_user=user)
                messages.success(request, _("Listing resumed."))
            elif "end" in request.POST:
                actions.do_end_listing(listing, acting_user=user)
                messages.success(request, _("The listing will be ended."))
            elif "record_by_hand" in request.POST:
                if not hand_form.is_valid():
                    raise ValidationError(hand_form.errors.as_text())
                actions.do_record_listing_by_hand(
                    listing,
                    external_id=hand_form.cleaned_data["external_id"],
                    state=hand_form.cleaned_data["state"],
                    acting_user=user,
                )
                messages.success(request, _("Saved."))
            elif "record_fsn" in request.POST:
                if not fsn_form.is_valid():
                    raise ValidationError(_("Type the FSN."))
                actions.do_record_fsn(listing, fsn_form.cleaned_data["fsn"], acting_user=user)
                messages.success(request, _("FSN saved."))
        except ValidationError as error:
            messages.error(request, _error_text(error))
        return redirect("listing_detail", listing_uuid=listing.uuid)
    sku = listing.sku
    is_gem = listing.account.channel == ChannelCode.GEM
    return render(
        request,
        "channels/listing_detail.html",
        {
            "listing": listing,
            "sku": sku,
            "account": listing.account,
            "events": listing.events.select_related("actor")[:50],
            "errors": _error_fixes(listing.errors or [], sku, can_write),
            "has_api": has_api,
            "can_write": can_write,
            "hand_form": hand_form if not has_api else None,
            "needs_fsn": listing.account.channel == ChannelCode.FLIPKART
            and not listing.external_id,
            "fsn_form": fsn_form,
            # Any 16 letters and digits will do for the fake Flipkart: one made from the listing.
            "demo_fsn": f"DEMO{listing.uuid.hex[:12].upper()}" if settings.DEMO_MODE else "",
            "is_gem": is_gem,
            "gem_documents": _gem_documents(sku.product.producer) if is_gem else [],
        },
    )


def _gem_documents(producer: Producer) -> list[Any]:
    from niryat.channels.gem import document_checklist

    return list(document_checklist(producer))


SHEETS = {
    "listing": "listing",
    "flipkart": "flipkart-catalogue",
    "gem": "gem-catalogue",
}


@require_safe
@staff_only
def listing_sheet(request: HttpRequest, listing_uuid: UUID) -> HttpResponse:
    """The listing's data as a spreadsheet: for a manual upload (any channel), Flipkart's
    catalogue sheet for a product not yet in its catalogue, or GeM's catalogue data."""
    user = current_user(request)
    listing = get_visible_or_404(
        Listing.objects.select_related("sku__product__producer", "account"),
        user,
        uuid=listing_uuid,
    )
    kind = request.GET.get("kind", "listing")
    skus = [listing.sku]
    content: bytes
    if kind == "listing":
        from niryat.channels import files

        content = files.listing_sheet(listing.account.channel, skus, listing.account)
    elif kind == "flipkart" and listing.account.channel == ChannelCode.FLIPKART:
        from niryat.channels import flipkart

        content = flipkart.catalogue_sheet(skus, listing.account.settings)
    elif kind == "gem" and listing.account.channel == ChannelCode.GEM:
        from niryat.channels.gem import GemChannel

        content = GemChannel(listing.account).build(skus)
    else:
        raise Http404
    name = f"{SHEETS[kind]}-{listing.sku.seller_sku}.xlsx"
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- needs attention ---------------------------------------------------------------------------


@require_safe
@staff_only
def attention_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    entries = (
        OutboxEntry.objects.visible_to(user)
        .needs_attention()
        .select_related("account", "listing__sku", "order")
        .order_by("-updated_at", "-id")
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "channels/attention_list.html",
        {"page": page, "filters_query": "", "can_write": user.can_write},
    )


@require_POST
@staff_only
def entry_retry(request: HttpRequest, entry_id: int) -> HttpResponse:
    user = current_user(request)
    entry = get_changeable_or_deny(OutboxEntry.objects.select_related("account"), user, pk=entry_id)
    try:
        actions.do_retry_entry(entry, acting_user=user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The call will be made again now."))
    return redirect("attention_list")


# --- orders ------------------------------------------------------------------------------------


def _with_lines(orders: QuerySet[Order]) -> QuerySet[Order]:
    return orders.prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("sku"))
    )


@require_safe
@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if user.role == Role.PRODUCER:
        from niryat.registry.portal_views import hindi_first

        return hindi_first(_producer_orders)(request)
    if user.role not in {
        Role.STATE_ADMIN,
        Role.STATE_VIEWER,
        Role.DISTRICT_OFFICER,
        Role.CENTRE_STAFF,
    }:
        raise PermissionDenied(_("Your role cannot open this page."))
    params = {key: request.GET.get(key, "") for key in ("state", "account", "channel", "producer")}
    orders = Order.objects.visible_to(user).select_related("account", "producer")
    if params["state"] == "open":
        orders = orders.filter(state__in=OPEN_ORDER_STATES)
    elif params["state"] in Order.State.values:
        orders = orders.filter(state=params["state"])
    account_uuid = _uuid(params["account"])
    if account_uuid is not None:
        orders = orders.filter(account__uuid=account_uuid)
    if params["channel"] in ChannelCode.values:
        orders = orders.filter(account__channel=params["channel"])
    producer_uuid = _uuid(params["producer"])
    producer = None
    if producer_uuid is not None:
        orders = orders.filter(producer__uuid=producer_uuid)
        producer = Producer.objects.visible_to(user).filter(uuid=producer_uuid).first()
    page = Paginator(_with_lines(orders), PAGE_SIZE).get_page(request.GET.get("page"))
    mark_urgency(page)
    return render(
        request,
        "channels/order_list.html",
        {
            "page": page,
            "params": params,
            "producer": producer,
            "filters_query": _query_without_page(request),
            "accounts": ChannelAccount.objects.visible_to(user),
            "channels": CHANNELS,
            "states": Order.State.choices,
        },
    )


def _producer_orders(request: HttpRequest) -> HttpResponse:
    """A producer's own orders: what to pack and by when, then the last ones sent."""
    user = current_user(request)
    photos = ProductImage.objects.filter(status=ProductImage.Status.READY).exclude(thumbnail="")
    photos = photos.order_by("position", "id")
    orders = (
        Order.objects.visible_to(user)
        .select_related("account")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("sku__product")),
            Prefetch("lines__sku__product__images", queryset=photos, to_attr="photos"),
        )
    )
    to_pack = list(orders.filter(state__in=OPEN_ORDER_STATES).order_by("ship_by", "ordered_at"))
    mark_urgency(to_pack)
    earlier = orders.exclude(state__in=OPEN_ORDER_STATES).order_by("-ordered_at")[:20]
    return render(
        request, "channels/producer_orders.html", {"to_pack": to_pack, "earlier": earlier}
    )


@require_safe
@login_required
def pack_photo(request: HttpRequest, image_uuid: UUID) -> FileResponse:
    """A product photo's thumbnail for the list of what to pack, to whoever may read the product:
    producers too, whom the catalogue's photo files (staff pages) do not serve."""
    image = get_visible_or_404(
        ProductImage.objects.exclude(thumbnail=""), current_user(request), uuid=image_uuid
    )
    response = FileResponse(image.thumbnail.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_http_methods(["GET", "POST"])
@staff_only
def order_detail(request: HttpRequest, order_uuid: UUID) -> HttpResponse:
    user = current_user(request)
    records = Order.objects.select_related("account", "producer", "district")
    if request.method == "POST":
        order = get_changeable_or_deny(records, user, uuid=order_uuid)
    else:
        order = get_visible_or_404(records, user, uuid=order_uuid)
    cancel_form = CancelOrderForm(request.POST if "reason" in request.POST else None)
    ship_form = ShipOrderForm(request.POST if "tracking_number" in request.POST else None)
    if request.method == "POST":
        state = request.POST.get("state", "")
        reason = cancel_form.cleaned_data["reason"] if cancel_form.is_valid() else ""
        shipping = ship_form.cleaned_data if ship_form.is_valid() else {}
        try:
            actions.do_set_order_state(
                order,
                state,
                acting_user=user,
                reason=reason,
                carrier=shipping.get("carrier", ""),
                tracking_number=shipping.get("tracking_number", ""),
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request,
                _("The order is now %(state)s.") % {"state": Order.State(state).label},
            )
        return redirect("order_detail", order_uuid=order.uuid)
    can_write = Order.objects.changeable_by(user).filter(pk=order.pk).exists()
    ondc = OndcOrder.objects.filter(order=order).first()
    mark_urgency([order])
    next_states = actions.ORDER_NEXT_STATES.get(order.state, ())
    channel = channel_class(order.account.channel)
    return render(
        request,
        "channels/order_detail.html",
        {
            "order": order,
            "ship_form": ship_form,
            "can_ship": Order.State.SHIPPED in next_states,
            "needs_waybill": channel.needs_waybill and not order.fulfilled_by_marketplace,
            "label_from_marketplace": channel.label_from_marketplace,
            "lines": order.lines.select_related("sku__product"),
            "next_states": [
                (state, Order.State(state).label)
                for state in next_states
                if state not in (Order.State.CANCELLED, Order.State.SHIPPED)
            ],
            "can_cancel": Order.State.CANCELLED in next_states,
            "cancel_form": cancel_form,
            "calls": order.outbox.order_by("-created_at"),
            "can_write": can_write,
            "total_inr": rupees(order.total_inr),
            "ondc": ondc,
            "ondc_feedback": order.ondc_feedback.all() if ondc is not None else [],
            "grievances": order.grievances.all() if ondc is not None else [],
        },
    )


# --- ONDC terms -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_only
def ondc_terms(request: HttpRequest) -> HttpResponse:
    """The centre's ONDC terms: charges, PIN codes delivered to, support, settlement account."""
    user = current_user(request)
    node = OndcNode.objects.filter(district=user.district_id).select_related("district").first()
    if node is None:
        if request.method == "POST":
            raise PermissionDenied(_("This centre has no ONDC node yet."))
        return render(request, "channels/ondc_terms.html", {"node": None})
    form = OndcTermsForm(request.POST or None, instance=node)
    if request.method == "POST":
        _deny_read_only(user)
        if form.is_valid():
            try:
                ondc_actions.do_update_ondc_terms(
                    node, acting_user=user, **{f: form.cleaned_data[f] for f in form.fields}
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("The ONDC terms are saved."))
                return redirect("ondc_terms")
    return render(
        request,
        "channels/ondc_terms.html",
        {"form": form, "node": node, "can_write": user.can_write},
    )


# --- ONDC grievances ---------------------------------------------------------------------------


@require_safe
@staff_only
def grievance_list(request: HttpRequest) -> HttpResponse:
    """Buyers' complaints through ONDC, the open ones first by how soon they must be resolved,
    with ONDC's response and resolution times and what is overdue."""
    user = current_user(request)
    records = Grievance.objects.visible_to(user).select_related("order", "producer")
    show_all = request.GET.get("all") == "1"
    if not show_all:
        records = records.open()
    page = Paginator(records.order_by("resolve_by", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    rows = [(g, g.response_overdue(now), g.resolution_overdue(now)) for g in page.object_list]
    return render(
        request,
        "channels/grievance_list.html",
        {"page": page, "rows": rows, "show_all": show_all, "filters_query": ""},
    )


@require_http_methods(["GET", "POST"])
@staff_only
def grievance_detail(request: HttpRequest, grievance_uuid: UUID) -> HttpResponse:
    user = current_user(request)
    records = Grievance.objects.select_related("order", "producer", "node", "district")
    if request.method == "POST":
        grievance = get_changeable_or_deny(records, user, uuid=grievance_uuid)
    else:
        grievance = get_visible_or_404(records, user, uuid=grievance_uuid)
    respond_form = GrievanceResponseForm(request.POST if "text" in request.POST else None)
    resolve_form = GrievanceResolutionForm(request.POST if "resolution" in request.POST else None)
    if request.method == "POST":
        try:
            if respond_form.is_bound and respond_form.is_valid():
                ondc_actions.do_respond_to_grievance(
                    grievance, respond_form.cleaned_data["text"], acting_user=user
                )
                messages.success(request, _("The buyer is told what is being done."))
                return redirect("grievance_detail", grievance_uuid=grievance.uuid)
            if resolve_form.is_bound and resolve_form.is_valid():
                data = resolve_form.cleaned_data
                ondc_actions.do_resolve_grievance(
                    grievance,
                    data["resolution"],
                    data["action"],
                    refund_amount=data.get("refund_amount"),
                    acting_user=user,
                )
                messages.success(request, _("The grievance is resolved; the buyer is told."))
                return redirect("grievance_detail", grievance_uuid=grievance.uuid)
        except ValidationError as error:
            _form_errors(resolve_form if resolve_form.is_bound else respond_form, error)
    now = timezone.now()
    return render(
        request,
        "channels/grievance_detail.html",
        {
            "grievance": grievance,
            "respond_form": respond_form,
            "resolve_form": resolve_form,
            "can_write": Grievance.objects.changeable_by(user).filter(pk=grievance.pk).exists(),
            "response_overdue": grievance.response_overdue(now),
            "resolution_overdue": grievance.resolution_overdue(now),
        },
    )


# --- consignments ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_only
def consignment_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if request.method == "POST":
        _deny_read_only(user)
    data = request.POST if request.method == "POST" else None
    warehouse_form = WarehouseForm(data if "add_warehouse" in request.POST else None)
    consignment_form = ConsignmentForm(
        data if "send_consignment" in request.POST else None,
        skus=Sku.objects.changeable_by(user),
        districts=_districts_to_choose(user),
    )
    if "add_warehouse" in request.POST and warehouse_form.is_valid():
        try:
            actions.do_add_warehouse(acting_user=user, **warehouse_form.cleaned_data)
        except ValidationError as error:
            _form_errors(warehouse_form, error)
        else:
            messages.success(request, _("Warehouse added."))
            return redirect("consignment_list")
    if "send_consignment" in request.POST and consignment_form.is_valid():
        values = consignment_form.cleaned_data
        try:
            consignment = actions.do_send_consignment(
                district=_working_district(values.get("district"), user),
                warehouse=values["warehouse"],
                lines=values["lines"],
                sent_on=values["sent_on"],
                reference=values["reference"],
                acting_user=user,
            )
        except ValidationError as error:
            _form_errors(consignment_form, error)
        else:
            messages.success(request, _("Consignment recorded; the stock has been moved."))
            return redirect("consignment_detail", consignment_uuid=consignment.uuid)
    consignments = (
        Consignment.objects.visible_to(user)
        .select_related("warehouse", "district")
        .annotate(line_count=Count("lines"))
        .order_by("-sent_on", "-id")
    )
    page = Paginator(consignments, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "channels/consignment_list.html",
        {
            "page": page,
            "filters_query": "",
            "warehouses": Warehouse.objects.all(),
            "warehouse_form": warehouse_form,
            "consignment_form": consignment_form,
            "can_write": user.can_write,
            "show_district": user.is_state_level,
        },
    )


@require_http_methods(["GET", "POST"])
@staff_only
def consignment_detail(request: HttpRequest, consignment_uuid: UUID) -> HttpResponse:
    user = current_user(request)
    records = Consignment.objects.select_related("warehouse", "district", "created_by")
    if request.method == "POST":
        consignment = get_changeable_or_deny(records, user, uuid=consignment_uuid)
        actions.do_receive_consignment(consignment, acting_user=user)
        messages.success(request, _("Marked as received at the warehouse."))
        return redirect("consignment_detail", consignment_uuid=consignment.uuid)
    consignment = get_visible_or_404(records, user, uuid=consignment_uuid)
    lines = list(consignment.lines.select_related("sku__product"))
    in_warehouse = dict(
        WarehouseStock.objects.filter(
            warehouse=consignment.warehouse, sku__in=[line.sku_id for line in lines]
        ).values_list("sku_id", "quantity")
    )
    return render(
        request,
        "channels/consignment_detail.html",
        {
            "consignment": consignment,
            "lines": [(line, in_warehouse.get(line.sku_id or 0, 0)) for line in lines],
            "can_write": Consignment.objects.changeable_by(user).filter(pk=consignment.pk).exists(),
        },
    )


# --- numbers -----------------------------------------------------------------------------------


@require_safe
@staff_only
def channel_numbers(request: HttpRequest) -> HttpResponse:
    from niryat.channels.numbers import channel_numbers as numbers_for

    user = current_user(request)
    district = None
    districts = None
    if user.is_state_level:
        districts = District.objects.visible_to(user).order_by("name_en")
        code = request.GET.get("district", "")
        if code.isdigit():
            district = get_visible_or_404(District.objects, user, lgd_code=int(code))
    else:
        district = user.district
    numbers = numbers_for(user, district)
    return render(
        request,
        "channels/numbers.html",
        {
            "district": district,
            "districts": districts,
            "numbers": numbers,
            "listings": [
                (ChannelCode(channel).label, Listing.State(state).label, count)
                for channel, state, count in numbers.listings_by_channel_state
            ],
            "sales": rupees(numbers.sales_inr),
            "by_odop": [
                (row.name, row.live_products, row.orders, rupees(row.sales_inr))
                for row in numbers.by_odop
            ],
            "by_district": [
                (row.name, row.live_products, row.orders, rupees(row.sales_inr))
                for row in numbers.by_district
            ],
        },
    )


# --- exchange rates ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_only
def exchange_rates(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if request.method == "POST":
        _deny_read_only(user)
    form = ExchangeRateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rate = actions.do_set_exchange_rate(
                form.cleaned_data["currency"], form.cleaned_data["inr_per_unit"], acting_user=user
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request,
                _("1 %(currency)s = ₹%(rate)s saved.")
                % {"currency": rate.currency, "rate": rate.inr_per_unit},
            )
            return redirect("exchange_rates")
    return render(
        request,
        "channels/exchange_rates.html",
        {
            "rates": ExchangeRate.objects.select_related("updated_by"),
            "form": form,
            "can_write": user.can_write,
        },
    )
