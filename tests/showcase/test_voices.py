"""Producers' voices: feedback recorded by staff or sent by the producer, and testimonials shown
on the showcase only while the producer's consent for that use holds and they are on it; gone at
once (cached pages too) when that consent, their listing consent or their record goes."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from niryat.catalog.models import Product
from niryat.core.models import AuditEntry, District, User
from niryat.events.actions import do_create_programme, do_register_participants
from niryat.events.models import Programme
from niryat.registry.actions import (
    do_enable_producer_sign_in,
    do_erase_producer,
    do_merge_producers,
    do_record_consent,
)
from niryat.registry.hooks import producer_hooks, withdrawal_consequences
from niryat.registry.models import Consent, Producer
from niryat.showcase import models as showcase
from niryat.showcase.actions import do_update_profile
from niryat.showcase.models import Feedback
from niryat.showcase.voice_actions import (
    FeedbackInput,
    do_agree_to_show,
    do_record_feedback,
    do_withdraw_testimonial,
)
from tests.conftest import client_for, hindi
from tests.registry.factories import give_listing_consent, register
from tests.showcase.factories import show

pytestmark = pytest.mark.django_db

WORDS = "फ्लिपकार्ट पर बेचने से गाँव के बाहर के खरीदार मिले।"
TODAY = "2026-12-01"
DISTRICT = "/showcase/districts/148/"
VOICES = "/showcase/districts/148/voices/"


def said(
    producer: Producer,
    by: User,
    *,
    text: str = WORDS,
    rating: int = 5,
    about: str = Feedback.About.MARKETPLACE,
    channel: str = "flipkart",
    shown: bool = False,
    programme: Programme | None = None,
) -> Feedback:
    return do_record_feedback(
        producer,
        FeedbackInput(
            about=about,
            rating=rating,
            text=text,
            given_on=datetime.date(2026, 12, 1),
            channel=channel,
            programme=programme,
        ),
        show_publicly=shown,
        consent_method=Consent.Method.PAPER,
        acting_user=by,
    )


def page(path: str) -> str:
    return Client().get(path).content.decode()


def on_every_page(horse: Product) -> list[bool]:
    return [WORDS in page(path) for path in (DISTRICT, VOICES, f"/showcase/products/{horse.uuid}/")]


# --- recording and showing ----------------------------------------------------------------------


def test_staff_record_feedback_with_consent_and_it_is_shown_on_the_showcase(
    horse: Product, shown_ramu: Producer, ganesh: User
) -> None:
    # given the pages are in the cache without any testimonial
    assert on_every_page(horse) == [False, False, False]
    # when staff record Ramu's feedback on Flipkart, with his signed consent to show it
    response = client_for(ganesh).post(
        f"/producers/{shown_ramu.uuid}/voices/",
        {
            "about": "marketplace",
            "channel": "flipkart",
            "rating": "5",
            "text": f"  {WORDS}  ",
            "given_on": TODAY,
            "show_publicly": "on",
            "consent_method": "paper",
        },
    )
    # then it is kept as given, with the consent (date, how, who), and shown at once
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.rating, feedback.text, feedback.language) == (5, WORDS, "hi")
    assert (feedback.recorded_by, feedback.from_producer, feedback.subject) == (
        ganesh,
        False,
        "Flipkart",
    )
    agreed = showcase.Testimonial.objects.get()
    assert (agreed.agreed_on, agreed.method, agreed.recorded_by) == (
        datetime.date(2026, 12, 1),
        "paper",
        ganesh,
    )
    assert on_every_page(horse) == [True, True, True]
    assert "Rated 5 of 5" in page(VOICES)
    assert "about Flipkart" in page(VOICES)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"showcase.feedback", "showcase.testimonial_agreed"} <= actions


def test_feedback_without_consent_to_show_it_stays_with_the_centre(
    horse: Product, shown_ramu: Producer, ganesh: User
) -> None:
    said(shown_ramu, ganesh)
    assert on_every_page(horse) == [False, False, False]
    assert WORDS in client_for(ganesh).get("/voices/").content.decode()


def test_consent_to_show_needs_the_producer_on_the_showcase(ramu: Producer, ganesh: User) -> None:
    # Ramu agreed to show his words but not (yet) to be on the showcase: nothing is shown.
    give_listing_consent(ramu, ganesh)
    said(ramu, ganesh, shown=True)
    assert WORDS not in page(VOICES)
    show(ramu, ganesh)
    assert WORDS in page(VOICES)
    # He leaves the showcase: his words go with him, cached page or not.
    do_update_profile(
        ramu,
        shown=False,
        agreed_on=None,
        method="",
        story_hi="",
        story_en="",
        acting_user=ganesh,
    )
    assert WORDS not in page(VOICES)


def test_staff_record_consent_later_and_its_withdrawal(
    horse: Product, shown_ramu: Producer, ganesh: User
) -> None:
    feedback = said(shown_ramu, ganesh)
    staff = client_for(ganesh)
    url = f"/voices/{feedback.uuid}/"
    # Without saying how the producer agreed, nothing is recorded.
    refused = staff.post(url, {"action": "agree", "agreed_on": TODAY, "method": "self"})
    assert refused.status_code == 400
    assert not showcase.Testimonial.objects.exists()
    staff.post(url, {"action": "agree", "agreed_on": TODAY, "method": "verbal"})
    assert on_every_page(horse) == [True, True, True]
    staff.post(url, {"action": "withdraw"})
    assert on_every_page(horse) == [False, False, False]
    history = showcase.Testimonial.objects.get()
    assert history.withdrawn_at is not None
    assert history.withdrawn_by == ganesh
    assert "withdrawn" in staff.get(url).content.decode()


def test_the_producer_sends_feedback_and_withdraws_their_consent_from_their_phone(
    horse: Product, shown_ramu: Producer, ganesh: User, prem: User
) -> None:
    do_enable_producer_sign_in(shown_ramu, acting_user=ganesh, user=prem)
    programme = do_create_programme(
        shown_ramu.district,
        {"kind": Programme.Kind.ECOMMERCE, "title": "ई-कॉमर्स प्रशिक्षण", "capacity": 20},
        acting_user=ganesh,
    )
    do_register_participants(programme, [shown_ramu], acting_user=ganesh)
    phone = client_for(prem)
    form = phone.get("/producer/feedback/", headers={"accept-language": "hi"})
    assert (
        hindi("Tell the centre what you think of a training, a marketplace or the centre itself.")
        in form.content.decode()
    )
    assert "ई-कॉमर्स प्रशिक्षण" in form.content.decode()
    response = phone.post(
        "/producer/feedback/",
        {
            "about": "training",
            "programme": programme.pk,
            "rating": "4",
            "text": WORDS,
            "show_publicly": "on",
        },
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.from_producer, feedback.recorded_by, feedback.programme) == (
        True,
        None,
        programme,
    )
    assert feedback.given_on == timezone.localdate()
    assert showcase.Testimonial.objects.get().method == Consent.Method.SELF
    assert "about ई-कॉमर्स प्रशिक्षण" in page(VOICES)
    # The producer stops showing it: gone from every page at once.
    phone.post(f"/producer/feedback/{feedback.uuid}/withdraw/")
    assert on_every_page(horse) == [False, False, False]
    assert showcase.Testimonial.objects.get().withdrawn_by == prem
    assert hindi("Not shown publicly.") in phone.get("/producer/feedback/").content.decode()


def test_scripts_in_feedback_are_shown_as_text(shown_ramu: Producer, ganesh: User) -> None:
    said(shown_ramu, ganesh, text="<script>alert('x')</script> बहुत अच्छा", shown=True)
    html = page(VOICES)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; बहुत अच्छा" in html


def test_voices_page_in_hindi(shown_ramu: Producer, ganesh: User) -> None:
    said(shown_ramu, ganesh, shown=True)
    html = page(VOICES + "?lang=hi")
    assert '<html lang="hi">' in html
    assert hindi("In their own words, shown with each producer's consent.") in html
    assert hindi("Rated %(rating)s of 5") % {"rating": 5} in html
    assert '<blockquote lang="hi">' in html


# --- the registry's decisions -------------------------------------------------------------------


def test_listing_consent_withdrawn_takes_the_words_off_at_once(
    horse: Product, shown_ramu: Producer, ganesh: User
) -> None:
    said(shown_ramu, ganesh, shown=True)
    assert on_every_page(horse) == [True, True, True]
    assert "Feedback shown on the public showcase leaves it at once." in withdrawal_consequences(
        shown_ramu
    )
    do_record_consent(
        shown_ramu,
        purpose=Consent.Purpose.LIST_ON_MARKETPLACES,
        given=False,
        on=timezone.localdate(),
        method=Consent.Method.PAPER,
        acting_user=ganesh,
    )
    assert [WORDS in page(path) for path in (DISTRICT, VOICES)] == [False, False]


def test_erasure_takes_the_words_and_the_consent_and_keeps_the_rating(
    horse: Product, shown_ramu: Producer, ganesh: User
) -> None:
    feedback = said(shown_ramu, ganesh, shown=True)
    exported = {
        section.key: section.rows
        for hooks in producer_hooks()
        for section in hooks.personal_data(shown_ramu)
    }
    assert exported["feedback"][0]["text"] == WORDS
    assert exported["feedback"][0]["shown_with_consent_since"] == "2026-12-01"
    assert on_every_page(horse) == [True, True, True]
    do_erase_producer(shown_ramu, acting_user=ganesh)
    assert [WORDS in page(path) for path in (DISTRICT, VOICES)] == [False, False]
    feedback.refresh_from_db()
    assert (feedback.text, feedback.rating) == ("", 5)
    assert feedback.open_testimonial() is None
    assert Feedback.objects.filter(district__lgd_code=148).averages()[0]["count"] == 1
    # No consent can be recorded again for words that are gone.
    with pytest.raises(ValidationError):
        do_agree_to_show(
            feedback, agreed_on=datetime.date(2026, 12, 2), method="paper", acting_user=ganesh
        )


def test_merge_moves_the_feedback_and_its_consent_to_the_survivor(
    shown_ramu: Producer, ganesh: User, gorakhpur: District
) -> None:
    twin = register(gorakhpur, ganesh, name_hi="रामू प्रजापति", mobile="+919839099999")
    feedback = said(twin, ganesh, shown=True)
    do_merge_producers(shown_ramu, twin, acting_user=ganesh)
    feedback.refresh_from_db()
    assert feedback.producer == shown_ramu
    assert feedback.open_testimonial() is not None
    assert WORDS in page(VOICES)


# --- scoping ------------------------------------------------------------------------------------


def test_another_district_neither_sees_nor_records(
    shown_ramu: Producer, ganesh: User, vani: User, gita: User, varanasi: District
) -> None:
    feedback = said(shown_ramu, ganesh, shown=False)
    weaver = register(varanasi, vani, name_hi="मरियम बानो", mobile="+919812345678")
    said(weaver, vani, text="Varanasi's own words", channel="amazon")
    varanasi_staff = client_for(vani)
    assert varanasi_staff.get(f"/voices/{feedback.uuid}/").status_code == 404
    assert varanasi_staff.get(f"/producers/{shown_ramu.uuid}/voices/").status_code == 404
    listed = client_for(ganesh).get("/voices/").content.decode()
    assert WORDS in listed
    assert "Varanasi's own words" not in listed
    assert "Amazon" not in listed  # nor in the averages
    with pytest.raises(PermissionDenied):
        said(shown_ramu, vani)
    # The district officer reads but changes nothing.
    officer = client_for(gita)
    assert officer.get(f"/voices/{feedback.uuid}/").status_code == 200
    url = f"/voices/{feedback.uuid}/"
    assert (
        officer.post(url, {"action": "agree", "agreed_on": TODAY, "method": "paper"}).status_code
        == 403
    )
    assert not showcase.Testimonial.objects.exists()
    with pytest.raises(PermissionDenied):
        do_withdraw_testimonial(feedback, acting_user=gita)


def test_a_producer_reads_only_their_own(
    shown_ramu: Producer, ganesh: User, prem: User, gorakhpur: District
) -> None:
    do_enable_producer_sign_in(shown_ramu, acting_user=ganesh, user=prem)
    neighbour = register(gorakhpur, ganesh, name_hi="सीता देवी", mobile="+919839011111")
    other = said(neighbour, ganesh, text="Sita's words", shown=True)
    phone = client_for(prem)
    assert "Sita's words" not in phone.get("/producer/feedback/").content.decode()
    assert phone.post(f"/producer/feedback/{other.uuid}/withdraw/").status_code == 404
    assert other.open_testimonial() is not None
    assert phone.get("/voices/").status_code == 403


def test_staff_filter_by_subject_and_rating_and_see_the_averages(
    shown_ramu: Producer, ganesh: User
) -> None:
    said(shown_ramu, ganesh, rating=5, text="Good buyers")
    said(shown_ramu, ganesh, rating=2, text="Returns are slow")
    said(shown_ramu, ganesh, rating=4, about="centre", channel="", text="Helpful staff")
    averages = {
        row["subject"]: (round(row["average"], 1), row["count"])
        for row in Feedback.objects.in_district(shown_ramu.district).averages()
        for row in [{**row, "subject": row["channel"] or row["about"]}]
    }
    assert averages == {"flipkart": (3.5, 2), "centre": (4.0, 1)}
    staff = client_for(ganesh)
    html = staff.get("/voices/?about=marketplace&rating=2").content.decode()
    assert "Returns are slow" in html
    assert "Good buyers" not in html
    assert "Helpful staff" not in html
    assert '<td class="num">3.5</td>' in staff.get("/voices/").content.decode()


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("rating", ["0", "6", "-1", "five", ""])
def test_a_rating_out_of_range_is_refused(shown_ramu: Producer, ganesh: User, rating: str) -> None:
    response = client_for(ganesh).post(
        f"/producers/{shown_ramu.uuid}/voices/",
        {"about": "centre", "rating": rating, "text": WORDS, "given_on": TODAY},
    )
    assert response.status_code == 400
    assert not Feedback.objects.exists()


def test_the_action_refuses_what_the_form_would(
    shown_ramu: Producer, ganesh: User, vani: User, varanasi: District
) -> None:
    elsewhere = do_create_programme(
        varanasi,
        {"kind": Programme.Kind.NIFT_COURSE, "title": "NIFT", "capacity": 5},
        acting_user=vani,
    )
    cases = {
        "rating": dict(rating=7),
        "text": dict(text="   "),
        "programme": dict(about="training", programme=elsewhere),
        "channel": dict(channel="myspace"),
    }
    for field, values in cases.items():
        with pytest.raises(ValidationError) as refused:
            said(shown_ramu, ganesh, **values)  # type: ignore[arg-type]
        assert field in refused.value.message_dict
    assert not Feedback.objects.exists()
    with pytest.raises(ValidationError):
        do_record_feedback(
            shown_ramu,
            FeedbackInput(
                about="centre",
                rating=3,
                text=WORDS,
                given_on=timezone.localdate() + datetime.timedelta(days=1),
            ),
            acting_user=ganesh,
        )


def test_an_empty_reason_is_refused_with_a_message(shown_ramu: Producer, ganesh: User) -> None:
    response = client_for(ganesh).post(
        f"/producers/{shown_ramu.uuid}/voices/",
        {"about": "centre", "rating": "3", "text": "   ", "given_on": TODAY},
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Feedback.objects.exists()


def test_the_database_refuses_a_rating_out_of_range(shown_ramu: Producer) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.create(
            district=shown_ramu.district,
            producer=shown_ramu,
            about="centre",
            rating=9,
            text="x",
            given_on=datetime.date(2026, 12, 1),
        )


def test_the_staff_list_costs_the_same_queries_for_many_feedback(
    shown_ramu: Producer, ganesh: User
) -> None:
    staff = client_for(ganesh)
    said(shown_ramu, ganesh, shown=True)
    staff.get("/voices/")  # the session and the user, once
    with CaptureQueriesContext(connection) as few:
        assert staff.get("/voices/").status_code == 200
    for rating in (1, 2, 3, 4, 5, 4):
        said(shown_ramu, ganesh, rating=rating, shown=True, about="centre", channel="")
    with CaptureQueriesContext(connection) as many:
        html = staff.get("/voices/").content.decode()
    assert html.count("Rated ") == 7
    assert len(many.captured_queries) == len(few.captured_queries)
