"""`{% export_potential_summary odop_product %}`: the top markets of an ODOP product with their
reasons, for the district and producer pages (which load this library by name, so the apps below
insights never import it)."""

from __future__ import annotations

from typing import Any

from django import template

from niryat.core.models import OdopProduct
from niryat.insights.ranking import rank_markets

register = template.Library()
SUMMARY_ROWS = 3


@register.inclusion_tag("insights/_summary.html")
def export_potential_summary(product: OdopProduct | None) -> dict[str, Any]:
    if product is None:
        return {"product": None}
    markets = rank_markets(list(product.hs_codes))
    return {
        "product": product,
        "markets": markets,
        "rows": markets.ranked[:SUMMARY_ROWS],
    }


@register.filter
def usd(value: float | None) -> str:
    from niryat.insights.ranking import usd as format_usd

    return format_usd(value)
