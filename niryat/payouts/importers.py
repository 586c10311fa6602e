"""The settlement report import (Flipkart's, as Seller Hub exports it) through the sheet
import framework (niryat/core/sheets): upload, column mapping, row checks, the error sheet, and
nothing half-saved. Each NEFT transfer of the report becomes one settlement of the account;
importing the same report again changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from django.utils.translation import gettext_noop

from niryat.channels.flipkart.settlement import COLUMNS, IGNORED, settlements_from_rows
from niryat.core.models import District, User
from niryat.core.sheets.importers import CheckedRecord, Importer, SheetField
from niryat.core.sheets.models import SheetImportJob
from niryat.core.sheets.reading import Column
from niryat.payouts import actions
from niryat.payouts.models import Settlement, SettlementImport

HINDI = {
    "neft_id": "एनईएफटी आईडी",
    "payment_date": "भुगतान तिथि",
    "bank_settlement_value": "बैंक में जमा राशि",
    "order_id": "ऑर्डर आईडी",
    "order_item_id": "ऑर्डर आइटम आईडी",
    "seller_sku": "विक्रेता एसकेयू",
    "currency": "मुद्रा",
    "sale_amount": "बिक्री राशि",
    "offer_amount": "ऑफ़र राशि",
    "customer_shipping": "ग्राहक से शिपिंग",
    "refund": "धनवापसी",
    "commission": "कमीशन",
    "fixed_fee": "निश्चित शुल्क",
    "collection_fee": "संग्रह शुल्क",
    "pick_and_pack_fee": "पिक एंड पैक शुल्क",
    "shipping_fee": "शिपिंग शुल्क",
    "reverse_shipping_fee": "वापसी शिपिंग शुल्क",
    "fee_gst": "शुल्क पर जीएसटी",
    "tcs": "टीसीएस",
    "tds": "टीडीएस",
    "protection_fund": "प्रोटेक्शन फंड",
    "other_charges": "अन्य शुल्क",
}


class SettlementReportImporter(Importer):
    key = "settlement_report"
    label = gettext_noop("Settlement report import")
    sheet_title = gettext_noop("A settlement report")
    fields: ClassVar[tuple[SheetField, ...]] = tuple(
        SheetField(
            column.field,
            HINDI[column.field],
            column.english,
            column.aliases,
            required=column.required,
            kind=column.kind,
        )
        for column in COLUMNS
    )
    ignored: ClassVar[tuple[Column, ...]] = tuple(
        Column(f"ignored_{i}", header, header) for i, header in enumerate(IGNORED)
    )
    job_model = SettlementImport
    url_prefix = "settlement_report"

    def save(
        self,
        rows: Sequence[CheckedRecord],
        *,
        district: District,
        acting_user: User,
        job: SheetImportJob | None,
    ) -> tuple[int, int]:
        """One settlement per NEFT transfer; rows of a settlement already recorded unchanged
        are counted unchanged."""
        if not isinstance(job, SettlementImport):
            raise TypeError("a settlement report is imported for an account, through its job")
        values = [row.values or {} for row in rows]
        created = unchanged = 0
        for data in settlements_from_rows(values):
            recorded = actions.do_record_settlement(
                job.account, data, source=Settlement.Source.FILE, acting_user=acting_user
            )
            count = sum(1 for row in values if str(row["neft_id"]).strip() == data.settlement_id)
            if recorded.changed:
                created += count
            else:
                unchanged += count
        return created, unchanged


SETTLEMENT_REPORT_IMPORTER = SettlementReportImporter()
