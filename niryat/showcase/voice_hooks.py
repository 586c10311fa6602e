"""What producers' voices do when the registry decides about a producer (`registry/hooks.py`).

Consent to be listed withdrawn, or the producer taken off the showcase, needs nothing here:
testimonials are shown only of producers on the showcase (`FeedbackQuerySet.shown`), and those
decisions drop the cached pages already (on_registry.py, actions.do_update_profile)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from niryat.core.models import User
from niryat.registry.hooks import DataSection
from niryat.registry.models import Producer
from niryat.showcase.models import Feedback, Testimonial
from niryat.showcase.page_cache import forget_pages


class VoiceProducerHooks:
    def producer_merged(
        self, survivor: Producer, duplicate: Producer, *, acting_user: User
    ) -> None:
        # Feedback is the producer's whoever's record it was filed under; the survivor's name
        # now stands on any shown testimonial, so cached pages go.
        if Feedback.objects.filter(producer=duplicate).update(producer=survivor):
            forget_pages()

    def producer_erased(self, producer: Producer, *, acting_user: User) -> None:
        """Their words go and no consent to show them stands; the rating and its subject stay
        for the district's averages, which name nobody."""
        Testimonial.objects.filter(feedback__producer=producer, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now(), withdrawn_by=acting_user
        )
        Feedback.objects.filter(producer=producer).update(text="")
        forget_pages()

    def listing_consent_changed(
        self, producer: Producer, *, given: bool, acting_user: User
    ) -> None:
        """Nothing more (see the module's note)."""

    def withdrawal_consequences(self, producer: Producer) -> list[str]:
        if Feedback.objects.shown().filter(producer=producer).exists():
            return [_("Feedback shown on the public showcase leaves it at once.")]
        return []

    def personal_data(self, producer: Producer) -> list[DataSection]:
        rows = [
            {
                "date": feedback.given_on.isoformat(),
                "about": feedback.about,
                "subject": feedback.subject,
                "rating": feedback.rating,
                "text": feedback.text,
                "sent_by_producer": feedback.from_producer,
                "shown_with_consent_since": (
                    agreed.agreed_on.isoformat()
                    if (agreed := feedback.open_testimonial()) is not None
                    else ""
                ),
            }
            for feedback in Feedback.objects.filter(producer=producer).select_related("programme")
        ]
        return [DataSection("feedback", _("Feedback"), rows)] if rows else []
