"""Pages of trainings: programmes, sessions, participants, check-in and certificates."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from niryat.core.access import staff_only
from niryat.core.dates import format_date
from niryat.core.models import District, User
from niryat.core.scoping import current_user, get_changeable_or_deny, get_visible_or_404
from niryat.core.sheets import jobs
from niryat.core.sheets.reading import SheetError
from niryat.events import check_in
from niryat.events.actions import (
    do_add_session,
    do_create_programme,
    do_issue_certificates,
    do_register_participants,
    do_revoke_certificate,
    do_send_invitations,
)
from niryat.events.bulk_import import TRAINEE_IMPORTER
from niryat.events.certificates import certificate_pdf, qr_svg
from niryat.events.codes import check_in_code
from niryat.events.forms import (
    ProducerFilterForm,
    ProgrammeForm,
    RevokeForm,
    SessionForm,
    TraineeListForm,
)
from niryat.events.models import (
    Certificate,
    Participant,
    Programme,
    Session,
    TraineeImportJob,
)
from niryat.events.outcomes import programme_outcomes as programme_outcomes_of
from niryat.registry.models import Producer


def _messages_of(exc: ValidationError) -> list[str]:
    return [str(message) for message in exc.messages]


def _can_change(programme: Programme, user: User) -> bool:
    return bool(Programme.objects.changeable_by(user).filter(pk=programme.pk).exists())


@require_safe
@staff_only
def programme_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    programmes = (
        Programme.objects.visible_to(user)
        .select_related("district")
        .annotate(
            registered_count=Count(
                "participants", filter=Q(participants__status=Participant.Status.REGISTERED)
            )
        )[:100]
    )
    can_create = District.objects.changeable_by(user).exists()
    return render(
        request,
        "events/programme_list.html",
        {"programmes": programmes, "can_create": can_create},
    )


def _writable_districts(user: User) -> Any:
    return District.objects.changeable_by(user).order_by("name_en")


@staff_only
def programme_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    districts = _writable_districts(user)
    if not districts.exists():
        raise PermissionDenied(_("You may read this record but not change it."))
    initial = {"district": user.district} if user.district_id else {}
    form = ProgrammeForm(request.POST or None, districts=districts, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in ProgrammeForm.Meta.fields}
        try:
            programme = do_create_programme(form.cleaned_data["district"], values, acting_user=user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Programme created: %(title)s.") % {"title": programme})
            return redirect("programme_detail", uuid=programme.uuid)
    return render(request, "events/programme_form.html", {"form": form})


def _detail_page(
    request: HttpRequest,
    programme: Programme,
    session_form: SessionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = current_user(request)
    participants = list(
        programme.participants.exclude(status=Participant.Status.CANCELLED)
        .select_related("producer", "certificate")
        .annotate(attended=Count("attendances"))
        .order_by("status", "created_at", "pk")
    )
    for participant in participants:
        participant.certificate_or_none = getattr(participant, "certificate", None)  # type: ignore[attr-defined]
    return render(
        request,
        "events/programme_detail.html",
        {
            "programme": programme,
            "sessions": programme.sessions.all(),
            "participants": participants,
            "registered": [p for p in participants if p.status == Participant.Status.REGISTERED],
            "waiting": [p for p in participants if p.status == Participant.Status.WAITING],
            "can_change": _can_change(programme, user),
            "session_form": session_form or SessionForm(),
        },
        status=status,
    )


def _programme_qs() -> Any:
    return Programme.objects.select_related("district", "partner")


@require_safe
@staff_only
def programme_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    programme = get_visible_or_404(_programme_qs(), current_user(request), uuid=uuid)
    return _detail_page(request, programme)


@require_POST
@staff_only
def session_new(request: HttpRequest, uuid: UUID) -> HttpResponse:
    user = current_user(request)
    programme = get_changeable_or_deny(_programme_qs(), user, uuid=uuid)
    form = SessionForm(request.POST)
    if form.is_valid():
        values = {name: form.cleaned_data[name] for name in SessionForm.Meta.fields}
        try:
            do_add_session(programme, values, acting_user=user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Session added."))
            return redirect(reverse("programme_detail", args=[programme.uuid]) + "#sessions")
    return _detail_page(request, programme, session_form=form, status=400)


@staff_only
def programme_pick(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Pick producers of the programme's district from the registry (filtered) and register
    them."""
    user = current_user(request)
    programme = get_changeable_or_deny(_programme_qs(), user, uuid=uuid)
    if request.method == "POST":
        picked = request.POST.getlist("producer")
        chosen = list(Producer.objects.visible_to(user).filter(uuid__in=picked[:1000]))
        if not chosen:
            messages.error(request, _("Pick at least one producer."))
            return redirect("programme_pick", uuid=programme.uuid)
        result = do_register_participants(programme, chosen, acting_user=user)
        if result.registered:
            messages.success(
                request,
                _("Registered: %(n)d.") % {"n": len(result.registered)},
            )
        if result.waiting:
            messages.warning(
                request,
                _("The programme is full: %(n)d put on the waiting list.")
                % {"n": len(result.waiting)},
            )
        for _producer, reason in result.refused:
            messages.error(request, reason)
        return redirect(reverse("programme_detail", args=[programme.uuid]) + "#participants")
    filters = ProducerFilterForm(request.GET or None)
    producers = (
        Producer.objects.visible_to(user)
        .filter(district=programme.district, erased_at__isnull=True)
        .exclude(
            training_places__programme=programme,
            training_places__status__in=[
                Participant.Status.REGISTERED,
                Participant.Status.WAITING,
            ],
        )
    )
    if filters.is_valid():
        if filters.cleaned_data["q"]:
            producers = producers.search(filters.cleaned_data["q"])
        if filters.cleaned_data["stage"]:
            producers = producers.filter(stage=filters.cleaned_data["stage"])
    return render(
        request,
        "events/pick_producers.html",
        {
            "programme": programme,
            "filters": filters if request.GET else ProducerFilterForm(),
            "producers": producers.order_by("name_key", "pk")[:300],
            "taken": programme.participants.registered().count(),
        },
    )


