"""The showcase's rendered pages, kept in Django's cache under a generation number.

Every key holds the generation; `forget_pages` moves to the next one, so every page kept so far
is dropped at once (a producer leaving the showcase may appear on any list page). The number is
a database row (`PageGeneration`), changed inside the transaction that takes someone off: every
web worker sees it the moment that decision commits, whatever cache each worker keeps, and a
page rendered from the old rows meanwhile is kept under the old number, which nobody asks for.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from niryat.showcase.models import PageGeneration

ROW = 1


def generation() -> int:
    number = PageGeneration.objects.filter(pk=ROW).values_list("number", flat=True).first()
    return number or 0


def forget_pages() -> None:
    """Drop every cached showcase page, for every worker, when the current transaction commits
    (at once outside one)."""
    if not PageGeneration.objects.filter(pk=ROW).update(number=F("number") + 1):
        PageGeneration.objects.get_or_create(pk=ROW, defaults={"number": 1})


def page_key(request: HttpRequest, vary: str = "") -> str:
    path = hashlib.blake2b(request.get_full_path().encode(), digest_size=16).hexdigest()
    return f"showcase:page:{generation()}:{get_language()}:{vary}:{path}"


def cached_page(
    request: HttpRequest, render: Callable[[], HttpResponse], *, vary: str = ""
) -> HttpResponse:
    """The page from the cache, else rendered and kept (a 200 only). `vary` names what else the
    page depends on (an online exhibition's phase: the page changes the day it opens or closes,
    not when a record does).

    Browsers and proxies may keep it but must ask again before showing it (`no-cache`): a page
    that a producer has just left must not be shown from a phone's own cache either. Asking
    again costs a few hundred bytes: an unchanged page answers 304 to its ETag."""
    key = page_key(request, vary)
    kept = cache.get(key)
    if kept is None:
        response = render()
        if response.status_code != 200:
            return response
        content = response.content
        etag = '"' + hashlib.blake2b(content, digest_size=12).hexdigest() + '"'
        kept = (content, response["Content-Type"], etag)
        cache.set(key, kept, settings.SHOWCASE_CACHE_SECONDS)
    content, content_type, etag = kept
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(content, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = "public, no-cache"
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response
