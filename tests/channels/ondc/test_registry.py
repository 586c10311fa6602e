"""A centre's ONDC node joins the fake registry over real HTTP (site verification, the on_subscribe
challenge) and looks up a buyer app's key with a signed /v2.0/lookup."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from fakes.ondc_registry import FakeOndcRegistry
from niryat.channels.models import OndcNode
from niryat.channels.ondc import registry_client, signing
from niryat.channels.ondc.actions import (
    do_rotate_ondc_keys,
    do_set_up_ondc_node,
    do_subscribe_ondc_node,
)
from niryat.channels.ondc.urls import CALLBACK_URL
from niryat.core.models import AuditEntry
from niryat.core.reference_data import load_reference_data

SUBSCRIBER = "edc-gorakhpur.niryat.test"
BUYER_APP = "buyer.example.test"


@pytest.fixture(scope="module")
def registry_server():  # type: ignore[no-untyped-def]
    fake = FakeOndcRegistry()
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
    return registry_server


@pytest.fixture
def node(gorakhpur, ganesh) -> OndcNode:  # type: ignore[no-untyped-def]
    return do_set_up_ondc_node(gorakhpur, SUBSCRIBER, acting_user=ganesh)


@pytest.fixture
def site(live_server, registry):  # type: ignore[no-untyped-def]
    """Niryat served on loopback, where the registry reaches the node's domain. The live server's
    database is transactional (pytest-django runs such tests after the others, and empties the
    database after each), so the reference data is loaded here first."""
    load_reference_data(settings.REFERENCE_DATA_DIR)
    registry.sites[SUBSCRIBER] = live_server.url
    return live_server


def registered(registry: FakeOndcRegistry, node: OndcNode) -> None:
    """The node as the registry holds it once subscribed (without the subscribe round trip)."""
    registry.add_participant(
        {
            "subscriber_id": node.subscriber_id,
            "ukId": node.unique_key_id,
            "domain": "ONDC:RET16",
            "type": "sellerApp",
            "signing_public_key": node.signing_public_key,
            "valid_until": "2099-01-01T00:00:00.000Z",
        }
    )


def test_a_centre_subscribes_and_the_registry_admits_it(site, registry, node, ganesh):

    node = do_subscribe_ondc_node(
        node, callback_url=CALLBACK_URL, city_codes=["std:0551"], acting_user=ganesh
    )

    assert node.status == OndcNode.Status.SUBSCRIBED, node.status_message
    admitted = {(p["subscriber_id"], p["domain"], p["ukId"]) for p in registry.participants}
    assert admitted == {
        (SUBSCRIBER, "ONDC:RET12", node.unique_key_id),
        (SUBSCRIBER, "ONDC:RET16", node.unique_key_id),
    }
    assert {p["signing_public_key"] for p in registry.participants} == {node.signing_public_key}
    assert AuditEntry.objects.filter(action="ondc_node.subscribe", object_id=str(node.pk)).exists()


def test_a_challenge_under_another_registry_key_fails_the_subscription(
    site, registry, node, ganesh, settings
):
    # The production registry's key while the node talks to another registry.
    settings.ONDC_REGISTRY_ENCRYPTION_KEY = (
        "MCowBQYDK2VuAyEAvVEyZY91O2yV8w8/CAwVDAnqIZDJJUPdLUUKwLo3K0M="
    )

    node = do_subscribe_ondc_node(
        node, callback_url=CALLBACK_URL, city_codes=["std:0551"], acting_user=ganesh
    )

    assert node.status == OndcNode.Status.FAILED
    assert "on_subscribe" in node.status_message
    assert registry.participants == []


def test_the_verification_page_signs_the_request_id_with_the_nodes_key(node, client, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, SUBSCRIBER]

    page = client.get("/ondc-site-verification.html", HTTP_HOST=SUBSCRIBER)

    signed = page.content.decode().split("content='")[1].split("'")[0]
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(node.signing_public_key))
    public.verify(base64.b64decode(signed), str(node.request_id).encode())  # raises if wrong
    assert client.get("/ondc-site-verification.html").status_code == 404  # no node at this host


def test_a_bad_challenge_is_refused_without_a_server_error(node, client, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, SUBSCRIBER]

    for body in (b"not json", b"[]", b'{"subscriber_id": "edc-gorakhpur.niryat.test"}'):
        answer = client.post(
            "/ondc/on_subscribe", body, content_type="application/json", HTTP_HOST=SUBSCRIBER
        )
        assert answer.status_code == 400


def test_lookup_finds_a_buyer_apps_key_once_and_then_from_the_cache(registry, node):
    registered(registry, node)
    buyer = signing.SigningKeys.generate()
    registry.add_participant(
        {
            "subscriber_id": BUYER_APP,
            "ukId": "bk1",
            "domain": "ONDC:RET16",
            "type": "buyerApp",
            "signing_public_key": buyer.public_key,
            "valid_until": "2099-01-01T00:00:00.000Z",
        }
    )

    first = registry_client.lookup_signing_key(node, BUYER_APP, "bk1")
    second = registry_client.lookup_signing_key(node, BUYER_APP, "bk1")

    assert first == second == buyer.public_key
    assert [r.path for r in registry.requests] == ["/v2.0/lookup"]


def test_lookup_of_an_unknown_key_says_so(registry, node):
    registered(registry, node)

    with pytest.raises(registry_client.RegistryError, match=r"no key bk9 for buyer\.example\.test"):
        registry_client.lookup_signing_key(node, BUYER_APP, "bk9")


def test_the_registry_refuses_a_lookup_signed_by_a_node_it_does_not_know(registry, node):
    with pytest.raises(registry_client.RegistryError, match="401"):
        registry_client.lookup_signing_key(node, BUYER_APP, "bk1")


def test_rotating_keys_publishes_a_new_key_id_and_asks_for_a_new_subscription(node, ganesh):
    node.status = OndcNode.Status.SUBSCRIBED
    node.save()
    old_key, old_id = node.signing_public_key, node.unique_key_id

    rotated = do_rotate_ondc_keys(node, acting_user=ganesh)

    assert rotated.signing_public_key != old_key
    assert rotated.status == OndcNode.Status.NEW
    assert rotated.private_keys()["signing"] != ""
    assert rotated.unique_key_id != old_id


def test_private_keys_are_stored_encrypted_and_survive_a_secret_key_rotation(node):
    stored = OndcNode.objects.get(pk=node.pk).private_keys_encrypted
    keys = node.private_keys()
    assert keys["signing"] not in stored
    assert keys["encryption"] not in stored

    call_command("rotate_channel_keys")

    assert OndcNode.objects.get(pk=node.pk).private_keys() == keys


def test_a_node_needs_a_domain_one_per_centre_and_the_centres_staff(
    gorakhpur, varanasi, ganesh, vani, node
):
    with pytest.raises(ValidationError):
        do_set_up_ondc_node(varanasi, "not a domain", acting_user=vani)
    with pytest.raises(ValidationError):
        do_set_up_ondc_node(gorakhpur, "other.niryat.test", acting_user=ganesh)
    with pytest.raises(ValidationError):
        do_set_up_ondc_node(varanasi, SUBSCRIBER, acting_user=vani)
    with pytest.raises(PermissionDenied):
        do_set_up_ondc_node(varanasi, "edc-varanasi.niryat.test", acting_user=ganesh)
