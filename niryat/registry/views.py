"""Producer pages: register, find, read, edit, the funnel stage, consent, groups, and a producer's
data export and erasure on request. Thin: fetch through scoping, call an action, render.

Producers themselves have their own pages (the portal); these are for the centre, the district
officer and the state. Read-only roles see every page without its forms, and their POSTs get 403.
"""

from __future__ import annotations

import io
import json
import logging
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models, transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from openpyxl import Workbook

from niryat.core.access import staff_only
from niryat.core.messaging import MessageNotSent, gateway
from niryat.core.models import AuditEntry, District, OdopProduct, User
from niryat.core.scoping import current_user, get_changeable_or_deny, get_visible_or_404
from niryat.core.text import xlsx_safe
from niryat.registry import actions, otp, rules
from niryat.registry.forms import (
    ConsentForm,
    MemberForm,
    ProducerForm,
    RegistrationConsentForm,
    StageForm,
)
from niryat.registry.hooks import withdrawal_consequences
from niryat.registry.models import (
    Activity,
    Consent,
    DuplicateFlag,
    Gender,
    Kind,
    Membership,
    MergedProducer,
    Producer,
    ProducerQuerySet,
    SocialCategory,
    Stage,
)
from niryat.registry.next_steps import STAFF_LABELS
from niryat.registry.personal_data import held_data
from niryat.registry.transliterate import is_devanagari, to_latin

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
# How many producers the "add a member" search offers before asking for more of the name.
MEMBER_CHOICES = 20

# The register and edit form, in the groups people fill it in.
FIELD_GROUPS = [
    (
        gettext_lazy("Who"),
        ["kind", "name_hi", "name_latin", "gender", "women_led", "social_category"],
    ),
    (gettext_lazy("What they make"), ["odop_product", "activities"]),
    (gettext_lazy("Where"), ["village", "tehsil", "pin"]),
    (gettext_lazy("Contact"), ["mobile", "email"]),
    (gettext_lazy("Bank"), ["bank_ifsc", "bank_account"]),
    (gettext_lazy("Identifiers"), ["gstin", "pan", "iec", "udyam", "aadhaar"]),
]

AUDIT_ACTIONS = {
    "producer.register": gettext_lazy("Registered"),
    "producer.update": gettext_lazy("Details changed"),
    "producer.stage": gettext_lazy("Stage moved"),
    "producer.consent": gettext_lazy("Consent recorded"),
    "producer.merge": gettext_lazy("Merged with a duplicate record"),
    "producer.erase": gettext_lazy("Personal data erased"),
    "producer.enable_sign_in": gettext_lazy("Sign-in enabled"),
    "producer.disable_sign_in": gettext_lazy("Sign-in disabled"),
    "group.add_member": gettext_lazy("Member added"),
    "group.remove_member": gettext_lazy("Member removed"),
}


# ---------------------------------------------------------------------------------------------
# Register and edit


def _registration_district(request: HttpRequest, user: User) -> District | None:
    """Centre staff register in their district; a state admin names one with ?district=<lgd>."""
    if not user.can_write:
        raise PermissionDenied(_("You may read the registry but not change it."))
    if user.is_state_level:
        code = request.GET.get("district", "")
        if not code.isdigit():
            return None
        return get_changeable_or_deny(
            District.objects.select_related("state"), user, lgd_code=int(code)
        )
    return get_changeable_or_deny(
        District.objects.select_related("state"), user, pk=user.district_id
    )


def _wire_latin_suggestion(form: ProducerForm) -> None:
    # htmx asks for a Latin spelling as the Devanagari name is typed; without JavaScript the
    # form fills an empty Latin name itself on save.
    form.fields["name_hi"].widget.attrs.update(
        {
            "hx-get": reverse("producer_transliterate"),
            "hx-trigger": "input changed delay:400ms",
            "hx-target": "#latin-name-input",
            "hx-swap": "innerHTML",
            "hx-include": "#id_name_latin, #id_latin_suggested",
            "lang": "hi",
        }
    )


