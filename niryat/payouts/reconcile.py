"""Reconciliation per order line: what the marketplaces' settlements say about each order line
of our book, set against what should be, with the reasons where they differ.

For each order line: the sale value, each fee, GST on the fees, TCS and TDS (and the rates in
force on the order's date), refunds and fees given back, reserves, what was paid and in which
payout, what is still to come. A line is flagged when it was delivered and not paid after the
account's payment cycle (ONDC: the settlement window), a fee is above the account's rate card
(ONDC: the finder fee the order was placed with), it was returned and no refund line came, or
the tax withheld is not what the rate of its date gives. Differences up to
`settings.PAYOUTS_TOLERANCE` (rounding) are not flagged.

The work is set-based: one query (`_figures`) sums the settlement lines per order line (by
kind and by paid or not, in a CTE), joins those sums to the order lines, picks the TCS and TDS
rates in force on each order's date and the tax they give, what the rate card or the order
allows for each fee, and decides the flags of the tax, the fees and the returns. Python makes
the figures from its rows and makes the one check the order's history answers: the delivery
date, read only for the lines delivered and not paid. A flag's reason is worded when it is read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connections
from django.db.models import (
    Case,
    DecimalField,
    F,
    IntegerField,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Abs, Cast, Coalesce, NullIf, Round
from django.db.models.lookups import Exact, GreaterThan, IsNull
from django.db.models.sql.constants import LOUTER
from django.utils.translation import gettext as _
from django_cte import CTE, with_cte

from niryat.channels.models import (
    ORDER_STATE_ACTION,
    ChannelAccount,
    ExchangeRate,
    Order,
    OrderLine,
)
from niryat.channels.registry import channel_class
from niryat.channels.settlements import Charge, ClaimedOrder, Verdict
from niryat.core.collector import without_gc_pauses
from niryat.core.dates import INDIA, format_date
from niryat.core.models import AuditEntry
from niryat.core.money import format_money, rupees
from niryat.payouts.models import Settlement, SettlementLine, TaxKind, TaxRate

ZERO = Decimal(0)
BOOK_CURRENCY = "INR"
CENT = Decimal("0.01")
# When neither the account's terms nor its marketplace say (channels.base.Channel).
DEFAULT_CYCLE_DAYS = 7


def tolerance() -> Decimal:
    return Decimal(str(getattr(settings, "PAYOUTS_TOLERANCE", "1.00")))


class FlagCode:
    UNPAID = "unpaid"
    FEE_ABOVE_CARD = "fee_above_card"
    RETURN_NO_REFUND = "return_no_refund"
    TAX_RATE = "tax_rate"
    NOT_ADDING_UP = "not_adding_up"
    NO_RATE = "no_rate"


@dataclass(frozen=True)
class Flag:
    """Why a line or a payout is flagged. The reason is worded when read, in the language
    active then: a month's reconciliation flags many lines, a page shows a few."""

    code: str
    words: Callable[[], str] = field(compare=False, repr=False)

    @property
    def reason(self) -> str:
        return self.words()


class Payout(NamedTuple):
    uuid: str
    settlement_id: str
    paid_on: dt.date | None
    amount: Decimal


