"""The node's protocol server over real HTTP: the fake buyer app (fakes/ondc_bap.py) sends signed
requests to Niryat on a live server, the fake registry holds everyone's keys, and the task worker
sends the signed callbacks back to the buyer app."""

from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from fakes.ondc_bap import FakeOndcBuyerApp, Signer
from fakes.ondc_registry import FakeOndcRegistry
from niryat.channels.models import OndcMessage, OndcNode
from niryat.channels.ondc import server
from niryat.channels.ondc.actions import do_set_up_ondc_node
from niryat.channels.ondc.protocol import OndcError, Reply
from niryat.core.reference_data import load_reference_data
from tests.catalog.factories import run_tasks
from tests.channels.ondc.conftest import connect_buyer_app, list_in_registry
from tests.conftest import hindi

SUBSCRIBER = "edc-gorakhpur.niryat.test"
HERE = "tests.channels.ondc.test_server"
CATALOGUE = {"catalog": {"bpp/descriptor": {"name": "EDC Gorakhpur"}, "bpp/providers": []}}
SELECT = {"order": {"items": [{"id": "I1", "quantity": {"count": 1}}]}}


# -- handlers the tests install in the server's table -----------------------------------------
def answer_search(node: OndcNode, request: dict[str, Any]) -> Reply:
    assert node.subscriber_id == SUBSCRIBER
    return Reply(message=CATALOGUE)


def answer_with_quote(node: OndcNode, request: dict[str, Any]) -> Reply:
    return Reply(message={"order": {**request["message"]["order"], "quote": {"ttl": "P1D"}}})


def answer_out_of_stock(node: OndcNode, request: dict[str, Any]) -> Reply:
    raise OndcError("40002", '[{"item_id":"I1","error":"40002"}]')


def answer_broken(node: OndcNode, request: dict[str, Any]) -> Reply:
    raise RuntimeError("a bug")


# -- fixtures ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def registry_server():  # type: ignore[no-untyped-def]
    fake = FakeOndcRegistry()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def bap_server():  # type: ignore[no-untyped-def]
    fake = FakeOndcBuyerApp()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def registry(registry_server, settings):  # type: ignore[no-untyped-def]
    registry_server.reset()
    cache.clear()  # looked-up keys
    settings.ONDC_REGISTRY_URL = registry_server.url
    settings.ONDC_REGISTRY_ENCRYPTION_KEY = registry_server.encryption_public_key
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, SUBSCRIBER]
    settings.ONDC_CALLBACK_RETRY_SECONDS = 0  # retries due at once: the worker runs them now
    return registry_server


@pytest.fixture
def site(live_server, registry):  # type: ignore[no-untyped-def]
    """Niryat on loopback (its database is transactional, so the reference data is loaded)."""
    load_reference_data(settings.REFERENCE_DATA_DIR)
    return live_server


@pytest.fixture
def node(site, registry, gorakhpur, ganesh) -> OndcNode:  # type: ignore[no-untyped-def]
    node = do_set_up_ondc_node(gorakhpur, SUBSCRIBER, acting_user=ganesh)
    return list_in_registry(registry, node)


@pytest.fixture
def bap(bap_server, registry, site, node):  # type: ignore[no-untyped-def]
    return connect_buyer_app(bap_server, registry, SUBSCRIBER, site.url)


@pytest.fixture(autouse=True)
def handlers(monkeypatch):  # type: ignore[no-untyped-def]
    for action in ("search", "issue"):
        monkeypatch.setitem(server.HANDLERS, action, f"{HERE}.answer_search")
    for action in ("select", "init", "confirm"):
        monkeypatch.setitem(server.HANDLERS, action, f"{HERE}.answer_with_quote")


def nack_of(answer: Any) -> tuple[int, str, str]:
    body = answer.json()
    assert body["message"]["ack"]["status"] == "NACK"
    return answer.status_code, body["error"]["code"], body["error"]["type"]


def queued() -> int:
    return DBTaskResult.objects.count()


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


