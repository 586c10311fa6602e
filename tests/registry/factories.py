"""Producers for tests, registered through the real action (validation, audit, duplicates)."""

from __future__ import annotations

from typing import Any

from niryat.core.models import District, OdopProduct, User
from niryat.registry.actions import do_register_producer
from niryat.registry.models import Kind, Producer


def register(
    district: District, acting_user: User, *, name_hi: str = "रामू प्रजापति", **values: Any
) -> Producer:
    odop = values.pop("odop_product", None) or OdopProduct.objects.filter(district=district).first()
    defaults: dict[str, Any] = {
        "kind": Kind.ARTISAN,
        "name_latin": "",
        "odop_product": odop,
        "village": "Aurangabad",
        "pin": "273001",
    }
    defaults.update(values)
    if not defaults["name_latin"]:
        from niryat.registry.transliterate import to_latin

        defaults["name_latin"] = to_latin(name_hi)
    return do_register_producer(district, {"name_hi": name_hi, **defaults}, acting_user=acting_user)
