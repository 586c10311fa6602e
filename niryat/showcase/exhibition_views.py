"""Online exhibitions: the public pages (an exhibition's halls and exhibitors, an exhibitor's
products), cached like the rest of the showcase, and the staff's pages that set one up for an
exhibition event and show each exhibitor's visits and enquiries."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from niryat.catalog.models import Product, ProductImage
from niryat.catalog.vocabulary import has_devanagari
from niryat.core.access import staff_only
from niryat.core.models import User
from niryat.core.scoping import current_user, get_changeable_or_deny, get_visible_or_404
from niryat.events.models import Event
from niryat.showcase import actions
from niryat.showcase.forms import ExhibitionForm, ExhibitorForm, ExhibitorProductsForm, HallForm
from niryat.showcase.models import (
    Enquiry,
    Exhibition,
    Exhibitor,
    Hall,
    shown_producers,
    shown_products,
)
from niryat.showcase.page_cache import cached_page
from niryat.showcase.views import public_language

# Product photos per exhibitor on the exhibition's page; the rest are on the exhibitor's page.
CARDS_PER_EXHIBITOR = 4


def _shown_cards() -> QuerySet[Product]:
    return (
        shown_products()
        .select_related("producer", "district")
        .prefetch_related(
            Prefetch(
                "images",
                queryset=ProductImage.objects.filter(status=ProductImage.Status.READY).order_by(
                    "position", "id"
                ),
                to_attr="ready_images",
            )
        )
        .order_by("name_en", "id")
    )


def shown_halls(exhibition: Exhibition) -> list[Hall]:
    """The halls in order, each with `shown` exhibitors: producers still on the showcase, with
    their products still on it (a withdrawal or a deletion leaves at once)."""
    exhibitors = (
        Exhibitor.objects.filter(producer__in=shown_producers())
        .select_related("producer")
        .prefetch_related(Prefetch("products", queryset=_shown_cards(), to_attr="shown_products"))
        .order_by("producer__name_key", "id")
    )
    halls: list[Hall] = list(
        exhibition.halls.prefetch_related(
            Prefetch("exhibitors", queryset=exhibitors, to_attr="all_exhibitors")
        )
    )
    for hall in halls:
        hall.shown = [  # type: ignore[attr-defined]
            exhibitor
            for exhibitor in hall.all_exhibitors  # type: ignore[attr-defined]
            if exhibitor.shown_products
        ]
    return halls


@require_safe
@public_language
def exhibition(request: HttpRequest, exhibition_uuid: UUID) -> HttpResponse:
    """An online exhibition: before it opens, when it opens; open, its halls with exhibitors
    and their products; after it closes, the same as an archive."""
    today = timezone.localdate()

    def build() -> HttpResponse:
        found = Exhibition.objects.select_related("event__district").filter(uuid=exhibition_uuid)
        record = found.first()
        if record is None:
            raise Http404
        phase = record.phase(today)
        halls = shown_halls(record) if phase != Exhibition.Phase.UPCOMING else []
        return render(
            request,
            "showcase/exhibition.html",
            {
                "exhibition": record,
                "phase": phase,
                "halls": [hall for hall in halls if hall.shown],  # type: ignore[attr-defined]
                "cards_per_exhibitor": CARDS_PER_EXHIBITOR,
            },
        )

    # The page changes the day the exhibition opens or closes, not only when a record does.
    return cached_page(request, build, vary=today.isoformat())


@require_safe
@public_language
def exhibitor(request: HttpRequest, exhibition_uuid: UUID, exhibitor_uuid: UUID) -> HttpResponse:
    """An exhibitor's stand: their products (linking to the showcase's product pages) with a
    trade enquiry that counts for this exhibition. Each opening of the page counts one visit."""
    today = timezone.localdate()

    def build() -> HttpResponse:
        record = (
            Exhibitor.objects.filter(
                uuid=exhibitor_uuid,
                exhibition__uuid=exhibition_uuid,
                exhibition__opens_on__lte=today,
                producer__in=shown_producers(),
            )
            .select_related(
                "exhibition__event__district",
                "hall",
                "producer__district",
                "producer__showcase_profile",
            )
            .first()
        )
        if record is None:
            raise Http404
        products = list(_shown_cards().filter(exhibits=record))
        if not products:
            raise Http404
        profile = getattr(record.producer, "showcase_profile", None)
        return render(
            request,
            "showcase/exhibitor.html",
            {
                "exhibition": record.exhibition,
                "phase": record.exhibition.phase(today),
                "exhibitor": record,
                "products": products,
                "story": profile.story if profile else "",
            },
        )

    response = cached_page(request, build, vary=today.isoformat())
    # Counted once the page is known to be shown (a hidden one raised 404 above).
    if request.method == "GET":
        actions.count_visit(exhibition_uuid, exhibitor_uuid, today=today)
    return response


# --- staff -----------------------------------------------------------------------------------


def _errors_into(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


def _can_change(exhibition: Exhibition, user: User) -> bool:
    return Exhibition.objects.changeable_by(user).filter(pk=exhibition.pk).exists()


@require_safe
@staff_only
def exhibition_list(request: HttpRequest) -> HttpResponse:
    """The online exhibitions the user may see, and the exhibition events they may give one."""
    user = current_user(request)
    today = timezone.localdate()
    exhibitions = list(
        Exhibition.objects.visible_to(user)
        .select_related("event__district")
        .annotate(exhibitor_count=Count("exhibitors"))[:200]
    )
    for record in exhibitions:
        record.current_phase = record.phase(today)  # type: ignore[attr-defined]
    waiting = (
        Event.objects.changeable_by(user)
        .filter(kind=Event.Kind.EXHIBITION, online_exhibition__isnull=True)
        .select_related("district")[:100]
    )
    return render(
        request,
        "showcase/exhibition_list.html",
        {"exhibitions": exhibitions, "waiting": waiting},
    )


@require_http_methods(["GET", "POST"])
@staff_only
def exhibition_set_up(request: HttpRequest, event_uuid: UUID) -> HttpResponse:
    """An exhibition event's online exhibition: its title and the dates it is open."""
    user = current_user(request)
    event = get_changeable_or_deny(
        Event.objects.filter(kind=Event.Kind.EXHIBITION).select_related("district"),
        user,
        uuid=event_uuid,
    )
    existing = Exhibition.objects.filter(event=event).first()
    if existing is not None:
        initial = {
            "title_en": existing.title_en,
            "title_hi": existing.title_hi,
            "opens_on": existing.opens_on,
            "closes_on": existing.closes_on,
        }
    else:
        # The event's title goes in as the title in its own script.
        title_field = "title_hi" if has_devanagari(event.title) else "title_en"
        initial = {
            title_field: event.title,
            "opens_on": event.starts_on,
            "closes_on": event.ends_on,
        }
    form = ExhibitionForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                record = actions.do_set_exhibition(event, form.exhibition_input(), acting_user=user)
            except ValidationError as error:
                _errors_into(form, error)
            else:
                messages.success(request, _("The online exhibition was saved."))
                return redirect("exhibition_manage", exhibition_uuid=record.uuid)
        status = 400
    return render(
        request,
        "showcase/exhibition_form.html",
        {"event": event, "form": form, "existing": existing},
        status=status,
    )


