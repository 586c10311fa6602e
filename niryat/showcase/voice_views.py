"""Producers' voices: the staff's list with the district's averages, a producer's feedback and
the consent to show it, the producer's own page to send feedback, and the public page of a
district's testimonials (cached like every showcase page)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Avg, Count
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from niryat.channels.models import ChannelCode
from niryat.core.access import role_required, staff_only
from niryat.core.models import District, Role, User
from niryat.core.scoping import current_user, get_changeable_or_deny, get_visible_or_404
from niryat.events.models import Feedback as EventFeedback
from niryat.events.models import Guest
from niryat.registry.models import Producer
from niryat.showcase import voice_actions
from niryat.showcase.models import Feedback, FeedbackQuerySet
from niryat.showcase.page_cache import cached_page
from niryat.showcase.views import _page_number, _param, public_language
from niryat.showcase.voice_forms import AgreeForm, FeedbackForm, VoiceFilterForm

PER_PAGE = 50


def shown_voices() -> FeedbackQuerySet:
    """Testimonials for a public page, with what the page shows of each."""
    return Feedback.objects.shown().select_related(
        "producer__odop_product", "programme", "district"
    )


def _form_errors(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


def _subject(row: dict[str, Any]) -> str:
    if row["about"] == Feedback.About.TRAINING and row["programme__title"]:
        return str(row["programme__title"])
    if row["about"] == Feedback.About.MARKETPLACE and row["channel"]:
        return str(ChannelCode(row["channel"]).label)
    return str(Feedback.About(row["about"]).label)


# --- staff -----------------------------------------------------------------------------------


@require_safe
@staff_only
def voice_list(request: HttpRequest) -> HttpResponse:
    """The district's feedback from producers, by subject and rating, with the average per
    subject; guests' feedback on events is counted from the events' own records."""
    user = current_user(request)
    params = {"about": _param(request, "about", 12), "rating": _param(request, "rating", 2)}
    form = VoiceFilterForm(params)
    form.is_valid()
    visible = Feedback.objects.visible_to(user)
    averages = [
        {**row, "subject": _subject(row), "about_label": Feedback.About(row["about"]).label}
        for row in visible.averages()
    ]
    events = EventFeedback.objects.filter(guest__in=Guest.objects.visible_to(user)).aggregate(
        average=Avg("rating"), count=Count("pk")
    )
    records = (
        visible.filtered(params)
        .with_agreement()
        .select_related("producer", "programme", "district")
    )
    page = Paginator(records, PER_PAGE).get_page(_page_number(request))
    filters = {key: value for key, value in params.items() if value}
    return render(
        request,
        "showcase/voices/list.html",
        {
            "form": form,
            "page": page,
            "averages": averages,
            "events": events,
            "filters_query": urlencode(filters),
        },
    )


@require_http_methods(["GET", "POST"])
@staff_only
def producer_voices(request: HttpRequest, producer_uuid: UUID) -> HttpResponse:
    """A producer's feedback, and the form for staff to record a new one (with, if the
    producer agrees, their consent to show it on the showcase)."""
    user = current_user(request)
    producer = get_visible_or_404(
        Producer.objects.select_related("district"), user, uuid=producer_uuid
    )
    form = FeedbackForm(request.POST or None, producer=producer, own=False)
    status = 200
    if request.method == "POST":
        producer = get_changeable_or_deny(Producer.objects.all(), user, uuid=producer_uuid)
        if form.is_valid():
            try:
                voice_actions.do_record_feedback(
                    producer,
                    form.feedback_input(),
                    show_publicly=form.cleaned_data["show_publicly"],
                    consent_method=form.cleaned_data.get("consent_method") or "",
                    acting_user=user,
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("The feedback was recorded."))
                return redirect("producer_voices", producer_uuid=producer.uuid)
        status = 400
    can_change = Producer.objects.changeable_by(user).filter(pk=producer.pk).exists()
    return render(
        request,
        "showcase/voices/producer.html",
        {
            "producer": producer,
            "voices": _with_testimonials(Feedback.objects.filter(producer=producer)),
            "form": form,
            "can_change": can_change,
        },
        status=status,
    )


def _with_testimonials(records: FeedbackQuerySet) -> FeedbackQuerySet:
    return records.with_agreement().select_related("programme", "recorded_by")


@require_http_methods(["GET", "POST"])
@staff_only
def voice_detail(request: HttpRequest, feedback_uuid: UUID) -> HttpResponse:
    """One feedback, whether it may be shown and the history of that consent; staff record the
    producer's agreement or its withdrawal."""
    user = current_user(request)
    feedback = get_visible_or_404(
        Feedback.objects.select_related("producer", "programme", "recorded_by"),
        user,
        uuid=feedback_uuid,
    )
    form = AgreeForm(
        request.POST if request.POST.get("action") == "agree" else None,
        initial={"agreed_on": timezone.localdate()},
    )
    if request.method == "POST":
        feedback = get_changeable_or_deny(
            Feedback.objects.select_related("producer"), user, uuid=feedback_uuid
        )
        try:
            if request.POST.get("action") == "withdraw":
                voice_actions.do_withdraw_testimonial(feedback, acting_user=user)
                messages.success(request, _("It is no longer shown on the public showcase."))
                return redirect("voice_detail", feedback_uuid=feedback.uuid)
            if form.is_valid():
                voice_actions.do_agree_to_show(
                    feedback,
                    agreed_on=form.cleaned_data["agreed_on"],
                    method=form.cleaned_data["method"],
                    acting_user=user,
                )
                messages.success(request, _("The producer's consent to show it was recorded."))
                return redirect("voice_detail", feedback_uuid=feedback.uuid)
        except ValidationError as error:
            _form_errors(form, error)
    can_change = Feedback.objects.changeable_by(user).filter(pk=feedback.pk).exists()
    return render(
        request,
        "showcase/voices/detail.html",
        {
            "feedback": feedback,
            "agreed": feedback.open_testimonial(),
            "history": feedback.testimonials.select_related("recorded_by", "withdrawn_by"),
            "shown": Feedback.objects.shown().filter(pk=feedback.pk).exists(),
            "form": form,
            "can_change": can_change,
        },
        status=400 if form.errors else 200,
    )