# -- the happy path ------------------------------------------------------------------------------
def test_a_signed_search_is_acked_and_its_on_search_arrives_signed(bap, node):
    answer, context = bap.send(SUBSCRIBER, "search", {"intent": {}})

    assert answer.status_code == 200
    assert answer.json() == {"message": {"ack": {"status": "ACK"}}}
    run_tasks()
    callback = bap.wait_for("on_search", message_id=context["message_id"])
    assert callback.verified
    assert callback.data["message"] == CATALOGUE
    assert callback.context["transaction_id"] == context["transaction_id"]
    assert callback.context["bpp_id"] == SUBSCRIBER
    assert callback.context["ttl"] == "PT30S"
    sent = OndcMessage.objects.get(direction="sent")
    assert sent.outcome == OndcMessage.Outcome.DELIVERED
    assert sent.body.encode() == callback.body  # the bytes logged are the bytes signed and sent
    assert sent.answers.outcome == OndcMessage.Outcome.ACK


def test_a_search_through_the_gateway_is_verified_with_both_signatures(bap, node):
    body = bap.body("search", None, {"intent": {}})

    answer = bap.post(SUBSCRIBER, "search", body, gateway=True)

    assert answer.status_code == 200
    run_tasks()
    assert bap.wait_for("on_search").verified
    # A gateway header over other bytes is refused, though the buyer app's own header holds.
    forged = bap.gateway.header(b"{}")
    answer = httpx_post(bap, body, {"X-Gateway-Authorization": forged})
    assert nack_of(answer) == (401, "30016", "CONTEXT-ERROR")


def test_a_gateway_header_signed_by_a_buyer_app_is_refused(bap, node):
    # The buyer app's genuine signature in the gateway's header: the registry lists it as a
    # buyer app, not a gateway, so it cannot vouch that a gateway forwarded the search.
    body = bap.body("search", None, {"intent": {}})

    answer = httpx_post(bap, body, {"X-Gateway-Authorization": bap.signer.header(body)})

    assert nack_of(answer) == (401, "30016", "CONTEXT-ERROR")
    assert "not as gateway" in answer.json()["error"]["message"]


def httpx_post(bap: FakeOndcBuyerApp, body: bytes, extra: dict[str, str]) -> Any:
    import httpx

    headers = {
        "Content-Type": "application/json",
        "Host": SUBSCRIBER,
        "Authorization": bap.signer.header(body),
        **extra,
    }
    return httpx.post(f"{bap.sites[SUBSCRIBER]}/ondc/search", content=body, headers=headers)


@pytest.mark.parametrize("action", ["select", "init", "confirm"])
def test_on_select_init_and_confirm_reach_the_buyer_app_within_five_seconds(bap, node, action):
    sent_at = time.time()
    answer, context = bap.send(SUBSCRIBER, action, SELECT)
    assert answer.status_code == 200

    run_tasks()

    callback = bap.wait_for(f"on_{action}", message_id=context["message_id"])
    asked = datetime.fromisoformat(context["timestamp"].replace("Z", "+00:00"))
    answered = datetime.fromisoformat(callback.context["timestamp"].replace("Z", "+00:00"))
    # The utility's rule (ONDC_FACTS.md §6) and the wall clock at the buyer app.
    assert timedelta(0) <= answered - asked <= timedelta(seconds=5)
    assert callback.received_at - sent_at <= 5
    assert callback.data["message"]["order"]["quote"] == {"ttl": "P1D"}


def test_an_igm_issue_is_served_at_core_version_1_0_0(bap, node):
    answer, context = bap.send(SUBSCRIBER, "issue", {"issue": {"id": "G1"}})

    assert answer.status_code == 200
    run_tasks()
    assert bap.wait_for("on_issue", message_id=context["message_id"]).verified


# -- signatures ----------------------------------------------------------------------------------
def test_a_tampered_body_is_refused_with_401_and_nothing_is_done(bap, node):
    body = bap.body("search", SUBSCRIBER, {"intent": {}})
    tampered = body.replace(b'"intent":{}', b'"intent":{"item":{}}')

    answer = bap.post(SUBSCRIBER, "search", tampered, signed_body=body)

    assert nack_of(answer) == (401, "30016", "CONTEXT-ERROR")
    assert "does not match" in answer.json()["error"]["message"]
    assert queued() == 0
    logged = OndcMessage.objects.get()
    assert (logged.outcome, logged.signature_ok) == (OndcMessage.Outcome.NACK, False)


