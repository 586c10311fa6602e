"""An ONDC node for Gorakhpur with its delivery and settlement terms, and Ramu's terracotta horse
(12 in stock, ₹950) as an ONDC item."""

from __future__ import annotations

from decimal import Decimal

import pytest

from niryat.channels.models import OndcNode
from niryat.channels.ondc.actions import do_set_up_ondc_node
from niryat.core.models import District, User


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
