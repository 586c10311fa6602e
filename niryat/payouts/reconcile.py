"""Reconciliation per order line: what the marketplaces' settlements say about each order line
of our book, set against what should be, with the reasons where they differ.

For each order line: the sale value, each fee, GST on the fees, TCS and TDS (and the rates in
force on the order's date), refunds and fees given back, reserves, what was paid and in which
payout, what is still to come. A line is flagged when it was delivered and not paid after the
account's payment cycle (ONDC: the settlement window), a fee is above the account's rate card
(ONDC: the finder fee the order was placed with), it was returned and no refund line came, or
the tax withheld is not what the rate of its date gives. Differences up to
`settings.PAYOUTS_TOLERANCE` (rounding) are not flagged.

The sums are made in SQL (each order line's settlement lines by kind and payout); the delivery
dates are read only for the lines delivered and not paid. The checks are worked out here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from niryat.channels.models import (
    ORDER_STATE_ACTION,
    ChannelAccount,
    ExchangeRate,
    Order,
    OrderLine,
)
from niryat.channels.registry import channel_class
from niryat.channels.settlements import Charge, ClaimedOrder, Verdict
from niryat.core.dates import format_date
from niryat.core.models import AuditEntry
from niryat.core.money import format_money, rupees
from niryat.payouts.models import (
    PayoutTerms,
    Settlement,
    SettlementLine,
    TaxKind,
    TaxRate,
    rate_on,
)

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
    code: str
    reason: str  # in the active language


@dataclass(frozen=True)
class Payout:
    uuid: str
    settlement_id: str
    paid_on: dt.date | None
    amount: Decimal


@dataclass
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
    gst_percent: Decimal
    channel: str = ""
    delivered_at: dt.datetime | None = None
    by_kind: dict[str, Decimal] = field(default_factory=dict)
    # The most each fee may be where it is agreed per order (ONDC's finder fee), by kind.
    agreed: dict[str, Decimal] = field(default_factory=dict)
    paid: Decimal = ZERO
    pending: Decimal = ZERO
    payouts: list[Payout] = field(default_factory=list)
    tcs_rate: TaxRate | None = None
    tds_rate: TaxRate | None = None
    expected_tcs: Decimal = ZERO
    expected_tds: Decimal = ZERO
    flags: list[Flag] = field(default_factory=list)
    owed: Decimal = ZERO
    owed_reason: str = ""
    # Rupees per unit of `currency` (the rate staff keep for the account's eBay prices); 1 for
    # rupees, None for another currency without a rate: kept in its currency, out of the totals.
    inr_per_unit: Decimal | None = Decimal(1)

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

    def taxable(self) -> Decimal:
        """The value TCS and TDS are worked out on: the sale without GST, less refunds. Where
        the marketplace does not give the GST apart (Flipkart's report), it is taken out at
        the SKU's GST rate."""
        gross = self.amount(Charge.SALE, Charge.SHIPPING, Charge.REFUND)
        if self.by_kind.get(Charge.SALE_TAX) or self.by_kind.get(Charge.REFUND_TAX):
            return gross
        return gross * 100 / (100 + self.gst_percent)


# India keeps one offset all year (no summer time): a date in India is a fixed shift from UTC,
# cheaper than a time-zone conversion per line.
INDIA_OFFSET = dt.timedelta(hours=5, minutes=30)


def india_date(moment: dt.datetime) -> dt.date:
    return (moment.astimezone(dt.UTC) + INDIA_OFFSET).date()


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def _delivered_at(order_ids: Iterable[int]) -> dict[int, dt.datetime]:
    """When each of these orders was recorded delivered (from its history), read only for the
    orders that need it (delivered and not paid): the state's change is picked in SQL."""
    found: dict[int, dt.datetime] = {}
    keys = [str(pk) for pk in order_ids]
    for start in range(0, len(keys), 900):
        entries = AuditEntry.objects.filter(
            object_type=Order._meta.label_lower,
            action=ORDER_STATE_ACTION,
            object_id__in=keys[start : start + 900],
            changes__state__1=Order.State.DELIVERED,
        ).values_list("object_id", "created_at")
        for object_id, created_at in entries:
            found[int(object_id)] = created_at
    return found


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
    "sku__product__gst_rate",
    "order__account__channel",
)


