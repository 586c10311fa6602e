"""Statements: the producer's month as a PDF in Hindi or English (read back with pdftotext, its
Devanagari font embedded), the account's workbook, and TCS and TDS by month at the rates in
force on each order's date."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from niryat.catalog.models import Sku
from niryat.channels.models import ChannelAccount
from niryat.channels.settlements import Charge
from niryat.core.models import User
from niryat.payouts import reconcile, statements
from niryat.payouts.actions import do_record_settlement
from niryat.registry.actions import do_enable_producer_sign_in
from niryat.registry.models import Producer
from tests.conftest import client_for
from tests.payouts.conftest import at, book, charges, settlement

D = Decimal
needs_poppler = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="needs poppler-utils (pdftotext, pdffonts)"
)


def pdf_text(content: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def pdf_fonts(content: bytes) -> str:
    return subprocess.run(
        ["pdffonts", "-"], input=content, capture_output=True, check=False
    ).stdout.decode()


@pytest.fixture(autouse=True)
def long_after(monkeypatch: Any) -> None:
    monkeypatch.setattr("niryat.payouts.views._today", lambda: dt.date(2026, 12, 7))


def test_tcs_and_tds_by_month_follow_the_rates_of_each_orders_date(
    amazon_account: ChannelAccount, horse_sku: Sku
) -> None:
    # given: Ramu's horses sold in June, July and October 2024, each ₹1,000 before GST, with
    # TCS and TDS withheld at the rates then in force
    amazon_account.listings.create(sku=horse_sku, state="live")
    sales = [
        ("403-JUN", at(20, 6, 2024), "-10", "-10"),  # TCS 1%, TDS 1%
        ("403-JUL", at(15, 7, 2024), "-5", "-10"),  # TCS 0.5% from 10 July
        ("403-OCT", at(2, 10, 2024), "-5", "-1"),  # TDS 0.1% from 1 October
    ]
    lines = []
    for order_id, ordered, tcs, tds in sales:
        book(
            amazon_account,
            order_id,
            [("TERR-HORSE-01", 1, D("1120"), order_id)],
            ordered_at=ordered,
        )
        lines += charges(
            order_id,
            order_id,
            "TERR-HORSE-01",
            (Charge.SALE, "1000"),
            (Charge.SALE_TAX, "120"),
            (Charge.TCS, tcs),
            (Charge.TDS, tds),
        )
    do_record_settlement(
        amazon_account, settlement("FEG-2024", lines), source="api", acting_user=None
    )
    figures = reconcile.reconcile(
        reconcile.lines_for(accounts=ChannelAccount.objects.filter(pk=amazon_account.pk)),
        today=dt.date(2026, 12, 7),
    )
    # when
    credits = statements.credits_by_month(figures)
    # then: each month at its own rates, and nothing flagged
    assert [(c.month, c.taxable, c.tcs, c.tcs_rates, c.tds, c.tds_rates) for c in credits] == [
        (dt.date(2024, 6, 1), D("1000.00"), D("10"), ("1%",), D("10"), ("1%",)),
        (dt.date(2024, 7, 1), D("1000.00"), D("5"), ("0.5%",), D("10"), ("1%",)),
        (dt.date(2024, 10, 1), D("1000.00"), D("5"), ("0.5%",), D("1"), ("0.1%",)),
    ]
    assert all(line.flags == [] for line in figures)


@needs_poppler
def test_the_producers_statement_reads_in_hindi_with_the_font_embedded(
    month: dict[str, Any], ramu: Producer, ganesh: User
) -> None:
    # when
    answer = client_for(ganesh).get(
        reverse("payouts_producer_statement", args=[ramu.uuid, 2026, 11]), {"lang": "hi"}
    )
    # then
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    text = pdf_text(answer.content)
    # (pdftotext reads some conjuncts back out of order: the words it keeps whole are checked)
    assert "7 दिसंबर 2026 को तैयार, इस महीने में दिए गए" in text
    assert "गोरखपुर" in text
    assert "रामू" in text
    assert "₹858.24" in text
    assert "₹106" in text
    assert "₹1,120" in text
    assert "#403-A" in text
    assert "#403-C" in text
    assert "403-B" not in text
    assert "Noto-Sans-Devanagari" in pdf_fonts(answer.content)


@needs_poppler
def test_the_statement_in_english_and_the_producers_own(
    month: dict[str, Any], ramu: Producer, ganesh: User
) -> None:
    english = client_for(ganesh).get(
        reverse("payouts_producer_statement", args=[ramu.uuid, 2026, 11]), {"lang": "en"}
    )
    text = pdf_text(english.content)
    assert "Monthly statement: November 2026" in text
    assert "TCS and TDS you can claim" in text
    user = do_enable_producer_sign_in(ramu, acting_user=ganesh)
    own = client_for(user).get(reverse("my_payouts_statement", args=[2026, 11]))
    assert own.status_code == 200
    assert "₹858.24" in pdf_text(own.content)
    assert client_for(user).get(reverse("my_payouts_statement", args=[2026, 13])).status_code == 404


def test_the_accounts_workbook_holds_every_line_each_producer_and_the_credits(
    amazon_account: ChannelAccount, month: dict[str, Any], ganesh: User
) -> None:
    # when
    answer = client_for(ganesh).get(reverse("payouts_account_xlsx", args=[amazon_account.uuid]))
    # then
    book_ = load_workbook(io.BytesIO(answer.content))
    assert book_.sheetnames == ["Order lines", "Per producer", "TCS and TDS by month"]
    orders = [row[0] for row in book_["Order lines"].iter_rows(min_row=2, values_only=True)]
    assert sorted(orders) == ["403-A", "403-B", "403-C"]
    credits = list(book_["TCS and TDS by month"].iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[2], row[3], row[4], row[5]) for row in credits] == [
        ("2026-11", "5.00", "0.5%", "1.00", "0.1%")
    ]