def _grouped(form: forms.BaseForm) -> list[tuple[Any, list[forms.BoundField]]]:
    return [(legend, [form[name] for name in names]) for legend, names in FIELD_GROUPS]


@require_http_methods(["GET", "POST"])
@staff_only
def producer_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    district = _registration_district(request, user)
    if district is None:
        return render(
            request,
            "registry/producer_pick_district.html",
            {"districts": District.objects.changeable_by(user).order_by("name_en")},
        )
    data = request.POST if request.method == "POST" else None
    form = ProducerForm(data, district=district)
    consent_form = RegistrationConsentForm(data, prefix="consent")
    _wire_latin_suggestion(form)
    # Both forms are validated, so that every error shows at once.
    valid = [form.is_valid(), consent_form.is_valid()] if data is not None else [False]
    if all(valid):
        try:
            with transaction.atomic():
                producer = actions.do_register_producer(
                    district,
                    form.action_values(),
                    activities=list(form.cleaned_data["activities"]),
                    acting_user=user,
                )
                for purpose in consent_form.purposes():
                    actions.do_record_consent(
                        producer,
                        purpose=purpose,
                        given=True,
                        on=consent_form.cleaned_data["on"],
                        method=Consent.Method(consent_form.cleaned_data["method"]),
                        acting_user=user,
                    )
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("Registered %(name)s.") % {"name": producer})
            for warning in rules.warnings(district, gstin=producer.gstin):
                messages.warning(request, warning)
            if producer.duplicates:  # type: ignore[attr-defined]
                messages.warning(
                    request,
                    _("This producer may already be registered: see the possible duplicates."),
                )
            return redirect("producer_detail", producer_uuid=producer.uuid)
    return render(
        request,
        "registry/producer_form.html",
        {
            "form": form,
            "groups": _grouped(form),
            "consent_form": consent_form,
            "district": district,
            "producer": None,
            "latin_suggested": request.POST.get("latin_suggested", ""),
        },
    )


@require_http_methods(["GET", "POST"])
@staff_only
def producer_edit(request: HttpRequest, producer_uuid: UUID) -> HttpResponse:
    user = current_user(request)
    producer = get_changeable_or_deny(_producers(), user, uuid=producer_uuid)
    # The form fills its own copy as it validates; the action re-reads the row under a lock.
    editable = _producers().visible_to(user).get(pk=producer.pk)
    data = request.POST if request.method == "POST" else None
    form = ProducerForm(data, instance=editable, district=producer.district)
    _wire_latin_suggestion(form)
    if data is not None and form.is_valid():
        try:
            changes = actions.do_update_producer(
                producer,
                form.action_values(),
                activities=list(form.cleaned_data["activities"]),
                acting_user=user,
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("Saved.") if changes else _("Nothing was changed."))
            saved = Producer.objects.only("gstin").get(pk=producer.pk)
            for warning in rules.warnings(producer.district, gstin=saved.gstin):
                messages.warning(request, warning)
            return redirect("producer_detail", producer_uuid=producer.uuid)
    return render(
        request,
        "registry/producer_form.html",
        {
            "form": form,
            "groups": _grouped(form),
            "consent_form": None,
            "district": producer.district,
            "producer": producer,
            "latin_suggested": request.POST.get("latin_suggested", ""),
        },
    )


@require_safe
@login_required
def producer_transliterate(request: HttpRequest) -> HttpResponse:
    """The Latin name field with a spelling suggested from the Devanagari name (for htmx).

    A Latin name the person typed themselves is kept; the suggestion is then only shown beside it.
    """
    name_hi = request.GET.get("name_hi", "")[:200]
    typed = request.GET.get("name_latin", "").strip()[:200]
    previous = request.GET.get("latin_suggested", "")[:200]
    suggestion = to_latin(name_hi) if is_devanagari(name_hi) else ""
    if not typed or typed == previous:
        value, suggested = suggestion, suggestion
        hint = _("Suggested from the Devanagari name; correct it if needed.")
    else:
        value, suggested = typed, previous
        hint = _("Suggested spelling: %(name)s") % {"name": suggestion}
    if not suggestion:
        hint = _("Leave empty to have it suggested from the Devanagari name.")
    return render(
        request,
        "registry/_latin_name_suggestion.html",
        {"value": value, "suggested": suggested, "hint": hint},
    )