def reconcile(
    order_lines: QuerySet[OrderLine],
    *,
    today: dt.date,
    rates: dict[str, list[TaxRate]] | None = None,
) -> list[LineFigures]:
    """The figures and flags of these order lines (already scoped and filtered by the caller).

    Two queries carry the work: the order lines, and their settlement lines summed in SQL by
    line, kind and payout; the delivery dates are read only for lines delivered and not paid."""
    rates = rates if rates is not None else TaxRate.objects.table()
    rows = order_lines.order_by("order__ordered_at", "id").values_list(*_COLUMNS)
    lines: dict[int, LineFigures] = {}
    for row in rows:
        lines[row[0]] = LineFigures(
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
            gst_percent=Decimal(row[12] or 0),
            channel=row[13],
        )
    if not lines:
        return []
    # Summed in SQL by order line, kind and payout: a line's few charges, each one row.
    sums = (
        SettlementLine.objects.filter(order_line__in=order_lines.values("pk"))
        .filter(foreign_currency=False)
        .values_list("order_line_id", "kind", "settlement_id")
        .annotate(total=Sum("amount"), agreed=Sum("agreed"))
        .order_by()
    )
    payouts: dict[tuple[int, int], Decimal] = {}
    for order_line_id, kind, settlement_pk, total, agreed in sums:
        line = lines.get(order_line_id)
        if line is None:
            continue
        by_kind = line.by_kind
        by_kind[kind] = by_kind.get(kind, ZERO) + total
        if agreed is not None:
            line.agreed[kind] = line.agreed.get(kind, ZERO) + agreed
        key = (order_line_id, settlement_pk)
        payouts[key] = payouts.get(key, ZERO) + total
    settlements = {
        pk: (str(uuid), settlement_id, paid_on)
        for pk, uuid, settlement_id, paid_on in Settlement.objects.filter(
            pk__in={pk for _line, pk in payouts}
        ).values_list("pk", "uuid", "settlement_id", "paid_on")
    }
    for (order_line_id, settlement_pk), total in payouts.items():
        uuid, settlement_id, paid_on = settlements[settlement_pk]
        line = lines[order_line_id]
        line.payouts.append(Payout(uuid, settlement_id, paid_on, total))
        if paid_on is None:
            line.pending += total
        else:
            line.paid += total
    _exchange_rates(lines.values())
    unpaid = {
        line.order_id
        for line in lines.values()
        if line.state == Order.State.DELIVERED and line.paid == 0
    }
    delivered = _delivered_at(unpaid)
    shipped = (
        dict(Order.objects.filter(pk__in=unpaid - delivered.keys()).values_list("pk", "shipped_at"))
        if len(delivered) < len(unpaid)
        else {}
    )
    terms = {
        t.account_id: t
        for t in PayoutTerms.objects.filter(
            account_id__in={line.account_id for line in lines.values()}
        )
    }
    checks = _Checks(terms, rates, today)
    for line in lines.values():
        # delivered when the history says so, else when shipped (an order delivered before
        # its history was kept)
        line.delivered_at = delivered.get(line.order_id) or shipped.get(line.order_id)
        checks.check(line)
    return list(lines.values())


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


