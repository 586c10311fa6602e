"""Requests a buyer's app sends, shaped as ONDC's retail 1.2.0 examples
(ONDC-RET-Specifications draft-1.x, Examples/B2C: select, init, confirm, status, track, cancel,
update, rating, support) and IGM 1.0.0's issue, with our ids filled in."""

from __future__ import annotations

import uuid
from typing import Any

from fakes.ondc_bap import BUYER_ADDRESS, BUYER_CONTACT, BUYER_PIN, FakeOndcBuyerApp
from niryat.catalog.models import Sku
from niryat.channels.ondc.callbacks import timestamp

BAP_ID = "buyerapp.example.test"
BAP_URI = "https://buyerapp.example.test/protocol/v1"
BPP_ID = "edc-gorakhpur.niryat.test"
LOCATION_ID = "L1"


def context(action: str, transaction_id: str, *, bap_uri: str = BAP_URI, **extra: Any) -> dict:
    return {
        "domain": "ONDC:RET16",
        "country": "IND",
        "city": "std:0551",
        "action": action,
        "core_version": "1.2.0",
        "bap_id": BAP_ID,
        "bap_uri": bap_uri,
        "bpp_id": BPP_ID,
        "bpp_uri": f"https://{BPP_ID}/ondc",
        "transaction_id": transaction_id,
        "message_id": str(uuid.uuid4()),
        "timestamp": timestamp(),
        "ttl": "PT30S",
        **extra,
    }


def _end(pin: str) -> dict:
    return FakeOndcBuyerApp.delivery_to(pin)


BILLING = {
    "name": BUYER_ADDRESS["name"],
    "address": BUYER_ADDRESS,
    **BUYER_CONTACT,
    "created_at": "2026-12-07T05:00:00.000Z",
    "updated_at": "2026-12-07T05:00:00.000Z",
}


def _items(lines: list[tuple[Sku, int]], *, fulfilment: bool = False) -> list[dict]:
    items = []
    for sku, count in lines:
        item: dict[str, Any] = {
            "id": str(sku.uuid),
            "location_id": LOCATION_ID,
            "quantity": {"count": count},
        }
        if fulfilment:
            item["fulfillment_id"] = "F1"
        items.append(item)
    return items


def _provider(sku: Sku) -> dict:
    return {"id": str(sku.product.producer.uuid), "locations": [{"id": LOCATION_ID}]}


def select(lines: list[tuple[Sku, int]], *, pin: str = BUYER_PIN, txn: str = "T1", **ctx: Any):
    return {
        "context": context("select", txn, **ctx),
        "message": {
            "order": {
                "provider": _provider(lines[0][0]),
                "items": _items(lines),
                "fulfillments": [_end(pin)],
                "payment": {"type": "ON-ORDER"},
            }
        },
    }


def init(lines: list[tuple[Sku, int]], *, pin: str = BUYER_PIN, txn: str = "T1", **ctx: Any):
    return {
        "context": context("init", txn, **ctx),
        "message": {
            "order": {
                "provider": _provider(lines[0][0]),
                "items": _items(lines, fulfilment=True),
                "billing": BILLING,
                "fulfillments": [{"id": "F1", **_end(pin)}],
                "payment": {
                    "type": "ON-ORDER",
                    "@ondc/org/buyer_app_finder_fee_type": "percent",
                    "@ondc/org/buyer_app_finder_fee_amount": "3",
                },
            }
        },
    }