@staff_only
def programme_import(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Upload a list of trainees for the programme (the import framework checks and imports
    it; its job pages show the progress and any row's error)."""
    user = current_user(request)
    programme = get_changeable_or_deny(_programme_qs(), user, uuid=uuid)
    form = TraineeListForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.start_job(
                TRAINEE_IMPORTER,
                programme.district,
                form.cleaned_data["file"],
                acting_user=user,
                language=translation.get_language(),
                programme=programme,
            )
        except (SheetError, ValidationError) as exc:
            form.add_error("file", str(exc) if isinstance(exc, SheetError) else exc)
        else:
            if job.status == TraineeImportJob.Status.MAPPING:
                return redirect("trainees_import_columns", job_uuid=job.uuid)
            return redirect("trainees_import_job", job_uuid=job.uuid)
    imports = TraineeImportJob.objects.filter(programme=programme).defer("errors")[:10]
    return render(
        request,
        "events/import.html",
        {"programme": programme, "form": form, "imports": imports},
    )


@require_safe
@staff_only
def trainee_imports(request: HttpRequest) -> HttpResponse:
    """The trainee lists uploaded lately (each is uploaded on its programme's page)."""
    imports = (
        TraineeImportJob.objects.visible_to(current_user(request))
        .select_related("programme")
        .defer("errors")[:20]
    )
    return render(request, "events/imports.html", {"imports": imports})


@require_POST
@staff_only
def programme_invite(request: HttpRequest, uuid: UUID) -> HttpResponse:
    user = current_user(request)
    programme = get_changeable_or_deny(_programme_qs(), user, uuid=uuid)
    try:
        result = do_send_invitations(programme, acting_user=user)
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("Invitations sent: %(n)d.") % {"n": result.sent})
        for participant, reason in result.refused:
            messages.error(
                request,
                _("Not sent to %(name)s: %(reason)s")
                % {"name": participant.producer, "reason": reason},
            )
    return redirect(reverse("programme_detail", args=[programme.uuid]) + "#participants")


@require_POST
@staff_only
def programme_certify(request: HttpRequest, uuid: UUID) -> HttpResponse:
    user = current_user(request)
    programme = get_changeable_or_deny(_programme_qs(), user, uuid=uuid)
    issued, absent = do_issue_certificates(programme, acting_user=user)
    messages.success(request, _("Certificates issued: %(n)d.") % {"n": len(issued)})
    if absent:
        messages.warning(
            request,
            _("%(n)d registered participants did not attend and get no certificate.")
            % {"n": absent},
        )
    return redirect(reverse("programme_detail", args=[programme.uuid]) + "#participants")


@require_safe
@staff_only
def participant_card(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The participant's printable check-in card with their QR code."""
    participant = get_visible_or_404(
        Participant.objects.select_related("producer", "programme"),
        current_user(request),
        uuid=uuid,
    )
    if participant.status != Participant.Status.REGISTERED:
        raise Http404(_("Only a registered participant has a check-in card."))
    code = check_in_code(participant.pk, participant.programme_id)
    return render(
        request,
        "events/card.html",
        {
            "participant": participant,
            "programme": participant.programme,
            "session": participant.programme.sessions.first(),
            "code": code,
            "qr": qr_svg(code, scale=6),
        },
    )


def _session_qs() -> Any:
    return Session.objects.select_related("programme", "programme__district")


@require_safe
@staff_only
def session_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_changeable_or_deny(_session_qs(), current_user(request), pk=pk)
    return check_in.check_in_page(request, check_in.SessionDesk(session))


@require_POST
@staff_only
def session_check_in_code(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    session = get_changeable_or_deny(_session_qs(), user, pk=pk)
    return check_in.check_in_by_code(request, check_in.SessionDesk(session), user)


@require_POST
@staff_only
def session_tick(request: HttpRequest, pk: int, participant: UUID) -> HttpResponse:
    user = current_user(request)
    session = get_changeable_or_deny(_session_qs(), user, pk=pk)
    return check_in.tick(request, check_in.SessionDesk(session), participant, user)


@require_POST
@staff_only
def session_sync(request: HttpRequest, pk: int) -> JsonResponse:
    """One check-in kept on the phone while offline, sent now (see `check_in.sync`)."""
    user = current_user(request)
    session = get_changeable_or_deny(_session_qs(), user, pk=pk)
    return check_in.sync(request, check_in.SessionDesk(session), user)


def _certificate_qs() -> Any:
    return Certificate.objects.select_related(
        "participant__producer", "participant__programme__district", "participant__programme"
    )


@require_safe
@staff_only
def certificate_pdf_view(request: HttpRequest, uuid: UUID, language: str) -> HttpResponse:
    if language not in {"hi", "en"}:
        raise Http404
    certificate = get_visible_or_404(_certificate_qs(), current_user(request), uuid=uuid)
    url = request.build_absolute_uri(reverse("certificate_verify", args=[certificate.uuid]))
    pdf = certificate_pdf(certificate, language, url)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"certificate-{certificate.number.replace('/', '-')}-{language}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_POST
@staff_only
def certificate_revoke(request: HttpRequest, uuid: UUID) -> HttpResponse:
    user = current_user(request)
    certificate = get_changeable_or_deny(_certificate_qs(), user, uuid=uuid)
    form = RevokeForm(request.POST)
    programme = certificate.participant.programme
    if not form.is_valid():
        messages.error(request, _("Say why the certificate is revoked."))
    else:
        try:
            do_revoke_certificate(certificate, reason=form.cleaned_data["reason"], acting_user=user)
        except ValidationError as exc:
            for message in _messages_of(exc):
                messages.error(request, message)
        else:
            messages.success(request, _("Certificate revoked: %(n)s.") % {"n": certificate.number})
    return redirect(reverse("programme_detail", args=[programme.uuid]) + "#participants")


@require_safe
def certificate_verify(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The public page a certificate's QR code opens: name, programme and date, nothing else."""
    certificate = (
        Certificate.objects.select_related("participant__producer", "participant__programme")
        .filter(uuid=uuid)
        .first()
    )
    if certificate is None:
        raise Http404(_("There is no such certificate."))
    programme = certificate.participant.programme
    sessions = list(programme.sessions.values_list("date", flat=True))
    if len(sessions) > 1:
        date = f"{format_date(sessions[0])} – {format_date(sessions[-1])}"
    else:
        date = format_date(sessions[0] if sessions else certificate.issued_on)
    return render(
        request,
        "events/verify.html",
        {
            "certificate": certificate,
            "name": str(certificate.participant.producer),
            "programme": programme,
            "date": date,
        },
    )


@require_safe
@staff_only
def programme_outcomes(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """What the programme changed: how many of those it trained are now catalogued, listed,
    selling and exporting, and how soon after the training."""
    programme = get_visible_or_404(_programme_qs(), current_user(request), uuid=uuid)
    outcomes = programme_outcomes_of(programme)
    rows = [{"outcome": outcome, "share": outcomes.share(outcome)} for outcome in outcomes.stages]
    return render(
        request,
        "events/outcomes.html",
        {"programme": programme, "outcomes": outcomes, "rows": rows},
    )
