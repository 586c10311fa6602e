"""What a product still lacks to be sold: a checklist with reasons, and a score.

Each check looks at one SKU (with its product and photos) and returns the problems it finds, each
with the field to fix and a sentence for staff. The product's score is the share of (check, SKU)
pairs that pass; a product without SKUs fails the "variants" check alone. Apps above add their
own items through `SkuHooks.sku_problems` (the marketplaces' rules where a SKU is listed), which
return the same `Problem`s.

The score and the failing check codes are stored on the product (`refresh_completeness`) so that
lists at district scale filter by them without evaluating a checklist per row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db import models
from django.utils.functional import Promise
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from niryat.catalog import text_limits
from niryat.catalog.attributes import REQUIRED_COLUMNS, attributes_for
from niryat.catalog.hooks import sku_hooks
from niryat.catalog.models import Product, ProductImage, Sku
from niryat.registry.actions import do_advance_stage
from niryat.registry.models import Stage

# A main photo scoring below this (imaging.quality_report, 0-100) is on the checklist.
MIN_PHOTO_SCORE = 60


@dataclass(frozen=True)
class Problem:
    check: str  # the checklist item's code
    field: str  # the field to fix ("" for the product as a whole)
    message: str | Promise


@dataclass(frozen=True)
class Check:
    code: str
    label: str | Promise
    run: Callable[[Sku, Sequence[ProductImage]], list[Problem]]


def _photos(sku: Sku, images: Sequence[ProductImage]) -> list[Problem]:
    ready = [image for image in images if image.status == ProductImage.Status.READY]
    if not ready:
        return [Problem("photos", "images", _("Add at least one photo of the product."))]
    main = ready[0]
    if (main.quality_score or 0) < MIN_PHOTO_SCORE:
        reasons = [check["reason"] for check in main.quality_checks() if not check["passed"]]
        return [
            Problem(
                "photos",
                "images",
                format_lazy(
                    _("The main photo scores {score} of 100: {reasons}"),
                    score=main.quality_score or 0,
                    reasons=" ".join(reasons),
                ),
            )
        ]
    if main.reused_from_id:
        return [Problem("photos", "images", _("The main photo is the same as another product's."))]
    return []


def _english_text(sku: Sku, images: Sequence[ProductImage]) -> list[Problem]:
    problems = []
    if not sku.title_en.strip():
        problems.append(Problem("english_text", "title_en", _("Write the English title.")))
    if not sku.bullets_en.strip() and not sku.description_en.strip():
        problems.append(
            Problem(
                "english_text",
                "description_en",
                _("Write English bullet points or a description."),
            )
        )
    for name, text in (("title_en", sku.title_en), ("description_en", sku.description_en)):
        over = text_limits.over_limit(name, text)
        if over:
            problems.append(Problem("english_text", name, over))
    return problems


def _hindi_text(sku: Sku, images: Sequence[ProductImage]) -> list[Problem]:
    if not sku.title_hi.strip():
        return [Problem("hindi_text", "title_hi", _("Write the Hindi title."))]
    return []


def _hs_code(sku: Sku, images: Sequence[ProductImage]) -> list[Problem]:
    product = sku.product
    problems = []
    if not product.hs_code:
        problems.append(Problem("hs_code", "hs_code", _("Choose the HS code.")))
    if not product.gst_rate:
        problems.append(Problem("hs_code", "gst_rate", _("Choose the GST rate.")))
    return problems


def _price(sku: Sku, images: Sequence[ProductImage]) -> list[Problem]:
    if sku.price is None or sku.mrp is None:
        return [Problem("price", "price", _("Enter the MRP and the selling price."))]
    return []


def _weight(sku: Sku, images: Sequence[ProductImage]) -> list[Problem]:
    problems = []
    if not sku.weight_g:
        problems.append(Problem("weight", "weight_g", _("Enter the packed weight.")))
    if not (sku.length_cm and sku.width_cm and sku.height_cm):
        problems.append(Problem("weight", "length_cm", _("Enter the package dimensions.")))
    return problems


def _stock(sku: Sku, images: Sequence[ProductImage]) -> list[Problem]:
    if sku.stock == 0 and not sku.product.made_to_order:
        return [
            Problem(
                "stock",
                "stock",
                _("Enter the stock, or mark the product as made to order."),
            )
        ]
    if sku.product.made_to_order and not sku.product.lead_time_days:
        return [
            Problem(
                "stock",
                "lead_time_days",
                _("A made-to-order product needs its lead time in days."),
            )
        ]
    return []


def _declarations(sku: Sku, images: Sequence[ProductImage]) -> list[Problem]:
    """The Legal Metrology (Packaged Commodities) declarations a marketplace shows."""
    product = sku.product
    problems = []
    if not product.generic_name.strip():
        problems.append(
            Problem("declarations", "generic_name", _("Enter the generic name of the commodity."))
        )
    if not (product.manufacturer_name.strip() and product.manufacturer_address.strip()):
        problems.append(
            Problem(
                "declarations",
                "manufacturer_name",
                _("Enter the manufacturer's or packer's name and address."),
            )
        )
    if sku.net_quantity is None:
        problems.append(Problem("declarations", "net_quantity", _("Enter the net quantity.")))
    if sku.manufactured_on is None:
        problems.append(
            Problem(
                "declarations",
                "manufactured_on",
                _("Enter the month and year of manufacture."),
            )
        )
    return problems


def _column_label(column: str) -> StrOrPromise:
    field = Sku._meta.get_field(column)
    if isinstance(field, models.Field):
        return capfirst(field.verbose_name)
    return column


def _attributes(sku: Sku, images: Sequence[ProductImage]) -> list[Problem]:
    category = sku.product.category
    problems = [
        Problem(
            "attributes",
            column,
            format_lazy(_("Fill in the {attribute}."), attribute=_column_label(column)),
        )
        for column in REQUIRED_COLUMNS.get(category, ())
        if not str(getattr(sku, column)).strip()
    ]
    return problems + [
        Problem(
            "attributes",
            f"attr_{attribute.key}",
            format_lazy(_("Fill in the {attribute}."), attribute=attribute.label),
        )
        for attribute in attributes_for(category)
        if attribute.required and not str(sku.attributes.get(attribute.key, "")).strip()
    ]


CHECKS: tuple[Check, ...] = (
    Check("photos", _("Photos"), _photos),
    Check("english_text", _("English text"), _english_text),
    Check("hindi_text", _("Hindi title"), _hindi_text),
    Check("hs_code", _("HS code and GST"), _hs_code),
    Check("price", _("Price"), _price),
    Check("weight", _("Weight and package"), _weight),
    Check("stock", _("Stock"), _stock),
    Check("declarations", _("Declarations"), _declarations),
    Check("attributes", _("Attributes"), _attributes),
)
CHECK_LABELS: dict[str, str | Promise] = {check.code: check.label for check in CHECKS}
VARIANTS_LABEL = _("Variants (SKUs)")


def all_check_labels() -> dict[str, str | Promise]:
    """Every checklist item's label, the catalogue's own first."""
    labels: dict[str, str | Promise] = {}
    for hooks in sku_hooks():
        labels.update(hooks.check_labels())
    return {**CHECK_LABELS, "variants": VARIANTS_LABEL, **labels}


def check_label(code: str) -> str | Promise:
    """The label of a checklist item: the catalogue's own, or the one its hook gives."""
    return all_check_labels().get(code, code)


