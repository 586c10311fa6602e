"""The Amazon marketplaces a producer can sell on: Amazon.in, and the Global Selling stores that
take English listings. Marketplace ids are Amazon's (developer docs, "Marketplace IDs").

Each marketplace belongs to an SP-API region (North America, Europe, Far East); India is served by
the Europe endpoint. The endpoint itself comes from settings: `CHANNEL_ENDPOINTS["amazon"]`, or
`CHANNEL_ENDPOINTS["amazon_na"]` / `["amazon_fe"]` when set, for marketplaces in those regions.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

INDIA = "A21TJRUUN4KGV"


@dataclass(frozen=True)
class Marketplace:
    id: str
    country: str  # ISO 3166 code, also the key of cached product type schemas ("IN:SHIRT")
    domain: str  # the buyers' store, for listing links
    language_tag: str  # the language of our (English) listing text there
    currency: str
    region: str  # "na", "eu" or "fe"

    @property
    def endpoint(self) -> str:
        endpoints = settings.CHANNEL_ENDPOINTS
        return str(endpoints.get(f"amazon_{self.region}") or endpoints["amazon"]).rstrip("/")

    def product_url(self, asin: str) -> str:
        return f"https://www.{self.domain}/dp/{asin}"


MARKETPLACES = {
    m.id: m
    for m in (
        Marketplace(INDIA, "IN", "amazon.in", "en_IN", "INR", "eu"),
        Marketplace("ATVPDKIKX0DER", "US", "amazon.com", "en_US", "USD", "na"),
        Marketplace("A2EUQ1WTGCTBG2", "CA", "amazon.ca", "en_CA", "CAD", "na"),
        Marketplace("A1F83G8C2ARO7P", "UK", "amazon.co.uk", "en_GB", "GBP", "eu"),
        Marketplace("A2VIGQ35RCS4UG", "AE", "amazon.ae", "en_AE", "AED", "eu"),
        Marketplace("A39IBJ37TRP1C6", "AU", "amazon.com.au", "en_AU", "AUD", "fe"),
        Marketplace("A19VAU5U5O7RUS", "SG", "amazon.sg", "en_SG", "SGD", "fe"),
    )
}
