"""Catalogue records the channel tests (and the browser tests) start from."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from django.core.files.base import ContentFile
from PIL import Image

from niryat.catalog.models import Product, ProductImage

# Real-shaped sample payloads of every format the channels read or write.
PAYLOADS = Path(__file__).parent / "payloads"


def add_ready_photo(product: Product, *, score: int = 92) -> ProductImage:
    """A processed photo as the imaging task leaves it (processing itself is tested in catalog)."""
    buffer = BytesIO()
    Image.new("RGB", (1200, 1200), "white").save(buffer, "JPEG")
    image = ProductImage(product=product, status=ProductImage.Status.READY, quality_score=score)
    image.original.save("horse.jpg", ContentFile(buffer.getvalue()), save=False)
    image.main.save("horse-main.jpg", ContentFile(buffer.getvalue()), save=False)
    image.width = image.height = 1200
    image.save()
    return image
