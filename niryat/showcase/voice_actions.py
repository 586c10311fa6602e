"""Producers' voices: feedback recorded by staff or sent by the producer, and the producer's
consent to show one on the public showcase (a testimonial), given and withdrawn."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from niryat.channels.models import ChannelCode
from niryat.core.audit import record_audit
from niryat.core.models import Role, User
from niryat.core.scoping import require_write
from niryat.events.models import Programme
from niryat.registry.models import Consent, Producer
from niryat.showcase.models import Feedback, Testimonial
from niryat.showcase.page_cache import forget_pages

MAX_TEXT = 2000
DEVANAGARI = re.compile(r"[\u0900-\u097F]")


@dataclass(frozen=True)
class FeedbackInput:
    about: str
    rating: int
    text: str
    given_on: datetime.date
    programme: Programme | None = None
    channel: str = ""


def _is_own(producer: Producer, acting_user: User) -> bool:
    return (
        acting_user.is_authenticated
        and acting_user.role == Role.PRODUCER
        and producer.user_id == acting_user.pk
    )


def _require_producer_or_staff(producer: Producer, acting_user: User) -> None:
    """The producer themselves, or staff who may change the producer's district."""
    if producer.erased_at is not None:
        raise ValidationError(_("This producer's data has been erased."))
    if not _is_own(producer, acting_user):
        require_write(producer.district, acting_user)


def check_feedback(producer: Producer, data: FeedbackInput) -> dict[str, str]:
    """What is wrong with a feedback, by field, in the active language."""
    errors = {}
    if data.about not in Feedback.About.values:
        errors["about"] = _("Choose what the feedback is about.")
    if data.about == Feedback.About.TRAINING and (
        data.programme is None or data.programme.district_id != producer.district_id
    ):
        errors["programme"] = _("Choose the training of the producer's district.")
    if data.about == Feedback.About.MARKETPLACE and data.channel not in ChannelCode.values:
        errors["channel"] = _("Choose the marketplace.")
    if not 1 <= data.rating <= 5:
        errors["rating"] = _("Give a rating from 1 to 5.")
    if not data.text.strip():
        errors["text"] = _("Write the reason, in the producer's words.")
    elif len(data.text.strip()) > MAX_TEXT:
        errors["text"] = _("Keep the reason under 2,000 characters.")
    if data.given_on > timezone.localdate():
        errors["given_on"] = _("The date cannot be in the future.")
    return errors


@transaction.atomic
def do_record_feedback(
    producer: Producer,
    data: FeedbackInput,
    *,
    show_publicly: bool = False,
    consent_method: str = "",
    acting_user: User,
) -> Feedback:
    """Record a producer's feedback: by the district's staff, or by the producer themselves
    from their own page. `show_publicly` records, with it, the producer's consent to show it
    on the showcase (how they gave it: `consent_method`; the producer's own is "self")."""
    _require_producer_or_staff(producer, acting_user)
    errors = check_feedback(producer, data)
    if errors:
        raise ValidationError(errors)
    own = _is_own(producer, acting_user)
    text = data.text.strip()
    feedback = Feedback.objects.create(
        district=producer.district,
        producer=producer,
        about=data.about,
        programme=data.programme if data.about == Feedback.About.TRAINING else None,
        channel=data.channel if data.about == Feedback.About.MARKETPLACE else "",
        rating=data.rating,
        text=text,
        language="hi" if DEVANAGARI.search(text) else "en",
        given_on=data.given_on,
        recorded_by=None if own else acting_user,
        from_producer=own,
    )
    record_audit(
        actor=acting_user,
        action="showcase.feedback",
        obj=feedback,
        district=feedback.district,
        changes={"about": feedback.about, "rating": feedback.rating},
    )
    if show_publicly:
        do_agree_to_show(
            feedback,
            agreed_on=data.given_on,
            method=Consent.Method.SELF if own else consent_method,
            acting_user=acting_user,
        )
    return feedback


@transaction.atomic
def do_agree_to_show(
    feedback: Feedback, *, agreed_on: datetime.date, method: str, acting_user: User
) -> Testimonial:
    """The producer agrees that this feedback be shown on the public showcase in their name.
    It is shown while they also are on the showcase (Profile, listing consent)."""
    producer = feedback.producer
    _require_producer_or_staff(producer, acting_user)
    if _is_own(producer, acting_user):
        method = Consent.Method.SELF
    elif method not in Consent.Method.values or method == Consent.Method.SELF:
        raise ValidationError({"consent_method": _("Say how the producer agreed to this.")})
    if agreed_on > timezone.localdate():
        raise ValidationError({"agreed_on": _("The date cannot be in the future.")})
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if not feedback.text:
        raise ValidationError(_("This feedback has no words left to show."))
    existing = feedback.open_testimonial()
    if existing is not None:
        return existing
    testimonial = Testimonial.objects.create(
        feedback=feedback, agreed_on=agreed_on, method=method, recorded_by=acting_user
    )
    forget_pages()
    record_audit(
        actor=acting_user,
        action="showcase.testimonial_agreed",
        obj=feedback,
        district=feedback.district,
        changes={"method": method},
    )
    return testimonial


@transaction.atomic
def do_withdraw_testimonial(feedback: Feedback, *, acting_user: User) -> bool:
    """The producer takes back their consent to show this feedback: it leaves the showcase at
    once, cached pages too. False when there was nothing to withdraw."""
    producer = feedback.producer
    if not _is_own(producer, acting_user):
        require_write(producer.district, acting_user)
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    withdrawn = Testimonial.objects.filter(feedback=feedback, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawn_by=acting_user, updated_at=timezone.now()
    )
    if not withdrawn:
        return False
    forget_pages()
    record_audit(
        actor=acting_user,
        action="showcase.testimonial_withdrawn",
        obj=feedback,
        district=feedback.district,
    )
    return True