# ---------------------------------------------------------------------------------------------
# List


def _producers() -> ProducerQuerySet:
    return Producer.objects.select_related("district", "district__state", "odop_product")


@require_safe
@staff_only
def producer_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    params: dict[str, str] = {
        key: str(value) for key, value in request.GET.items() if key != "page"
    }
    records = (
        Producer.objects.visible_to(user)
        .filtered(params)
        .select_related("district", "odop_product")
    )
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    stage_counts = dict(
        records.order_by().values_list("stage").annotate(n=Count("pk", distinct=True))
    )
    products = OdopProduct.objects.visible_to(user).select_related("district")
    if params.get("district", "").isdigit():
        products = products.filter(district__lgd_code=int(params["district"]))
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "registry/producer_list.html",
        {
            "page": page,
            "params": params,
            "filters_query": filters.urlencode(),
            "by_stage": [(stage, stage_counts.get(stage.value, 0)) for stage in Stage],
            "districts": (
                District.objects.visible_to(user).order_by("name_en") if user.is_state_level else []
            ),
            "odop_products": products,
            "activities": Activity.objects.all(),
            "kinds": Kind.choices,
            "stages": Stage.choices,
            "can_register": user.can_write,
            "next_step_label": STAFF_LABELS.get(params.get("next_step", "")),
        },
    )


# ---------------------------------------------------------------------------------------------
# Detail, and the writes made from it


# Audit entries store codes (stage, kind, role...); the trail shows their labels.
CHOICE_LABELS: dict[str, type[models.TextChoices]] = {
    "stage": Stage,
    "kind": Kind,
    "gender": Gender,
    "social_category": SocialCategory,
    "purpose": Consent.Purpose,
    "method": Consent.Method,
    "role": Membership.GroupRole,
}
# What an entry is about comes first (the member, then their role); other fields A to Z.
CHANGE_ORDER = ["name", "kind", "stage", "purpose", "given", "method", "member", "role", "reason"]
AUDIT_LABELS = {
    "purpose": gettext_lazy("Consent to"),
    "given": gettext_lazy("Given"),
    "method": gettext_lazy("How"),
    "reason": gettext_lazy("Why"),
    "member": gettext_lazy("Member"),
    "role": gettext_lazy("Role in the group"),
    "name": gettext_lazy("Name"),
    "merged": gettext_lazy("Merged with"),
    "filled": gettext_lazy("Taken from the merged record"),
    "user": gettext_lazy("Sign-in name"),
}


def _audit_trail(producer: Producer) -> list[dict[str, Any]]:
    labels: dict[str, Any] = {
        field.name: capfirst(field.verbose_name)
        for field in Producer._meta.get_fields()
        if hasattr(field, "verbose_name")
    }
    labels.update(AUDIT_LABELS)
    entries = list(
        AuditEntry.objects.filter(
            object_type=Producer._meta.label_lower, object_id=str(producer.pk)
        ).select_related("actor")
    )
    # Membership entries name the member by UUID; one query finds their names.
    member_uuids = {
        entry.changes["member"] for entry in entries if "member" in (entry.changes or {})
    }
    members = {
        str(p.uuid): str(p)
        for p in Producer.objects.filter(district_id=producer.district_id, uuid__in=member_uuids)
    }
    trail = []
    for entry in entries:
        changes = []
        # PostgreSQL's jsonb does not keep the keys' order; the trail sorts them itself.
        for key, value in sorted((entry.changes or {}).items(), key=_change_order):
            if key == "member":
                value = members.get(value, value)
            elif key == "filled":
                value = [str(labels.get(field, field)) for field in value]
            if isinstance(value, list) and len(value) == 2:
                text = f"{_display(key, value[0])} → {_display(key, value[1])}"
            else:
                text = _display(key, value)
            changes.append((labels.get(key, key), text))
        trail.append(
            {
                "at": entry.created_at,
                "actor": entry.actor,
                "action": AUDIT_ACTIONS.get(entry.action, entry.action),
                "changes": changes,
            }
        )
    return trail