def test_an_expired_signature_is_refused(bap, node):
    body = bap.body("search", SUBSCRIBER, {"intent": {}})

    answer = bap.post(SUBSCRIBER, "search", body, created=int(time.time()) - 7200, validity=3600)

    assert nack_of(answer) == (401, "30016", "CONTEXT-ERROR")
    assert "expired" in answer.json()["error"]["message"]
    assert queued() == 0


def test_a_key_the_registry_does_not_know_is_refused(bap, node):
    stranger = Signer(FakeOndcBuyerApp.SUBSCRIBER_ID, "bap-key-9")
    body = bap.body("search", SUBSCRIBER, {"intent": {}})

    answer = bap.post(SUBSCRIBER, "search", body, authorization=stranger.header(body))

    assert nack_of(answer) == (401, "30016", "CONTEXT-ERROR")
    assert "knows no key bap-key-9" in answer.json()["error"]["message"]
    assert queued() == 0


def test_a_request_without_a_signature_or_signed_by_another_app_is_refused(bap, node, registry):
    body = bap.body("search", SUBSCRIBER, {"intent": {}})
    assert nack_of(bap.post(SUBSCRIBER, "search", body, authorization="")) == (
        401,
        "30016",
        "CONTEXT-ERROR",
    )
    # Another registered buyer app signs a request that names ours as its sender.
    other = Signer("other-buyer.niryat.test", "k1")
    registry.add_participant(other.participant("buyerApp"))
    answer = bap.post(SUBSCRIBER, "search", body, authorization=other.header(body))
    assert nack_of(answer) == (401, "30016", "CONTEXT-ERROR")
    assert queued() == 0


# -- freshness -----------------------------------------------------------------------------------
def test_a_replayed_message_id_is_refused_as_stale_and_answered_once(bap, node):
    body = bap.body("select", SUBSCRIBER, SELECT)
    assert bap.post(SUBSCRIBER, "select", body).status_code == 200

    again = bap.post(SUBSCRIBER, "select", body)  # the same bytes, freshly signed

    assert nack_of(again) == (401, "30022", "CONTEXT-ERROR")
    run_tasks()
    bap.wait_for("on_select")
    assert len(bap.received("on_select")) == 1
    assert OndcMessage.objects.filter(direction="received", outcome="ack").count() == 1


def test_the_same_message_id_to_another_action_or_from_another_app_is_not_a_replay(bap, node):
    first, context = bap.send(SUBSCRIBER, "select", SELECT)
    second, _ = bap.send(SUBSCRIBER, "init", SELECT, message_id=context["message_id"])

    assert (first.status_code, second.status_code) == (200, 200)


def test_a_request_older_than_its_ttl_is_stale_and_one_from_the_future_is_refused(bap, node):
    old = stamp(datetime.now(UTC) - timedelta(seconds=31))
    answer, _ = bap.send(SUBSCRIBER, "select", SELECT, timestamp=old)
    assert nack_of(answer) == (401, "30022", "CONTEXT-ERROR")

    ahead = stamp(datetime.now(UTC) + timedelta(minutes=5))
    answer, _ = bap.send(SUBSCRIBER, "select", SELECT, timestamp=ahead)
    assert nack_of(answer) == (400, "30000", "CONTEXT-ERROR")
    assert queued() == 0


