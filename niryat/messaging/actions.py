"""Writes of messaging: the state edits a template's wording and registrations; staff record a
producer's channels and what they agreed to."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from niryat.core.audit import diff_fields, record_audit
from niryat.core.messaging import MessageRefused, normalise_mobile
from niryat.core.models import Role, User
from niryat.core.scoping import require_write
from niryat.messaging.models import PLACEHOLDER, Channel, ContactChoice, MessageTemplate
from niryat.registry.models import Producer

TEMPLATE_FIELDS = (
    "purpose",
    "body_hi",
    "body_en",
    "dlt_entity_id",
    "dlt_header",
    "dlt_template_id_hi",
    "dlt_template_id_en",
    "whatsapp_name",
)


def do_edit_template(template: MessageTemplate, *, acting_user: User, **values: Any) -> None:
    """Change a template's wording or registrations (state administrators only). Both
    wordings must name the same variables: a sender gives one set for either language."""
    if acting_user.role != Role.STATE_ADMIN:
        raise PermissionDenied(_("Only the state administrator may change message templates."))
    body_hi = values.get("body_hi", template.body_hi)
    body_en = values.get("body_en", template.body_en)
    if set(PLACEHOLDER.findall(body_hi)) != set(PLACEHOLDER.findall(body_en)):
        raise ValidationError(
            _("The Hindi and English texts must have the same variables in {braces}.")
        )
    if set(PLACEHOLDER.findall(body_en)) != set(template.variables("en")):
        raise ValidationError(
            _("The variables must stay as they are: %(names)s.")
            % {"names": ", ".join(f"{{{name}}}" for name in template.variables("en"))}
        )
    with transaction.atomic():
        template = MessageTemplate.objects.select_for_update().get(pk=template.pk)
        changes = diff_fields(template, {k: v for k, v in values.items() if k in TEMPLATE_FIELDS})
        for name, value in values.items():
            if name in TEMPLATE_FIELDS:
                setattr(template, name, value)
        template.updated_by = acting_user
        template.save()
        record_audit(
            actor=acting_user, action="message_template.edit", obj=template, changes=changes
        )


def do_set_contact_choice(
    producer: Producer,
    channel: str,
    *,
    address: str,
    agreed: bool,
    acting_user: User,
) -> ContactChoice:
    """Record a producer's number or address on a channel and whether they agreed to messages
    there. Agreeing again (told to the centre) lifts an earlier opt-out; refusing is an
    opt-out told to the centre."""
    require_write(producer.district, acting_user)
    if channel not in Channel.values:
        raise ValidationError(_("Unknown channel."))
    address = address.strip()
    if channel == Channel.EMAIL and address:
        validate_email(address)
    if channel in (Channel.SMS, Channel.WHATSAPP) and address:
        try:
            address = normalise_mobile(address)
        except MessageRefused:
            raise ValidationError(
                _("%(value)s is not a valid mobile number. Give 10 digits, like 98765 43210.")
                % {"value": address}
            ) from None
    with transaction.atomic():
        choice, _created = ContactChoice.objects.select_for_update().get_or_create(
            producer=producer, channel=channel, defaults={"address": address}
        )
        choice.address = address
        choice.agreed = agreed
        if agreed:
            choice.opted_out_at, choice.opted_out_via = None, ""
        elif choice.opted_out_at is None:
            choice.opted_out_at, choice.opted_out_via = timezone.now(), ContactChoice.Via.STAFF
        choice.save()
        record_audit(
            actor=acting_user,
            action="contact_choice.set",
            obj=producer,
            district=producer.district,
            changes={"channel": channel, "agreed": agreed},
        )
    return choice