def _change_order(item: tuple[str, Any]) -> tuple[int, str]:
    key = item[0]
    return (CHANGE_ORDER.index(key), "") if key in CHANGE_ORDER else (len(CHANGE_ORDER), key)


def _display(key: str, value: Any) -> str:
    if value in ("", None, []):
        return "—"
    if value is True or value == "True":
        return _("Yes")
    if value is False or value == "False":
        return _("No")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if key in CHOICE_LABELS:
        return str(dict(CHOICE_LABELS[key].choices).get(value, value))
    return str(value)


def _duplicate_flags(producer: Producer, user: User) -> list[dict[str, Any]]:
    flags = (
        DuplicateFlag.objects.visible_to(user)
        .filter(status=DuplicateFlag.Status.OPEN)
        .filter(Q(first=producer) | Q(second=producer))
        .select_related("first", "second")
    )
    return [
        {
            "other": flag.second if flag.first_id == producer.pk else flag.first,
            "reasons": [_(reason) for reason in flag.reasons],
            "flag": flag,
        }
        for flag in flags
    ]


def _render_detail(
    request: HttpRequest,
    producer: Producer,
    *,
    stage_form: StageForm | None = None,
    consent_form: ConsentForm | None = None,
    member_form: MemberForm | None = None,
) -> HttpResponse:
    user = current_user(request)
    can_change = Producer.objects.changeable_by(user).filter(pk=producer.pk).exists()
    memberships = list(
        producer.memberships.filter(member__erased_at__isnull=True).select_related(
            "member__odop_product"
        )
    )
    groups_joined = list(
        producer.groups_joined.filter(group__erased_at__isnull=True).select_related("group")
    )
    combined: dict[str, Any] = {}
    if producer.is_group:
        # A group's products are what it and its members make.
        makers = [producer.pk, *(m.member_id for m in memberships)]
        combined = {
            "odop_products": OdopProduct.objects.filter(producers__in=makers).distinct(),
            "activities": Activity.objects.filter(producers__in=makers).distinct(),
        }
    context = {
        "producer": producer,
        "activities": producer.activities.all(),
        "stage_changes": producer.stage_changes.select_related("changed_by"),
        "consents": producer.consents.select_related("recorded_by"),
        "memberships": memberships,
        "groups_joined": groups_joined,
        "combined": combined,
        "visits": producer.visits.all(),
        "duplicates": _duplicate_flags(producer, user),
        "audit_trail": _audit_trail(producer),
        "can_change": can_change,
        "sign_in_on": producer.user is not None and producer.user.is_active,
        "sign_in_address": otp.sign_in_address(),
        "messages_log": gateway().log_for(producer.pk, limit=5),
    }
    if can_change:
        context.update(
            stage_form=stage_form or StageForm(current=producer.stage),
            consent_form=consent_form or ConsentForm(),
            member_form=(member_form or MemberForm()) if producer.is_group else None,
        )
    return render(request, "registry/producer_detail.html", context)


@require_safe
@staff_only
def producer_detail(request: HttpRequest, producer_uuid: UUID) -> HttpResponse:
    user = current_user(request)
    try:
        producer = get_visible_or_404(_producers(), user, uuid=producer_uuid)
    except Http404:
        # A record merged away: its address leads to the record that was kept.
        kept = (
            MergedProducer.objects.filter(merged_uuid=producer_uuid)
            .values_list("survivor__uuid", flat=True)
            .first()
        )
        if kept is None or not Producer.objects.visible_to(user).filter(uuid=kept).exists():
            raise
        return redirect("producer_detail", producer_uuid=kept)
    return _render_detail(request, producer)