@dataclass(slots=True)
class LineFigures:
    order_line_id: int
    order_id: int
    channel_order_id: str
    seller_sku: str
    quantity: int
    value: Decimal  # the order line's value in our book
    currency: str
    producer_id: int | None
    account_id: int
    ordered_at: dt.datetime
    state: str
    channel: str = ""
    # The account's payment cycle in days, when its terms say (else its marketplace's).
    cycle_days: int | None = None
    delivered_at: dt.datetime | None = None
    by_kind: dict[str, Decimal] = field(default_factory=dict)
    paid: Decimal = ZERO
    pending: Decimal = ZERO
    payouts: list[Payout] = field(default_factory=list)
    tcs_rate: TaxRate | None = None
    tds_rate: TaxRate | None = None
    # The value TCS and TDS are worked out on, and what the rates of the order's date give.
    taxable: Decimal = ZERO
    expected_tcs: Decimal = ZERO
    expected_tds: Decimal = ZERO
    flags: list[Flag] = field(default_factory=list)
    owed: Decimal = ZERO
    owed_reason: str = ""
    # Rupees per unit of `currency` (the rate staff keep for the account's eBay prices); 1 for
    # rupees, None for another currency without a rate: kept in its currency, out of the totals.
    inr_per_unit: Decimal | None = Decimal(1)

    @property
    def state_label(self) -> str:
        """The order's state as the pages name it, in the active language."""
        return str(Order.State(self.state).label)

    @property
    def foreign(self) -> bool:
        return self.currency != BOOK_CURRENCY

    def in_rupees(self, amount: Decimal) -> Decimal:
        """`amount` of this line's currency in rupees (at its rate; 0 when it has none)."""
        if self.inr_per_unit is None:
            return ZERO
        return amount if not self.foreign else _cents(amount * self.inr_per_unit)

    def amount(self, *kinds: str) -> Decimal:
        found = self.by_kind
        total = ZERO
        for kind in kinds:
            if kind in found:
                total += found[kind]
        return total

    @property
    def settled(self) -> bool:
        return bool(self.payouts)

    @property
    def sale(self) -> Decimal:
        """What the buyer paid for the item: its price, the GST on it, and shipping."""
        return self.amount(Charge.SALE, Charge.SALE_TAX, Charge.SHIPPING)

    @property
    def fees(self) -> Decimal:
        return self.amount(*Charge.FEES)

    @property
    def fee_gst(self) -> Decimal:
        return self.amount(Charge.FEE_GST)

    @property
    def tcs(self) -> Decimal:
        return self.amount(Charge.TCS)

    @property
    def tds(self) -> Decimal:
        return self.amount(Charge.TDS)

    @property
    def refunds(self) -> Decimal:
        return self.amount(Charge.REFUND, Charge.REFUND_TAX)

    @property
    def fee_reversals(self) -> Decimal:
        return self.amount(Charge.FEE_REVERSAL)

    @property
    def reserve(self) -> Decimal:
        return self.amount(Charge.RESERVE)

    @property
    def other(self) -> Decimal:
        return self.amount(Charge.OTHER)

    @property
    def net(self) -> Decimal:
        return sum(self.by_kind.values(), ZERO)

    @property
    def withheld(self) -> Decimal:
        """Held back from the producer: reserves not released, and the tax withheld (which
        they claim back in their returns)."""
        return -(self.reserve + self.tcs + self.tds)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def india_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(INDIA).date()


def _india_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=INDIA)


# --- the query ----------------------------------------------------------------------------------
#
# Decimal columns are NUMERIC in PostgreSQL and integers or floats in SQLite, where an integer
# divided by an integer is truncated: shares are multiplied by 0.01 and divisors are made of
# decimals, so each expression computes the same figure on both.

MONEY: DecimalField[Any, Any] = DecimalField(max_digits=16, decimal_places=2)
EXACT: DecimalField[Any, Any] = DecimalField(max_digits=24, decimal_places=8)
PERCENT: DecimalField[Any, Any] = DecimalField(max_digits=5, decimal_places=3)
ONE_PERCENT = Value(Decimal("0.01"), output_field=EXACT)
NONE = Value(0, output_field=IntegerField())
TERMS = "order__account__payout_terms__"
# The fee kinds a rate card limits, with the PayoutTerms field that does: a share of the sale
# (in %) or an amount per item.
CARD: dict[str, tuple[str, bool]] = {
    Charge.COMMISSION: (f"{TERMS}commission_percent", False),
    Charge.FIXED_FEE: (f"{TERMS}fixed_fee", True),
    Charge.SHIPPING_FEE: (f"{TERMS}shipping_fee", True),
    Charge.COLLECTION_FEE: (f"{TERMS}collection_fee", True),
}


# Sums of several kinds the checks read, each made once with the others.
_GROUPS: dict[str, tuple[str, ...]] = {
    # what the buyer paid for the item: its price, the GST on it, and shipping
    "sale": (Charge.SALE, Charge.SALE_TAX, Charge.SHIPPING),
    # what TCS and TDS are on: the sale without GST, less refunds
    "gross": (Charge.SALE, Charge.SHIPPING, Charge.REFUND),
    "refunded": (Charge.REFUND, Charge.REFUND_TAX),
}