def hook_problems(sku: Sku) -> list[Problem]:
    return [problem for hooks in sku_hooks() for problem in hooks.sku_problems(sku)]


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    label: str | Promise
    passed: bool
    problems: list[tuple[Sku | None, Problem]]


@dataclass(frozen=True)
class Checklist:
    score: int
    items: list[ChecklistItem]
    # Each SKU with its own score: the share of the checks it passes.
    sku_scores: list[tuple[Sku, int]] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        return [item.code for item in self.items if not item.passed]


def sku_problems(
    sku: Sku, images: Sequence[ProductImage], *, marketplaces: bool = True
) -> list[Problem]:
    problems = [problem for check in CHECKS for problem in check.run(sku, images)]
    if marketplaces:
        problems.extend(hook_problems(sku))
    return problems


def checklist(product: Product) -> Checklist:
    """The product's checklist: one item per check, with every SKU's problems under it."""
    skus = list(product.skus.all())
    images = list(product.images.all())
    if not skus:
        item = ChecklistItem(
            "variants",
            VARIANTS_LABEL,
            False,
            [(None, Problem("variants", "", _("Add at least one variant (SKU).")))],
        )
        return Checklist(0, [item])
    found: dict[str, list[tuple[Sku | None, Problem]]] = {check.code: [] for check in CHECKS}
    passed = 0
    sku_scores = []
    for sku in skus:
        sku.product = product  # the checks read the product; no query per SKU
        sku_passed = 0
        for check in CHECKS:
            problems = check.run(sku, images)
            found[check.code].extend((sku, problem) for problem in problems)
            sku_passed += not problems
        passed += sku_passed
        sku_scores.append((sku, round(100 * sku_passed / len(CHECKS))))
        for problem in hook_problems(sku):
            found.setdefault(problem.check, []).append((sku, problem))
    total = len(CHECKS) * len(skus)
    items = [
        ChecklistItem(code, check_label(code), not problems, problems)
        for code, problems in found.items()
    ]
    return Checklist(round(100 * passed / total), items, sku_scores)


def refresh_completeness(product: Product) -> Checklist:
    """Recompute and store the product's and its SKUs' scores (inside the caller's transaction).
    A product that becomes ready to sell proves its producer "catalogued" in the funnel."""
    result = checklist(product)
    missing = "," + ",".join(result.missing) + "," if result.missing else ""
    if (product.completeness, product.missing) != (result.score, missing):
        Product.objects.filter(pk=product.pk).update(completeness=result.score, missing=missing)
        if result.score == 100 and product.completeness != 100:
            do_advance_stage(
                product.producer,
                Stage.CATALOGUED,
                cause=lambda: gettext("Product “%(name)s” is ready to sell") % {"name": product},
            )
        product.completeness, product.missing = result.score, missing
    for sku, score in result.sku_scores:
        if sku.completeness != score:
            Sku.objects.filter(pk=sku.pk).update(completeness=score)
    return result


def readiness_problems(product: Product, sku: Sku, *, marketplaces: bool = True) -> list[Problem]:
    """One SKU's problems, for the API and the channels; without `marketplaces`, only the
    catalogue's own checks (a channel adds its own rules itself)."""
    sku.product = product
    return sku_problems(sku, list(product.images.all()), marketplaces=marketplaces)