@require_POST
@staff_only
def producer_sign_in(request: HttpRequest, producer_uuid: UUID) -> HttpResponse:
    """Turn the producer's own sign-in (by SMS code) on or off; on, they get the address by SMS."""
    user = current_user(request)
    producer = get_changeable_or_deny(_producers(), user, uuid=producer_uuid)
    if request.POST.get("sign_in") == "off":
        actions.do_disable_producer_sign_in(producer, acting_user=user)
        messages.success(request, _("%(name)s can no longer sign in.") % {"name": producer})
        return redirect("producer_detail", producer_uuid=producer.uuid)
    was_on = producer.user is not None and producer.user.is_active
    try:
        actions.do_enable_producer_sign_in(producer, acting_user=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("producer_detail", producer_uuid=producer.uuid)
    if was_on:
        return redirect("producer_detail", producer_uuid=producer.uuid)
    address = otp.sign_in_address()
    try:
        otp.send_sign_in_address(producer)
    except MessageNotSent:
        logger.warning("SMS gateway failed for a sign-in address", exc_info=True)
        messages.warning(
            request,
            _(
                "%(name)s can now sign in, but the SMS could not be sent. Tell them to open "
                "%(address)s and sign in with their mobile number."
            )
            % {"name": producer, "address": address},
        )
    else:
        messages.success(
            request,
            _(
                "%(name)s can now sign in with their mobile number. "
                "They got an SMS with the address."
            )
            % {"name": producer},
        )
    return redirect("producer_detail", producer_uuid=producer.uuid)


@require_POST
@staff_only
def producer_stage(request: HttpRequest, producer_uuid: UUID) -> HttpResponse:
    user = current_user(request)
    producer = get_changeable_or_deny(_producers(), user, uuid=producer_uuid)
    form = StageForm(request.POST, current=producer.stage)
    if not form.is_valid():
        return _render_detail(request, producer, stage_form=form)
    actions.do_move_stage(
        producer,
        Stage(form.cleaned_data["to_stage"]),
        reason=form.cleaned_data["reason"],
        acting_user=user,
    )
    messages.success(
        request,
        _("Moved to “%(stage)s”.") % {"stage": Stage(form.cleaned_data["to_stage"]).label},
    )
    return redirect("producer_detail", producer_uuid=producer.uuid)


@require_POST
@staff_only
def producer_consent(request: HttpRequest, producer_uuid: UUID) -> HttpResponse:
    user = current_user(request)
    producer = get_changeable_or_deny(_producers(), user, uuid=producer_uuid)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, producer, consent_form=form)
    actions.do_record_consent(
        producer,
        purpose=Consent.Purpose(form.cleaned_data["purpose"]),
        given=form.cleaned_data["given"],
        on=form.cleaned_data["on"],
        method=Consent.Method(form.cleaned_data["method"]),
        acting_user=user,
    )
    messages.success(
        request,
        _("Consent recorded.")
        if form.cleaned_data["given"]
        else _("Withdrawal of consent recorded."),
    )
    return redirect("producer_detail", producer_uuid=producer.uuid)


