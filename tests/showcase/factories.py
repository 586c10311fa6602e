"""A producer on the showcase, made through the real actions."""

from __future__ import annotations

from django.utils import timezone

from niryat.core.models import User
from niryat.registry.models import Consent, Producer
from niryat.showcase.actions import do_update_profile
from niryat.showcase.models import Profile

STORY_HI = "हमारे गाँव में तीन पीढ़ियों से टेराकोटा बनता है।"
STORY_EN = "Our village has made terracotta for three generations."


def show(producer: Producer, acting_user: User, *, story_en: str = STORY_EN) -> Profile:
    """The producer agrees (signed form) to be shown on the public showcase, with their story."""
    return do_update_profile(
        producer,
        shown=True,
        agreed_on=timezone.localdate(),
        method=Consent.Method.PAPER,
        story_hi=STORY_HI,
        story_en=story_en,
        acting_user=acting_user,
    )
