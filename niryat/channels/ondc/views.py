"""What ONDC's registry reaches on a centre's node: the site-verification page and the
`on_subscribe` challenge (shared/ONDC_FACTS.md §3.4). Both answer for the node whose subscriber id
is the host the request came to."""

from __future__ import annotations

from uuid import UUID

import orjson
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404
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
