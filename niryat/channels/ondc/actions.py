"""A centre's ONDC node: set it up with fresh keys, subscribe it to ONDC's registry, rotate its
keys. Private keys are stored encrypted (niryat/channels/secrets.py) and never shown."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_domain_name
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.in_ import gstin as gstin_number

from niryat.channels import secrets
from niryat.channels.models import Grievance, OndcNode
from niryat.channels.ondc import registry_client
from niryat.channels.ondc.signing import EncryptionKeys, SigningKeys
from niryat.core.audit import record_audit
from niryat.core.models import District, User
from niryat.core.scoping import require_write

# What staff may set of the terms buyers' apps are quoted and paid under.
TERM_FIELDS = (
    "delivery_charge",
    "packing_charge",
    "serviceable_pins",
    "days_to_deliver",
    "support_phone",
    "support_email",
    "gstin",
    "settlement_beneficiary",
    "settlement_account",
    "settlement_ifsc",
    "settlement_bank",
    "settlement_branch",
)
IFSC = re.compile(r"^[A-Z]{4}0[A-Z0-9]{6}$")
PIN_RULE = re.compile(r"^\d{1,6}(-\d{6})?$")

# How long a key pair is published as valid; rotate before it ends.
KEY_VALIDITY = timedelta(days=365)


def _fresh_keys(node: OndcNode) -> None:
    signing_keys, encryption_keys = SigningKeys.generate(), EncryptionKeys.generate()
    now = timezone.now()
    node.signing_public_key = signing_keys.public_key
    node.encryption_public_key = encryption_keys.public_key
    node.private_keys_encrypted = secrets.encrypt(
        {"signing": signing_keys.private_key, "encryption": encryption_keys.private_key}
    )
    node.keys_valid_from, node.keys_valid_until = now, now + KEY_VALIDITY
    node.unique_key_id = f"niryat-{now:%Y%m%d}-{uuid.uuid4().hex[:8]}"


@transaction.atomic
def do_set_up_ondc_node(district: District, subscriber_id: str, *, acting_user: User) -> OndcNode:
    """The district's node with new signing and encryption keys; its subscriber id is the domain
    ONDC reaches it at (e.g. edc-gorakhpur.example.gov.in)."""
    require_write(district, acting_user)
    subscriber_id = subscriber_id.strip().lower()
    try:
        validate_domain_name(subscriber_id)
    except ValidationError as exc:
        raise ValidationError(
            _("The subscriber id is the domain name ONDC reaches the centre at.")
        ) from exc
    if OndcNode.objects.filter(district=district).exists():
        raise ValidationError(_("This centre already has an ONDC node."))
    if OndcNode.objects.filter(subscriber_id=subscriber_id).exists():
        raise ValidationError(_("Another centre uses this subscriber id."))
    node = OndcNode(district=district, subscriber_id=subscriber_id)
    _fresh_keys(node)
    node.save()
    record_audit(
        actor=acting_user,
        action="ondc_node.set_up",
        obj=node,
        district=district,
        changes={"subscriber_id": subscriber_id, "unique_key_id": node.unique_key_id},
    )
    return node


@transaction.atomic
def do_rotate_ondc_keys(node: OndcNode, *, acting_user: User) -> OndcNode:
    """New key pairs under a new unique key id; the node must subscribe again to publish them."""
    require_write(node.district, acting_user)
    node = OndcNode.objects.select_for_update().get(pk=node.pk)
    old = node.unique_key_id
    _fresh_keys(node)
    node.status, node.status_message = OndcNode.Status.NEW, ""
    node.save()
    record_audit(
        actor=acting_user,
        action="ondc_node.rotate_keys",
        obj=node,
        district=node.district,
        changes={"unique_key_id": [old, node.unique_key_id]},
    )
    return node


def do_subscribe_ondc_node(
    node: OndcNode, *, callback_url: str, city_codes: list[str], acting_user: User
) -> OndcNode:
    """Ask ONDC's registry to admit the node. No transaction around the call: the registry calls
    back our site-verification page and /on_subscribe, which read the node, before it answers."""
    require_write(node.district, acting_user)
    try:
        registry_client.subscribe(node, callback_url=callback_url, city_codes=city_codes)
    except registry_client.RegistryError as exc:
        node.status, node.status_message = OndcNode.Status.FAILED, str(exc)[:500]
    else:
        node.status, node.status_message = OndcNode.Status.SUBSCRIBED, ""
    node.save(update_fields=["status", "status_message", "updated_at"])
    record_audit(
        actor=acting_user,
        action="ondc_node.subscribe",
        obj=node,
        district=node.district,
        changes={"status": node.status, "city_codes": city_codes},
    )
    return node


def _tell_buyer_of(grievance: Grievance) -> None:
    from niryat.channels.ondc.channel import queue_for_buyer
    from niryat.channels.ondc.grievances import issue_message
    from niryat.channels.ondc.orders import ondc_account

    queue_for_buyer(
        ondc_account(grievance.district),
        grievance.order,
        grievance.context,
        "on_issue_status",
        issue_message(grievance),
        f"issue:{len(grievance.respondent_actions)}",
    )


@transaction.atomic
def do_respond_to_grievance(grievance: Grievance, text: str, *, acting_user: User) -> Grievance:
    """Staff tell the buyer what is being done about the complaint (IGM: PROCESSING, with what
    they wrote); the buyer's app hears it as on_issue_status."""
    require_write(grievance.district, acting_user)
    grievance = Grievance.objects.select_for_update().select_related("node").get(pk=grievance.pk)
    if not grievance.is_open():
        raise ValidationError(_("This grievance is already settled."))
    if not text.strip():
        raise ValidationError({"text": _("Say what is being done about the complaint.")})
    from niryat.channels.ondc.grievances import respondent_action

    grievance.respondent_actions.append(
        respondent_action(grievance, "PROCESSING", text.strip(), by=acting_user)
    )
    grievance.status = Grievance.Status.PROCESSING
    grievance.responded_at = grievance.responded_at or timezone.now()
    grievance.save()
    record_audit(
        actor=acting_user,
        action="grievance.respond",
        obj=grievance,
        district=grievance.district,
        changes={"text": text.strip()},
    )
    _tell_buyer_of(grievance)
    return grievance