def _settled(order_lines: QuerySet[OrderLine]) -> CTE:
    """The settlement lines of these order lines summed per order line before they meet the
    order lines (grouping the joined wide rows would sort them all). A row per order line with
    settlement lines: its sum by kind and by `_GROUPS` (NULL where it has none), the agreed
    fees, its first and last payout, and what was paid and what is still pending."""
    paid = Q(settlement__paid_on__isnull=False)
    sums: dict[str, Any] = {
        **{f"kind_{kind}": Sum("amount", filter=Q(kind=kind)) for kind in Charge.ALL},
        **{name: Sum("amount", filter=Q(kind__in=kinds)) for name, kinds in _GROUPS.items()},
        **{f"agreed_{kind}": Sum("agreed", filter=Q(kind=kind)) for kind in CARD},
    }
    return CTE(
        SettlementLine.objects.filter(
            order_line__in=order_lines.values("pk"),
            foreign_currency=False,  # lines in another currency stay out
        )
        .order_by()
        .values("order_line_id")
        .annotate(
            **sums,
            first_payout=Min("settlement_id"),
            last_payout=Max("settlement_id"),
            paid=Sum("amount", filter=paid),
            pending=Sum("amount", filter=~paid),
        ),
        name="settled",
    )


def _above(amount: Any, limit: Any) -> GreaterThan:
    """`amount` more than `limit` beyond the tolerance (NULL, so false, when `limit` is NULL)."""
    return GreaterThan(amount - limit - Value(tolerance(), output_field=MONEY), NONE)


def _bits(conditions: dict[str, Any]) -> Any:
    """The conditions as one integer, a bit each in the order of `_FLAGS`: one column to read
    per line, most lines none."""
    bits = [
        Case(When(conditions[name], then=Value(1 << at)), default=NONE, output_field=IntegerField())
        for at, name in enumerate(_FLAGS)
    ]
    total: Any = bits[0]
    for bit in bits[1:]:
        total = total + bit
    return total


def _in_force(rates: Sequence[TaxRate], then: Callable[[TaxRate], Value], out: Any) -> Case:
    """`then(rate)` for the rate in force on the order's date (NULL before the first), `rates`
    newest first. The order's moment is compared with midnight in India of each rate's first
    day: the same as India's date of the order, without a time-zone conversion per line."""
    return Case(
        *[
            When(order__ordered_at__gte=_india_midnight(rate.valid_from), then=then(rate))
            for rate in rates
        ],
        default=Value(None),
        output_field=out,
    )


_COLUMNS = (
    "id",
    "order_id",
    "order__channel_order_id",
    "seller_sku",
    "quantity",
    "unit_price",
    "order__currency",
    "sku__producer_id",
    "order__producer_id",
    "order__account_id",
    "order__ordered_at",
    "order__state",
    "order__account__channel",
    f"{TERMS}payment_cycle_days",
)
_KINDS = tuple(f"kind_{kind}" for kind in Charge.ALL)
_PAYOUT = ("first_payout", "last_payout", "paid", "pending")
_TAXES = ("tcs_rate", "tds_rate", "taxable", "expected_tcs", "expected_tds")
_ALLOWED = tuple(f"card_{kind}" for kind in CARD) + tuple(f"agreed_{kind}" for kind in CARD)
# The flags decided in SQL, in the order a line shows them.
_FLAGS = (
    "tcs_off",
    "tds_off",
    *(f"above_card_{kind}" for kind in CARD),
    *(f"above_agreed_{kind}" for kind in CARD),
    "return_no_refund",
)


