"""The payouts pages: staff of the district see an account's payouts and each producer's
share with reasons; other districts see nothing; a producer sees only their own, in Hindi."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from niryat.catalog.models import Sku
from niryat.channels.models import ChannelAccount
from niryat.core.models import User
from niryat.payouts.models import PayoutTerms, SettlementPull
from niryat.registry.actions import do_enable_producer_sign_in
from niryat.registry.models import Producer
from tests.conftest import client_for

D = Decimal


@pytest.fixture(autouse=True)
def long_after(monkeypatch: Any) -> None:
    """The pages are read on 7 December 2026: horse C, delivered 10 November, is overdue."""
    monkeypatch.setattr("niryat.payouts.views._today", lambda: dt.date(2026, 12, 7))


def test_staff_see_each_producers_paid_withheld_and_owed_with_reasons(
    amazon_account: ChannelAccount,
    month: dict[str, Any],
    ganesh: User,
    ramu: Producer,
) -> None:
    # when
    page = client_for(ganesh).get(reverse("payouts_account", args=[amazon_account.uuid]))
    # then
    assert page.status_code == 200
    text = page.content.decode()
    row = text[text.index(f'data-producer="{ramu.uuid}"') :]
    row = row[: row.index("</tr>")]
    assert "₹858.24" in row
    assert "₹106" in row
    assert "₹1,120" in row
    assert "₹100 held in reserve by the marketplace." in row
    assert "Delivered on 10 November 2026 and not paid after the payment cycle of 7 days" in text
    assert 'data-settlement="FEG-1"' in text


def test_the_producers_page_shows_the_same_figures_order_by_order(
    month: dict[str, Any],
    ganesh: User,
    ramu: Producer,
) -> None:
    page = client_for(ganesh).get(reverse("payouts_producer", args=[ramu.uuid]))
    text = page.content.decode()
    assert page.status_code == 200
    assert '<dd class="paid">₹858.24</dd>' in text
    assert "<td>delivered</td>" in text
    # and in Hindi, the orders' states too
    hindi = client_for(ganesh, **{"Accept-Language": "hi"})
    text_hi = hindi.get(reverse("payouts_producer", args=[ramu.uuid])).content.decode()
    assert "<td>पहुँचाया गया</td>" in text_hi
    assert '<dd class="withheld">₹106</dd>' in text
    assert '<dd class="owed">₹1,120</dd>' in text
    assert text.count('<tr class="payout-line') == 2  # horse A and horse C, not the kurtas


def test_another_district_sees_nothing(
    amazon_account: ChannelAccount,
    month: dict[str, Any],
    vani: User,
    ramu: Producer,
) -> None:
    client = client_for(vani)
    assert client.get(reverse("payouts_account", args=[amazon_account.uuid])).status_code == 404
    assert client.get(reverse("payouts_producer", args=[ramu.uuid])).status_code == 404
    assert str(amazon_account) not in client.get(reverse("payouts_home")).content.decode()


def test_the_producer_sees_their_own_money_in_hindi(
    month: dict[str, Any],
    ramu: Producer,
    ganesh: User,
    khadi_sku: Sku,
) -> None:
    # given
    user = do_enable_producer_sign_in(ramu, acting_user=ganesh)
    client = client_for(user, **{"Accept-Language": "hi"})
    # when
    page = client.get(reverse("my_payouts"))
    # then
    text = page.content.decode()
    assert page.status_code == 200
    assert "ऑर्डर #403-A का ₹858.24 आपके खाते में 20 नवंबर 2026 को आया।" in text
    assert '<dd class="withheld">₹106</dd>' in text
    assert "403-B" not in text  # the khadi unit's
    # and the staff pages are not theirs
    assert client.get(reverse("payouts_producer", args=[ramu.uuid])).status_code == 403


def test_staff_set_the_rate_card_and_fetch_payouts(
    amazon_account: ChannelAccount,
    ganesh: User,
    gita: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(ganesh)
    answer = client.post(
        reverse("payouts_account_terms", args=[amazon_account.uuid]),
        {
            "payment_cycle_days": "10",
            "commission_percent": "9.5",
            "fixed_fee": "",
            "shipping_fee": "",
            "collection_fee": "",
        },
    )
    assert answer.status_code == 302
    terms = PayoutTerms.objects.get(account=amazon_account)
    assert (terms.payment_cycle_days, terms.commission_percent, terms.fixed_fee) == (
        10,
        D("9.50"),
        None,
    )
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("payouts_account_pull", args=[amazon_account.uuid]))
    assert SettlementPull.objects.filter(account=amazon_account, state="pending").count() == 1
    # a district officer reads but does not change
    officer = client_for(gita)
    denied = officer.post(
        reverse("payouts_account_terms", args=[amazon_account.uuid]), {"payment_cycle_days": "1"}
    )
    assert denied.status_code == 403
    assert PayoutTerms.objects.get(account=amazon_account).payment_cycle_days == 10


def test_bad_period_is_told_and_everything_shown(
    amazon_account: ChannelAccount,
    month: dict[str, Any],
    ganesh: User,
) -> None:
    page = client_for(ganesh).get(
        reverse("payouts_account", args=[amazon_account.uuid]),
        {"start": "2026-12-01", "end": "2026-11-01"},
    )
    assert "The period ends before it starts." in page.content.decode()
    assert "403-C" in page.content.decode()


def test_the_report_upload_offers_only_the_accounts_whose_payouts_come_as_a_report(
    amazon_account: ChannelAccount, flipkart_account: ChannelAccount, ganesh: User
) -> None:
    # Amazon's payouts are read from its API and an ONDC buyer app sends its own: a report
    # uploaded for either would be read as Flipkart's
    ondc = ChannelAccount.objects.create(
        district=flipkart_account.district, channel="ondc", name="Gorakhpur EDC on ONDC"
    )
    client = client_for(ganesh)
    page = client.get(reverse("settlement_report_import")).content.decode()
    assert flipkart_account.name in page
    # the one account offered is chosen already
    assert f'<option value="{flipkart_account.pk}" selected>' in page
    assert amazon_account.name not in page
    assert ondc.name not in page
    # and one posted anyway is refused at its field
    refused = client.post(
        reverse("settlement_report_import"),
        {"account": amazon_account.pk, "file": SimpleUploadedFile("s.csv", b"a,b\n1,2\n")},
    )
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()
