"""What the showcase does when the registry decides about a producer (`registry/hooks.py`)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from niryat.catalog.models import Product
from niryat.core.models import User
from niryat.registry.hooks import DataSection
from niryat.registry.models import Producer
from niryat.showcase.actions import bring_back, take_off
from niryat.showcase.models import Enquiry, Exhibitor, Profile, shown_products
from niryat.showcase.page_cache import forget_pages


class ShowcaseProducerHooks:
    def producer_merged(
        self, survivor: Producer, duplicate: Producer, *, acting_user: User
    ) -> None:
        # The survivor's own profile stands; the duplicate's is taken over only if it has none.
        Enquiry.objects.filter(producer=duplicate).update(producer=survivor)
        if not Profile.objects.filter(producer=survivor).exists():
            Profile.objects.filter(producer=duplicate).update(producer=survivor)
        else:
            Profile.objects.filter(producer=duplicate).delete()
        # The duplicate's places in online exhibitions go to the survivor where they have none.
        taken = Exhibitor.objects.filter(producer=survivor).values("exhibition")
        Exhibitor.objects.filter(producer=duplicate, exhibition__in=taken).delete()
        Exhibitor.objects.filter(producer=duplicate).update(producer=survivor)
        forget_pages()  # the duplicate's name may be on cached pages

    def producer_erased(self, producer: Producer, *, acting_user: User) -> None:
        """Off the showcase and its online exhibitions at once; their story and their places
        in exhibitions go with the rest of their data."""
        take_off(Product.objects.filter(producer=producer).values_list("uuid", flat=True))
        Profile.objects.filter(producer=producer).delete()
        Exhibitor.objects.filter(producer=producer).delete()

    def listing_consent_changed(
        self, producer: Producer, *, given: bool, acting_user: User
    ) -> None:
        """Withdrawn: off the showcase at once (the old addresses answer 410 Gone). Given anew:
        back on it, if they still agree to be shown there."""
        uuids = Product.objects.filter(producer=producer).values_list("uuid", flat=True)
        if given:
            bring_back(uuids)
        else:
            take_off(uuids)

    def withdrawal_consequences(self, producer: Producer) -> list[str]:
        if shown_products().filter(producer=producer).exists():
            return [_("The products leave the public showcase at once.")]
        return []

    def personal_data(self, producer: Producer) -> list[DataSection]:
        sections = []
        profile = Profile.objects.filter(producer=producer).first()
        if profile is not None:
            row = {
                "shown": profile.shown,
                "agreed_on": profile.agreed_on.isoformat() if profile.agreed_on else "",
                "story_hi": profile.story_hi,
                "story_en": profile.story_en,
            }
            sections.append(DataSection(key="showcase", title=_("Public showcase"), rows=[row]))
        exhibits = Exhibitor.objects.filter(producer=producer).select_related("exhibition")
        rows = [
            {
                "exhibition": exhibit.exhibition.title_en or exhibit.exhibition.title_hi,
                "opens_on": exhibit.exhibition.opens_on.isoformat(),
                "closes_on": exhibit.exhibition.closes_on.isoformat(),
                "visits": exhibit.visits,
            }
            for exhibit in exhibits
        ]
        if rows:
            sections.append(
                DataSection(key="exhibitions", title=_("Online exhibitions"), rows=rows)
            )
        return sections
