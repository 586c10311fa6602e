"""eBay, for cross-border sales: the Sell Inventory API (inventory item → offer → publish), the
Account API for the seller's business policies, the Fulfillment API for orders and the Post-Order
API for cancellations."""

from niryat.channels.ebay.channel import EbayChannel

__all__ = ["EbayChannel"]
