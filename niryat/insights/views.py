"""The export potential page of an ODOP product."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from niryat.core.models import OdopProduct
from niryat.core.scoping import current_user, get_visible_or_404
from niryat.insights.ranking import rank_markets, usd
from niryat.insights.worldmap import HEIGHT, WIDTH, legend, shaded_map

TABLE_ROWS = 20


@require_safe
@login_required
def odop_export_potential(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    product = get_visible_or_404(OdopProduct.objects.select_related("district"), user, pk=pk)
    markets = rank_markets(list(product.hs_codes))
    show_all = request.GET.get("all") == "1"
    titles = {row.market: f"{row.rank}. {row.name}: {usd(row.potential)}" for row in markets.ranked}
    return render(
        request,
        "insights/odop_export_potential.html",
        {
            "product": product,
            "markets": markets,
            "rows": markets.ranked if show_all else markets.ranked[:TABLE_ROWS],
            "more": max(len(markets.ranked) - TABLE_ROWS, 0) if not show_all else 0,
            "map": shaded_map(markets.shade_by_market, titles),
            "legend": legend(),
            "map_width": WIDTH,
            "map_height": round(HEIGHT, 1),
        },
    )
