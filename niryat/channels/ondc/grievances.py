"""A buyer's complaint through ONDC's Issue and Grievance Management (IGM 1.0.0).

`answer_issue` (callback on_issue) records the complaint as a `Grievance` with the times the
buyer's app expects a response and a resolution by (its `expected_response_time` and
`expected_resolution_time`, or ONDC's usual one hour and one day), answers that the seller is
processing it, and tells the producer by SMS in Hindi; the buyer's later `issue` calls for the same
id (escalate, close) update it. `answer_issue_status` (on_issue_status) says where it stands.
Staff answer from the grievance page (niryat/channels/ondc/actions.py: a response, a resolution),
which the buyer's app hears as an unsolicited on_issue_status, retried until acknowledged.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime, parse_duration

from niryat.channels.models import Grievance, OndcNode, OndcOrder
from niryat.channels.ondc.callbacks import timestamp
from niryat.channels.ondc.protocol import CONTEXT_ERROR, OndcError, Reply
from niryat.core.models import User

# ONDC's IGM timelines where the buyer's app gives none.
RESPONSE_TIME = timedelta(hours=1)
RESOLUTION_TIME = timedelta(days=1)
CATEGORIES = ("ORDER", "ITEM", "FULFILLMENT", "AGENT", "PAYMENT", "TRANSACTION")


def _duration(issue: dict[str, Any], field: str, default: timedelta) -> timedelta:
    text = str(((issue.get(field) or {}).get("duration")) or "")
    found = parse_duration(text) if text else None
    return found if found and found.total_seconds() > 0 else default


def _moment(text: Any) -> datetime:
    found = parse_datetime(str(text or ""))
    return found if found is not None and found.tzinfo is not None else timezone.now()


def _updated_by(node: OndcNode, domain: str, person: str) -> dict[str, Any]:
    return {
        "org": {"name": f"{node.subscriber_id}::{domain}"},
        "contact": {"phone": node.support_phone, "email": node.support_email},
        "person": {"name": person},
    }


def respondent_action(
    grievance: Grievance, action: str, short_desc: str, *, by: User | None = None
) -> dict[str, Any]:
    """One of our respondent actions (PROCESSING, RESOLVED), in IGM's shape."""
    person = (by.get_full_name() or by.username) if by is not None else grievance.node.subscriber_id
    return {
        "respondent_action": action,
        "short_desc": short_desc[:255],
        "updated_at": timestamp(),
        "updated_by": _updated_by(grievance.node, grievance.context.get("domain", ""), person),
        "cascaded_level": 1,
    }


def issue_message(grievance: Grievance) -> dict[str, Any]:
    """The issue as on_issue and on_issue_status give it: every respondent action so far, and
    the resolution once staff resolved it."""
    issue: dict[str, Any] = {
        "id": grievance.issue_id,
        "issue_actions": {"respondent_actions": grievance.respondent_actions},
        "created_at": timestamp(grievance.raised_at),
        "updated_at": timestamp(grievance.updated_at or timezone.now()),
    }
    if grievance.status == Grievance.Status.RESOLVED:
        node = grievance.node
        organisation = _updated_by(node, grievance.context.get("domain", ""), node.subscriber_id)
        issue["resolution_provider"] = {
            "respondent_info": {
                "type": "TRANSACTION-COUNTERPARTY-NP",
                "organization": organisation,
                "resolution_support": {
                    "contact": organisation["contact"],
                    "gros": [
                        {
                            "person": {"name": node.subscriber_id},
                            "contact": organisation["contact"],
                            "gro_type": "TRANSACTION-COUNTERPARTY-NP-GRO",
                        }
                    ],
                },
            }
        }
        resolution: dict[str, Any] = {
            "short_desc": grievance.resolution[:255],
            "long_desc": grievance.resolution,
            "action_triggered": grievance.action_triggered,
        }
        if grievance.refund_amount is not None:
            resolution["refund_amount"] = f"{grievance.refund_amount:.2f}"
        issue["resolution"] = resolution
    return {"issue": issue}


