"""Catalogue records the channel tests (and the browser tests) start from."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from pathlib import Path

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from niryat.catalog.models import Product, ProductImage
from niryat.channels import outbox
from niryat.channels.models import ChannelAccount, OutboxEntry

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


def drain(rounds: int = 40) -> None:
    """The task worker, through every marketplace call that is due, moving the clock past the
    waits between retries instead of sleeping."""
    clock = max(
        [
            timezone.now(),
            *ChannelAccount.objects.exclude(next_call_at=None).values_list(
                "next_call_at", flat=True
            ),
        ]
    )
    waiting = OutboxEntry.objects.filter(state__in=["pending", "running"])
    for _round in range(rounds):
        if not waiting.exists():
            return
        clock += timedelta(minutes=10)
        outbox.run_due(now=clock)
