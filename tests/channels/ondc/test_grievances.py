"""A buyer complains through ONDC's IGM about Ramu's horse: the centre's staff see it with ONDC's
timelines, Ramu hears of it in Hindi, and staff's resolution reaches the buyer's app."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from niryat.catalog.models import Sku
from niryat.channels.models import Grievance, Order
from niryat.channels.ondc import grievances, orders
from niryat.channels.ondc.actions import do_resolve_grievance, do_respond_to_grievance
from niryat.channels.ondc.protocol import OndcError
from niryat.core.models import User
from niryat.messaging.backends import local
from tests.catalog.factories import run_tasks
from tests.channels.factories import drain
from tests.channels.ondc import requests as r
from tests.channels.ondc.buyer_app import BuyerApp
from tests.channels.ondc.conftest import ready_for_ondc
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def horse_sku(horse_sku: Sku, ganesh: User) -> Sku:
    return ready_for_ondc(horse_sku, ganesh)


@pytest.fixture(scope="module")
def buyer_app_server():  # type: ignore[no-untyped-def]
    fake = BuyerApp()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def buyer_app(buyer_app_server, ondc_node, settings):  # type: ignore[no-untyped-def]
    buyer_app_server.reset()
    buyer_app_server.seller_key = ondc_node.signing_public_key
    settings.CHANNEL_HTTP_TIMEOUT = 1.0
    settings.CHANNEL_RETRY_SECONDS = 0.01
    return buyer_app_server


@pytest.fixture
def sms_outbox(settings):  # type: ignore[no-untyped-def]
    settings.MESSAGING_BACKENDS = {
        **settings.MESSAGING_BACKENDS,
        "sms": "niryat.messaging.backends.local.MemoryBackend",
    }
    local.outbox.clear()
    yield local.outbox
    local.outbox.clear()


@pytest.fixture
def delivered(ondc_node, horse_sku, buyer_app) -> Order:  # type: ignore[no-untyped-def]
    """ORD-G1, one horse, confirmed by the live buyer app."""
    quote = orders.answer_init(ondc_node, r.init([(horse_sku, 1)], bap_uri=buyer_app.url)).message[
        "order"
    ]["quote"]
    orders.answer_confirm(
        ondc_node, r.confirm([(horse_sku, 1)], "ORD-G1", quote, bap_uri=buyer_app.url)
    )
    return Order.objects.get(channel_order_id="ORD-G1")


def test_a_complaint_is_recorded_with_ondcs_timelines_and_the_producer_told_in_hindi(
    ondc_node, horse_sku, delivered, sms_outbox
):
    run_tasks()  # the new order's SMS
    sms_outbox.clear()
    request = r.issue("ORD-G1", horse_sku)

    reply = grievances.answer_issue(ondc_node, request)

    issue = reply.message["issue"]
    assert issue["id"] == "ISSUE-1"
    actions = issue["issue_actions"]["respondent_actions"]
    assert [a["respondent_action"] for a in actions] == ["PROCESSING"]
    assert actions[0]["updated_by"]["org"]["name"] == f"{ondc_node.subscriber_id}::ONDC:RET16"
    grievance = Grievance.objects.get()
    assert grievance.order == delivered
    assert grievance.producer == horse_sku.product.producer
    assert grievance.district == ondc_node.district
    assert grievance.category == "ITEM"
    assert grievance.short_desc == "Horse arrived with a broken leg"
    assert grievance.respond_by - grievance.raised_at == datetime.timedelta(hours=2)
    assert grievance.resolve_by - grievance.raised_at == datetime.timedelta(days=1)
    assert grievance.status == "open"
    run_tasks()
    assert [m.to for m in sms_outbox] == ["+919839012345"]
    assert sms_outbox[0].template == "grievance_alert"
    assert sms_outbox[0].text.startswith(
        "ओएनडीसी पर एक खरीदार ने ऑर्डर ORD-G1 की शिकायत की है: Horse arrived with a broken leg।"
    )

    # the buyer app asks again (a retry): one grievance
    grievances.answer_issue(ondc_node, request)
    assert Grievance.objects.count() == 1


def test_issue_status_says_where_it_stands_and_the_buyer_may_close_it(
    ondc_node, horse_sku, delivered
):
    grievances.answer_issue(ondc_node, r.issue("ORD-G1", horse_sku))
    status = grievances.answer_issue_status(
        ondc_node,
        {
            "context": {**r.context("issue_status", "T1"), "core_version": "1.0.0"},
            "message": {"issue_id": "ISSUE-1"},
        },
    )
    assert status.message["issue"]["id"] == "ISSUE-1"
    assert "resolution" not in status.message["issue"]

    closing = r.issue("ORD-G1", horse_sku)
    closing["message"]["issue"]["issue_actions"]["complainant_actions"].append(
        {"complainant_action": "CLOSE", "short_desc": "Replaced, thanks", "updated_at": "x"}
    )
    grievances.answer_issue(ondc_node, closing)
    assert Grievance.objects.get().status == "closed"

    with pytest.raises(OndcError):
        grievances.answer_issue_status(
            ondc_node, {"context": r.context("issue_status", "T1"), "message": {"issue_id": "NO"}}
        )


def test_staff_see_open_grievances_with_overdue_marked(
    ondc_node, horse_sku, delivered, ganesh, vani
):
    grievances.answer_issue(ondc_node, r.issue("ORD-G1", horse_sku))
    late = r.issue("ORD-G1", horse_sku, issue_id="ISSUE-2")
    late["message"]["issue"]["created_at"] = (timezone.now() - datetime.timedelta(days=2)).strftime(
        "%Y-%m-%dT%H:%M:%S.000Z"
    )
    late["message"]["issue"]["description"]["short_desc"] = "Parcel never came"
    grievances.answer_issue(ondc_node, late)

    page = client_for(ganesh).get("/channels/grievances/").content.decode()

    assert "Horse arrived with a broken leg" in page
    assert "Parcel never came" in page
    assert page.count('class="overdue"') == 1
    assert page.index("Parcel never came") < page.index("Horse arrived")  # most urgent first
    # another district's staff see none of it
    other = client_for(vani).get("/channels/grievances/").content.decode()
    assert "Horse arrived" not in other


def test_staff_resolve_and_the_buyer_app_hears_the_resolution(
    ondc_node, horse_sku, delivered, ganesh, buyer_app
):
    grievances.answer_issue(ondc_node, r.issue("ORD-G1", horse_sku, bap_uri=buyer_app.url))
    grievance = Grievance.objects.get()
    client = client_for(ganesh)

    client.post(f"/channels/grievances/{grievance.uuid}/", {"text": "Asked Ramu for a new horse"})
    response = client.post(
        f"/channels/grievances/{grievance.uuid}/",
        {"resolution": "Refunded the horse", "action": "REFUND", "refund_amount": "950"},
    )
    assert response.status_code == 302
    drain()

    grievance.refresh_from_db()
    assert grievance.status == "resolved"
    assert grievance.refund_amount == Decimal("950.00")
    assert grievance.responded_at is not None
    assert grievance.resolved_at is not None
    heard = [c for c in buyer_app.received if c["path"] == "/on_issue_status"]
    assert len(heard) == 2
    assert [
        a["respondent_action"]
        for a in heard[-1]["message"]["issue"]["issue_actions"]["respondent_actions"]
    ] == [
        "PROCESSING",
        "PROCESSING",
        "RESOLVED",
    ]
    resolution = heard[-1]["message"]["issue"]["resolution"]
    assert resolution == {
        "short_desc": "Refunded the horse",
        "long_desc": "Refunded the horse",
        "action_triggered": "REFUND",
        "refund_amount": "950.00",
    }
    assert heard[-1]["context"]["core_version"] == "1.0.0"
    assert heard[-1]["context"]["transaction_id"] == "T1"
    assert len({c["context"]["message_id"] for c in heard}) == 2


def test_a_refund_needs_its_amount_and_a_settled_grievance_stays_settled(
    ondc_node, horse_sku, delivered, ganesh
):
    grievances.answer_issue(ondc_node, r.issue("ORD-G1", horse_sku))
    grievance = Grievance.objects.get()
    with pytest.raises(ValidationError):
        do_resolve_grievance(grievance, "Refunded", "REFUND", acting_user=ganesh)
    do_resolve_grievance(grievance, "Sent a new horse", "REPLACEMENT", acting_user=ganesh)
    with pytest.raises(ValidationError):
        do_respond_to_grievance(grievance, "More", acting_user=ganesh)
