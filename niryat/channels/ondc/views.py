"""What ONDC's registry reaches on a centre's node: the site-verification page and the
`on_subscribe` challenge (shared/ONDC_FACTS.md §3.4). Both answer for the node whose subscriber id
is the host the request came to."""

from __future__ import annotations

import orjson
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

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