# --- the producer's own page ------------------------------------------------------------------


def _own_producer(user: User) -> Producer:
    producer: Producer | None = (
        Producer.objects.visible_to(user).active().select_related("district").first()
    )
    if producer is None:
        raise PermissionDenied(_("Your sign-in is not linked to a producer record yet."))
    return producer


@require_http_methods(["GET", "POST"])
@role_required(Role.PRODUCER)
def my_feedback(request: HttpRequest) -> HttpResponse:
    """The producer tells the centre what they think of a training, a marketplace or the
    centre, and may let it be shown on the showcase; their feedback so far, each with a button
    to stop showing it."""
    user = current_user(request)
    producer = _own_producer(user)
    form = FeedbackForm(request.POST or None, producer=producer, own=True)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                voice_actions.do_record_feedback(
                    producer,
                    form.feedback_input(),
                    show_publicly=form.cleaned_data["show_publicly"],
                    acting_user=user,
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Thank you. The centre has your feedback."))
                return redirect("my_feedback")
        status = 400
    return render(
        request,
        "showcase/voices/mine.html",
        {
            "producer": producer,
            "form": form,
            "voices": _with_testimonials(Feedback.objects.visible_to(user)),
        },
        status=status,
    )


@require_POST
@role_required(Role.PRODUCER)
def my_feedback_withdraw(request: HttpRequest, feedback_uuid: UUID) -> HttpResponse:
    """The producer stops their feedback being shown on the showcase, at once."""
    user = current_user(request)
    feedback = get_object_or_404(
        Feedback.objects.visible_to(user).select_related("producer"), uuid=feedback_uuid
    )
    voice_actions.do_withdraw_testimonial(feedback, acting_user=user)
    messages.success(request, _("Your words are no longer shown on the public showcase."))
    return redirect("my_feedback")


# --- public ----------------------------------------------------------------------------------


@require_safe
@public_language
def district_voices(request: HttpRequest, lgd_code: int) -> HttpResponse:
    """What the district's producers say, in their words, where they agreed to it being shown."""

    def build() -> HttpResponse:
        place = get_object_or_404(District, lgd_code=lgd_code)
        voices = shown_voices().filter(district=place)
        page = Paginator(voices, 20).get_page(_page_number(request))
        return render(request, "showcase/voices/public.html", {"district": place, "page": page})

    return cached_page(request, build)
