"""What ONDC's registry reaches on a centre's node: the site-verification page and the
`on_subscribe` challenge (shared/ONDC_FACTS.md §3.4). Both answer for the node whose subscriber id
is the host the request came to."""

from __future__ import annotations

from uuid import UUID

import orjson
from django.conf import settings
from django.core.signing import BadSignature, Signer
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from niryat.catalog.models import Sku
from niryat.channels.models import OndcNode
from niryat.channels.ondc import signing


def _node_for(request: HttpRequest) -> OndcNode:
    host = request.get_host().rsplit(":", 1)[0].lower()
    return get_object_or_404(OndcNode, subscriber_id=host)


@require_GET
def site_verification(request: HttpRequest) -> HttpResponse:
    node = _node_for(request)
    signed = signing.sign_plain(str(node.request_id), node.private_keys()["signing"])
    return HttpResponse(
        "<html><head><meta name='ondc-site-verification' "
        f"content='{escape(signed)}' /></head><body>ONDC Site Verification Page</body></html>"
    )


@csrf_exempt
@require_POST
def on_subscribe(request: HttpRequest) -> HttpResponse:
    """The registry's challenge, answered with what it decrypts to under our encryption key."""
    node = _node_for(request)
    try:
        data = orjson.loads(request.body)
        if not isinstance(data, dict):
            raise ValueError("an object expected")
        challenge = str(data["challenge"])
        if data.get("subscriber_id") != node.subscriber_id:
            return HttpResponseBadRequest("subscriber_id is not this node's")
        answer = signing.decrypt_challenge(
            challenge, node.private_keys()["encryption"], settings.ONDC_REGISTRY_ENCRYPTION_KEY
        )
    except (KeyError, ValueError):
        return HttpResponseBadRequest("challenge expected")
    return JsonResponse({"answer": answer})


@require_GET
def size_chart(request: HttpRequest, sku_uuid: UUID) -> HttpResponse:
    """A garment's size chart, where an ONDC item's `size_chart` attribute points (ONDC asks for
    an address): the chart staff wrote on the SKU, for SKUs of the node's district on offer."""
    node = _node_for(request)
    sku = get_object_or_404(
        Sku.objects.select_related("product"),
        uuid=sku_uuid,
        product__district=node.district_id,
        deleting_since__isnull=True,
        producer__listing_consent=True,
        producer__erased_at__isnull=True,
    )
    chart = str((sku.attributes or {}).get("size_chart", "")).strip()
    if not chart:
        raise Http404
    return HttpResponse(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width'>"
        f"<title>{escape(sku.title_en)}</title></head><body>"
        f"<h1>{escape(sku.title_en)}</h1><p>Size: {escape(sku.in_english('size'))}</p>"
        f"<p>{escape(chart)}</p></body></html>"
    )


INVOICE_SIGNER = Signer(salt="niryat.ondc.invoice")


def invoice_token(order_pk: int) -> str:
    """The unguessable part of an order's invoice address (signed with the site's secret)."""
    return INVOICE_SIGNER.sign(str(order_pk))


def invoice_url(subscriber_id: str, order_pk: int) -> str:
    """Where an ONDC order's invoice is, for `documents` in on_status once the order has left."""
    return f"https://{subscriber_id}/ondc/invoice/{invoice_token(order_pk)}"


@require_GET
def invoice(request: HttpRequest, token: str) -> HttpResponse:
    """The buyer's invoice of an ONDC order (its address is in on_status once the order has
    left): the producer who sells (the provider, their own legal entity), the centre that
    operates the sale, the buyer, and what was bought at the prices of the order as it stands."""
    from niryat.channels.models import OndcOrder
    from niryat.channels.ondc.orders import current_quote

    node = _node_for(request)
    try:
        order_pk = int(INVOICE_SIGNER.unsign(token))
    except (BadSignature, ValueError) as exc:
        raise Http404 from exc
    ondc = get_object_or_404(
        OndcOrder.objects.select_related(
            "order__producer", "order__district__state", "order__district__centre"
        ),
        order_id=order_pk,
        node=node,
    )
    quote = current_quote(ondc)
    lines = [
        {
            "title": entry.get("title", ""),
            "count": (entry.get("@ondc/org/item_quantity") or {}).get("count", ""),
            "unit": ((entry.get("item") or {}).get("price") or {}).get("value", ""),
            "amount": entry["price"]["value"],
        }
        for entry in quote.get("breakup") or []
        if entry.get("@ondc/org/title_type") == "item"
    ]
    charges = [
        {"title": entry.get("title", ""), "amount": entry["price"]["value"]}
        for entry in quote.get("breakup") or []
        if entry.get("@ondc/org/title_type") in ("delivery", "packing", "misc")
    ]
    billing = ondc.confirmed.get("billing") or {}
    return render(
        request,
        "channels/ondc_invoice.html",
        {
            "ondc": ondc,
            "order": ondc.order,
            "producer": ondc.order.producer,
            "node": node,
            "billing": billing,
            "billing_address": ", ".join(
                str(value)
                for key in ("building", "locality", "city", "state", "area_code")
                if (value := (billing.get("address") or {}).get(key))
            ),
            "lines": lines,
            "charges": charges,
            "total": (quote.get("price") or {}).get("value", ""),
        },
    )
