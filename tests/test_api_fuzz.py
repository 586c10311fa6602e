"""Schemathesis over the whole API (/api/openapi.json), as a centre staff user and as a state admin:
every operation gets generated requests, valid and not (huge integers, odd strings, bad UUIDs), and
none may answer a server error or an answer its schema does not describe.

Bounded so that `make test` stays fast: a few examples per operation (FUZZ_EXAMPLES raises it for a
longer run by hand). The district holds a producer, a product and SKU, a seller account, a listing,
an order and a failed call, so that the lists answer records and their schemas are checked."""

from __future__ import annotations

import itertools
import os
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from config.wsgi import application
from niryat.channels.models import ChannelAccount, Listing, Order, OrderLine, OutboxEntry
from niryat.core.actions import do_create_api_token
from niryat.core.models import District, User
from niryat.registry.models import Producer
from tests.catalog.factories import add_sku, make_product

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
TURNS = itertools.count()


@pytest.fixture
def records(ramu: Producer, ganesh: User, gorakhpur: District, terracotta: Any) -> dict[str, Any]:
    """Gorakhpur's records, by the names of the path parameters that take them."""
    product = make_product(ramu, ganesh)
    sku = add_sku(product, ganesh, seller_sku="TERR-HORSE-01")
    account = ChannelAccount.objects.create(district=gorakhpur, channel="amazon", name="EDC")
    listing = Listing.objects.create(sku=sku, account=account, state="live", external_id="B0TEST")
    order = Order.objects.create(
        district=gorakhpur,
        account=account,
        producer=ramu,
        channel_order_id="403-1234567-1234567",
        ordered_at=timezone.now(),
    )
    OrderLine.objects.create(
        order=order, sku=sku, seller_sku=sku.seller_sku, quantity=1, unit_price=950
    )
    entry = OutboxEntry.objects.create(
        account=account,
        listing=listing,
        operation="submit",
        idempotency_key="fuzz",
        state="failed",
        next_try_at=timezone.now(),
        last_error="503",
    )
    return {
        "lgd_code": gorakhpur.lgd_code,
        "product_id": terracotta.pk,
        "producer_uuid": ramu.uuid,
        "product_uuid": product.uuid,
        "sku_uuid": sku.uuid,
        "account_uuid": account.uuid,
        "listing_uuid": listing.uuid,
        "order_uuid": order.uuid,
        "entry_id": entry.pk,
    }


@pytest.fixture(autouse=True)
def keep_test_connection() -> Any:
    """The WSGI app closes the database connection at the end of each request; inside the test's
    transaction on PostgreSQL that would end the test itself (as Django's test client knows)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=["ganesh", "alice"])
def token(request: pytest.FixtureRequest, records: dict[str, Any]) -> str:
    user: User = request.getfixturevalue(request.param)
    return do_create_api_token(name="fuzz", acting_user=user)[1]


# Read from the running application at collection time (the schema needs no database).
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_no_server_error_and_answers_as_documented(
    case: Any, token: str, records: dict[str, Any]
) -> None:
    # Every other example names real records, so that the operations run past their lookup
    # (generated ids are almost never found).
    if case.path_parameters and next(TURNS) % 2:
        for name in case.path_parameters:
            if name in records:
                case.path_parameters[name] = str(records[name])
    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
    assert response.status_code != 401, "the token was refused: nothing was tested"
