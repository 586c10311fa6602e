"""The producer's own view: sign-in with a mobile number and a code by SMS, their page, consent.

Prem Prajapati (+91 98765 43210) is a Gorakhpur artisan whose sign-in the centre enabled. Codes
are read from the memory SMS backend's outbox; time moves with the `clock` fixture, never sleeps.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator

import pytest
from axes.models import AccessLog
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import ngettext

from niryat.core.models import AuditEntry, Centre, Role, User
from niryat.messaging.backends import local
from niryat.messaging.backends.base import Backend, Delivery, ProviderError
from niryat.messaging.models import Message
from niryat.registry import otp
from niryat.registry.actions import (
    do_enable_producer_sign_in,
    do_move_stage,
    do_update_producer,
)
from niryat.registry.models import Consent, Kind, LoginCode, Producer, Stage
from niryat.registry.next_steps import next_steps
from tests.conftest import client_for, hindi
from tests.registry.factories import register

MOBILE = "+919876543210"
SIGN_IN = "/producer/sign-in/"
CODE = "/producer/sign-in/code/"
CONSENT = "/producer/consent/"
HINDI_CODE_SMS = "निर्यात: आपका साइन-इन कोड {code} है। यह {minutes} मिनट तक मान्य है।"


class FailingBackend(Backend):
    def send(self, delivery: Delivery) -> str:
        raise ProviderError("gateway down")


class Clock:
    def __init__(self, now: datetime.datetime) -> None:
        self.now = now

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += datetime.timedelta(**delta)


@pytest.fixture(autouse=True)
def outbox(settings) -> Iterator[list[Delivery]]:  # type: ignore[no-untyped-def]
    settings.MESSAGING_BACKENDS = {
        **settings.MESSAGING_BACKENDS,
        "sms": "niryat.messaging.backends.local.MemoryBackend",
    }
    settings.OTP_VALID_MINUTES = 10
    settings.OTP_MAX_ATTEMPTS = 5
    settings.OTP_MAX_CODES_PER_HOUR = 5
    local.outbox.clear()
    yield local.outbox
    local.outbox.clear()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """django.utils.timezone.now, frozen and moved by hand (auto_now fields follow it too)."""
    frozen = Clock(timezone.now())
    monkeypatch.setattr(timezone, "now", frozen)
    return frozen


@pytest.fixture
def producer(gorakhpur, ganesh) -> Producer:  # type: ignore[no-untyped-def]
    record = register(
        gorakhpur, ganesh, name_hi="प्रेम प्रजापति", name_latin="Prem Prajapati", mobile=MOBILE
    )
    do_enable_producer_sign_in(record, acting_user=ganesh)
    record.refresh_from_db()
    return record


def last_code(outbox: list[Delivery]) -> str:
    match = re.search(r"\b(\d{6})\b", outbox[-1].text)
    assert match, outbox[-1].text
    return match.group(1)


def ask_for_code(client: Client, mobile: str = "98765 43210") -> None:
    response = client.post(SIGN_IN, {"mobile": mobile})
    assert response.status_code == 302
    assert response["Location"] == CODE


def page(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


# Signing in


def test_producer_signs_in_with_a_code_from_the_sms(producer, outbox):
    client = Client()
    first = client.get(SIGN_IN)
    assert first.status_code == 200
    assert '<html lang="hi">' in page(first)

    ask_for_code(client)
    assert [m.to for m in outbox] == [MOBILE]
    code_page = page(client.get(CODE))
    assert "+91 98765 43210" in code_page
    # The number waits in a signed cookie, not in a session that would read as expired.
    assert "Your session has expired" not in code_page
    response = client.post(CODE, {"code": last_code(outbox)})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies["niryat_sign_in_mobile"].value == ""  # forgotten
    assert client.session["_auth_user_id"] == str(producer.user_id)
    assert client.session["_auth_user_backend"] == "django.contrib.auth.backends.ModelBackend"
    # django-axes saw the sign-in like any other.
    assert AccessLog.objects.filter(username=producer.user.username).count() == 1
    home = client.get("/")
    assert home.status_code == 200
    assert '<html lang="hi">' in page(home)  # the account starts in Hindi
    assert "प्रेम प्रजापति" in page(home)


def test_the_sms_is_in_hindi(producer, outbox):
    ask_for_code(Client())
    code = last_code(outbox)
    assert outbox[0].text == HINDI_CODE_SMS.format(code=code, minutes=10)


def test_the_sms_goes_in_hindi_and_the_code_is_never_kept(producer, outbox):
    """The gateway renders the Hindi wording, and its message log shows the code as dots."""
    ask_for_code(Client())
    code = last_code(outbox)
    assert [(m.language, m.template, m.channel) for m in outbox] == [("hi", "sign_in_code", "sms")]
    [kept] = Message.objects.all()
    assert (kept.status, kept.address) == ("sent", MOBILE)
    assert code not in kept.text
    assert "••••••" in kept.text
    assert code not in str(kept.variables)


def test_a_producer_who_chose_english_gets_english(producer, outbox):
    client = Client()
    client.post("/language/", {"language": "en", "next": SIGN_IN})
    assert '<html lang="en">' in page(client.get(SIGN_IN))
    ask_for_code(client)
    code = last_code(outbox)
    assert outbox[0].text == f"Niryat: your sign-in code is {code}. It is valid for 10 minutes."

    client.post(CODE, {"code": code})

    producer.user.refresh_from_db()
    assert producer.user.language == "en"
    assert '<html lang="en">' in page(client.get("/"))


def test_sign_in_pages_are_hindi_even_for_an_english_browser(db):
    client = Client(headers={"accept-language": "en-US,en;q=0.9"})
    assert '<html lang="hi">' in page(client.get(SIGN_IN))


def test_unknown_number_gets_the_same_pages_and_no_sms(producer, outbox):
    known, unknown = Client(), Client()
    ask_for_code(known, "98765 43210")
    ask_for_code(unknown, "98123 43210")  # same last four digits, nobody's number

    def normalised(client: Client) -> str:
        text = page(client.get(CODE))
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
        text = re.sub(r'"X-CSRFToken": "[^"]+"', "", text)
        return text.replace("+91 98123 43210", "+91 98765 43210")

    assert normalised(known) == normalised(unknown)
    assert [m.to for m in outbox] == [MOBILE]
    # Guessing for the unknown number reads exactly like a wrong guess for a known one.
    wrong = page(unknown.post(CODE, {"code": "000000"}))
    with translation.override("hi"):
        expected = ngettext(
            "Wrong code (only the newest SMS counts). You can try %(count)s more time.",
            "Wrong code (only the newest SMS counts). You can try %(count)s more times.",
            4,
        ) % {"count": 4}
    assert expected in wrong


def test_a_producer_whose_sign_in_is_not_enabled_gets_no_sms(gorakhpur, ganesh, outbox):
    register(gorakhpur, ganesh, mobile=MOBILE)
    ask_for_code(Client())
    assert outbox == []


def test_bad_mobile_format_says_why(db):
    client = Client()
    client.cookies["niryat_language"] = "en"
    response = client.post(SIGN_IN, {"mobile": "12345"})
    assert response.status_code == 200
    assert "12345 is not a valid mobile number. Give 10 digits, like 98765 43210." in page(response)
    assert LoginCode.objects.count() == 0


def test_wrong_code_says_how_many_tries_are_left(producer, outbox):
    client = Client(headers={"accept-language": "en"})
    client.cookies["niryat_language"] = "en"
    ask_for_code(client)
    wrong = "111111" if last_code(outbox) != "111111" else "222222"

    response = client.post(CODE, {"code": wrong})

    assert response.status_code == 200
    assert "Wrong code (only the newest SMS counts). You can try 4 more times." in page(response)
    assert "_auth_user_id" not in client.session


def test_devanagari_digits_are_accepted(producer, outbox):
    client = Client()
    ask_for_code(client)
    code = last_code(outbox).translate(str.maketrans("0123456789", "०१२३४५६७८९"))
    assert client.post(CODE, {"code": code})["Location"] == "/"


def test_expired_code_is_refused_with_a_link_for_a_new_one(producer, outbox, clock):
    client = Client()
    client.cookies["niryat_language"] = "en"
    ask_for_code(client)
    clock.advance(minutes=10, seconds=1)

    response = client.post(CODE, {"code": last_code(outbox)})

    assert "This code has expired: a code works for 10 minutes." in page(response)
    assert f'<a href="{SIGN_IN}">Ask for a new code</a>' in page(response)
    assert "_auth_user_id" not in client.session


def test_code_still_works_just_before_it_expires(producer, outbox, clock):
    client = Client()
    ask_for_code(client)
    clock.advance(minutes=9, seconds=59)
    assert client.post(CODE, {"code": last_code(outbox)})["Location"] == "/"


def test_five_wrong_tries_kill_the_code(producer, outbox):
    client = Client()
    client.cookies["niryat_language"] = "en"
    ask_for_code(client)
    code = last_code(outbox)
    wrong = "111111" if code != "111111" else "222222"
    for left in (4, 3, 2, 1):
        assert f"You can try {left} more time" in page(client.post(CODE, {"code": wrong}))
    fifth = page(client.post(CODE, {"code": wrong}))
    assert "A wrong code was entered too many times, so this code no longer works." in fifth

    # Even the right code no longer works.
    response = client.post(CODE, {"code": code})

    assert "A wrong code was entered too many times" in page(response)
    assert "_auth_user_id" not in client.session
    assert LoginCode.objects.get().attempts == 5


def test_a_code_works_once(producer, outbox):
    ask_for_code(Client())
    code = last_code(outbox)
    assert otp.check_code(MOBILE, code) == producer.user
    with pytest.raises(otp.CodeRejected) as rejected:
        otp.check_code(MOBILE, code)
    assert rejected.value.problem == otp.Problem.NO_CODE


def test_only_the_newest_code_counts(producer, outbox):
    otp.issue_code(MOBILE)
    older = last_code(outbox)
    otp.issue_code(MOBILE)
    newer = last_code(outbox)
    if older != newer:
        with pytest.raises(otp.CodeRejected) as rejected:
            otp.check_code(MOBILE, older)
        assert rejected.value.problem == otp.Problem.WRONG
    assert otp.check_code(MOBILE, newer) == producer.user


def test_at_most_five_codes_an_hour(producer, outbox, clock):
    client = Client()
    client.cookies["niryat_language"] = "en"
    for _ in range(5):
        ask_for_code(client)
        clock.advance(minutes=1)

    response = client.post(SIGN_IN, {"mobile": "98765 43210"})

    assert response.status_code == 200
    assert "Too many codes were asked for this number. Please try again in 55 minutes." in page(
        response
    )
    assert len(outbox) == 5
    # An hour after the first code, a new one may be asked for.
    clock.advance(minutes=55, seconds=1)
    ask_for_code(client)
    assert len(outbox) == 6


def test_codes_are_not_stored_in_clear_text(producer, outbox):
    ask_for_code(Client())
    code = last_code(outbox)
    record = LoginCode.objects.get()
    assert code not in record.code_hash
    assert re.fullmatch(r"[0-9a-f]{64}", record.code_hash)
    assert record.code_hash == otp.code_digest(MOBILE, code)
    assert otp.code_digest("+919812343210", code) != record.code_hash  # bound to the number


def test_codes_older_than_a_day_are_deleted(db, clock):
    otp.issue_code("+919812343210")
    clock.advance(hours=24, seconds=1)
    otp.issue_code(MOBILE)
    assert list(LoginCode.objects.values_list("mobile", flat=True)) == [MOBILE]


def test_gateway_failure_is_explained(producer, outbox, settings):
    settings.MESSAGING_BACKENDS = {
        **settings.MESSAGING_BACKENDS,
        "sms": "tests.registry.test_portal.FailingBackend",
    }
    client = Client()
    client.cookies["niryat_language"] = "en"
    response = client.post(SIGN_IN, {"mobile": "98765 43210"})
    assert response.status_code == 200
    assert "The SMS could not be sent just now." in page(response)


def test_old_number_no_longer_signs_in_after_the_mobile_changes(producer, ganesh, outbox):
    do_update_producer(producer, {"mobile": "+919811122233"}, acting_user=ganesh)
    ask_for_code(Client(), "98765 43210")
    assert outbox == []
    ask_for_code(Client(), "98111 22233")
    assert [m.to for m in outbox] == ["+919811122233"]


def test_code_page_without_a_number_goes_back_to_sign_in(db):
    assert Client().get(CODE)["Location"] == SIGN_IN
    forged = Client()
    forged.cookies["niryat_sign_in_mobile"] = MOBILE  # unsigned
    assert forged.post(CODE, {"code": "123456"})["Location"] == SIGN_IN


# Enabling sign-in


def test_enabling_sign_in_creates_a_producer_user(producer, ganesh):
    user = producer.user
    assert user.username == MOBILE
    assert user.role == Role.PRODUCER
    assert user.district == producer.district
    assert user.language == "hi"
    assert not user.has_usable_password()
    assert AuditEntry.objects.filter(action="producer.enable_sign_in", actor=ganesh).count() == 1
    # A second time changes nothing.
    assert do_enable_producer_sign_in(producer, acting_user=ganesh) == user
    assert User.objects.filter(role=Role.PRODUCER).count() == 1


def test_enabling_sign_in_needs_a_mobile_and_a_writer(gorakhpur, ganesh, gita):
    without = register(gorakhpur, ganesh)
    with pytest.raises(ValidationError):
        do_enable_producer_sign_in(without, acting_user=ganesh)
    with_mobile = register(gorakhpur, ganesh, name_hi="सीता देवी", mobile=MOBILE)
    with pytest.raises(PermissionDenied):
        do_enable_producer_sign_in(with_mobile, acting_user=gita)
    assert User.objects.filter(role=Role.PRODUCER).count() == 0


def test_enabling_sign_in_can_link_a_producer_account_of_the_district(
    gorakhpur, ganesh, prem, vani
):
    # given: Prem's producer account (the demo's <district>.producer has a password too)
    sita = register(gorakhpur, ganesh, name_hi="सीता देवी", mobile=MOBILE)
    # a staff account, or one linked to another producer, is refused
    with pytest.raises(ValidationError):
        do_enable_producer_sign_in(sita, user=vani, acting_user=ganesh)
    # when
    assert do_enable_producer_sign_in(sita, user=prem, acting_user=ganesh) == prem
    # then
    sita.refresh_from_db()
    assert sita.user == prem
    assert Producer.objects.visible_to(prem).get() == sita
    assert User.objects.filter(role=Role.PRODUCER).count() == 1
    other = register(gorakhpur, ganesh, name_hi="गीता देवी", mobile="+919839011111")
    with pytest.raises(ValidationError):
        do_enable_producer_sign_in(other, user=prem, acting_user=ganesh)


def test_two_producers_cannot_sign_in_with_one_number(producer, gorakhpur, ganesh):
    other = register(gorakhpur, ganesh, name_hi="सीता देवी", mobile=MOBILE)
    with pytest.raises(ValidationError):
        do_enable_producer_sign_in(other, acting_user=ganesh)


# The producer's page


def test_home_shows_profile_stage_and_centre(producer, ganesh):
    do_move_stage(producer, Stage.SENSITISED, reason="meeting", acting_user=ganesh)
    Centre.objects.filter(district=producer.district).update(phone="0551-2333333")
    text = page(client_for(producer.user, **{"accept-language": "en"}).get("/"))
    # The account is in Hindi; names and numbers read the same in both languages.
    assert "प्रेम प्रजापति" in text
    assert "Prem Prajapati" in text
    assert "XXXXXX3210" in text
    assert "9876543210" not in text
    assert "98765" not in text
    assert text.count('aria-current="step"') == 1
    stages = re.search(r'<ol id="stages">(.*?)</ol>', text, re.S).group(1)  # type: ignore[union-attr]
    items = re.findall(r"<li( aria-current=\"step\")?>", stages)
    assert [bool(item) for item in items] == [False, True, False, False, False, False, False, False]
    assert 'href="tel:0551-2333333"' in text
    assert "निर्यात विकास केन्द्र, गोरखपुर" in text


def test_checklist_follows_the_record(gorakhpur, ganesh):
    msme = register(gorakhpur, ganesh, kind=Kind.MSME, name_hi="माटी कला उद्योग", mobile=MOBILE)
    assert [step.code for step in next_steps(msme)] == [
        "listing_consent",
        "bank",
        "sensitisation",
        "udyam",
    ]
    do_update_producer(
        msme,
        {
            "bank_ifsc": "SBIN0001234",
            "bank_account": "0012341234",
            "udyam": "UDYAM-UP-29-0000001",
        },
        acting_user=ganesh,
    )
    msme.refresh_from_db()
    msme.listing_consent = True
    msme.stage = Stage.SENSITISED
    assert [step.code for step in next_steps(msme)] == ["training"]
    msme.stage = Stage.LISTED
    assert next_steps(msme) == []


def test_checklist_is_on_the_page(producer, ganesh):
    client = client_for(producer.user)
    text = page(client.get("/"))
    assert re.findall(r'data-step="(\w+)"', text) == ["listing_consent", "bank", "sensitisation"]


def test_producer_sees_only_their_own_record(producer, gorakhpur, ganesh, outbox):
    other = register(
        gorakhpur, ganesh, name_hi="सीता देवी", name_latin="Sita Devi", mobile="+919811122233"
    )
    do_enable_producer_sign_in(other, acting_user=ganesh)
    assert list(Producer.objects.visible_to(producer.user)) == [producer]
    other.refresh_from_db()
    assert list(Producer.objects.visible_to(other.user)) == [other]

    text = page(client_for(producer.user).get("/"))
    assert "Sita Devi" not in text
    assert "सीता देवी" not in text


def test_a_producer_user_without_a_record_is_told_to_call_the_centre(prem):
    response = client_for(prem, **{"accept-language": "en"}).get("/")
    assert response.status_code == 200
    assert "Your sign-in is not linked to a producer record yet." in page(response)


# Consent


def test_producer_gives_and_withdraws_listing_consent(producer):
    client = client_for(producer.user)
    assert producer not in Producer.objects.listable()

    assert client.post(CONSENT, {"given": "yes"})["Location"] == "/"
    assert producer in Producer.objects.listable()

    # withdrawing asks for confirmation first, and changes nothing until then
    assert client.post(CONSENT, {"given": "no"})["Location"] == "/producer/consent/withdraw/"
    assert producer in Producer.objects.listable()
    confirm = page(client.get("/producer/consent/withdraw/"))
    assert hindi("Nothing of yours is listed on a marketplace now.") in confirm
    assert client.post("/producer/consent/withdraw/")["Location"] == "/"
    assert producer not in Producer.objects.listable()
    latest = Consent.objects.filter(producer=producer).first()
    assert latest is not None
    assert (latest.given, latest.method, latest.purpose) == (
        False,
        Consent.Method.SELF,
        Consent.Purpose.LIST_ON_MARKETPLACES,
    )
    assert latest.recorded_by == producer.user
    assert 'value="yes"' in page(client.get("/"))  # the button to give it again


def test_staff_cannot_post_a_producers_consent(producer, ganesh):
    response = client_for(ganesh).post(CONSENT, {"given": "yes"})
    assert response.status_code == 403
    assert Consent.objects.count() == 0


def test_nonsense_consent_changes_nothing(producer):
    response = client_for(producer.user).post(CONSENT, {"given": "maybe"})
    assert response.status_code == 302
    assert Consent.objects.count() == 0