# -- the request itself --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("context", "says"),
    [
        ({"domain": "ONDC:RET10"}, "not ONDC:RET10"),
        ({"core_version": "1.2.5"}, "core_version must be 1.2.0"),
        ({"action": "init"}, "this is /select"),
        ({"bpp_id": "other-edc.niryat.test"}, "bpp_id must be"),
        ({"transaction_id": ""}, "transaction_id is required"),
        ({"message_id": "x" * 201}, "message_id is required"),
        ({"timestamp": "yesterday"}, "RFC 3339"),
        ({"bap_uri": "ftp://buyer"}, "bap_uri"),
    ],
)
def test_a_wrong_context_is_refused_with_a_context_error(bap, node, context, says):
    answer, _ = bap.send(SUBSCRIBER, "select", SELECT, **context)

    assert nack_of(answer) == (400, "30000", "CONTEXT-ERROR")
    assert says in answer.json()["error"]["message"]
    assert queued() == 0


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"context":{}}', b'{"message":{}}'])
def test_a_body_that_is_no_ondc_message_is_a_json_schema_error(bap, node, body):
    answer = bap.post(SUBSCRIBER, "select", body)

    assert nack_of(answer) == (400, "30000", "JSON-SCHEMA-ERROR")


def test_an_action_without_a_handler_is_refused_not_acked(bap, node, monkeypatch):
    monkeypatch.setitem(server.HANDLERS, "rating", "niryat.channels.ondc.absent.answer_rating")

    answer, _ = bap.send(SUBSCRIBER, "rating", {"ratings": []})

    assert nack_of(answer) == (501, "40001", "CORE-ERROR")


def test_no_node_at_the_host_is_a_404(bap, node, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "nobody.niryat.test"]
    bap.sites["nobody.niryat.test"] = bap.sites[SUBSCRIBER]

    answer, _ = bap.send("nobody.niryat.test", "search", {"intent": {}})

    assert answer.status_code == 404


# -- the answer ----------------------------------------------------------------------------------
def test_a_handler_that_cannot_serve_sends_the_error_in_the_callback(bap, node, monkeypatch):
    monkeypatch.setitem(server.HANDLERS, "select", f"{HERE}.answer_out_of_stock")
    answer, context = bap.send(SUBSCRIBER, "select", SELECT)
    assert answer.status_code == 200

    run_tasks()

    callback = bap.wait_for("on_select", message_id=context["message_id"])
    assert callback.verified
    assert callback.data["error"] == {
        "type": "DOMAIN-ERROR",
        "code": "40002",
        "message": '[{"item_id":"I1","error":"40002"}]',
    }
    assert "message" not in callback.data


def test_a_handler_that_crashes_sends_an_internal_error(bap, node, monkeypatch, caplog):
    monkeypatch.setitem(server.HANDLERS, "select", f"{HERE}.answer_broken")
    bap.send(SUBSCRIBER, "select", SELECT)

    run_tasks()

    assert bap.wait_for("on_select").data["error"]["code"] == "31001"
    assert "the handler failed" in caplog.text


def test_a_callback_the_buyer_app_first_answers_503_is_retried_and_delivered_once(bap, node):
    bap.set_faults(server_errors=1)
    answer, context = bap.send(SUBSCRIBER, "select", SELECT)
    assert answer.status_code == 200

    run_tasks()

    bap.wait_for("on_select", message_id=context["message_id"])
    assert [r.path.rsplit("/", 1)[1] for r in bap.requests] == [
        "on_select",
        "on_select",
    ]  # 503, then ACK
    assert len(bap.received("on_select")) == 1
    sent = OndcMessage.objects.get(direction="sent")
    assert (sent.outcome, sent.attempts, sent.error) == (OndcMessage.Outcome.DELIVERED, 2, "")


def test_a_callback_never_taken_is_given_up_after_its_attempts(bap, node, settings, caplog):
    settings.ONDC_CALLBACK_ATTEMPTS = 3
    bap.set_faults(server_errors=10)
    bap.send(SUBSCRIBER, "select", SELECT)

    with caplog.at_level(logging.WARNING):
        run_tasks()

    sent = OndcMessage.objects.get(direction="sent")
    assert (sent.outcome, sent.attempts) == (OndcMessage.Outcome.FAILED, 3)
    assert "503" in sent.error
    assert "given up after 3 attempt(s)" in caplog.text
    assert bap.received("on_select") == []


