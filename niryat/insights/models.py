"""Export potential: the trade data a state loaded, and the potential per market and HS6."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from niryat.core.models import Timestamped


class TradeDatasetQuerySet(models.QuerySet["TradeDataset"]):
    def current(self) -> TradeDataset | None:
        """The dataset the pages show: the one loaded last."""
        return self.order_by("-created_at", "-pk").first()


class TradeDataset(Timestamped):
    """One load of trade data (BACI, UN Comtrade or the shipped default) and where it came from."""

    class Kind(models.TextChoices):
        DEFAULT = "default", _("Shipped with Niryat")
        BACI = "baci", _("CEPII BACI")
        COMTRADE = "comtrade", _("UN Comtrade")
        PARQUET = "parquet", _("Bilateral matrix (Parquet)")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    source = models.TextField(_("source"))
    year = models.PositiveSmallIntegerField(_("year"))
    growth_years = models.PositiveSmallIntegerField(
        _("years of growth"), help_text=_("Market growth is measured over this many years.")
    )
    markets_without_imports = models.JSONField(
        _("markets whose imports are unknown"), default=list, blank=True
    )
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    objects = TradeDatasetQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("trade dataset")
        verbose_name_plural = _("trade datasets")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}"


class MarketPotentialQuerySet(models.QuerySet["MarketPotential"]):
    def for_hs_codes(self, codes: list[str]) -> MarketPotentialQuerySet:
        """Cells whose HS6 code falls under any of `codes` (2, 4 or 6 digits)."""
        wanted = Q()
        for code in codes:
            wanted |= Q(hs6__startswith=code)
        return self.filter(wanted) if codes else self.none()


class MarketPotential(models.Model):
    """One market × one HS6 product: the data and the EPI terms computed from it.

    Values are statistical estimates in current US$, so floats (not money that changes hands);
    NULL means "no data", which the pages say in words.
    """

    class IndiaSource(models.TextChoices):
        MATRIX = "matrix", _("the bilateral matrix")
        NATIONAL = "national", _("India's own export statistics")

    dataset = models.ForeignKey(TradeDataset, on_delete=models.CASCADE, related_name="cells")
    market = models.CharField(_("market (ISO 3166 alpha-3)"), max_length=3)
    hs6 = models.CharField(_("HS code (6 digits)"), max_length=6)
    imports_usd = models.FloatField(_("market's imports (US$)"), null=True)
    imports_earlier_usd = models.FloatField(
        _("market's imports some years before (US$)"), null=True
    )
    india_usd = models.FloatField(_("India's exports there now (US$)"), null=True)
    india_source = models.CharField(
        max_length=10, choices=IndiaSource.choices, default=IndiaSource.MATRIX
    )
    supplier_km = models.FloatField(_("average distance of its suppliers (km)"), null=True)
    competitors = models.JSONField(_("biggest suppliers other than India"), default=dict)
    supply_share = models.FloatField(_("India's share of world supply"), null=True)
    growth = models.FloatField(_("yearly growth of imports"), null=True)
    distance_factor = models.FloatField(_("distance factor"), null=True)
    ease = models.FloatField(_("ease of trade"), null=True)
    demand_usd = models.FloatField(_("demand corrected for market access (US$)"), null=True)
    potential_usd = models.FloatField(_("potential export value (US$)"), null=True)
    untapped_usd = models.FloatField(_("untapped potential (US$)"), null=True)

    objects = MarketPotentialQuerySet.as_manager()

    class Meta:
        ordering = ["hs6", "-potential_usd"]
        verbose_name = _("export potential")
        verbose_name_plural = _("export potentials")
        indexes = [models.Index(fields=["dataset", "hs6"])]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "market", "hs6"], name="potential_unique_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.hs6} → {self.market}"
