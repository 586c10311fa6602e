"""Amazon (Amazon.in and Global Selling) through the Selling Partner API: Listings Items, the
JSON_LISTINGS_FEED, Product Type Definitions, Orders v0 and LWA tokens."""

from niryat.channels.amazon.channel import AmazonChannel

__all__ = ["AmazonChannel"]