class _Checks:
    """The checks of each order line, with what they share worked out once."""

    def __init__(
        self, terms: dict[int, PayoutTerms], rates: dict[str, list[TaxRate]], today: dt.date
    ) -> None:
        self.limit = tolerance()
        self.rates = rates
        self.today = today
        self.cycles = {pk: t.payment_cycle_days for pk, t in terms.items()}
        self.channel_cycles: dict[str, int] = {}
        self.cards = {pk: t.card() for pk, t in terms.items()}
        self.rates_on: dict[dt.date, tuple[TaxRate | None, TaxRate | None]] = {}

    def check(self, line: LineFigures) -> None:
        ordered_on = india_date(line.ordered_at)
        rates = self.rates_on.get(ordered_on)
        if rates is None:
            rates = self.rates_on[ordered_on] = (
                rate_on(self.rates, TaxKind.TCS, ordered_on),
                rate_on(self.rates, TaxKind.TDS, ordered_on),
            )
        if line.foreign:
            # A sale abroad through a foreign marketplace (eBay): no TCS or TDS is withheld
            # under Indian law, and the rate card is in rupees; its fees are shown as charged.
            if line.inr_per_unit is None:
                line.flags.append(
                    Flag(
                        FlagCode.NO_RATE,
                        _(
                            "In %(currency)s and no exchange rate is kept for it: shown in "
                            "%(currency)s and left out of the rupee totals."
                        )
                        % {"currency": line.currency},
                    )
                )
        else:
            line.tcs_rate, line.tds_rate = rates
            if line.settled:
                self._taxes(line, ordered_on)
        self._owed(line, self._cycle(line))
        card = self.cards.get(line.account_id)
        if card and line.settled and not line.foreign:
            self._fees(line, card)
        if line.agreed and line.settled:
            self._agreed_fees(line)
        if line.state == Order.State.RETURNED and line.amount(Charge.SALE) and not line.refunds:
            line.flags.append(
                Flag(
                    FlagCode.RETURN_NO_REFUND,
                    _("Returned, but no payout has a refund line for it."),
                )
            )

    def _cycle(self, line: LineFigures) -> int:
        """The account's payment cycle, or its marketplace's usual one (ONDC's settlement window,
        a day after delivery; about a week for the others)."""
        found = self.cycles.get(line.account_id)
        if found is not None:
            return found
        if line.channel not in self.channel_cycles:
            self.channel_cycles[line.channel] = (
                channel_class(line.channel).payment_cycle_days
                if line.channel
                else DEFAULT_CYCLE_DAYS
            )
        return self.channel_cycles[line.channel]

    def _taxes(self, line: LineFigures, ordered_on: dt.date) -> None:
        taxable = line.taxable()
        for kind, rate, actual in (
            (TaxKind.TCS, line.tcs_rate, line.tcs),
            (TaxKind.TDS, line.tds_rate, line.tds),
        ):
            if rate is None:
                continue
            expected = _cents(taxable * rate.percent / 100)
            if kind == TaxKind.TCS:
                line.expected_tcs = expected
            else:
                line.expected_tds = expected
            if abs(-actual - expected) > self.limit:
                line.flags.append(
                    Flag(
                        FlagCode.TAX_RATE,
                        _(
                            "%(tax)s withheld %(actual)s; %(rate)s%% in force on %(date)s "
                            "(%(notification)s) gives %(expected)s."
                        )
                        % {
                            "tax": _("TCS") if kind == TaxKind.TCS else _("TDS"),
                            "actual": rupees(-actual),
                            "rate": rate.percent.normalize(),
                            "date": format_date(ordered_on),
                            "notification": rate.notification,
                            "expected": rupees(expected),
                        },
                    )
                )

    def _owed(self, line: LineFigures, cycle: int) -> None:
        if line.state == Order.State.DELIVERED and line.paid == 0 and line.delivered_at is not None:
            due = india_date(line.delivered_at) + dt.timedelta(days=cycle)
            if line.pending:
                line.owed = line.pending
                line.owed_reason = _("In a payout the marketplace has not paid yet.")
            else:
                line.owed = line.value
                line.owed_reason = _("Delivered; no payout yet (order value, before fees).")
            if due < self.today:
                line.flags.append(
                    Flag(
                        FlagCode.UNPAID,
                        _(
                            "Delivered on %(date)s and not paid after the payment cycle of "
                            "%(days)s days (due by %(due)s)."
                        )
                        % {
                            "date": format_date(line.delivered_at),
                            "days": cycle,
                            "due": format_date(due),
                        },
                    )
                )
        elif line.pending:
            line.owed = line.pending
            line.owed_reason = _("In a payout the marketplace has not paid yet.")

    def _fees(self, line: LineFigures, card: dict[str, tuple[Decimal, Decimal]]) -> None:
        sale = line.sale
        for kind, (percent, fixed) in card.items():
            charged = -line.amount(kind)
            allowed = _cents(sale * percent / 100 + fixed * line.quantity)
            if charged > allowed + self.limit:
                line.flags.append(
                    Flag(
                        FlagCode.FEE_ABOVE_CARD,
                        _("%(fee)s of %(charged)s is above the rate card's %(allowed)s.")
                        % {
                            "fee": _fee_label(kind),
                            "charged": rupees(charged),
                            "allowed": rupees(allowed),
                        },
                    )
                )

    def _agreed_fees(self, line: LineFigures) -> None:
        for kind, allowed in line.agreed.items():
            charged = -line.amount(kind)
            if charged > allowed + self.limit:
                line.flags.append(
                    Flag(
                        FlagCode.FEE_ABOVE_CARD,
                        _("%(fee)s of %(charged)s is above the %(allowed)s agreed for the order.")
                        % {
                            "fee": _fee_label(kind),
                            "charged": rupees(charged),
                            "allowed": rupees(allowed),
                        },
                    )
                )


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
                _("The payout says %(total)s; its lines add up to %(lines)s (%(diff)s apart).")
                % {
                    "total": rupees(settlement.total),
                    "lines": rupees(settlement.lines_total),
                    "diff": rupees(abs(difference)),
                },
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
    lines: list[LineFigures] = field(default_factory=list)

    @property
    def flagged(self) -> list[LineFigures]:
        return [line for line in self.lines if line.flags]

    def reasons(self) -> list[str]:
        """Why money is withheld or owed, in sentences."""
        found = []
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
        totals = found.setdefault(line.producer_id, ProducerTotals(line.producer_id))
        totals.lines.append(line)
        rupee = line.in_rupees  # a line in another currency at its rate (0 without one)
        totals.sale += rupee(line.sale)
        totals.paid += rupee(line.paid)
        totals.withheld += rupee(line.withheld)
        totals.owed += rupee(line.owed)
        totals.tcs += rupee(-line.tcs)
        totals.tds += rupee(-line.tds)
        totals.reserve += rupee(-line.reserve)
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


def _india_midnight(day: dt.date) -> dt.datetime:
    from niryat.core.dates import INDIA

    return dt.datetime.combine(day, dt.time(), tzinfo=INDIA)


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