@transaction.atomic
def do_resolve_grievance(
    grievance: Grievance,
    resolution: str,
    action: str,
    *,
    refund_amount: Decimal | None = None,
    acting_user: User,
) -> Grievance:
    """Staff settle the complaint (a refund, a replacement, cancelling the order, or no action),
    saying how; the buyer's app hears it as on_issue_status with the resolution."""
    require_write(grievance.district, acting_user)
    grievance = Grievance.objects.select_for_update().select_related("node").get(pk=grievance.pk)
    if not grievance.is_open():
        raise ValidationError(_("This grievance is already settled."))
    if not resolution.strip():
        raise ValidationError({"resolution": _("Say how the complaint was resolved.")})
    if action not in Grievance.Action.values:
        raise ValidationError({"action": _("Choose what was done.")})
    if action == Grievance.Action.REFUND and (refund_amount is None or refund_amount <= 0):
        raise ValidationError({"refund_amount": _("Give the amount refunded.")})
    from niryat.channels.ondc.grievances import respondent_action

    now = timezone.now()
    grievance.resolution = resolution.strip()[:500]
    grievance.action_triggered = action
    grievance.refund_amount = refund_amount if action == Grievance.Action.REFUND else None
    grievance.status = Grievance.Status.RESOLVED
    grievance.responded_at = grievance.responded_at or now
    grievance.resolved_at = now
    grievance.respondent_actions.append(
        respondent_action(grievance, "RESOLVED", grievance.resolution, by=acting_user)
    )
    grievance.save()
    record_audit(
        actor=acting_user,
        action="grievance.resolve",
        obj=grievance,
        district=grievance.district,
        changes={"resolution": grievance.resolution, "action": action},
    )
    _tell_buyer_of(grievance)
    return grievance


@transaction.atomic
def do_update_ondc_terms(node: OndcNode, *, acting_user: User, **values: Any) -> OndcNode:
    """The terms buyers' apps are quoted and paid under: delivery and packing charges, the PIN
    codes delivered to, days to deliver, the support contact, the centre's GSTIN and the bank
    account buyers' apps settle sales to."""
    require_write(node.district, acting_user)
    node = OndcNode.objects.select_for_update().get(pk=node.pk)
    unknown = set(values) - set(TERM_FIELDS)
    if unknown:
        raise ValueError(f"not ONDC terms: {sorted(unknown)}")
    errors: dict[str, str] = {}
    gstin = str(values.get("gstin", node.gstin)).strip().upper()
    if gstin and not gstin_number.is_valid(gstin):
        errors["gstin"] = _("This is not a valid GSTIN.")
    ifsc = str(values.get("settlement_ifsc", node.settlement_ifsc)).strip().upper()
    if ifsc and not IFSC.match(ifsc):
        errors["settlement_ifsc"] = _("An IFSC has 11 characters, like SBIN0001234.")
    pins = str(values.get("serviceable_pins", node.serviceable_pins))
    rules = [rule.replace(" ", "") for rule in pins.split(",") if rule.strip()]
    if any(not PIN_RULE.match(rule) for rule in rules):
        errors["serviceable_pins"] = _(
            "Give PIN code beginnings or ranges, separated by commas: 27, 28, 110001-110096."
        )
    if errors:
        raise ValidationError(errors)
    values.update(gstin=gstin, settlement_ifsc=ifsc, serviceable_pins=", ".join(rules))
    changes = {}
    for field, value in values.items():
        if getattr(node, field) != value:
            changes[field] = [str(getattr(node, field)), str(value)]
            setattr(node, field, value)
    node.save()
    # The account number is kept out of the audit trail's text.
    if "settlement_account" in changes:
        changes["settlement_account"] = ["…", "…" + str(values["settlement_account"])[-4:]]
    record_audit(
        actor=acting_user,
        action="ondc_node.terms",
        obj=node,
        district=node.district,
        changes=changes,
    )
    return node
