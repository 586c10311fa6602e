"""What a producer needs before exporting: the checklist's fixed items, what each one is and where
to get it (in plain words, Hindi first for producers), how its number is checked and when it
lapses. Destination and product rules are data (`ExportRule`), not code.

Sources: ../shared/data/EXPORT_FACTS.md (sections named on each item) and issue 14.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from niryat.catalog.models import Product
from niryat.exportdesk.models import ExportOrder, ExportOrderLine, ExportRule, ReadinessItem
from niryat.registry.identifiers import clean_gstin, clean_pan
from niryat.registry.models import Producer

Kind = ReadinessItem.Kind


@dataclass(frozen=True)
class ItemGuide:
    kind: str
    what: Promise  # what it is and where to get it, in plain words
    source: str  # where the fact comes from
    has_expiry: bool = False


GUIDES: dict[str, ItemGuide] = {
    Kind.IEC: ItemGuide(
        Kind.IEC,
        gettext_lazy(
            "The IEC is the number every exporter needs. Since 2017 it is the same as your PAN. "
            "Apply free of cost on the DGFT website with your PAN and bank details; "
            "it does not expire, but the details are confirmed on the DGFT portal every year."
        ),
        "EXPORT_FACTS.md §4 (taxsimpl.com; registerkaro.in; yearly update: to verify)",
    ),
    Kind.GST: ItemGuide(
        Kind.GST,
        gettext_lazy(
            "GST registration gives you a GSTIN of 15 characters; your PAN is inside it. "
            "Register on the GST portal; the centre can help you fill the form."
        ),
        "EXPORT_FACTS.md §5 (python-stdnum gstin)",
    ),
    Kind.LUT: ItemGuide(
        Kind.LUT,
        gettext_lazy(
            "With a Letter of Undertaking (LUT) you export without paying IGST. It is filed on the "
            "GST portal and holds for one financial year (April to March): file a new one every "
            "April."
        ),
        "EXPORT_FACTS.md §3 (goods may go out on IGST payment or under LUT)",
        has_expiry=True,
    ),
    Kind.AD_CODE: ItemGuide(
        Kind.AD_CODE,
        gettext_lazy(
            "The AD code comes from your bank. Register it with Customs for the port or the "
            "foreign post office you export through, so that export payments reach your account."
        ),
        "EXPORT_FACTS.md §3 (taxtmi circular summary: register an AD Code)",
    ),
    Kind.RCMC: ItemGuide(
        Kind.RCMC,
        gettext_lazy(
            "The RCMC is a membership certificate from the export promotion council of your main "
            "product (EPCH for handicrafts, AEPC for garments, KVIC for khadi; FIEO if no council "
            "covers it). You need it for export benefits. It holds for five years, to 31 March."
        ),
        "EXPORT_FACTS.md §7 (wooltexpro.com; DGFT Policy Circular 09 (RE-2007))",
        has_expiry=True,
    ),
    Kind.BANK: ItemGuide(
        Kind.BANK,
        gettext_lazy(
            "A current or savings account at a bank that can receive payments from abroad "
            "(an authorised dealer bank). Ask your branch whether it handles export payments."
        ),
        "EXPORT_FACTS.md §3 (taxtmi circular summary: register an AD Code with the bank's details)",
    ),
    Kind.ICEGATE: ItemGuide(
        Kind.ICEGATE,
        gettext_lazy(
            "ICEGATE is the Customs website. Register there with your IEC and add your bank "
            "details; parcels sent through the post office export centre need it too."
        ),
        "EXPORT_FACTS.md §3 (taxtmi circular summary: exporters must register on ICEGATE)",
    ),
}

FIXED_KINDS = [Kind.IEC, Kind.GST, Kind.LUT, Kind.AD_CODE, Kind.RCMC, Kind.BANK, Kind.ICEGATE]


def financial_year_end(on: datetime.date) -> datetime.date:
    """31 March that ends the Indian financial year holding `on`."""
    return datetime.date(on.year + (1 if on.month >= 4 else 0), 3, 31)


def default_expiry(kind: str, valid_from: datetime.date | None) -> datetime.date | None:
    """When an item lapses if staff do not say: a LUT at the end of its financial year; an RCMC
    five years on, "ending 31st March of the licensing year … deemed valid from 1st April of the
    licensing year in which it was issued" (EXPORT_FACTS.md §7, wooltexpro.com)."""
    if valid_from is None:
        return None
    if kind == Kind.LUT:
        return financial_year_end(valid_from)
    if kind == Kind.RCMC:
        end = financial_year_end(valid_from)
        return end.replace(year=end.year + 4)
    return None