def _figures(order_lines: QuerySet[OrderLine], rates: dict[str, list[TaxRate]]) -> QuerySet[Any]:
    """Per order line, one row: `_COLUMNS`, the sums by kind, the payouts, the taxes, what each
    fee may be and the flags."""
    settled = _settled(order_lines)
    col = settled.col

    def total(name: str) -> Coalesce:
        """A sum of the CTE (a kind, or one of `_GROUPS`), 0 where the line has none."""
        column = name if name in _GROUPS else f"kind_{name}"
        return Coalesce(getattr(col, column), Value(ZERO), output_field=MONEY)

    paid_in = IsNull(col.first_payout, False)
    in_book: Exact[Any] = Exact(F("order__currency"), Value(BOOK_CURRENCY))
    checked = paid_in & in_book  # no Indian TCS or TDS abroad, and the rate card is in rupees
    sale = total("sale")
    # TCS and TDS are on the sale without GST, less refunds. Where the marketplace does not give
    # the GST apart (Flipkart's report), it is taken out at the SKU's GST rate.
    gross = total("gross")
    gst = Coalesce(Cast(NullIf("sku__product__gst_rate", Value("")), EXACT), Value(ZERO))
    gst_apart: GreaterThan[Any] = GreaterThan(
        Abs(total(Charge.SALE_TAX)) + Abs(total(Charge.REFUND_TAX)), NONE
    )
    taxable = Case(
        When(gst_apart, then=gross),
        default=gross / (Value(Decimal(1)) + gst * ONE_PERCENT),
        output_field=EXACT,
    )
    sums = {name: getattr(col, name) for name in _KINDS}
    payouts = {
        "first_payout": col.first_payout,
        "last_payout": col.last_payout,
        "paid": Coalesce(col.paid, Value(ZERO), output_field=MONEY),
        "pending": Coalesce(col.pending, Value(ZERO), output_field=MONEY),
    }
    taxes: dict[str, Any] = {"taxable": taxable}
    flags: dict[str, Any] = {}
    for kind in (TaxKind.TCS.value, TaxKind.TDS.value):
        in_force = rates.get(kind, [])
        percent = _in_force(in_force, lambda rate: Value(rate.percent), PERCENT)
        expected = Round(taxable * percent * ONE_PERCENT, 2, output_field=MONEY)
        taxes[f"{kind}_rate"] = _in_force(in_force, lambda rate: Value(rate.pk), IntegerField())
        taxes[f"expected_{kind}"] = Case(When(checked, then=expected), output_field=MONEY)
        # withheld is negative: off when it is not the expected amount, either way
        flags[f"{kind}_off"] = checked & _above(Abs(total(kind) + expected), Value(ZERO))
    allowed: dict[str, Any] = {}
    for kind, (term, per_item) in CARD.items():
        card = (
            Round(F(term) * F("quantity"), 2, output_field=MONEY)
            if per_item
            else Round(sale * F(term) * ONE_PERCENT, 2, output_field=MONEY)
        )
        agreed = getattr(col, f"agreed_{kind}")
        allowed[f"card_{kind}"] = card
        allowed[f"agreed_{kind}"] = agreed
        flags[f"above_card_{kind}"] = checked & _above(-total(kind), card)
        flags[f"above_agreed_{kind}"] = paid_in & _above(-total(kind), agreed)
    flags["return_no_refund"] = (
        Exact(F("order__state"), Value(Order.State.RETURNED))
        & GreaterThan(Abs(total(Charge.SALE)), NONE)
        & Exact(total("refunded"), NONE)
    )
    joined = settled.join(order_lines.order_by(), id=col.order_line_id, _join_type=LOUTER)
    return (
        with_cte(settled, select=joined)
        .annotate(
            **{f"s_{name}": value for name, value in sums.items()},
            **payouts,
            **taxes,
            **allowed,
            flags=_bits(flags),
        )
        .order_by("order__ordered_at", "id")
        .values_list(
            *_COLUMNS, *(f"s_{name}" for name in _KINDS), *_PAYOUT, *_TAXES, *_ALLOWED, "flags"
        )
    )


# Where each part of a row starts.
_AT_KINDS = len(_COLUMNS)
_AT_PAYOUT = _AT_KINDS + len(_KINDS)
_AT_TAXES = _AT_PAYOUT + len(_PAYOUT)
_AT_ALLOWED = _AT_TAXES + len(_TAXES)
_AT_FLAGS = _AT_ALLOWED + len(_ALLOWED)


