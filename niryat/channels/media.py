"""Photo URLs for marketplaces, which fetch images themselves by public HTTPS URL."""

from __future__ import annotations

from django.conf import settings
from django.db.models.fields.files import FieldFile

from niryat.catalog.models import ProductImage, Sku

# Where an image keeps the addresses already made for it, by (stored name, site address).
_CACHE = "_public_urls"


def public_image_urls(sku: Sku) -> list[str]:
    """The SKU's product photos (processed main images, main photo first), as absolute URLs.
    With MEDIA_BUCKET the storage gives absolute URLs already; on local disk they are made
    absolute with SITE_URL."""
    site = settings.SITE_URL.rstrip("/")
    urls = []
    for image in sku.product.images.all():
        if image.status != ProductImage.Status.READY:
            continue
        stored = image.original if image.use_original or not image.main else image.main
        urls.append(_public_url(image, stored, site))
    return urls


def _public_url(image: ProductImage, stored: FieldFile, site: str) -> str:
    """The address of one stored file of `image`, made once per image object: a feed of
    thousands of SKUs asks for the same photos again and again (each SKU of a product shares its
    photos, and a SKU is checked before it is built), and the storage parses addresses to make
    one. Kept on the object, not for the process: a signed bucket address expires."""
    known: dict[tuple[str, str], str] = image.__dict__.setdefault(_CACHE, {})
    key = (stored.name or "", site)
    url = known.get(key)
    if url is None:
        url = stored.url
        if url.startswith("/"):
            url = site + url
        known[key] = url
    return url
