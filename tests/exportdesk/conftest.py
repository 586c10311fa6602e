from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from niryat.core.models import User
from niryat.exportdesk.actions import LineInput, do_create_export_order
from niryat.exportdesk.models import ExportOrder
from niryat.registry.models import Producer


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def usa_order(producer: Producer, user: User, **order: object) -> ExportOrder:
    """An order from a US importer for terracotta horses: 10 at 25.00 USD, FOB."""
    values: dict[str, object] = {
        "incoterm": "FOB",
        "currency": "USD",
        "exchange_rate": Decimal("83.2500"),
        "igst_paid": True,
    }
    values.update(order)
    return do_create_export_order(
        producer,
        buyer={
            "name": "Hudson Home Goods",
            "country": "US",
            "importer_reference": "EIN 12-3456789",
        },
        order=values,
        lines=[LineInput("Terracotta horse, 30 cm", "69139000", 10, Decimal("25.00"))],
        acting_user=user,
    )
