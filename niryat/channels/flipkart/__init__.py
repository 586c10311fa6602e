"""Flipkart: the Marketplace Seller API v3 (OAuth2 client credentials) for listings, prices, stock
and orders, and Seller Hub's bulk catalogue sheet for products not yet in Flipkart's catalogue."""

from niryat.channels.flipkart.channel import FlipkartChannel
from niryat.channels.flipkart.sheet import catalogue_sheet, parse_fsn_report

__all__ = ["FlipkartChannel", "catalogue_sheet", "parse_fsn_report"]
