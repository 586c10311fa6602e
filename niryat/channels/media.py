"""Photo URLs for marketplaces, which fetch images themselves by public HTTPS URL."""

from __future__ import annotations

from django.conf import settings

from niryat.catalog.models import ProductImage, Sku


def public_image_urls(sku: Sku) -> list[str]:
    """The SKU's product photos (processed main images, main photo first), as absolute URLs.
    With MEDIA_BUCKET the storage gives absolute URLs already; on local disk they are made
    absolute with SITE_URL."""
    urls = []
    for image in sku.product.images.all():
        if image.status != ProductImage.Status.READY:
            continue
        stored = image.original if image.use_original or not image.main else image.main
        url = stored.url
        if url.startswith("/"):
            url = settings.SITE_URL.rstrip("/") + url
        urls.append(url)
    return urls