def answer_issue(node: OndcNode, request: dict[str, Any]) -> Reply:
    context = request.get("context") or {}
    issue = (request.get("message") or {}).get("issue")
    if not isinstance(issue, dict) or not issue.get("id"):
        raise OndcError("30000", "message.issue with an id is required", type=CONTEXT_ERROR)
    issue_id = str(issue["id"])[:100]
    complainant_actions = list((issue.get("issue_actions") or {}).get("complainant_actions") or [])
    last = str((complainant_actions[-1] if complainant_actions else {}).get("complainant_action"))
    with transaction.atomic():
        grievance = (
            Grievance.objects.select_for_update()
            .select_related("node")
            .filter(node=node, issue_id=issue_id)
            .first()
        )
        if grievance is not None:
            grievance.complainant_actions = complainant_actions
            if last == "CLOSE":
                grievance.status = Grievance.Status.CLOSED
            elif last == "ESCALATE" and grievance.status == Grievance.Status.RESOLVED:
                grievance.status = Grievance.Status.PROCESSING
            grievance.raw = issue
            grievance.save()
            return Reply(issue_message(grievance))
        grievance = _record(node, context, issue, issue_id, complainant_actions)
    return Reply(issue_message(grievance))


def _record(
    node: OndcNode,
    context: dict[str, Any],
    issue: dict[str, Any],
    issue_id: str,
    complainant_actions: list[dict[str, Any]],
) -> Grievance:
    category = str(issue.get("category") or "")
    if category not in CATEGORIES:
        raise OndcError("30000", f"issue category {category!r} is not one of IGM's")
    details = issue.get("order_details") or {}
    ondc = (
        OndcOrder.objects.filter(node=node, order__channel_order_id=str(details.get("id") or ""))
        .select_related("order__producer")
        .first()
    )
    order = ondc.order if ondc is not None else None
    producer = order.producer if order is not None else None
    if producer is None and details.get("provider_id"):
        from niryat.registry.models import Producer

        try:
            provider = uuid.UUID(str(details["provider_id"]))
        except ValueError:
            provider = None
        producer = (
            Producer.objects.filter(uuid=provider, district=node.district_id).first()
            if provider is not None
            else None
        )
    description = issue.get("description") or {}
    person = (issue.get("complainant_info") or {}).get("person") or {}
    contact = (issue.get("complainant_info") or {}).get("contact") or {}
    raised_at = _moment(issue.get("created_at"))
    grievance = Grievance(
        district=node.district,
        node=node,
        order=order,
        producer=producer,
        issue_id=issue_id,
        bap_id=str(context.get("bap_id", ""))[:200],
        context=context,
        category=category,
        sub_category=str(issue.get("sub_category") or "")[:10],
        short_desc=str(description.get("short_desc") or "")[:500],
        long_desc=str(description.get("long_desc") or ""),
        complainant_name=str(person.get("name") or "")[:120],
        complainant_phone=str(contact.get("phone") or "")[:16],
        complainant_email=str(contact.get("email") or "")[:120],
        raised_at=raised_at,
        respond_by=raised_at + _duration(issue, "expected_response_time", RESPONSE_TIME),
        resolve_by=raised_at + _duration(issue, "expected_resolution_time", RESOLUTION_TIME),
        complainant_actions=complainant_actions,
        raw=issue,
    )
    grievance.respondent_actions = [
        respondent_action(grievance, "PROCESSING", "Complaint is being processed")
    ]
    grievance.save()
    if producer is not None:  # the gateway picks their channel, or logs why there is none
        from niryat.channels.tasks import notify_producer_of_grievance

        notify_producer_of_grievance.enqueue(grievance.pk)
    return grievance


def answer_issue_status(node: OndcNode, request: dict[str, Any]) -> Reply:
    issue_id = str((request.get("message") or {}).get("issue_id") or "")
    grievance = (
        Grievance.objects.select_related("node").filter(node=node, issue_id=issue_id).first()
    )
    if grievance is None:
        raise OndcError("30000", f"issue {issue_id} not found")
    return Reply(issue_message(grievance))
