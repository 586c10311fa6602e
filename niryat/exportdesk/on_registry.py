"""What the export desk does when the registry decides about a producer (`registry/hooks.py`)."""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.utils.translation import gettext_lazy

from niryat.core.models import User
from niryat.exportdesk.models import ExportOrder, MerchantSale, ReadinessItem
from niryat.registry.hooks import DataSection
from niryat.registry.models import Producer


def _delete_items(items: list[ReadinessItem]) -> None:
    """Delete checklist lines and, once the deletion commits, their evidence files."""
    files = [(item.evidence.storage, item.evidence.name) for item in items if item.evidence]
    ReadinessItem.objects.filter(pk__in=[item.pk for item in items]).delete()
    for storage, name in files:
        transaction.on_commit(partial(storage.delete, name))


class ExportDeskProducerHooks:
    def producer_merged(
        self, survivor: Producer, duplicate: Producer, *, acting_user: User
    ) -> None:
        # Export orders follow the record that is kept. Of two checklist lines for the same item,
        # the one that is done is kept (the survivor's when both or neither are).
        ExportOrder.objects.filter(producer=duplicate).update(producer=survivor)
        MerchantSale.objects.filter(producer=duplicate).update(producer=survivor)
        kept = {(i.kind, i.rule_id): i for i in ReadinessItem.objects.filter(producer=survivor)}
        drop: list[ReadinessItem] = []
        move: list[int] = []
        for item in ReadinessItem.objects.filter(producer=duplicate):
            twin = kept.get((item.kind, item.rule_id))
            if twin is None:
                move.append(item.pk)
            elif item.status == ReadinessItem.Status.DONE and twin.status != item.status:
                drop.append(twin)
                move.append(item.pk)
            else:
                drop.append(item)
        _delete_items(drop)
        ReadinessItem.objects.filter(pk__in=move).update(producer=survivor)

    def producer_erased(self, producer: Producer, *, acting_user: User) -> None:
        # The checklist holds their numbers (IEC is their PAN) and scans of their certificates:
        # erased with the files. Export orders stay, as the district's export record, without
        # anything of the producer's own but the emptied registry record they point at.
        _delete_items(list(ReadinessItem.objects.filter(producer=producer)))

    def listing_consent_changed(
        self, producer: Producer, *, given: bool, acting_user: User
    ) -> None:
        # Export readiness and orders are not listings: consent to be listed does not touch them.
        return None

    def withdrawal_consequences(self, producer: Producer) -> list[str]:
        return []

    def personal_data(self, producer: Producer) -> list[DataSection]:
        items = [
            {
                "item": str(item),
                "status": item.status,
                "reference": item.reference,
                "council": item.council.code if item.council else "",
                "valid_from": item.valid_from.isoformat() if item.valid_from else "",
                "expires_on": item.expires_on.isoformat() if item.expires_on else "",
                "evidence": item.evidence_name,
            }
            for item in ReadinessItem.objects.filter(producer=producer).select_related(
                "rule", "council"
            )
        ]
        orders = [
            {
                "buyer": order.buyer.name,
                "country": order.buyer.country,
                "incoterm": order.incoterm,
                "currency": order.currency,
                "created_at": order.created_at.isoformat(),
            }
            for order in ExportOrder.objects.filter(producer=producer).select_related("buyer")
        ]
        sales = [
            {
                "merchant_exporter": sale.merchant.name,
                "merchant_iec": sale.merchant.iec,
                "country": sale.country,
                "sold_on": sale.sold_on.isoformat(),
                "value_inr": str(sale.value_inr),
            }
            for sale in MerchantSale.objects.filter(producer=producer).select_related("merchant")
        ]
        return [
            DataSection("export_readiness", gettext_lazy("Export readiness"), items),
            DataSection("export_orders", gettext_lazy("Export orders"), orders),
            DataSection("merchant_sales", gettext_lazy("Merchant-exporter sales"), sales),
        ]
