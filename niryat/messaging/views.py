"""Pages of messaging: the message templates (staff read them, the state edits them) and a
producer's messages with their channels. Thin: fetch through scoping, call an action, render."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from niryat.core.access import staff_only
from niryat.core.models import Role
from niryat.core.scoping import current_user, get_visible_or_404
from niryat.messaging import actions, dlt
from niryat.messaging.forms import ContactChoiceForm, TemplateForm
from niryat.messaging.gateway import choices_of
from niryat.messaging.models import Channel, Message, MessageTemplate
from niryat.registry.models import Producer

LOG_PAGE = 100


@require_safe
@staff_only
def template_list(request: HttpRequest) -> HttpResponse:
    templates = [
        (template, dlt.dlt_wording(template.body_hi), dlt.dlt_wording(template.body_en))
        for template in MessageTemplate.objects.all()
    ]
    can_edit = current_user(request).role == Role.STATE_ADMIN
    return render(
        request, "messaging/template_list.html", {"templates": templates, "can_edit": can_edit}
    )


@require_http_methods(["GET", "POST"])
@staff_only
def template_edit(request: HttpRequest, key: str) -> HttpResponse:
    user = current_user(request)
    if user.role != Role.STATE_ADMIN:
        raise PermissionDenied(_("Only the state administrator may change message templates."))
    template = get_object_or_404(MessageTemplate, key=key)
    form = TemplateForm(request.POST or None, instance=MessageTemplate.objects.get(pk=template.pk))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_edit_template(template, acting_user=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("message_templates")
    return render(request, "messaging/template_form.html", {"form": form, "template": template})


@require_http_methods(["GET", "POST"])
@staff_only
def producer_messages(request: HttpRequest, producer_uuid: UUID) -> HttpResponse:
    user = current_user(request)
    producer = get_visible_or_404(Producer.objects.all(), user, uuid=producer_uuid)
    can_change = Producer.objects.changeable_by(user).filter(pk=producer.pk).exists()
    form = ContactChoiceForm(request.POST or None)
    if request.method == "POST" and can_change and form.is_valid():
        try:
            actions.do_set_contact_choice(producer, acting_user=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("address", error)
        else:
            messages.success(request, _("Saved."))
            return redirect("producer_messages", producer_uuid=producer.uuid)
    choices = choices_of(producer)
    channels = [(Channel(code), choices.get(code)) for code in Channel.values]
    log = Message.objects.filter(producer=producer)[:LOG_PAGE]
    return render(
        request,
        "messaging/producer_messages.html",
        {
            "producer": producer,
            "channels": channels,
            "log": log,
            "form": form if can_change else None,
        },
    )