def confirm(
    lines: list[tuple[Sku, int]],
    order_id: str,
    quote: dict | None = None,
    *,
    terms: dict | None = None,
    txn: str = "T1",
    **ctx: Any,
) -> dict:
    """The confirm of an order; `terms`: on_init's order, whose payment terms and tags a buyer's
    app repeats."""
    created = timestamp()
    order: dict[str, Any] = {
        "id": order_id,
        "state": "Created",
        "provider": _provider(lines[0][0]),
        "items": _items(lines, fulfilment=True),
        "billing": BILLING,
        "fulfillments": [{"id": "F1", "tracking": False, **_end(BUYER_PIN)}],
        "payment": {
            "uri": "https://ondc.transaction.com/payment",
            "tl_method": "http/get",
            "params": {"currency": "INR", "transaction_id": f"pay-{order_id}", "amount": "0"},
            "status": "PAID",
            "type": "ON-ORDER",
            "collected_by": "BAP",
            "@ondc/org/buyer_app_finder_fee_type": "percent",
            "@ondc/org/buyer_app_finder_fee_amount": "3",
        },
        "tags": [
            {"code": "bap_terms", "list": [{"code": "tax_number", "value": "29AAACB1234C1Z5"}]}
        ],
        "created_at": created,
        "updated_at": created,
    }
    if terms is not None:
        quote = terms["quote"]
        order["payment"] = {**terms["payment"], **order["payment"]}
        order["tags"] = terms["tags"]
    if quote is not None:
        order["quote"] = quote
        order["payment"]["params"]["amount"] = quote["price"]["value"]
    return {"context": context("confirm", txn, **ctx), "message": {"order": order}}


def about_order(action: str, order_id: str, *, txn: str = "T1", **message: Any) -> dict:
    return {"context": context(action, txn), "message": {"order_id": order_id, **message}}


def update(order_id: str, item: Sku, count: int, update_type: str, reason: str, txn: str = "T1"):
    return {
        "context": context("update", txn),
        "message": {
            "update_target": "item",
            "order": {
                "id": order_id,
                "state": "Completed",
                "provider": _provider(item),
                "items": [
                    {
                        "id": str(item.uuid),
                        "quantity": {"count": count},
                        "tags": {
                            "update_type": update_type,
                            "reason_code": reason,
                            "ttl_approval": "PT24H",
                            "ttl_reverseqc": "P3D",
                            "image": "https://buyerapp.example.test/img/broken.jpg",
                        },
                    }
                ],
            },
        },
    }


def issue(
    order_id: str,
    item: Sku,
    *,
    issue_id: str = "ISSUE-1",
    txn: str = "T1",
    bap_uri: str = BAP_URI,
    **extra: Any,
) -> dict:
    created = timestamp()
    return {
        "context": {**context("issue", txn, bap_uri=bap_uri), "core_version": "1.0.0"},
        "message": {
            "issue": {
                "id": issue_id,
                "category": "ITEM",
                "sub_category": "ITM04",
                "complainant_info": {
                    "person": {"name": "Asha Rao"},
                    "contact": {"phone": "9886098860", "email": "asha@example.com"},
                },
                "order_details": {
                    "id": order_id,
                    "state": "Completed",
                    "items": [{"id": str(item.uuid), "quantity": 1}],
                    "fulfillments": [{"id": "F1", "state": "Order-delivered"}],
                    "provider_id": str(item.product.producer.uuid),
                },
                "description": {
                    "short_desc": "Horse arrived with a broken leg",
                    "long_desc": "The terracotta horse's front leg was broken in the parcel.",
                    "images": ["https://buyerapp.example.test/img/broken.jpg"],
                },
                "source": {"network_participant_id": BAP_ID, "type": "CONSUMER"},
                "expected_response_time": {"duration": "PT2H"},
                "expected_resolution_time": {"duration": "P1D"},
                "status": "OPEN",
                "issue_type": "ISSUE",
                "issue_actions": {
                    "complainant_actions": [
                        {
                            "complainant_action": "OPEN",
                            "short_desc": "Complaint created",
                            "updated_at": created,
                            "updated_by": {
                                "org": {"name": f"{BAP_ID}::ONDC:RET16"},
                                "contact": {"phone": "9450394039", "email": "care@example.com"},
                                "person": {"name": "Asha Rao"},
                            },
                        }
                    ]
                },
                "created_at": created,
                "updated_at": created,
                **extra,
            }
        },
    }
