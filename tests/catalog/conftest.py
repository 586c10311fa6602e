from __future__ import annotations

from pathlib import Path

import pytest

from niryat.catalog.models import Product
from niryat.core.models import User
from niryat.registry.models import Producer
from tests.catalog.factories import make_product


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def horse(ramu: Producer, ganesh: User) -> Product:
    """Ramu's terracotta horse, complete but for photos and SKUs."""
    return make_product(ramu, ganesh)
