"""An ONDC node for Gorakhpur with its delivery and settlement terms, and Ramu's terracotta horse
(12 in stock, ₹950), which `ready_for_ondc` gives everything on_search needs (a pickup place, a
colour, the centre's contacts) so that it is offered and can be ordered."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from niryat.catalog.actions import do_update_sku
from niryat.catalog.models import Sku
from niryat.channels.models import OndcLocation, OndcNode
from niryat.channels.ondc.actions import do_set_up_ondc_node
from niryat.core.models import Centre, District, User
from niryat.registry.models import Producer


def pickup(producer: Producer, ganesh: User) -> OndcLocation:
    """The producer's pickup place, and the PAN ONDC gives buyers as the seller's tax number."""
    if not producer.pan:
        producer.pan = f"ABCPP{producer.pk % 10000:04d}K"
        Producer.objects.filter(pk=producer.pk).update(pan=producer.pan)
    return OndcLocation.objects.create(
        producer=producer,
        latitude=Decimal("26.760555"),
        longitude=Decimal("83.373168"),
        street="Prajapati Tola",
        locality="Aurangabad",
        updated_by=ganesh,
    )


def ready_for_ondc(horse_sku: Sku, ganesh: User) -> Sku:
    """The channels' horse, ready for ONDC: a pickup place, a colour, the centre's contacts."""
    Centre.objects.update_or_create(
        district=horse_sku.product.district,
        defaults={"phone": "+91 551 220 0123", "email": "edc.gorakhpur@example.org"},
        create_defaults={
            "name_en": "Export Development Centre",
            "name_hi": "निर्यात विकास केन्द्र",
            "phone": "+91 551 220 0123",
            "email": "edc.gorakhpur@example.org",
        },
    )
    pickup(horse_sku.producer, ganesh)
    return do_update_sku(horse_sku, acting_user=ganesh, colour="brown")


@pytest.fixture
def ondc_node(gorakhpur: District, ganesh: User) -> OndcNode:
    node = do_set_up_ondc_node(gorakhpur, "edc-gorakhpur.niryat.test", acting_user=ganesh)
    node.delivery_charge = Decimal("80.00")
    node.packing_charge = Decimal("20.00")
    node.serviceable_pins = "1, 2, 3, 4, 5, 6, 7, 8"  # not the Army Post Office (9)
    node.support_phone = "9450394039"
    node.support_email = "ondc@edc-gorakhpur.example.in"
    node.gstin = "09AAAGE1234F1Z5"
    node.settlement_beneficiary = "EDC Gorakhpur"
    node.settlement_account = "000123456789"
    node.settlement_ifsc = "SBIN0000123"
    node.settlement_bank = "State Bank of India"
    node.settlement_branch = "Gorakhpur Main"
    node.save()
    return node


def list_in_registry(registry: Any, node: OndcNode) -> OndcNode:
    """The node, known to the fake registry as a seller app in both retail domains."""
    for domain in ("ONDC:RET12", "ONDC:RET16"):
        registry.add_participant(
            {
                "subscriber_id": node.subscriber_id,
                "ukId": node.unique_key_id,
                "domain": domain,
                "type": "sellerApp",
                "signing_public_key": node.signing_public_key,
                "valid_until": "2099-01-01T00:00:00.000Z",
            }
        )
    return node


def connect_buyer_app(bap_server: Any, registry: Any, subscriber: str, site_url: str) -> Any:
    """The fake buyer app, emptied, known to the registry, reaching `subscriber` at `site_url`."""
    bap_server.reset()
    for participant in bap_server.participants():
        registry.add_participant(participant)
    bap_server.registry_url = registry.url
    bap_server.sites[subscriber] = site_url
    return bap_server
