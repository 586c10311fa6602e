"""Likely duplicate producers: the same mobile, GSTIN or Udyam number, or a similar name (across
Devanagari and Latin spellings) in the same village or PIN code."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_noop

from niryat.registry.models import DuplicateFlag, Producer
from niryat.registry.name_matching import LIKELY_SAME, name_similarity

# Reasons are stored as English msgids and shown translated.
SAME_MOBILE = gettext_noop("same mobile number")
SAME_GSTIN = gettext_noop("same GSTIN")
SAME_UDYAM = gettext_noop("same Udyam number")
SIMILAR_NAME = gettext_noop("similar name in the same village or PIN code")


@dataclass(frozen=True)
class Match:
    producer: Producer
    reasons: tuple[str, ...]
    score: float


def find_duplicates(candidate: Producer) -> list[Match]:
    """Producers of the candidate's district that are likely the same person or unit."""
    others = Producer.objects.active().filter(district_id=candidate.district_id)
    if candidate.pk:
        others = others.exclude(pk=candidate.pk)
    exact = Q(pk__in=[])
    for field in ("mobile", "gstin", "udyam"):
        value = getattr(candidate, field)
        if value:
            exact |= Q(**{field: value})
    place = Q(pk__in=[])
    if candidate.pin:
        place |= Q(pin=candidate.pin)
    if candidate.village:
        place |= Q(village__iexact=candidate.village)
    names = [n for n in (candidate.name_hi, candidate.name_latin) if n]
    matches = []
    for other in others.filter(exact | place).only(
        "pk", "name_hi", "name_latin", "mobile", "gstin", "udyam", "pin", "village", "district_id"
    )[:500]:
        reasons = []
        score = 0.0
        if candidate.mobile and other.mobile == candidate.mobile:
            reasons.append(SAME_MOBILE)
            score = 100.0
        if candidate.gstin and other.gstin == candidate.gstin:
            reasons.append(SAME_GSTIN)
            score = 100.0
        if candidate.udyam and other.udyam == candidate.udyam:
            reasons.append(SAME_UDYAM)
            score = 100.0
        same_place = (candidate.pin and other.pin == candidate.pin) or (
            candidate.village and other.village.lower() == candidate.village.lower()
        )
        if same_place and names:
            similarity = max(
                name_similarity(mine, theirs)
                for mine in names
                for theirs in (other.name_hi, other.name_latin)
                if theirs
            )
            if similarity >= LIKELY_SAME:
                reasons.append(SIMILAR_NAME)
                score = max(score, similarity)
        if reasons:
            matches.append(Match(other, tuple(reasons), score))
    return sorted(matches, key=lambda m: -m.score)


def flag_duplicates(producer: Producer) -> list[Match]:
    """Find and record the likely duplicates of `producer` for staff to merge or dismiss."""
    matches = find_duplicates(producer)
    for match in matches:
        first, second = sorted([producer, match.producer], key=lambda p: p.pk)
        DuplicateFlag.objects.update_or_create(
            first=first,
            second=second,
            defaults={
                "district_id": producer.district_id,
                "reasons": list(match.reasons),
                "score": match.score,
            },
        )
    return matches