def clean_iec_as_pan(value: str) -> str:
    """Since 2017 the IEC is the PAN (EXPORT_FACTS.md §4): refuse anything not in PAN form."""
    try:
        return clean_pan(value)
    except ValidationError:
        raise ValidationError(
            _(
                "The IEC must be in PAN form (5 letters, 4 digits, 1 letter, like ABCPE1234F); "
                "%(value)s is not. Since 2017 the IEC is the PAN."
            )
            % {"value": value.strip().upper()}
        ) from None


def clean_reference(kind: str, value: str) -> str:
    """The item's number in its canonical form, or a ValidationError that says what is wrong."""
    value = value.strip()
    if not value:
        return ""
    if kind == Kind.IEC:
        return clean_iec_as_pan(value)
    if kind == Kind.GST:
        return clean_gstin(value)
    return value


def check_dates(
    kind: str, valid_from: datetime.date | None, expires_on: datetime.date | None
) -> None:
    """A LUT covers one financial year only (issue 14: "a LUT past its financial year")."""
    if valid_from and expires_on and expires_on < valid_from:
        raise ValidationError(_("The item cannot lapse before it was issued."))
    if kind == Kind.LUT and valid_from and expires_on:
        if expires_on > financial_year_end(valid_from):
            raise ValidationError(
                _("A LUT holds for one financial year only: it lapses on %(date)s at the latest.")
                % {"date": financial_year_end(valid_from).strftime("%d.%m.%Y")}
            )


def item_key(item: ReadinessItem) -> str:
    """How pages and forms name a checklist line: its kind, or `rule-<id>`."""
    return f"rule-{item.rule_id}" if item.rule_id else str(item.kind)


def producer_countries_and_codes(producer: Producer) -> tuple[set[str], set[str]]:
    """Where the producer sells abroad (their export orders' buyers) and what (the HS codes of
    their orders' lines and of their catalogue), for choosing the rules that apply."""
    countries = set(
        ExportOrder.objects.filter(producer=producer).values_list("buyer__country", flat=True)
    )
    codes = set(
        ExportOrderLine.objects.filter(order__producer=producer)
        .exclude(hs_code="")
        .values_list("hs_code", flat=True)
    )
    codes |= set(
        Product.objects.filter(producer=producer)
        .exclude(hs_code="")
        .values_list("hs_code", flat=True)
    )
    return countries, codes


def checklist(producer: Producer) -> list[ReadinessItem]:
    """The producer's checklist: a line for each fixed item and each rule that applies to their
    destinations and products, recorded ones as saved, the others new (unsaved, "not yet")."""
    saved: dict[tuple[str, int | None], ReadinessItem | None] = {
        (item.kind, item.rule_id): item
        for item in ReadinessItem.objects.filter(producer=producer).select_related(
            "rule", "council"
        )
    }
    items = [
        saved.pop((kind, None), None) or ReadinessItem(producer=producer, kind=kind)
        for kind in FIXED_KINDS
    ]
    countries, codes = producer_countries_and_codes(producer)
    for rule in ExportRule.objects.all().applying_to(countries, codes):
        items.append(
            saved.pop((Kind.RULE, rule.pk), None)
            or ReadinessItem(producer=producer, kind=Kind.RULE, rule=rule)
        )
    # Lines for rules that no longer match (a destination dropped) stay, with what was recorded.
    items.extend(item for item in saved.values() if item is not None and item.rule_id)
    return items
