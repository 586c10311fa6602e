"""A buyer app pays the centre for ONDC orders and says so in RSF 1.0's `receiver_recon`: the
node records it as settlements of the centre's ONDC account, reconciled per order line like any
marketplace's, and answers `on_receiver_recon` with whether it agrees, and why not.

The first tests go over real HTTP (the fake buyer app signs and sends, Niryat on a live server
verifies and answers); the others call the handler with the payload the fake builds from its
fixture (fakes/fixtures/ondc_receiver_recon.json)."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from fakes.ondc_bap import RECEIVER_RECON, FakeOndcBuyerApp
from niryat.catalog.models import Sku
from niryat.channels.models import ChannelAccount, OndcMessage, OndcNode, Order
from niryat.channels.ondc import orders, settlement
from niryat.core.models import User
from niryat.payouts import reconcile
from niryat.payouts.models import Settlement, SettlementLine
from tests.catalog.factories import run_tasks
from tests.channels.ondc import requests as r
from tests.channels.ondc.conftest import ready_for_ondc
from tests.channels.ondc.test_flow import (  # noqa: F401 - fixtures of the live network
    SUBSCRIBER,
    bap,
    bap_server,
    deliver,
    horse,
    loopback_names,
    node,
    registry,
    registry_server,
    site,
)

# Our on_receiver_recon to five orders with a finder fee above the agreed one and an order we do
# not have, as ONDC's log-validation utility passed it (RSF 1.0.0).
SAMPLE_ANSWERS = json.loads((RECEIVER_RECON.parent / "ondc_on_receiver_recon.json").read_text())[
    "message"
]["orderbook"]["orders"]


def add_rates() -> None:
    """TCS and TDS as their migration seeds them (a live-server test empties every table)."""
    importlib.import_module("niryat.payouts.migrations.0002_tax_rates").add_rates(apps, None)


def lines_of(order: Order) -> dict[str, tuple[str, str | None]]:
    return {
        line.kind: (str(line.amount), None if line.agreed is None else str(line.agreed))
        for line in SettlementLine.objects.filter(order=order)
    }


# -- over HTTP ---------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_a_signed_recon_is_recorded_once_and_agreed_with(
    bap: FakeOndcBuyerApp,  # noqa: F811
    horse: Sku,  # noqa: F811
    ganesh: User,
) -> None:
    # given a terracotta horse (₹950, delivery ₹80, packing ₹20) bought and delivered
    add_rates()
    placed = bap.buy(SUBSCRIBER, item=str(horse.uuid), between=run_tasks)
    order = Order.objects.get(channel_order_id=placed["on_confirm"]["message"]["order"]["id"])
    deliver(order, ganesh)

    # when the buyer app pays and sends its reconciliation
    answer, sent = bap.settle(SUBSCRIBER, [order.channel_order_id])
    assert (answer.status_code, answer.json()) == (200, {"message": {"ack": {"status": "ACK"}}})
    run_tasks()

    # then it hears, signed, that the node agrees
    callback = bap.wait_for("on_receiver_recon", message_id=sent["context"]["message_id"])
    assert callback.verified
    assert callback.context["domain"] == "ONDC:NTS10"
    assert callback.context["core_version"] == "1.0.0"
    (agreed,) = callback.data["message"]["orderbook"]["orders"]
    assert agreed == {
        "id": order.channel_order_id,
        "invoice_no": f"INV-{order.channel_order_id}",
        "collector_app_id": bap.SUBSCRIBER_ID,
        "receiver_app_id": SUBSCRIBER,
        "order_recon_status": "02",
        "transaction_id": placed["transaction_id"],
        "settlement_id": sent["message"]["orderbook"]["orders"][0]["settlement_id"],
        "settlement_reference_no": sent["message"]["orderbook"]["orders"][0][
            "settlement_reference_no"
        ],
        "counterparty_recon_status": "01",
    }
    # and the payout is the ONDC account's, line by line, the finder fee with what was agreed
    recorded = Settlement.objects.get()
    assert recorded.account.channel == "ondc"
    assert (recorded.source, recorded.total, recorded.paid_on) == (
        "push",
        Decimal("1012.50"),
        timezone.localdate(),
    )
    assert lines_of(order) == {
        "sale": ("950.00", None),
        "shipping": ("100.00", None),
        "commission": ("-31.50", "31.50"),
        "tcs": ("-5.00", None),
        "tds": ("-1.00", None),
    }
    # the fields the node does not read are kept as the buyer app sent them
    assert recorded.raw["order"]["payerdetails"]["payer_name"] == "Buyer Niryat Test"
    (line,) = reconcile.reconcile(
        reconcile.lines_for(accounts=ChannelAccount.objects.filter(pk=order.account_id)),
        today=timezone.localdate(),
    )
    assert (line.paid, line.fees, line.tcs, line.tds, line.flags) == (
        Decimal("1012.50"),
        Decimal("-31.50"),
        Decimal("-5.00"),
        Decimal("-1.00"),
        [],
    )

    # when the same body comes again, it is refused as a replay; the same payout in a new
    # message changes nothing
    again = bap.post(SUBSCRIBER, "receiver_recon", json.dumps(sent).encode())
    assert again.status_code == 401
    assert again.json()["error"]["code"] == "30022"
    answer, _sent = bap.settle(SUBSCRIBER, [order.channel_order_id])
    assert answer.status_code == 200
    run_tasks()
    assert Settlement.objects.count() == 1
    assert SettlementLine.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_five_orders_paid_in_one_payout_are_answered_in_one_callback_with_reasons(
    bap: FakeOndcBuyerApp,  # noqa: F811
    horse: Sku,  # noqa: F811
    ganesh: User,
) -> None:
    """RSF 1.0's utility wants at least five orders in an order book. Set ONDC_FLOW_LOGS to a
    folder to keep the receiver_recon and on_receiver_recon (to POST them to the utility)."""
    add_rates()
    ids = []
    for _ in range(5):
        placed = bap.buy(SUBSCRIBER, item=str(horse.uuid), between=run_tasks)
        ids.append(placed["on_confirm"]["message"]["order"]["id"])
        deliver(Order.objects.get(channel_order_id=ids[-1]), ganesh)

    answer, sent = bap.settle(SUBSCRIBER, ids, faults=("fee_above", "unknown_order"))
    assert answer.status_code == 200
    run_tasks()

    callback = bap.wait_for("on_receiver_recon", message_id=sent["context"]["message_id"])
    answers = {o["id"]: o for o in callback.data["message"]["orderbook"]["orders"]}
    assert {key: a["counterparty_recon_status"] for key, a in answers.items()} == {
        **dict.fromkeys(ids, "03"),
        "ORD-NOT-OURS-1": "04",
    }
    assert answers[ids[0]]["counterparty_diff_amount"] == {"currency": "INR", "value": "-31.50"}
    assert answers[ids[0]]["message"] == {"name": "finder fee above agreed", "code": "FEE"}
    # 6% kept where 3% was agreed, on each ₹1,050 order; the stranger kept all the same
    payouts = {payout.settlement_id: payout for payout in Settlement.objects.all()}
    assert payouts.keys() == answers.keys()
    assert payouts[ids[0]].total == Decimal("981.00")
    stranger = payouts["ORD-NOT-OURS-1"]
    assert (stranger.total, stranger.lines.filter(order__isnull=True).count()) == (
        Decimal("481.17"),
        4,
    )
    keep = os.environ.get("ONDC_FLOW_LOGS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        logs = {"receiver_recon": sent, "on_receiver_recon": callback.data}
        (Path(keep) / "rsf_receiver_recon.json").write_text(json.dumps(logs, indent=2))


@pytest.mark.django_db(transaction=True)
def test_a_recon_with_a_bad_signature_is_refused_and_nothing_is_kept(
    bap: FakeOndcBuyerApp,  # noqa: F811
    horse: Sku,  # noqa: F811
) -> None:
    placed = bap.buy(SUBSCRIBER, item=str(horse.uuid), between=run_tasks)
    order_id = placed["on_confirm"]["message"]["order"]["id"]

    answer, sent = bap.settle(SUBSCRIBER, [order_id], authorization=bap.signer.header(b"{}"))
    run_tasks()

    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "30016"
    assert not Settlement.objects.exists()
    refused = OndcMessage.objects.get(action="receiver_recon")
    assert (refused.outcome, refused.message_id) == ("nack", sent["context"]["message_id"])
    assert bap.received("on_receiver_recon") == []


# -- the handler -------------------------------------------------------------------------------
@pytest.fixture
def ramu_horse(horse_sku: Sku, ganesh: User) -> Sku:
    add_rates()  # gone if a live-server test ran before
    return ready_for_ondc(horse_sku, ganesh)


def placed(seller: OndcNode, sku: Sku, order_id: str, *, ordered: dt.date | None = None) -> dict:
    """An order of one horse (₹1,050 with delivery and packing), as the fake buyer app keeps
    it; its date moved to `ordered`."""
    orders.answer_select(seller, r.select([(sku, 1)], txn=order_id))
    terms = orders.answer_init(seller, r.init([(sku, 1)], txn=order_id)).message["order"]
    reply = orders.answer_confirm(
        seller, r.confirm([(sku, 1)], order_id, terms=terms, txn=order_id)
    )
    assert reply.error is None, reply.error
    if ordered is not None:
        moment = dt.datetime.combine(ordered, dt.time(11), tzinfo=dt.UTC)
        Order.objects.filter(channel_order_id=order_id).update(ordered_at=moment)
    return {"node": seller.subscriber_id, "transaction_id": order_id, **reply.message}


def recon(*entries: dict[str, Any]) -> dict[str, Any]:
    data = json.loads(RECEIVER_RECON.read_text())
    data["message"]["orderbook"]["orders"] = list(entries)
    return data


def entry(order: dict, *faults: str, **values: str) -> dict[str, Any]:
    found = FakeOndcBuyerApp().recon_order(
        order["order"]["id"],
        order,
        settlement_id="SET-1",
        reference="SBIN326343123456",
        gst_percent=Decimal(5),
        faults=faults,
    )
    for name, value in values.items():
        if name == "paid":
            found["payment"]["@ondc/org/settlement_details"][0]["settlement_amount"] = value
        else:
            found[name] = {"currency": "INR", "value": value}
    return found


@pytest.mark.django_db
def test_the_node_disagrees_with_a_fee_above_the_agreed_one_and_says_by_how_much(
    ondc_node: OndcNode, ramu_horse: Sku
) -> None:
    order = placed(ondc_node, ramu_horse, "ORD-FEE")

    reply = settlement.answer_receiver_recon(ondc_node, recon(entry(order, "fee_above")))

    (answer,) = reply.message["orderbook"]["orders"]  # type: ignore[index]
    # 6% (₹63) kept where 3% (₹31.50) was agreed: paid ₹31.50 less than expected
    assert answer["counterparty_recon_status"] == "03"
    assert answer["counterparty_diff_amount"] == {"currency": "INR", "value": "-31.50"}
    assert answer["message"] == {"name": "finder fee above agreed", "code": "FEE"}
    # the keys of the answer ONDC's utility passed (fakes/fixtures/ondc_on_receiver_recon.json)
    assert answer.keys() == SAMPLE_ANSWERS[0].keys()
    (line,) = reconcile.reconcile(
        reconcile.lines_for(accounts=ChannelAccount.objects.filter(channel="ondc")),
        today=timezone.localdate(),
    )
    assert [flag.reason for flag in line.flags] == [
        "Commission of ₹63 is above the ₹31.50 agreed for the order."
    ]


@pytest.mark.django_db
def test_a_payout_that_does_not_add_up_is_disagreed_with_and_flagged(
    ondc_node: OndcNode, ramu_horse: Sku
) -> None:
    order = placed(ondc_node, ramu_horse, "ORD-SHORT")

    reply = settlement.answer_receiver_recon(ondc_node, recon(entry(order, "short_paid")))

    (answer,) = reply.message["orderbook"]["orders"]  # type: ignore[index]
    assert answer["counterparty_recon_status"] == "03"
    assert answer["counterparty_diff_amount"] == {"currency": "INR", "value": "-50.00"}
    assert answer["message"] == {"name": "payout does not add up", "code": "SUM"}
    payout = Settlement.objects.get()
    assert [flag.code for flag in reconcile.settlement_flags(payout)] == ["not_adding_up"]


@pytest.mark.django_db
def test_tcs_and_tds_are_checked_at_the_rates_of_the_orders_date(
    ondc_node: OndcNode, ramu_horse: Sku
) -> None:
    # An order of June 2024 (TCS 1%, TDS 1% then) and one of today (0.5% and 0.1%), both
    # settled with 1% withheld on the ₹1,000 without GST.
    old = placed(ondc_node, ramu_horse, "ORD-JUNE24", ordered=dt.date(2024, 6, 15))
    new = placed(ondc_node, ramu_horse, "ORD-TODAY")
    one_percent = {"withholding_tax_gst": "10.00", "withholding_tax_tds": "10.00"}
    paid = {"paid": str(Decimal("1050.00") - Decimal("31.50") - 20)}

    reply = settlement.answer_receiver_recon(
        ondc_node, recon(entry(old, **one_percent, **paid), entry(new, **one_percent, **paid))
    )

    answers = {a["id"]: a for a in reply.message["orderbook"]["orders"]}  # type: ignore[index]
    assert answers["ORD-JUNE24"]["counterparty_recon_status"] == "01"
    assert answers["ORD-TODAY"]["counterparty_recon_status"] == "03"
    # ₹5 TCS and ₹1 TDS were due: ₹14 too little paid
    assert answers["ORD-TODAY"]["counterparty_diff_amount"]["value"] == "-14.00"
    assert answers["ORD-TODAY"]["message"]["code"] == "TAX"
    figures = {
        line.channel_order_id: line
        for line in reconcile.reconcile(
            reconcile.lines_for(accounts=ChannelAccount.objects.filter(channel="ondc")),
            today=timezone.localdate(),
        )
    }
    assert (figures["ORD-JUNE24"].expected_tcs, figures["ORD-JUNE24"].expected_tds) == (
        Decimal("10.00"),
        Decimal("10.00"),
    )
    assert [flag.reason for flag in figures["ORD-TODAY"].flags] == [
        f"TCS withheld ₹10; 0.5% in force on {today()} (notification 15/2024-Central Tax) "
        "gives ₹5.",
        f"TDS withheld ₹10; 0.1% in force on {today()} (s. 194-O; Finance (No. 2) Act, 2024) "
        "gives ₹1.",
    ]


def today() -> str:
    from niryat.core.dates import format_date

    return format_date(reconcile.india_date(timezone.now()))


@pytest.mark.django_db
def test_an_order_not_in_our_book_is_kept_with_the_buyer_apps_ids(
    ondc_node: OndcNode, ramu_horse: Sku
) -> None:
    ours = placed(ondc_node, ramu_horse, "ORD-OURS")
    stranger = {
        "node": ondc_node.subscriber_id,
        "transaction_id": "T-STRANGER",
        "order": {"id": "ORD-STRANGER", "quote": {"price": {"value": "499.00"}}},
    }

    reply = settlement.answer_receiver_recon(ondc_node, recon(entry(ours), entry(stranger)))

    answers = {a["id"]: a for a in reply.message["orderbook"]["orders"]}  # type: ignore[index]
    assert answers["ORD-OURS"]["counterparty_recon_status"] == "01"
    assert answers["ORD-STRANGER"]["counterparty_recon_status"] == "04"
    assert answers["ORD-STRANGER"]["message"] == {"name": "order not found", "code": "UNKNOWN"}
    kept = SettlementLine.objects.filter(channel_order_id="ORD-STRANGER")
    assert {(line.kind, str(line.amount), line.order_id) for line in kept} == {
        ("sale", "499.00", None),
        ("commission", "-14.97", None),
        ("tcs", "-2.38", None),
        ("tds", "-0.48", None),
    }
    assert all(line.flags == ["unmatched"] for line in kept)
    assert [
        line.channel_order_id
        for line in reconcile.unmatched_lines(ChannelAccount.objects.filter(channel="ondc"))
    ] == ["ORD-STRANGER"] * 4


@pytest.mark.django_db
def test_what_is_held_back_for_returns_and_released_later_replaces_the_orders_figures(
    ondc_node: OndcNode, ramu_horse: Sku
) -> None:
    order = placed(ondc_node, ramu_horse, "ORD-HELD")
    held = entry(order, paid="912.50")
    held["payment"]["@ondc/org/withholding_amount"] = "100.00"

    first = settlement.answer_receiver_recon(ondc_node, recon(held))

    assert first.message["orderbook"]["orders"][0]["counterparty_recon_status"] == "01"  # type: ignore[index]
    (line,) = reconcile.reconcile(
        reconcile.lines_for(accounts=ChannelAccount.objects.filter(channel="ondc")),
        today=timezone.localdate(),
    )
    assert (line.paid, line.reserve, line.withheld) == (
        Decimal("912.50"),
        Decimal("-100.00"),
        Decimal("106.00"),
    )

    # after the return window the buyer app pays what it held back, in a second payout
    released = json.loads(json.dumps(held))
    sale = released["payment"]["@ondc/org/settlement_details"][0]
    released["payment"]["@ondc/org/settlement_details"].append(
        {**sale, "settlement_phase": "withholding-amount", "settlement_amount": "100.00"}
    )
    second = settlement.answer_receiver_recon(ondc_node, recon(released))

    assert second.message["orderbook"]["orders"][0]["counterparty_recon_status"] == "01"  # type: ignore[index]
    assert Settlement.objects.get().total == Decimal("1012.50")
    (line,) = reconcile.reconcile(
        reconcile.lines_for(accounts=ChannelAccount.objects.filter(channel="ondc")),
        today=timezone.localdate(),
    )
    assert (line.paid, line.reserve, line.withheld) == (
        Decimal("1012.50"),
        Decimal(0),
        Decimal("6.00"),
    )
