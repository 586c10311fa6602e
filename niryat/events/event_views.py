"""Pages of conclaves, exhibitions, buyer-seller meets and study visits; and the two public pages
a guest opens from a message (their RSVP and their feedback), which need no sign-in."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from niryat.catalog.models import Product
from niryat.core.access import staff_only
from niryat.core.models import District, User
from niryat.core.scoping import current_user, get_changeable_or_deny, get_visible_or_404
from niryat.events import check_in
from niryat.events.actions import (
    do_answer_rsvp,
    do_ask_for_feedback,
    do_assign_stall,
    do_create_event,
    do_give_feedback,
    do_invite_to_event,
    do_nominate,
    do_write_visit_report,
    guest_for_token,
)
from niryat.events.certificates import qr_svg
from niryat.events.codes import FEEDBACK_SALT, RSVP_SALT, guest_code, guest_token
from niryat.events.forms import (
    EventForm,
    FeedbackForm,
    NominationForm,
    ProducerFilterForm,
    RsvpForm,
    StallForm,
    VisitReportForm,
)
from niryat.events.models import Event, Feedback, Guest, Nomination, stall_label
from niryat.registry.models import Producer


def _errors(exc: ValidationError) -> list[str]:
    return [str(message) for message in exc.messages]


def _events() -> Any:
    return Event.objects.select_related("district").prefetch_related("partners")


def _can_change(event: Event, user: User) -> bool:
    return bool(Event.objects.changeable_by(user).filter(pk=event.pk).exists())


@require_safe
@staff_only
def event_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    events = (
        Event.objects.visible_to(user)
        .select_related("district")
        .annotate(guest_count=Count("guests"))[:100]
    )
    can_create = District.objects.changeable_by(user).exists()
    return render(request, "events/event_list.html", {"events": events, "can_create": can_create})


@staff_only
def event_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    districts = District.objects.changeable_by(user).order_by("name_en")
    if not districts.exists():
        raise PermissionDenied(_("You may read this record but not change it."))
    state_level = user.is_state_level and user.can_write
    initial = {"district": user.district} if user.district_id else {}
    form = EventForm(
        request.POST or None, districts=districts, state_level=state_level, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            event = do_create_event(
                form.cleaned_data["district"],
                values,
                form.cleaned_data["partners"],
                acting_user=user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Event created: %(title)s.") % {"title": event})
            return redirect("event_detail", uuid=event.uuid)
    return render(request, "events/event_form.html", {"form": form})


@require_safe
@staff_only
def event_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    user = current_user(request)
    event = get_visible_or_404(_events(), user, uuid=uuid)
    can_change = _can_change(event, user)
    guests = list(
        Guest.objects.visible_to(user)
        .filter(event=event)
        .select_related("producer", "feedback")
        .order_by("producer__name_key", "pk")
    )
    for guest in guests:
        guest.feedback_or_none = getattr(guest, "feedback", None)  # type: ignore[attr-defined]
    answers = {
        row["answer"]: row["n"]
        for row in event.guests.values("answer").annotate(n=Count("pk")).order_by()
    }
    feedback = Feedback.objects.filter(guest__event=event).aggregate(
        n=Count("pk"), average=Avg("rating")
    )
    nominations = (
        Nomination.objects.visible_to(user)
        .filter(event=event)
        .select_related("producer", "district")
    )
    nominate_form = None
    if event.is_state_level and user.can_write and user.district_id:
        nominate_form = NominationForm(producers=_nominable(user, event))
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "can_change": can_change,
            "guests": guests,
            "coming": answers.get(Guest.Answer.YES, 0),
            "not_coming": answers.get(Guest.Answer.NO, 0),
            "pending": answers.get(Guest.Answer.PENDING, 0),
            "checked_in": sum(1 for guest in guests if guest.checked_in_at),
            "feedback": feedback,
            "nominations": nominations,
            "nominate_form": nominate_form,
            "report_form": VisitReportForm(instance=event) if can_change else None,
            "stall_count": event.stalls.count(),
        },
    )


def _nominable(user: User, event: Event) -> Any:
    return (
        Producer.objects.changeable_by(user)
        .filter(erased_at__isnull=True)
        .exclude(nominations__event=event)
        .order_by("name_key", "pk")
    )


@staff_only
def event_invite(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Invite a filtered list of the registry: the ones ticked, or every one the filter finds
    (the 200 entrepreneurs of a district)."""
    user = current_user(request)
    event = get_changeable_or_deny(_events(), user, uuid=uuid)
    filters = ProducerFilterForm(request.GET or request.POST or None)
    producers = (
        Producer.objects.visible_to(user)
        .filter(erased_at__isnull=True)
        .exclude(event_places__event=event)
    )
    if event.district_id is not None:
        producers = producers.filter(district=event.district)
    if filters.is_valid():
        if filters.cleaned_data["q"]:
            producers = producers.search(filters.cleaned_data["q"])
        if filters.cleaned_data["stage"]:
            producers = producers.filter(stage=filters.cleaned_data["stage"])
    if request.method == "POST":
        if request.POST.get("all"):
            chosen = list(producers.select_related("district")[:2000])
        else:
            picked = request.POST.getlist("producer")[:2000]
            chosen = list(
                Producer.objects.visible_to(user).filter(uuid__in=picked).select_related("district")
            )
        if not chosen:
            messages.error(request, _("Pick at least one producer."))
            return redirect("event_invite", uuid=event.uuid)
        result = do_invite_to_event(event, chosen, acting_user=user)
        messages.success(request, _("Invitations sent: %(n)d.") % {"n": result.invited})
        for _producer, reason in result.refused:
            messages.error(request, reason)
        return redirect(reverse("event_detail", args=[event.uuid]) + "#guests")
    return render(
        request,
        "events/event_invite.html",
        {
            "event": event,
            "filters": filters if request.GET else ProducerFilterForm(),
            "producers": producers.order_by("name_key", "pk")[:300],
            "matching": producers.count(),
        },
    )


