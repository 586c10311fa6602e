"""Statements: a producer's month as a PDF (Hindi or English), an account's reconciliation as
an XLSX, and the TCS and TDS credits a producer can claim, by month.

The PDF is drawn by WeasyPrint from a Django template with Noto Sans Devanagari from its PyPI
package (embedded in the PDF), as the export desk's documents are, so no system font is needed;
the renderer may fetch that font and nothing else.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from niryat.core.dates import format_date, in_india
from niryat.core.pdf import font_context, html_to_pdf
from niryat.core.sheets.writing import Sheet, write_xlsx
from niryat.payouts import reconcile
from niryat.registry.models import Producer

ZERO = Decimal(0)


@dataclass
class MonthCredits:
    """What was withheld as tax on a month's orders: the producer claims TCS in their GST
    return and TDS in their income-tax return, as the marketplace's filings show them."""

    month: dt.date  # its first day
    taxable: Decimal = ZERO
    tcs: Decimal = ZERO
    tds: Decimal = ZERO
    tcs_rates: tuple[str, ...] = ()
    tds_rates: tuple[str, ...] = ()


def month_of(moment: dt.datetime) -> dt.date:
    return in_india(moment).date().replace(day=1)


def month_end(first: dt.date) -> dt.date:
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def credits_by_month(lines: Iterable[reconcile.LineFigures]) -> list[MonthCredits]:
    """TCS and TDS withheld, by the month of the orders (India's dates), oldest first, with the
    rates that were in force."""
    found: dict[dt.date, MonthCredits] = {}
    tcs_rates: dict[dt.date, set[str]] = {}
    tds_rates: dict[dt.date, set[str]] = {}
    for line in lines:
        if not line.settled or line.foreign:  # no Indian TCS or TDS on a sale through eBay
            continue
        month = month_of(line.ordered_at)
        credits = found.setdefault(month, MonthCredits(month))
        credits.taxable += line.taxable
        credits.tcs += -line.tcs
        credits.tds += -line.tds
        if line.tcs_rate is not None:
            tcs_rates.setdefault(month, set()).add(f"{line.tcs_rate.percent.normalize()}%")
        if line.tds_rate is not None:
            tds_rates.setdefault(month, set()).add(f"{line.tds_rate.percent.normalize()}%")
    for month, credits in found.items():
        credits.taxable = credits.taxable.quantize(Decimal("0.01"))
        credits.tcs_rates = tuple(sorted(tcs_rates.get(month, ())))
        credits.tds_rates = tuple(sorted(tds_rates.get(month, ())))
    return [found[month] for month in sorted(found)]


def statement_context(producer: Producer, first: dt.date, *, today: dt.date) -> dict[str, Any]:
    lines = reconcile.reconcile(
        reconcile.lines_for(producer_id=producer.pk, start=first, end=month_end(first)),
        today=today,
    )
    totals = reconcile.by_producer(lines).get(producer.pk) or reconcile.ProducerTotals(producer.pk)
    return {
        "producer": producer,
        "month": first,
        "lines": lines,
        "totals": totals,
        "credits": credits_by_month(lines),
        "today": today,
    }


def statement_pdf(producer: Producer, first: dt.date, *, language: str, today: dt.date) -> bytes:
    """The producer's statement for the month starting `first`, in `language` ("hi" or "en")."""
    with translation.override(language):
        context = statement_context(producer, first, today=today)
        html = render_to_string(
            "payouts/pdf/statement.html",
            {
                **context,
                "language": language,
                **font_context(),
                "month_name": format_date(first).split(" ", 1)[1],
            },
        )
    return html_to_pdf(html)


def _amount(value: Decimal) -> str:
    """An amount for the workbook: always two decimals (the same on every database)."""
    return f"{value:.2f}"


def account_sheets(lines: list[reconcile.LineFigures], producers: dict[int, Producer]) -> bytes:
    """An account's reconciliation as an XLSX: one row per order line, one per producer, and the
    tax credits by month."""
    header = [
        _("Order"),
        _("Seller SKU"),
        _("Producer"),
        _("Ordered"),
        _("Status"),
        _("Sale"),
        _("Fees"),
        _("GST on fees"),
        _("TCS"),
        _("TDS"),
        _("Refunds"),
        _("Reserve"),
        _("Paid"),
        _("Owed"),
        _("In which payout"),
        _("Flags"),
    ]
    rows = [
        [
            line.channel_order_id,
            line.seller_sku,
            str(producers.get(line.producer_id or 0, "")),
            format_date(line.ordered_at),
            line.state_label,
            _amount(line.sale),
            _amount(line.fees),
            _amount(line.fee_gst),
            _amount(line.tcs),
            _amount(line.tds),
            _amount(line.refunds),
            _amount(line.reserve),
            _amount(line.paid),
            _amount(line.owed),
            "; ".join(
                f"{p.settlement_id} ({format_date(p.paid_on) if p.paid_on else _('not paid yet')})"
                for p in line.payouts
            ),
            " ".join(flag.reason for flag in line.flags),
        ]
        for line in lines
    ]
    split = reconcile.by_producer(lines)
    producer_rows = [
        [
            str(producers.get(pk or 0, _("No producer"))),
            _amount(totals.sale),
            _amount(totals.paid),
            _amount(totals.withheld),
            _amount(totals.owed),
            " ".join(totals.reasons()),
        ]
        for pk, totals in split.items()
    ]
    credit_rows = [
        [
            credits.month.strftime("%Y-%m"),
            _amount(credits.taxable),
            _amount(credits.tcs),
            ", ".join(credits.tcs_rates),
            _amount(credits.tds),
            ", ".join(credits.tds_rates),
        ]
        for credits in credits_by_month(lines)
    ]
    buffer = io.BytesIO()
    write_xlsx(
        [
            Sheet(_("Order lines"), header, rows),
            Sheet(
                _("Per producer"),
                [_("Producer"), _("Sales"), _("Paid"), _("Withheld"), _("Owed"), _("Why")],
                producer_rows,
            ),
            Sheet(
                _("TCS and TDS by month"),
                [_("Month"), _("Taxable value"), _("TCS"), _("TCS rate"), _("TDS"), _("TDS rate")],
                credit_rows,
            ),
        ],
        buffer,
    )
    return buffer.getvalue()