def test_the_buyer_app_refuses_a_callback_with_a_bad_signature(bap, node):
    import httpx

    body = json.dumps({"context": {"action": "on_search"}, "message": {}}).encode()
    header = Signer(SUBSCRIBER, node.unique_key_id).header(body)  # not the node's key

    answer = httpx.post(f"{bap.url}/on_search", content=body, headers={"Authorization": header})

    assert answer.status_code == 401
    assert answer.json()["message"]["ack"]["status"] == "NACK"


# -- the log -------------------------------------------------------------------------------------
def test_a_flow_is_written_in_the_log_validation_utilitys_layout(bap, node, tmp_path: Path):
    _, context = bap.send(SUBSCRIBER, "search", {"intent": {}})
    transaction = context["transaction_id"]
    bap.send(SUBSCRIBER, "select", SELECT, transaction_id=transaction)
    run_tasks()
    bap.wait_for("on_select", transaction_id=transaction)
    out = tmp_path / "flow.json"

    call_command("ondc_flow_logs", transaction, flow="2", output=str(out), stdout=None)

    written = json.loads(out.read_text())
    assert (written["domain"], written["version"], written["flow"]) == ("ONDC:RET16", "1.2.0", "2")
    assert (written["bap_id"], written["bpp_id"]) == (FakeOndcBuyerApp.SUBSCRIBER_ID, SUBSCRIBER)
    assert list(written["payload"]) == [
        "search_full_catalog_refresh",
        "on_search_full_catalog_refresh",
        "select",
        "on_select",
    ]
    sent = OndcMessage.objects.get(action="on_select")
    assert written["payload"]["on_select"] == json.loads(sent.body)


def test_old_messages_are_pruned(bap, node, settings):
    bap.send(SUBSCRIBER, "search", {"intent": {}})
    OndcMessage.objects.update(created_at=datetime.now(UTC) - timedelta(days=200))
    bap.send(SUBSCRIBER, "select", SELECT)
    settings.ONDC_MESSAGE_RETENTION = timedelta(days=180)

    call_command("prune_ondc_messages", stdout=None)

    assert list(OndcMessage.objects.values_list("action", flat=True)) == ["select"]


def test_the_message_log_speaks_hindi_to_staff():
    for label in (
        "ONDC message",
        *OndcMessage.Outcome.labels,
        *OndcMessage.Direction.labels,
    ):
        hindi(str(label))


def test_an_order_flow_with_out_of_stock_and_a_status_push_is_logged_for_the_utility(
    bap, node, monkeypatch, tmp_path: Path
):
    # given a select answered out of stock, a reselect answered with a quote, and a confirm
    monkeypatch.setitem(server.HANDLERS, "select", f"{HERE}.answer_out_of_stock")
    _, first = bap.send(SUBSCRIBER, "select", SELECT)
    transaction = first["transaction_id"]
    run_tasks()
    monkeypatch.setitem(server.HANDLERS, "select", f"{HERE}.answer_with_quote")
    bap.send(SUBSCRIBER, "select", SELECT, transaction_id=transaction)
    _, confirm = bap.send(SUBSCRIBER, "confirm", SELECT, transaction_id=transaction)
    run_tasks()
    # when staff pack the order: an on_status nobody asked for just now
    packed = {
        "order": {
            "fulfillments": [{"type": "Delivery", "state": {"descriptor": {"code": "Packed"}}}]
        }
    }
    told = {**confirm, "message_id": str(uuid.uuid4())}
    sent = server.send_unsolicited(node, told, "on_status", packed)

    # then the buyer app has it, signed, under a new message_id of the same transaction
    callback = bap.wait_for("on_status", transaction_id=transaction)
    assert callback.verified
    assert callback.context["message_id"] not in (first["message_id"], confirm["message_id"])
    assert sent.outcome == OndcMessage.Outcome.DELIVERED
    # and the flow is written under the utility's names
    out = tmp_path / "flow.json"
    call_command("ondc_flow_logs", transaction, flow="3", output=str(out), stdout=None)
    assert list(json.loads(out.read_text())["payload"]) == [
        "select_out_of_stock",
        "on_select_out_of_stock",
        "select",
        "on_select",
        "confirm",
        "on_confirm",
        "on_status_packed",
    ]