@require_POST
@staff_only
def producer_member_add(request: HttpRequest, producer_uuid: UUID) -> HttpResponse:
    """Add a member found by name or mobile; when several producers match, the person chooses."""
    user = current_user(request)
    group = get_changeable_or_deny(_producers(), user, uuid=producer_uuid)
    form = MemberForm(request.POST)
    if not group.is_group:
        raise Http404(_("Only a self-help group or a producer organisation has members."))
    if not form.is_valid():
        return _render_detail(request, group, member_form=form)
    candidates = (
        Producer.objects.visible_to(user)
        .filter(district=group.district)
        .exclude(pk=group.pk)
        .exclude(groups_joined__group=group)
        .select_related("odop_product")
    )
    if form.cleaned_data["member_uuid"]:
        candidates = candidates.filter(uuid=form.cleaned_data["member_uuid"])
    else:
        candidates = candidates.search(form.cleaned_data["member"])
    found = list(candidates[: MEMBER_CHOICES + 1])
    if not found:
        form.add_error(
            "member",
            _("No producer of this district who is not yet a member matches “%(text)s”.")
            % {"text": form.cleaned_data["member"]},
        )
        return _render_detail(request, group, member_form=form)
    if len(found) > 1:
        return render(
            request,
            "registry/producer_member_choose.html",
            {
                "group": group,
                "candidates": found[:MEMBER_CHOICES],
                "more": len(found) > MEMBER_CHOICES,
                "form": form,
            },
        )
    try:
        actions.do_add_member(
            group,
            found[0],
            role=Membership.GroupRole(form.cleaned_data["role"]),
            joined_on=form.cleaned_data["joined_on"],
            acting_user=user,
        )
    except ValidationError as exc:
        form.add_error("member", exc.messages)
        return _render_detail(request, group, member_form=form)
    messages.success(request, _("%(name)s added to the group.") % {"name": found[0]})
    return redirect("producer_detail", producer_uuid=group.uuid)


@require_POST
@staff_only
def producer_member_remove(
    request: HttpRequest, producer_uuid: UUID, membership_id: int
) -> HttpResponse:
    user = current_user(request)
    group = get_changeable_or_deny(_producers(), user, uuid=producer_uuid)
    membership = (
        group.memberships.select_related("group__district", "member")
        .filter(pk=membership_id)
        .first()
    )
    if membership is None:
        raise Http404(_("Not found, or not in your district."))
    actions.do_remove_member(membership, acting_user=user)
    messages.success(request, _("%(name)s removed from the group.") % {"name": membership.member})
    return redirect("producer_detail", producer_uuid=group.uuid)


# ---------------------------------------------------------------------------------------------
# A producer's data on request: export, erasure


def _attachment(response: HttpResponse, name: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
@staff_only
def producer_data_json(request: HttpRequest, producer_uuid: UUID) -> HttpResponse:
    user = current_user(request)
    producer = get_changeable_or_deny(_producers(), user, uuid=producer_uuid)
    actions.do_record_producer_data_export(producer, fmt="json", acting_user=user)
    sections = {section.key: section.rows for section in held_data(producer)}
    body = json.dumps(sections, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    return _attachment(response, f"producer-{producer.uuid}.json")


def _cell(value: Any) -> Any:
    # A spreadsheet runs text starting with = + - @ as a formula; a leading quote keeps it text.
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        value = "'" + value
    return xlsx_safe(value)


@require_safe
@staff_only
def producer_data_xlsx(request: HttpRequest, producer_uuid: UUID) -> HttpResponse:
    user = current_user(request)
    producer = get_changeable_or_deny(_producers(), user, uuid=producer_uuid)
    actions.do_record_producer_data_export(producer, fmt="xlsx", acting_user=user)
    book = Workbook()
    book.remove(book.active)
    for section in held_data(producer):
        rows = section.rows
        sheet = book.create_sheet(str(section.title)[:31])
        if section.key == "profile":
            # One producer: a field per row reads better than one very wide row.
            for field, value in rows[0].items():
                sheet.append([xlsx_safe(field), _cell(value)])
            continue
        if not rows:
            continue
        sheet.append([xlsx_safe(field) for field in rows[0]])
        for row in rows:
            sheet.append([_cell(value) for value in row.values()])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return _attachment(response, f"producer-{producer.uuid}.xlsx")


@require_http_methods(["GET", "POST"])
@staff_only
def producer_erase(request: HttpRequest, producer_uuid: UUID) -> HttpResponse:
    user = current_user(request)
    producer = get_changeable_or_deny(_producers(), user, uuid=producer_uuid)
    if request.method == "POST":
        actions.do_erase_producer(producer, acting_user=user)
        messages.success(
            request,
            _("The producer's personal data was erased. Anonymised counts still include them."),
        )
        return redirect("producer_list")
    return render(
        request,
        "registry/producer_erase.html",
        {"producer": producer, "consequences": withdrawal_consequences(producer)},
    )