@staff_only
def event_stalls(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The floor grid: who has which stall, and a form to give a stall to a producer with
    their products."""
    user = current_user(request)
    event = get_visible_or_404(_events(), user, uuid=uuid)
    can_change = _can_change(event, user)
    if request.method == "POST" and not can_change:
        raise PermissionDenied(_("You may read this record but not change it."))
    producers = Producer.objects.visible_to(user).filter(
        event_places__event=event, erased_at__isnull=True
    )
    products = Product.objects.visible_to(user).filter(producer__in=producers)
    form = StallForm(request.POST or None, producers=producers, products=products)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                stall = do_assign_stall(
                    event,
                    data["row"],
                    data["column"],
                    data["producer"],
                    data["products"],
                    acting_user=user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("Stall %(stall)s: %(name)s.")
                    % {"stall": stall.label, "name": stall.producer},
                )
                return redirect("event_stalls", uuid=event.uuid)
        status = 400
    stalls = {
        (stall.row, stall.column): stall
        for stall in event.stalls.filter(producer__in=Producer.objects.visible_to(user))
        .select_related("producer")
        .prefetch_related("products")
    }
    taken_elsewhere = set(
        event.stalls.exclude(pk__in=[s.pk for s in stalls.values()]).values_list("row", "column")
    )
    grid = [
        [
            {
                "label": stall_label(row, column),
                "stall": stalls.get((row, column)),
                "taken": (row, column) in taken_elsewhere,
            }
            for column in range(1, event.floor_columns + 1)
        ]
        for row in range(1, event.floor_rows + 1)
    ]
    return render(
        request,
        "events/event_stalls.html",
        {"event": event, "grid": grid, "form": form, "can_change": can_change},
        status=status,
    )


@require_safe
@staff_only
def event_check_in(request: HttpRequest, uuid: UUID) -> HttpResponse:
    event = get_changeable_or_deny(_events(), current_user(request), uuid=uuid)
    return check_in.check_in_page(request, check_in.EventDesk(event))


@require_POST
@staff_only
def event_check_in_code(request: HttpRequest, uuid: UUID) -> HttpResponse:
    user = current_user(request)
    event = get_changeable_or_deny(_events(), user, uuid=uuid)
    return check_in.check_in_by_code(request, check_in.EventDesk(event), user)


@require_POST
@staff_only
def event_tick(request: HttpRequest, uuid: UUID, guest: UUID) -> HttpResponse:
    user = current_user(request)
    event = get_changeable_or_deny(_events(), user, uuid=uuid)
    return check_in.tick(request, check_in.EventDesk(event), guest, user)


@require_POST
@staff_only
def event_sync(request: HttpRequest, uuid: UUID) -> JsonResponse:
    """One check-in kept on the phone while offline, sent now (see `check_in.sync`)."""
    user = current_user(request)
    event = get_changeable_or_deny(_events(), user, uuid=uuid)
    return check_in.sync(request, check_in.EventDesk(event), user)


@require_safe
@staff_only
def guest_card(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """A guest's printable card with their check-in QR code and their two links."""
    guest = get_visible_or_404(
        Guest.objects.select_related("producer", "event"), current_user(request), uuid=uuid
    )
    code = guest_code(guest.pk, guest.event_id)
    return render(
        request,
        "events/guest_card.html",
        {
            "guest": guest,
            "event": guest.event,
            "code": code,
            "qr": qr_svg(code, scale=6),
            "rsvp_url": reverse("event_rsvp", args=[guest_token(str(guest.uuid), RSVP_SALT)]),
            "feedback_url": reverse(
                "event_feedback", args=[guest_token(str(guest.uuid), FEEDBACK_SALT)]
            ),
        },
    )


@require_POST
@staff_only
def event_ask_feedback(request: HttpRequest, uuid: UUID) -> HttpResponse:
    user = current_user(request)
    event = get_changeable_or_deny(_events(), user, uuid=uuid)
    result = do_ask_for_feedback(event, acting_user=user)
    messages.success(request, _("Feedback links sent: %(n)d.") % {"n": result.sent})
    return redirect(reverse("event_detail", args=[event.uuid]) + "#feedback")


@require_POST
@staff_only
def event_report(request: HttpRequest, uuid: UUID) -> HttpResponse:
    user = current_user(request)
    event = get_changeable_or_deny(_events(), user, uuid=uuid)
    form = VisitReportForm(request.POST, instance=Event.objects.get(pk=event.pk))
    if form.is_valid():
        do_write_visit_report(
            event,
            itinerary=form.cleaned_data["itinerary"],
            report=form.cleaned_data["report"],
            acting_user=user,
        )
        messages.success(request, _("Saved."))
    else:
        messages.error(request, _("The report could not be saved."))
    return redirect(reverse("event_detail", args=[event.uuid]) + "#report")


@require_POST
@staff_only
def event_nominate(request: HttpRequest, uuid: UUID) -> HttpResponse:
    user = current_user(request)
    event = get_visible_or_404(_events(), user, uuid=uuid)
    form = NominationForm(request.POST, producers=_nominable(user, event))
    if not form.is_valid():
        if not user.can_write:
            raise PermissionDenied(_("You may read this record but not change it."))
        messages.error(request, _("Pick a producer of your district."))
    else:
        try:
            nomination = do_nominate(
                event, form.cleaned_data["producer"], form.cleaned_data["reason"], acting_user=user
            )
        except ValidationError as exc:
            for message in _errors(exc):
                messages.error(request, message)
        else:
            messages.success(request, _("Nominated: %(name)s.") % {"name": nomination.producer})
    return redirect(reverse("event_detail", args=[event.uuid]) + "#nominations")


def _public_guest(token: str, salt: str) -> Guest:
    guest = guest_for_token(token, salt)
    if guest is None:
        raise Http404(_("This link is not valid."))
    return guest


def event_rsvp(request: HttpRequest, token: str) -> HttpResponse:
    """The page an invitation's link opens: the event, and yes or no (no sign-in)."""
    guest = _public_guest(token, RSVP_SALT)
    form = RsvpForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                guest = do_answer_rsvp(guest, form.cleaned_data["answer"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("event_rsvp", token=token)
        status = 400
    return render(
        request,
        "events/rsvp.html",
        {"guest": guest, "event": guest.event, "form": form},
        status=status,
    )


def event_feedback(request: HttpRequest, token: str) -> HttpResponse:
    """The page a guest's feedback link opens: a rating of 1 to 5 and a few words."""
    guest = _public_guest(token, FEEDBACK_SALT)
    form = FeedbackForm(request.POST or None)
    status = 200
    done = Feedback.objects.filter(guest=guest).exists()
    if request.method == "POST":
        if form.is_valid():
            try:
                do_give_feedback(guest, form.cleaned_data["rating"], form.cleaned_data["text"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("event_feedback", token=token)
        status = 400
    return render(
        request,
        "events/feedback.html",
        {"guest": guest, "event": guest.event, "form": form, "done": done},
        status=status,
    )
