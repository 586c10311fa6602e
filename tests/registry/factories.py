"""Producers for tests, registered through the real action (validation, audit, duplicates)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from niryat.core.models import District, OdopProduct, User
from niryat.registry.actions import do_record_consent, do_register_producer
from niryat.registry.models import Consent, Kind, Producer


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


def give_listing_consent(producer: Producer, acting_user: User) -> Producer:
    """The producer agrees to be listed on marketplaces (signed form at the centre)."""
    do_record_consent(
        producer,
        purpose=Consent.Purpose.LIST_ON_MARKETPLACES,
        given=True,
        on=timezone.localdate(),
        method=Consent.Method.PAPER,
        acting_user=acting_user,
    )
    producer.refresh_from_db()
    return producer