def _manage_page(
    request: HttpRequest,
    record: Exhibition,
    *,
    hall_form: HallForm | None = None,
    exhibitor_form: ExhibitorForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = current_user(request)
    can_change = _can_change(record, user)
    shown_ids = set(
        shown_producers().filter(exhibits__exhibition=record).values_list("pk", flat=True)
    )
    enquiries = dict(
        Enquiry.objects.filter(exhibition=record)
        .values("producer")
        .annotate(n=Count("pk"))
        .values_list("producer", "n")
        .order_by()
    )
    exhibitors = (
        Exhibitor.objects.select_related("producer")
        .annotate(product_count=Count("products"))
        .order_by("producer__name_key", "id")
    )
    halls = list(
        record.halls.prefetch_related(Prefetch("exhibitors", queryset=exhibitors, to_attr="listed"))
    )
    for hall in halls:
        for row in hall.listed:  # type: ignore[attr-defined]
            row.enquiry_count = enquiries.get(row.producer_id, 0)  # type: ignore[attr-defined]
            row.is_shown = row.producer_id in shown_ids  # type: ignore[attr-defined]
    if can_change:
        hall_form = hall_form or HallForm()
        exhibitor_form = exhibitor_form or ExhibitorForm(
            halls=record.halls.all(), producers=_addable(record)
        )
    return render(
        request,
        "showcase/exhibition_manage.html",
        {
            "exhibition": record,
            "phase": record.phase(timezone.localdate()),
            "halls": halls,
            "can_change": can_change,
            "hall_form": hall_form if can_change else None,
            "exhibitor_form": exhibitor_form if can_change else None,
            "totals": {
                "visits": sum(
                    row.visits
                    for hall in halls
                    for row in hall.listed  # type: ignore[attr-defined]
                ),
                "enquiries": sum(enquiries.values()),
            },
        },
        status=status,
    )


def _addable(record: Exhibition) -> QuerySet[Any]:
    return (
        actions.exhibitable_producers(record.event)
        .exclude(exhibits__exhibition=record)
        .order_by("name_key", "pk")
    )


def _visible_exhibition(request: HttpRequest, exhibition_uuid: UUID) -> Exhibition:
    return get_visible_or_404(
        Exhibition.objects.select_related("event__district"),
        current_user(request),
        uuid=exhibition_uuid,
    )


def _changeable_exhibition(request: HttpRequest, exhibition_uuid: UUID) -> Exhibition:
    return get_changeable_or_deny(
        Exhibition.objects.select_related("event__district"),
        current_user(request),
        uuid=exhibition_uuid,
    )


@require_safe
@staff_only
def exhibition_manage(request: HttpRequest, exhibition_uuid: UUID) -> HttpResponse:
    """The staff's page of an online exhibition: halls, exhibitors with their visits and
    enquiries, and the forms to add halls and exhibitors."""
    return _manage_page(request, _visible_exhibition(request, exhibition_uuid))


@require_POST
@staff_only
def hall_add(request: HttpRequest, exhibition_uuid: UUID) -> HttpResponse:
    record = _changeable_exhibition(request, exhibition_uuid)
    form = HallForm(request.POST)
    if form.is_valid():
        try:
            actions.do_add_hall(
                record,
                name_en=form.cleaned_data["name_en"],
                name_hi=form.cleaned_data["name_hi"],
                acting_user=current_user(request),
            )
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, _("The hall was added."))
            return redirect("exhibition_manage", exhibition_uuid=record.uuid)
    return _manage_page(request, record, hall_form=form, status=400)


