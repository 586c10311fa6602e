"""Staff's writes about the ONDC catalogue: which domain and category an ODOP product's goods are
offered under, and where a producer's goods are picked up. Each is atomic and audited."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from niryat.channels.models import OndcDomainMapping, OndcLocation
from niryat.channels.ondc.taxonomy import CATEGORIES
from niryat.core.audit import record_audit
from niryat.core.models import OdopProduct, User
from niryat.core.scoping import require_write
from niryat.registry.models import Producer

# India's extent, with a margin: a position outside it is a typing slip (latitude and longitude
# swapped, a digit lost).
LATITUDES = (Decimal(6), Decimal(38))
LONGITUDES = (Decimal(68), Decimal(98))


@transaction.atomic
def do_set_ondc_domain(
    odop_product: OdopProduct, domain: str, category: str, *, acting_user: User
) -> OndcDomainMapping:
    """Offer the ODOP product's goods on ONDC in `domain` under `category` (one of ONDC's for
    that domain), or, with no domain, not at all. The next search answers with it."""
    require_write(odop_product.district, acting_user)
    if domain and category not in CATEGORIES.get(domain, ()):
        raise ValidationError(_("Choose one of ONDC's categories for this domain."))
    if not domain:
        category = ""
    mapping, _created = OndcDomainMapping.objects.update_or_create(
        odop_product=odop_product,
        defaults={"domain": domain, "category": category, "updated_by": acting_user},
    )
    record_audit(
        actor=acting_user,
        action="ondc_domain.set",
        obj=mapping,
        district=odop_product.district,
        changes={"odop_product": odop_product.name_en, "domain": domain, "category": category},
    )
    return mapping


@transaction.atomic
def do_set_ondc_location(
    producer: Producer,
    *,
    latitude: Decimal,
    longitude: Decimal,
    street: str,
    locality: str,
    acting_user: User,
) -> OndcLocation:
    """Where the producer's goods are picked up, as ONDC buyers see their store."""
    require_write(producer.district, acting_user)
    if not (LATITUDES[0] <= latitude <= LATITUDES[1]) or not (
        LONGITUDES[0] <= longitude <= LONGITUDES[1]
    ):
        raise ValidationError(
            _("This position is not in India: check the latitude and the longitude.")
        )
    street, locality = " ".join(street.split()), " ".join(locality.split())
    if not street or not locality:
        raise ValidationError(_("Enter the street and the locality."))
    location, _created = OndcLocation.objects.update_or_create(
        producer=producer,
        defaults={
            "latitude": latitude.quantize(Decimal("0.000001")),
            "longitude": longitude.quantize(Decimal("0.000001")),
            "street": street,
            "locality": locality,
            "updated_by": acting_user,
        },
    )
    record_audit(
        actor=acting_user,
        action="ondc_location.set",
        obj=location,
        district=producer.district,
        changes={"producer": str(producer.uuid), "street": street, "locality": locality},
    )
    return location
