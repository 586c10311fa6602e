"""ONDC signing against the published test vectors (shared/ONDC_FACTS.md §3.2, §3.4)."""

import pytest

from niryat.channels.ondc import signing

# developer-docs registry/signing-verification.md
VECTOR_BODY = (
    b'{"context":{"domain":"nic2004:60212","country":"IND","city":"Kochi","action":"search",'
    b'"core_version":"0.9.1","bap_id":"bap.stayhalo.in",'
    b'"bap_uri":"https://8f9f-49-207-209-131.ngrok.io/protocol/",'
    b'"transaction_id":"e6d9f908-1d26-4ff3-a6d1-3af3d3721054",'
    b'"message_id":"a2fe6d52-9fe4-4d1a-9d0b-dccb8b48522d","timestamp":"2022-01-04T09:17:55.971Z",'
    b'"ttl":"P1M"},"message":{"intent":{"fulfillment":{"start":{"location":{"gps":"10.108768, '
    b'76.347517"}},"end":{"location":{"gps":"10.102997, 76.353480"}}}}}}'
)
VECTOR_PRIVATE = (
    "lP3sHA+9gileOkXYJXh4Jg8tK0gEEMbf9yCPnFpbldhrAY+NErqL9WD+Vav7TE5tyVXGXBle9ONZi2W7o144eQ=="
)
VECTOR_PUBLIC = "awGPjRK6i/Vg/lWr+0xObclVxlwZXvTjWYtlu6NeOHk="
CREATED, EXPIRES = 1641287875, 1641291475


def vector_header() -> str:
    return signing.authorization_header(
        VECTOR_BODY,
        subscriber_id="bap.stayhalo.in",
        unique_key_id="key-1",
        private_key=VECTOR_PRIVATE,
        created=CREATED,
        validity=EXPIRES - CREATED,
    )


def test_the_published_vector_gives_the_published_digest_and_signature():
    assert signing.digest(VECTOR_BODY) == (
        "b6lf6lRgOweajukcvcLsagQ2T60+85kRh/Rd2bdS+TG/5ALebOEgDJfyCrre/1+BMu5nA94o4DT3pTFXuUg7sw=="
    )
    assert signing.sign(VECTOR_BODY, VECTOR_PRIVATE, CREATED, EXPIRES) == (
        "cjbhP0PFyrlSCNszJM1F/YmHDVAWsZqJUPzojnE/7TJU3fJ/rmIlgaUHEr5E0/2PIyf0tpSnWtT6cyNNlpmoAQ=="
    )


def test_the_header_names_the_key_and_verifies_with_the_public_key():
    header = vector_header()

    assert header.startswith('Signature keyId="bap.stayhalo.in|key-1|ed25519",algorithm="ed25519"')
    parsed = signing.verify(VECTOR_BODY, header, VECTOR_PUBLIC, now=CREATED + 10)
    assert (parsed.subscriber_id, parsed.unique_key_id) == ("bap.stayhalo.in", "key-1")


def test_a_tampered_body_is_refused():
    tampered = VECTOR_BODY.replace(b"Kochi", b"Kochy")

    with pytest.raises(signing.SignatureError, match="does not match"):
        signing.verify(tampered, vector_header(), VECTOR_PUBLIC, now=CREATED + 10)


def test_an_expired_signature_is_refused():
    with pytest.raises(signing.SignatureError, match="expired"):
        signing.verify(VECTOR_BODY, vector_header(), VECTOR_PUBLIC, now=EXPIRES + 1)


def test_a_signature_from_another_key_is_refused():
    other = signing.SigningKeys.generate()

    with pytest.raises(signing.SignatureError, match="does not match"):
        signing.verify(VECTOR_BODY, vector_header(), other.public_key, now=CREATED + 10)


@pytest.mark.parametrize(
    "header",
    ["", "Bearer abc", 'Signature keyId="only-one-part",created="1",expires="2",signature="x"'],
)
def test_a_malformed_header_is_refused(header):
    with pytest.raises(signing.SignatureError):
        signing.verify(VECTOR_BODY, header, VECTOR_PUBLIC, now=CREATED + 10)


def test_generated_keys_sign_and_verify():
    keys = signing.SigningKeys.generate()
    body = b'{"context":{"action":"on_search"}}'

    header = signing.authorization_header(
        body, subscriber_id="niryat.example", unique_key_id="k1", private_key=keys.private_key
    )

    assert signing.verify(body, header, keys.public_key).subscriber_id == "niryat.example"


def test_the_published_challenge_decrypts():
    # reference-implementations utilities/signing_and_verification/python/README.md, steps 7-8
    private = "MC4CAQAwBQYDK2VuBCIEIOgl3rf3arbk1PvIe0C9TZp7ImR71NSQdvuSu+zzY6xo"
    public = "MCowBQYDK2VuAyEAi801MjVpgFOXHjliyT6Nb14HkS5dj1p41qbeyU6/SC8="

    answer = signing.decrypt_challenge(
        "CrwN248HS4CIYsUvxtrK0pWCBaoyZh4LnWtGqeH7Mpc=", private, public
    )

    assert answer == "ONDC is a Great Initiative!"


def test_a_challenge_encrypted_by_the_registry_decrypts_with_our_key():
    ours, registry = signing.EncryptionKeys.generate(), signing.EncryptionKeys.generate()

    challenge = signing.encrypt_challenge(
        "a fresh challenge", registry.private_key, ours.public_key
    )

    assert (
        signing.decrypt_challenge(challenge, ours.private_key, registry.public_key)
        == "a fresh challenge"
    )