@require_POST
@staff_only
def hall_remove(request: HttpRequest, hall_id: int) -> HttpResponse:
    user = current_user(request)
    hall = Hall.objects.filter(
        pk=hall_id, exhibition__in=Exhibition.objects.visible_to(user)
    ).first()
    if hall is None:
        raise Http404
    record = _changeable_exhibition(request, hall.exhibition.uuid)
    try:
        actions.do_remove_hall(hall, acting_user=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The hall was removed."))
    return redirect("exhibition_manage", exhibition_uuid=record.uuid)


@require_POST
@staff_only
def exhibitor_add(request: HttpRequest, exhibition_uuid: UUID) -> HttpResponse:
    record = _changeable_exhibition(request, exhibition_uuid)
    form = ExhibitorForm(request.POST, halls=record.halls.all(), producers=_addable(record))
    if form.is_valid():
        try:
            added = actions.do_add_exhibitor(
                record,
                form.cleaned_data["hall"],
                form.cleaned_data["producer"],
                acting_user=current_user(request),
            )
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(
                request,
                _("%(name)s exhibits in %(hall)s.") % {"name": added.producer, "hall": added.hall},
            )
            return redirect("exhibition_manage", exhibition_uuid=record.uuid)
    return _manage_page(request, record, exhibitor_form=form, status=400)


def _exhibitor_for(request: HttpRequest, exhibitor_uuid: UUID, *, change: bool) -> Exhibitor:
    user = current_user(request)
    found = (
        Exhibitor.objects.filter(
            uuid=exhibitor_uuid, exhibition__in=Exhibition.objects.visible_to(user)
        )
        .select_related("exhibition__event__district", "producer", "hall")
        .first()
    )
    if found is None:
        raise Http404(_("Not found, or not in your district."))
    if change and not _can_change(found.exhibition, user):
        raise PermissionDenied(_("You may read this record but not change it."))
    return found


@require_http_methods(["GET", "POST"])
@staff_only
def exhibitor_edit(request: HttpRequest, exhibitor_uuid: UUID) -> HttpResponse:
    """An exhibitor's hall and the products of theirs shown."""
    found = _exhibitor_for(request, exhibitor_uuid, change=request.method == "POST")
    can_change = _can_change(found.exhibition, current_user(request))
    form = ExhibitorProductsForm(
        request.POST or None,
        halls=found.exhibition.halls.all(),
        products=shown_products().filter(producer=found.producer).order_by("name_en", "id"),
        initial={"hall": found.hall, "products": list(found.products.all())},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.do_update_exhibitor(
                    found,
                    form.cleaned_data["hall"],
                    form.cleaned_data["products"],
                    acting_user=current_user(request),
                )
            except ValidationError as error:
                _errors_into(form, error)
            else:
                messages.success(request, _("The exhibitor was saved."))
                return redirect("exhibition_manage", exhibition_uuid=found.exhibition.uuid)
        status = 400
    return render(
        request,
        "showcase/exhibitor_form.html",
        {"exhibitor": found, "form": form, "can_change": can_change},
        status=status,
    )


@require_POST
@staff_only
def exhibitor_remove(request: HttpRequest, exhibitor_uuid: UUID) -> HttpResponse:
    found = _exhibitor_for(request, exhibitor_uuid, change=True)
    actions.do_remove_exhibitor(found, acting_user=current_user(request))
    messages.success(request, _("%(name)s left the exhibition.") % {"name": found.producer})
    return redirect("exhibition_manage", exhibition_uuid=found.exhibition.uuid)
