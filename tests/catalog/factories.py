"""Products and SKUs for tests, made through the real actions (checks, audit, completeness)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.management import call_command

from niryat.catalog.actions import do_add_sku, do_create_product
from niryat.catalog.models import Category, Product, Sku
from niryat.core.models import User
from niryat.registry.models import Producer

# Everything a terracotta SKU needs for the checklist, but photos.
COMPLETE_SKU: dict[str, Any] = {
    "title_en": "Gorakhpur terracotta horse, handmade, 30 cm",
    "title_hi": "गोरखपुर टेराकोटा घोड़ा, हस्तनिर्मित, 30 सेमी",
    "bullets_en": "Hand-shaped from local clay\nFired in a wood kiln",
    "description_en": "A traditional terracotta horse from Aurangabad village, Gorakhpur.",
    "material": "terracotta clay",
    "attributes": {"dimensions": "25 × 10 × 30", "finish": "matt"},
    "mrp": Decimal("1200.00"),
    "price": Decimal("950.00"),
    "net_quantity": Decimal(1),
    "weight_g": 1800,
    "length_cm": Decimal("35.0"),
    "width_cm": Decimal("15.0"),
    "height_cm": Decimal("35.0"),
    "manufactured_on": datetime.date(2026, 10, 1),
    "stock": 12,
}
COMPLETE_PRODUCT: dict[str, Any] = {
    "category": Category.HANDICRAFTS,
    "name_en": "Terracotta horse",
    "name_hi": "टेराकोटा घोड़ा",
    "hs_code": "69139000",
    "gst_rate": "5",
    "generic_name": "Terracotta figurine",
    "manufacturer_name": "Ramu Prajapati",
    "manufacturer_address": "Aurangabad, Gorakhpur 273001",
}


def make_product(producer: Producer, acting_user: User, **values: Any) -> Product:
    return do_create_product(producer, acting_user=acting_user, **{**COMPLETE_PRODUCT, **values})


def add_sku(product: Product, acting_user: User, **values: Any) -> Sku:
    return do_add_sku(product, acting_user=acting_user, **{**COMPLETE_SKU, **values})


def run_tasks() -> None:
    """Run every queued background task (photo processing, imports) as the worker would."""
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
