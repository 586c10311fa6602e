"""What the payouts do when a marketplace pushes its settlements to us (channels'
`SETTLEMENT_HOOKS`): an ONDC buyer app's reconciliation message is recorded as the account's
settlements, like a pulled or imported one, and each order it names is checked against our
book with the same reconciliation the staff's pages show."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone

from niryat.channels.models import ChannelAccount, Order, OrderLine
from niryat.channels.settlements import ClaimedOrder, SettlementData, Verdict
from niryat.payouts import actions, reconcile
from niryat.payouts.models import Settlement


class PayoutSettlementHooks:
    def settlements_pushed(
        self,
        account: ChannelAccount,
        settlements: Sequence[SettlementData],
        claims: Sequence[ClaimedOrder],
    ) -> dict[str, Verdict]:
        for data in settlements:
            actions.do_record_settlement(
                account, data, source=Settlement.Source.PUSH, acting_user=None
            )
        orders = dict(
            Order.objects.filter(
                account=account, channel_order_id__in=[claim.channel_order_id for claim in claims]
            ).values_list("pk", "channel_order_id")
        )
        figures = reconcile.reconcile(
            OrderLine.objects.filter(order_id__in=orders), today=timezone.localdate()
        )
        by_order: dict[str, list[reconcile.LineFigures]] = {}
        for line in figures:
            by_order.setdefault(orders[line.order_id], []).append(line)
        return {
            claim.channel_order_id: reconcile.judge(claim, by_order.get(claim.channel_order_id, []))
            for claim in claims
        }