def _rows(query: QuerySet[Any]) -> Iterable[tuple[Any, ...]]:
    """The query's rows. PostgreSQL gives each column its Python type already (NUMERIC as
    Decimal, timestamptz as an aware datetime), so Django's converters (a call per value, a
    third of the time at a million lines) are left to the other databases (SQLite's floats and
    text)."""
    connection = connections[query.db]
    if connection.vendor != "postgresql":
        return query
    sql, params = query.query.get_compiler(using=query.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def reconcile(
    order_lines: QuerySet[OrderLine],
    *,
    today: dt.date,
    rates: dict[str, list[TaxRate]] | None = None,
) -> list[LineFigures]:
    """The figures and flags of these order lines (already scoped and filtered by the caller),
    oldest order first.

    One query carries the work (`_figures`); the others read the payouts named, the breakdown
    of the few lines paid in more than one payout, and the delivery (or shipping) dates of the
    lines delivered and not paid."""
    rates = rates if rates is not None else TaxRate.objects.table()
    with without_gc_pauses():
        return _reconcile(_rows(_figures(order_lines, rates)), rates, today)


def _reconcile(
    rows: Iterable[tuple[Any, ...]], rates: dict[str, list[TaxRate]], today: dt.date
) -> list[LineFigures]:
    by_pk = {rate.pk: rate for found in rates.values() for rate in found}
    pending_reason = _("In a payout the marketplace has not paid yet.")
    lines: list[LineFigures] = []
    flagged: list[tuple[LineFigures, tuple[Any, ...]]] = []
    split: list[LineFigures] = []  # paid in more than one payout
    payout_of: dict[int, int] = {}
    unpaid: list[LineFigures] = []
    for row in rows:
        line = LineFigures(
            order_line_id=row[0],
            order_id=row[1],
            channel_order_id=row[2],
            seller_sku=row[3],
            quantity=row[4],
            value=row[5] * row[4],
            currency=row[6],
            producer_id=row[7] or row[8],
            account_id=row[9],
            ordered_at=row[10],
            state=row[11],
            channel=row[12],
            cycle_days=row[13],
            by_kind={
                kind: amount
                for kind, amount in zip(Charge.ALL, row[_AT_KINDS:_AT_PAYOUT], strict=True)
                if amount is not None
            },
        )
        first, last, line.paid, line.pending = row[_AT_PAYOUT:_AT_TAXES]
        tcs_rate, tds_rate, taxable, expected_tcs, expected_tds = row[_AT_TAXES:_AT_ALLOWED]
        if first is not None:
            if first == last:
                payout_of[len(lines)] = first
            else:
                split.append(line)
        if not line.foreign:
            line.tcs_rate = by_pk.get(tcs_rate)
            line.tds_rate = by_pk.get(tds_rate)
            line.expected_tcs = expected_tcs or ZERO
            line.expected_tds = expected_tds or ZERO
        line.taxable = taxable
        if line.pending:
            line.owed = line.pending
            line.owed_reason = pending_reason
        if line.state == Order.State.DELIVERED and line.paid == 0:
            unpaid.append(line)
        if row[_AT_FLAGS] or line.foreign:
            flagged.append((line, row))
        lines.append(line)
    if not lines:
        return []
    _payouts(lines, payout_of, split)
    _exchange_rates(lines)
    unpaid_flags = _unpaid(unpaid, today)
    for line, row in flagged:
        line.flags = _flags(line, row)
    for line, flag in unpaid_flags:
        line.flags.insert(_before_fees(line), flag)
    return lines


def _payouts(lines: list[LineFigures], payout_of: dict[int, int], split: list[LineFigures]) -> None:
    """Each line's payouts: the one it was paid in (its net), or, for the few lines in more than
    one, their amounts from the settlement lines."""
    parts: list[tuple[LineFigures, int, Decimal]] = []
    by_pk = {line.order_line_id: line for line in split}
    for keys in _in_batches(list(by_pk)):
        rows = (
            SettlementLine.objects.filter(order_line_id__in=keys, foreign_currency=False)
            .values_list("order_line_id", "settlement_id")
            .annotate(total=Sum("amount"))
            .order_by("order_line_id", "settlement_id")
        )
        parts.extend((by_pk[pk], settlement, total) for pk, settlement, total in rows)
    wanted = set(payout_of.values()) | {settlement for _line, settlement, _total in parts}
    settlements = {
        pk: (str(uuid), settlement_id, paid_on)
        for pk, uuid, settlement_id, paid_on in Settlement.objects.filter(
            pk__in=wanted
        ).values_list("pk", "uuid", "settlement_id", "paid_on")
    }
    for at, settlement in payout_of.items():
        line = lines[at]
        line.payouts.append(Payout(*settlements[settlement], line.paid + line.pending))
    for line, settlement, total in parts:
        line.payouts.append(Payout(*settlements[settlement], total))


def _exchange_rates(lines: Iterable[LineFigures]) -> None:
    """Each line in another currency gets the rate staff keep for it (`ExchangeRate`), or none."""
    foreign = [line for line in lines if line.foreign]
    if not foreign:
        return
    rates = dict(
        ExchangeRate.objects.filter(currency__in={line.currency for line in foreign}).values_list(
            "currency", "inr_per_unit"
        )
    )
    for line in foreign:
        line.inr_per_unit = rates.get(line.currency)


def _flags(line: LineFigures, row: tuple[Any, ...]) -> list[Flag]:
    """The flags the query decided, and a foreign line's missing exchange rate."""
    found: list[Flag] = []
    if line.foreign and line.inr_per_unit is None:
        found.append(Flag(FlagCode.NO_RATE, _no_rate_words(line)))
    decided = {name: row[_AT_FLAGS] & (1 << at) for at, name in enumerate(_FLAGS)}
    allowed = dict(zip(_ALLOWED, row[_AT_ALLOWED:_AT_FLAGS], strict=True))
    for kind, rate in ((TaxKind.TCS.value, line.tcs_rate), (TaxKind.TDS.value, line.tds_rate)):
        if decided[f"{kind}_off"] and rate is not None:
            found.append(Flag(FlagCode.TAX_RATE, _tax_words(line, kind, rate)))
    for source in ("card", "agreed"):
        for kind in CARD:
            if decided[f"above_{source}_{kind}"]:
                words = _fee_words(
                    line, kind, allowed[f"{source}_{kind}"], agreed=source == "agreed"
                )
                found.append(Flag(FlagCode.FEE_ABOVE_CARD, words))
    if decided["return_no_refund"]:
        found.append(Flag(FlagCode.RETURN_NO_REFUND, _return_words))
    return found


def _before_fees(line: LineFigures) -> int:
    """Where the unpaid flag goes among a line's flags: after those of its taxes."""
    codes = [flag.code for flag in line.flags]
    return sum(1 for code in codes if code in (FlagCode.NO_RATE, FlagCode.TAX_RATE))


def _unpaid(lines: list[LineFigures], today: dt.date) -> list[tuple[LineFigures, Flag]]:
    """The lines delivered and not paid: what is owed on them, and a flag for those not paid
    after the account's payment cycle (the check that needs each order's delivery date, from
    its history; when shipped for an order delivered before its history was kept)."""
    if not lines:
        return []
    order_ids = {line.order_id for line in lines}
    delivered = _delivered_at(order_ids)
    shipped = _shipped_at(order_ids - set(delivered))
    reason = _("Delivered; no payout yet (order value, before fees).")
    found = []
    for line in lines:
        line.delivered_at = delivered.get(line.order_id) or shipped.get(line.order_id)
        if line.delivered_at is None:
            continue
        if not line.pending:
            line.owed = line.value
            line.owed_reason = reason
        cycle = line.cycle_days if line.cycle_days is not None else _channel_cycle(line.channel)
        due = india_date(line.delivered_at) + dt.timedelta(days=cycle)
        if due < today:
            found.append((line, Flag(FlagCode.UNPAID, _unpaid_words(line, cycle, due))))
    return found


def _in_batches(keys: list[Any]) -> Iterator[list[Any]]:
    """The keys 900 at a time: SQLite takes at most 999 parameters in a statement."""
    for start in range(0, len(keys), 900):
        yield keys[start : start + 900]


def _delivered_at(order_ids: Iterable[int]) -> dict[int, dt.datetime]:
    """When each of these orders was recorded delivered (from its history)."""
    found: dict[int, dt.datetime] = {}
    for keys in _in_batches([str(pk) for pk in order_ids]):
        entries = AuditEntry.objects.filter(
            object_type=Order._meta.label_lower,
            action=ORDER_STATE_ACTION,
            object_id__in=keys,
            changes__state__1=Order.State.DELIVERED,
        ).values_list("object_id", "created_at")
        for object_id, created_at in entries:
            found[int(object_id)] = created_at
    return found


def _shipped_at(order_ids: Iterable[int]) -> dict[int, dt.datetime]:
    """When each of these orders was shipped (those shipped)."""
    found: dict[int, dt.datetime] = {}
    for keys in _in_batches(list(order_ids)):
        shipped = Order.objects.filter(pk__in=keys).values_list("pk", "shipped_at")
        found.update((pk, at) for pk, at in shipped.order_by() if at is not None)
    return found


@cache
def _channel_cycle(channel: str) -> int:
    """The marketplace's usual payment cycle (ONDC's settlement window, a day after delivery;
    about a week for the others)."""
    return channel_class(channel).payment_cycle_days if channel else DEFAULT_CYCLE_DAYS


# --- the reasons, worded when read ----------------------------------------------------------------


def _unpaid_words(line: LineFigures, cycle: int, due: dt.date) -> Callable[[], str]:
    return lambda: (
        _(
            "Delivered on %(date)s and not paid after the payment cycle of "
            "%(days)s days (due by %(due)s)."
        )
        % {"date": format_date(line.delivered_at), "days": cycle, "due": format_date(due)}
    )


def _no_rate_words(line: LineFigures) -> Callable[[], str]:
    return lambda: (
        _(
            "In %(currency)s and no exchange rate is kept for it: shown in "
            "%(currency)s and left out of the rupee totals."
        )
        % {"currency": line.currency}
    )


def _tax_words(line: LineFigures, kind: str, rate: TaxRate) -> Callable[[], str]:
    def words() -> str:
        if kind == TaxKind.TCS:
            name, actual, expected = _("TCS"), line.tcs, line.expected_tcs
        else:
            name, actual, expected = _("TDS"), line.tds, line.expected_tds
        return _(
            "%(tax)s withheld %(actual)s; %(rate)s%% in force on %(date)s "
            "(%(notification)s) gives %(expected)s."
        ) % {
            "tax": name,
            "actual": rupees(-actual),
            "rate": rate.percent.normalize(),
            "date": format_date(india_date(line.ordered_at)),
            "notification": rate.notification,
            "expected": rupees(expected),
        }

    return words


def _fee_words(
    line: LineFigures, kind: str, allowed: Decimal, *, agreed: bool
) -> Callable[[], str]:
    def words() -> str:
        values = {
            "fee": _fee_label(kind),
            "charged": rupees(-line.amount(kind)),
            "allowed": rupees(allowed),
        }
        if agreed:
            return (
                _("%(fee)s of %(charged)s is above the %(allowed)s agreed for the order.") % values
            )
        return _("%(fee)s of %(charged)s is above the rate card's %(allowed)s.") % values

    return words


def _return_words() -> str:
    return _("Returned, but no payout has a refund line for it.")


def _fee_label(kind: str) -> str:
    from niryat.payouts.models import ChargeKind

    return str(ChargeKind(kind).label).capitalize()


# --- settlements --------------------------------------------------------------------------------


def settlement_flags(settlement: Settlement) -> list[Flag]:
    """A payout whose stated total is not what its lines add up to."""
    difference = settlement.difference()
    if abs(difference) > tolerance():
        return [
            Flag(
                FlagCode.NOT_ADDING_UP,
                lambda: (
                    _("The payout says %(total)s; its lines add up to %(lines)s (%(diff)s apart).")
                    % {
                        "total": rupees(settlement.total),
                        "lines": rupees(settlement.lines_total),
                        "diff": rupees(abs(difference)),
                    }
                ),
            )
        ]
    return []


# --- per producer -------------------------------------------------------------------------------


@dataclass
class ProducerTotals:
    producer_id: int | None
    sale: Decimal = ZERO
    paid: Decimal = ZERO
    withheld: Decimal = ZERO
    owed: Decimal = ZERO
    tcs: Decimal = ZERO
    tds: Decimal = ZERO
    reserve: Decimal = ZERO
    # given back to buyers for returns (with its GST), out of what was paid
    refunded: Decimal = ZERO
    lines: list[LineFigures] = field(default_factory=list)

    @property
    def flagged(self) -> list[LineFigures]:
        return [line for line in self.lines if line.flags]

    def reasons(self) -> list[str]:
        """Why money is withheld or owed, in sentences."""
        found = []
        if self.refunded:
            found.append(
                _("%(amount)s given back to buyers for returns, out of what was paid.")
                % {"amount": rupees(self.refunded)}
            )
        if self.reserve:
            found.append(
                _("%(amount)s held in reserve by the marketplace.")
                % {"amount": rupees(self.reserve)}
            )
        if self.tcs:
            found.append(
                _("%(amount)s TCS (GST, section 52): claim it in your GST return.")
                % {"amount": rupees(self.tcs)}
            )
        if self.tds:
            found.append(
                _("%(amount)s TDS (section 194-O): claim it in your income-tax return.")
                % {"amount": rupees(self.tds)}
            )
        for line in self.lines:
            if line.owed:
                found.append(
                    _("Order #%(order)s: %(amount)s owed. %(reason)s")
                    % {
                        "order": line.channel_order_id,
                        "amount": format_money(line.owed, line.currency),
                        "reason": line.owed_reason,
                    }
                )
        return found


def by_producer(lines: Iterable[LineFigures]) -> dict[int | None, ProducerTotals]:
    """The order lines' figures split by producer (the split follows the order lines)."""
    found: dict[int | None, ProducerTotals] = {}
    for line in lines:
        totals = found.get(line.producer_id)
        if totals is None:
            totals = found[line.producer_id] = ProducerTotals(line.producer_id)
        totals.lines.append(line)
        tcs, tds, reserve = line.tcs, line.tds, line.reserve
        if line.foreign:  # at its rate (0 without one)
            rupee = line.in_rupees
            totals.sale += rupee(line.sale)
            totals.paid += rupee(line.paid)
            totals.withheld += rupee(-(reserve + tcs + tds))
            totals.owed += rupee(line.owed)
            totals.tcs += rupee(-tcs)
            totals.tds += rupee(-tds)
            totals.reserve += rupee(-reserve)
            totals.refunded += rupee(-line.refunds)
        else:
            totals.sale += line.sale
            totals.paid += line.paid
            totals.withheld -= reserve + tcs + tds
            totals.owed += line.owed
            totals.tcs -= tcs
            totals.tds -= tds
            totals.reserve -= reserve
            totals.refunded -= line.refunds
    return found


def lines_for(
    *,
    accounts: QuerySet[ChannelAccount] | None = None,
    producer_id: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[OrderLine]:
    """The order lines a page reconciles: of these accounts or of one producer (their SKUs', or
    their orders' when the SKU is gone), ordered in the period (India's dates, inclusive)."""
    found = OrderLine.objects.exclude(order__state=Order.State.CANCELLED)
    if accounts is not None:
        found = found.filter(order__account__in=accounts)
    if producer_id is not None:
        found = found.filter(
            Q(sku__producer_id=producer_id) | Q(sku__isnull=True, order__producer_id=producer_id)
        )
    if start is not None:
        found = found.filter(order__ordered_at__gte=_india_midnight(start))
    if end is not None:
        found = found.filter(order__ordered_at__lt=_india_midnight(end + dt.timedelta(days=1)))
    return found


def unmatched_lines(accounts: QuerySet[ChannelAccount]) -> QuerySet[SettlementLine]:
    """Settlement lines kept with the marketplace's ids but no order line of ours, and lines in
    another currency or of a charge we do not know."""
    return (
        SettlementLine.objects.filter(settlement__account__in=accounts)
        .filter(flagged=True)
        .select_related("settlement")
        .order_by("-settlement__opened_at", "id")
    )


# --- settlements a marketplace pushes -----------------------------------------------------------


def judge(claim: ClaimedOrder, lines: Sequence[LineFigures]) -> Verdict:
    """Whether we agree with what a marketplace says it paid for an order (its lines already
    reconciled with the settlement recorded): the order's own flags (a fee above the one agreed,
    tax withheld not at the rate of the order's date), what was collected against our book, and
    whether what it kept and paid adds up to what it collected. The difference is what it paid
    less what we expected (our book's total less the agreed fee, the tax at the rates in force
    and what it holds back)."""
    if claim.book_total is None or not lines:
        return Verdict(
            known=False,
            difference=claim.paid,
            reasons=[
                _("Order #%(order)s is not in our order book.") % {"order": claim.channel_order_id}
            ],
            codes=["unknown"],
        )
    limit = tolerance()
    reasons: dict[str, str] = {}
    for line in lines:
        for flag in line.flags:
            if flag.code in (FlagCode.FEE_ABOVE_CARD, FlagCode.TAX_RATE):
                reasons.setdefault(flag.reason, flag.code)
    if abs(claim.collected - claim.book_total) > limit:
        reasons.setdefault(
            _("The buyer app collected %(collected)s; the order came to %(total)s.")
            % {"collected": rupees(claim.collected), "total": rupees(claim.book_total)},
            "collected",
        )
    kept = claim.fee + claim.tcs + claim.tds + claim.withheld - claim.released
    if abs(claim.collected - kept - claim.paid) > limit:
        reasons.setdefault(
            _("%(paid)s paid; %(collected)s collected less %(kept)s kept comes to %(net)s.")
            % {
                "paid": rupees(claim.paid),
                "collected": rupees(claim.collected),
                "kept": rupees(kept),
                "net": rupees(claim.collected - kept),
            },
            FlagCode.NOT_ADDING_UP,
        )
    fee = claim.fee if claim.agreed_fee is None else min(claim.fee, claim.agreed_fee)
    taxes = sum((line.expected_tcs + line.expected_tds for line in lines), ZERO)
    expected = claim.book_total - fee - taxes - claim.withheld + claim.released
    difference = claim.paid - expected
    if not reasons:
        difference = ZERO
    return Verdict(
        known=True,
        difference=difference,
        reasons=list(reasons),
        codes=list(reasons.values()),
    )
