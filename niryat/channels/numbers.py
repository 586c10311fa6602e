"""The channels' numbers for a district or the state: listings by channel and state, live
products, orders and sales value, by ODOP product (and by district for state users)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, Sum

from niryat.channels.models import Listing, Order
from niryat.core.models import District, OdopProduct, User

SOLD = ~Q(state__in=[Order.State.CANCELLED, Order.State.RETURNED])


@dataclass(frozen=True)
class Row:
    name: str
    live_products: int
    orders: int
    sales_inr: Decimal


@dataclass(frozen=True)
class Numbers:
    listings_by_channel_state: list[tuple[str, str, int]]
    live_products: int
    orders: int
    sales_inr: Decimal
    by_odop: list[Row] = field(default_factory=list)
    by_district: list[Row] = field(default_factory=list)


def _rows(
    listings: dict[int | None, int],
    orders: dict[int | None, tuple[int, Decimal]],
    names: dict[int | None, str],
) -> list[Row]:
    keys = sorted(set(listings) | set(orders), key=lambda key: names.get(key, ""))
    return [
        Row(names.get(key, "—"), listings.get(key, 0), *orders.get(key, (0, Decimal(0))))
        for key in keys
    ]


def channel_numbers(user: User, district: District | None = None) -> Numbers:
    """What `user` may see, narrowed to `district` if given. Sales count orders not cancelled or
    returned, in rupees (foreign currencies at the staff's exchange rate)."""
    listings = Listing.objects.visible_to(user)
    orders = Order.objects.visible_to(user)
    if district is not None:
        listings = listings.filter(account__district=district)
        orders = orders.filter(district=district)
    by_state = [
        (row["account__channel"], row["state"], row["n"])
        for row in listings.values("account__channel", "state")
        .annotate(n=Count("id"))
        .order_by("account__channel", "state")
    ]
    live = listings.filter(state=Listing.State.LIVE)
    sold = orders.filter(SOLD)
    totals = sold.aggregate(n=Count("id"), value=Sum("total_inr"))

    def grouped(path: str) -> tuple[dict[int | None, int], dict[int | None, tuple[int, Decimal]]]:
        live_by = {
            row["key"]: row["n"]
            for row in live.values(key=F(f"sku__product__{path}")).annotate(
                n=Count("sku__product", distinct=True)
            )
        }
        orders_by = {
            row["key"]: (row["n"], row["value"] or Decimal(0))
            for row in sold.values(key=F(f"producer__{path}")).annotate(
                n=Count("id"), value=Sum("total_inr")
            )
        }
        return live_by, orders_by

    live_by_odop, orders_by_odop = grouped("odop_product")
    odop_names: dict[int | None, str] = {
        odop.pk: odop.name
        for odop in OdopProduct.objects.filter(pk__in=set(live_by_odop) | set(orders_by_odop))
    }
    by_district: list[Row] = []
    if user.is_state_level and district is None:
        live_by_district, orders_by_district = grouped("district")
        district_names: dict[int | None, str] = {
            d.pk: d.name
            for d in District.objects.filter(pk__in=set(live_by_district) | set(orders_by_district))
        }
        by_district = _rows(live_by_district, orders_by_district, district_names)
    return Numbers(
        listings_by_channel_state=by_state,
        live_products=live.values("sku__product").distinct().count(),
        orders=totals["n"] or 0,
        sales_inr=totals["value"] or Decimal(0),
        by_odop=_rows(live_by_odop, orders_by_odop, odop_names),
        by_district=by_district,
    )
