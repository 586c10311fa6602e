"""Per-channel readiness: each marketplace's `validate(sku)`, for the push page and the catalogue's
checklist (a SKU is checked against the marketplaces it is listed on, or about to be)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from niryat.catalog.completeness import Problem
from niryat.catalog.models import Sku
from niryat.channels.registry import channel_class


def problems_for(sku: Sku, channel_codes: Iterable[str]) -> dict[str, list[Problem]]:
    """Each channel's problems with the SKU (an empty list: ready)."""
    return {code: channel_class(code)().validate(sku) for code in channel_codes}


def listed_channel_problems(sku: Sku) -> list[Problem]:
    """The checklist's marketplace items: the rules of every channel the SKU is listed on."""
    from niryat.channels.models import Listing

    if sku.pk is None:
        return []
    codes: Sequence[str] = sorted(
        set(
            Listing.objects.filter(sku=sku)
            .exclude(state=Listing.State.ENDED)
            .values_list("account__channel", flat=True)
        )
    )
    return [problem for problems in problems_for(sku, codes).values() for problem in problems]
