"""Product photos in the sizes the showcase's pages ask for (srcset): made from the processed
main image once, then kept in the cache, so a phone on 3G downloads a 160 px photo for a list
and never the marketplace's 1,000 px one."""

from __future__ import annotations

import io

from django.core.cache import cache
from PIL import Image

from niryat.catalog.models import ProductImage

# The widths a page may ask for: list cards (160, and 320 for a phone's denser screen: a card
# is about 158 CSS px wide on a 360 px phone) and product page photos (400 and 800). The cards'
# quality is lower: twelve of them make most of a list page's bytes (tests/showcase/test_weight).
WIDTHS = (160, 320, 400, 800)
QUALITY = {160: 70, 320: 60, 400: 75, 800: 78}
KEEP_SECONDS = 7 * 24 * 3600


def photo_bytes(image: ProductImage, width: int) -> bytes:
    """The photo as a JPEG `width` px wide (never wider than it is)."""
    stored = image.original if image.use_original or not image.main else image.main
    key = f"showcase:photo:{image.uuid}:{stored.name}:{width}"
    data: bytes | None = cache.get(key)
    if data is None:
        with stored.open("rb") as file, Image.open(file) as opened:
            img: Image.Image = opened.convert("RGB")
            if img.width > width:
                height = max(1, round(img.height * width / img.width))
                img = img.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
            out = io.BytesIO()
            img.save(out, "JPEG", quality=QUALITY[width], optimize=True, progressive=True)
            data = out.getvalue()
        cache.set(key, data, KEEP_SECONDS)
    return data
