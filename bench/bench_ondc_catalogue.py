"""What a full ONDC catalogue refresh costs: the `on_search` message for one district's items
(catalogue.full_catalogue: the rows read with their product, producer and photos, every SKU
checked against ONDC's rules and built as an item, grouped into providers with their locations,
variant groups and tags), serialised with orjson as the callback sends it — against reading the
same rows with the same query and serialising a plain dict of their fields with orjson, in the
same run (target: at most 2×).

The district's first BENCH_ONDC_ITEMS SKUs (default: 10,000 at scale 1, never fewer than 300;
more are generated if the dataset has fewer) are made ready for ONDC first, in a transaction
that is rolled back afterwards: their producers consent and have a pickup location, the centre
has a phone and email, and each SKU has what Home and kitchen (RET16) asks (colour, material,
declarations). Every other SKU of the district is left out (not ready), so both sides handle
exactly those rows.
"""

from __future__ import annotations

import os
from decimal import Decimal

import orjson
from django.test.utils import override_settings

from bench.bench_channels import (
    SITE_URL,
    _passes,
    dumps,
    plain,
    rolled_back,
    the_district,
)
from bench.generate import add_catalog, scaled
from bench.harness import Result, Target, compare, queries, rate
from niryat.catalog.models import Product, ProductImage, QuantityUnit, Sku
from niryat.channels.models import OndcDomainMapping, OndcLocation, OndcNode
from niryat.channels.ondc.barcodes import ean13_check_digit
from niryat.channels.ondc.catalogue import full_catalogue, ready_skus
from niryat.channels.ondc.taxonomy import HOME
from niryat.core.models import Centre, District, OdopProduct
from niryat.registry.models import Producer

ITEMS, MIN_ITEMS = 10_000, 300
RATIO_TARGET = Target("ratio", 2)
PIN, STD_CODE = "273001", "0551"


def run(scale: float) -> list[Result]:
    wanted = os.environ.get("BENCH_ONDC_ITEMS")
    count = int(wanted) if wanted else max(MIN_ITEMS, scaled(ITEMS, scale))
    with rolled_back(), override_settings(SITE_URL=SITE_URL):
        district = the_district()
        ids = photographed_skus(district, count)
        node = make_ready(district, ids)

        def measured() -> int:
            message = full_catalogue(node, HOME, std_code=STD_CODE)
            return len(orjson.dumps(message))

        def baseline() -> int:
            return len(dumps([plain(sku) for sku in ready_skus(district)]))

        built = full_catalogue(node, HOME, std_code=STD_CODE)["catalog"]["bpp/providers"]
        items = sum(len(provider["items"]) for provider in built)
        passes = _passes(measured, baseline)
        ours, theirs = compare(measured, baseline, repeat=passes, warmup=0, max_seconds=0)
        return [
            Result(
                "ondc: on_search full refresh, build + serialise",
                f"{items:,} items of {len(built):,} providers in {district.name_en}",
                rate(ours, items),
                rate(theirs, items),
                "the same SKU rows read by the same query (product, producer, photos) and a "
                "plain dict of their fields serialised with orjson",
                target=RATIO_TARGET,
                note=f"one pass: {ours.p50_ms / 1000:.2f} s (baseline "
                f"{theirs.p50_ms / 1000:.2f} s), {queries(measured)} queries; "
                f"{measured() / max(items, 1):,.0f} bytes an item; {passes} timed passes",
            )
        ]


def photographed_skus(district: District, count: int) -> list[int]:
    """The district's first `count` SKUs with a ready photo; more are generated (once, with a
    margin for products without one) if there are fewer."""

    def found() -> list[int]:
        skus = Sku.objects.filter(
            product__district=district, product__images__status=ProductImage.Status.READY
        ).distinct()
        return list(skus.order_by("pk").values_list("pk", flat=True)[:count])

    ids = found()
    if len(ids) < count:
        add_catalog(district, round((count - len(ids)) * 1.25) + 10)
        ids = found()
    return ids


def make_ready(district: District, ids: list[int]) -> OndcNode:
    """The SKUs `ids` ready for ONDC's Home and kitchen, every other SKU of the district not."""
    Sku.objects.filter(product__district=district).exclude(pk__in=ids).update(completeness=0)
    skus = Sku.objects.filter(pk__in=ids)
    skus.update(colour="brown", colour_en="")
    skus.filter(material="").update(material="terracotta clay")
    skus.filter(title_en="").update(title_en="Terracotta horse, handmade")
    # The generator's barcodes are random digits: give them their check digit.
    with_barcode = [sku for sku in skus.only("pk", "attributes") if sku.attributes.get("gtin")]
    for sku in with_barcode:
        digits = "".join(c for c in str(sku.attributes["gtin"]) if c.isdigit())[:12].zfill(12)
        sku.attributes["gtin"] = digits + str(ean13_check_digit(digits))
    Sku.objects.bulk_update(with_barcode, ["attributes"], batch_size=1000)
    skus.update(
        completeness=100,
        net_quantity=Decimal(1),
        net_quantity_unit=QuantityUnit.PIECE,
        mrp=Decimal("1200.00"),
        price=Decimal("950.00"),
        stock=5,
        deleting_since=None,
    )
    products = Product.objects.filter(skus__in=ids).distinct()
    Product.objects.filter(pk__in=products.values("pk")).update(
        completeness=100,
        hs_code="69139000",
        generic_name="Terracotta figurine",
        manufacturer_name="Bench Prajapati",
        manufacturer_address="Aurangabad, Gorakhpur 273001",
        deleting_since=None,
    )
    Sku.objects.filter(pk__in=ids, manufactured_on__isnull=True).update(
        manufactured_on="2026-10-01"
    )
    producers = Producer.objects.filter(pk__in=Sku.objects.filter(pk__in=ids).values("producer"))
    producers.update(listing_consent=True, erased_at=None, pin=PIN)
    OndcLocation.objects.bulk_create(
        [
            OndcLocation(
                producer_id=pk,
                latitude=Decimal("26.760555"),
                longitude=Decimal("83.373168"),
                street="Prajapati Tola",
                locality="Aurangabad",
            )
            for pk in producers.values_list("pk", flat=True)
        ],
        ignore_conflicts=True,
    )
    for odop in OdopProduct.objects.filter(district=district):
        OndcDomainMapping.objects.update_or_create(
            odop_product=odop, defaults={"domain": HOME, "category": "Home Decor"}
        )
    Product.objects.filter(pk__in=products.values("pk"), odop_product__isnull=True).update(
        odop_product=OdopProduct.objects.filter(district=district).first()
    )
    Centre.objects.filter(district=district).update(phone="05512200123", email="edc@example.org")
    node = OndcNode.objects.filter(district=district).first()
    if node is None:
        node = OndcNode.objects.create(
            district=district,
            subscriber_id=f"edc-{district.lgd_code}.niryat.bench",
            unique_key_id="bench",
            signing_public_key="-",
            encryption_public_key="-",
            private_keys_encrypted="-",
            keys_valid_from="2026-01-01T00:00Z",
            keys_valid_until="2027-01-01T00:00Z",
        )
    return node
