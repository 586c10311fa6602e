"""Flipkart's settlement report, imported through the sheet import framework: each NEFT transfer
one settlement, the same report twice recorded once, an order missing from our book kept with
Flipkart's ids, a column we do not know left for staff to map."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from niryat.catalog.models import Sku
from niryat.channels.models import ChannelAccount
from niryat.core.models import User
from niryat.core.sheets import jobs
from niryat.payouts import reconcile
from niryat.payouts.importers import SETTLEMENT_REPORT_IMPORTER
from niryat.payouts.models import Settlement, SettlementImport
from tests.catalog.factories import run_tasks
from tests.payouts.conftest import book

REPORT = Path(__file__).parent / "fixtures" / "flipkart_settlement.csv"
D = Decimal


def upload(
    account: ChannelAccount, user: User, content: bytes, name: str = "settled.csv"
) -> SettlementImport:
    job = jobs.start_job(
        SETTLEMENT_REPORT_IMPORTER,
        account.district,
        SimpleUploadedFile(name, content, content_type="text/csv"),
        acting_user=user,
        language="en",
        account=account,
    )
    run_tasks()
    job.refresh_from_db()
    assert isinstance(job, SettlementImport)
    return job


def test_a_settlement_report_becomes_one_settlement_per_transfer(
    flipkart_account: ChannelAccount, horse_sku: Sku, ganesh: User
) -> None:
    # given: Ramu's horse sold on Flipkart (GST 12%) is in our book; the kurta's order is not
    horse_sku.product.gst_rate = "12"
    horse_sku.product.save(update_fields=["gst_rate"])
    flipkart_account.listings.create(sku=horse_sku, state="live")
    book(
        flipkart_account,
        "OD331000000000001100",
        [("TERR-HORSE-01", 1, D("1120"), "331000000000001111")],
        ordered_at=dt.datetime(2026, 11, 2, 6, tzinfo=dt.UTC),
    )
    # when
    job = upload(flipkart_account, ganesh, REPORT.read_bytes())
    # then
    assert (job.status, job.created_count, job.unchanged_count) == ("done", 2, 0)
    settlement = Settlement.objects.get()
    assert (settlement.settlement_id, settlement.paid_on, settlement.source) == (
        "AXISCN0426811234",
        dt.date(2026, 11, 18),
        "file",
    )
    assert settlement.total == settlement.lines_total == D("1384.26")
    assert reconcile.settlement_flags(settlement) == []
    horse = settlement.lines.filter(order_line__isnull=False)
    assert sorted((line.kind, line.amount) for line in horse) == [
        ("collection_fee", D("-15.00")),
        ("commission", D("-112.00")),
        ("fee_gst", D("-33.66")),
        ("fixed_fee", D("-20.00")),
        ("sale", D("1120.00")),
        ("shipping_fee", D("-40.00")),
        ("tcs", D("-5.00")),
        ("tds", D("-1.00")),
    ]
    kurta = settlement.lines.filter(order_line__isnull=True)
    assert {(line.channel_order_id, line.line_id, line.seller_sku) for line in kurta} == {
        ("OD331000000000009900", "331000000000009911", "KHADI-KURTA-M")
    }
    assert all(line.flags == ["unmatched"] for line in kurta)
    # the horse reconciles: TCS and TDS on its value without GST, at the rates of its date
    [line] = reconcile.reconcile(
        reconcile.lines_for(accounts=ChannelAccount.objects.filter(pk=flipkart_account.pk)),
        today=dt.date(2026, 12, 7),
    )
    assert (line.paid, line.flags) == (D("893.34"), [])
    # when: the same report imported again
    again = upload(flipkart_account, ganesh, REPORT.read_bytes(), name="settled-again.csv")
    # then: nothing new
    assert (again.status, again.created_count, again.unchanged_count) == ("done", 0, 2)
    assert Settlement.objects.count() == 1
    assert settlement.lines.count() == 8 + 5


def test_a_column_the_report_should_not_have_waits_for_staff_to_map_it(
    flipkart_account: ChannelAccount, ganesh: User
) -> None:
    # given: a report with a fee column we do not know
    text = REPORT.read_text().splitlines()
    text[0] += ",Shopsy Fee (Rs.)"
    text[1] += ",-7.00"
    text[2] += ",0.00"
    # when
    job = upload(flipkart_account, ganesh, ("\n".join(text) + "\n").encode())
    # then: nothing is imported until staff say what the column is
    assert job.status == "mapping"
    assert Settlement.objects.count() == 0
    # when: staff map it to "other charges"
    mapping = job.mapping_by_position()
    mapping[len(text[0].split(",")) - 1] = "other_charges"
    jobs.choose_mapping(
        SETTLEMENT_REPORT_IMPORTER, job, mapping, {}, acting_user=ganesh, language="en"
    )
    run_tasks()
    # then: kept, and flagged as a charge we do not know
    settlement = Settlement.objects.get()
    other = settlement.lines.get(code="Other charges (Rs.)")
    assert (other.amount, other.flags) == (D("-7.00"), ["unmatched", "unknown"])
    assert settlement.lines_total == settlement.total - D("7.00")  # the report's total left it out
