"""Insights: the trade data a state loaded and the export potential it gives; the districts'
export plans and DEPC meetings."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Self, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from niryat.core.models import District, OdopProduct, Role, Timestamped, User
from niryat.core.scoping import ScopedQuerySet


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


M = TypeVar("M", bound=models.Model)
# Who writes a district's plan and DEPC minutes (their own district's; state admins any).
PLAN_WRITERS = frozenset({Role.STATE_ADMIN, Role.CENTRE_STAFF, Role.DISTRICT_OFFICER})

# --- District export plans and DEPC meetings ---


class PlanScopedQuerySet(ScopedQuerySet[M]):
    """A district's export plan is the district's own: its centre staff and its district officer
    (who convenes the DEPC and answers for the plan) change it, state admins too; state viewers
    read every district's. Elsewhere a district officer only reads (`User.can_write`); the plan is
    the one record that is theirs to write."""

    def changeable_by(self, user: User) -> Self:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role not in PLAN_WRITERS:
            return self.none()
        return self.visible_to(user)

    def visible_to(self, user: User) -> Self:
        if user.is_authenticated and user.role == Role.PRODUCER:
            return self.none()
        return super().visible_to(user)


class ExportPlanQuerySet(PlanScopedQuerySet["ExportPlan"]):
    district_field = "district"

    def for_year(self, financial_year: str) -> Self:
        return self.filter(financial_year=financial_year)


class ExportPlan(Timestamped):
    """A district's export plan for one financial year (April to March), written like 2026-27."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    financial_year = models.CharField(_("financial year"), max_length=7)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ExportPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-financial_year", "district__name_en"]
        verbose_name = _("district export plan")
        verbose_name_plural = _("district export plans")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "financial_year"], name="one_plan_per_district_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.financial_year}"

    @property
    def start_year(self) -> int:
        return int(self.financial_year[:4])


class PlanProductQuerySet(PlanScopedQuerySet["PlanProduct"]):
    district_field = "plan__district"


class PlanProduct(Timestamped):
    """An ODOP product of the district that the plan works on, its HS codes and its exports in
    the year before the plan (the baseline)."""

    plan = models.ForeignKey(ExportPlan, on_delete=models.CASCADE, related_name="products")
    odop_product = models.ForeignKey(OdopProduct, on_delete=models.PROTECT, related_name="+")
    hs_codes = models.JSONField(_("HS codes"), default=list, blank=True)
    baseline_export_inr = models.DecimalField(
        _("exports in the year before (₹)"), max_digits=14, decimal_places=2, default=Decimal(0)
    )
    baseline_source = models.CharField(_("source of the baseline"), max_length=300, blank=True)

    objects = PlanProductQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "odop_product__name_en"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "odop_product"], name="plan_product_once")
        ]

    def __str__(self) -> str:
        return str(self.odop_product)


class Measure(models.TextChoices):
    """What a target counts. The first four are producers (units) reaching a funnel stage in the
    year; then pieces and value sold through the order book, and export value (direct shipments
    and sales to merchant exporters)."""

    ONBOARDED = "onboarded", _("Units onboarded (registered)")
    LISTED = "listed", _("Units listed on a marketplace")
    SOLD = "sold", _("Units with a first sale")
    EXPORTING = "exporting", _("Units exporting")
    PIECES_SOLD = "pieces_sold", _("Pieces sold")
    SALES_VALUE = "sales_value", _("Sales value (₹)")
    EXPORT_VALUE = "export_value", _("Export value (₹)")


MONEY_MEASURES = frozenset({Measure.SALES_VALUE, Measure.EXPORT_VALUE})


class PlanTargetQuerySet(PlanScopedQuerySet["PlanTarget"]):
    district_field = "plan__district"


class PlanTarget(Timestamped):
    """A target for the year: for the whole district, or one ODOP product; export value may also
    be for one market (country)."""

    plan = models.ForeignKey(ExportPlan, on_delete=models.CASCADE, related_name="targets")
    measure = models.CharField(_("what"), max_length=14, choices=Measure.choices)
    odop_product = models.ForeignKey(
        OdopProduct, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    country = models.CharField(_("market"), max_length=2, blank=True)
    value = models.DecimalField(_("target"), max_digits=14, decimal_places=2)

    objects = PlanTargetQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "measure", "odop_product__name_en", "country"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "measure", "odop_product", "country"],
                condition=models.Q(odop_product__isnull=False),
                name="plan_target_once_per_product",
            ),
            models.UniqueConstraint(
                fields=["plan", "measure", "country"],
                condition=models.Q(odop_product__isnull=True),
                name="plan_target_once_for_district",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_measure_display()}: {self.value}"


class PlanActionQuerySet(PlanScopedQuerySet["PlanAction"]):
    district_field = "plan__district"


class PlanAction(Timestamped):
    """Something the plan will do (a training, an onboarding drive, an event), who does it and by
    when."""

    class Kind(models.TextChoices):
        TRAINING = "training", _("Training")
        ONBOARDING = "onboarding", _("Onboarding drive")
        EVENT = "event", _("Event or fair")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        UNDER_WAY = "under_way", _("Under way")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(ExportPlan, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("what"), max_length=200)
    owner = models.CharField(_("who does it"), max_length=120)
    due_on = models.DateField(_("by when"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)

    objects = PlanActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class DepcMeetingQuerySet(PlanScopedQuerySet["DepcMeeting"]):
    district_field = "plan__district"


class DepcMeeting(Timestamped):
    """A meeting of the District Export Promotion Committee, with its minutes."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(ExportPlan, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    attendees = models.TextField(_("attendees"), help_text=_("One person a line, with their post."))
    agenda = models.TextField(_("agenda"))
    minutes = models.TextField(_("minutes"), blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = DepcMeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("DEPC meeting")
        verbose_name_plural = _("DEPC meetings")

    def __str__(self) -> str:
        return f"DEPC {self.held_on}"

    @property
    def attendee_list(self) -> list[str]:
        return [line.strip() for line in self.attendees.splitlines() if line.strip()]


class DecisionQuerySet(PlanScopedQuerySet["Decision"]):
    district_field = "meeting__plan__district"

    def open(self) -> Self:
        return self.filter(status=Decision.Status.OPEN)

    def open_in(self, plan: ExportPlan) -> Self:
        """The plan's decisions still to be done, the soonest due first, with their meeting."""
        return (
            self.filter(meeting__plan=plan)
            .open()
            .select_related("meeting")
            .order_by("due_on", "id")
        )


class Decision(Timestamped):
    """A decision of a DEPC meeting, followed until done: who, by when, and when it was done."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(DepcMeeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"))
    owner = models.CharField(_("who does it"), max_length=120)
    due_on = models.DateField(_("by when"))
    status = models.CharField(_("status"), max_length=6, choices=Status.choices, default="open")
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_note = models.CharField(_("what was done"), max_length=300, blank=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class SummaryQuerySet(ScopedQuerySet["SummaryRow"]):
    district_field = "district"


class SummaryRow(models.Model):
    """One figure of the dashboards: a district × month × measure (× channel, country, ODOP
    product or stage) total, rebuilt by background tasks from the records that prove it
    (insights/summaries.py). `month` is empty for a count as it stands now (the funnel, the
    listings)."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(null=True, blank=True)
    measure = models.CharField(max_length=20)
    key = models.CharField(max_length=40, blank=True)
    value = models.DecimalField(max_digits=18, decimal_places=2)

    objects = SummaryQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["measure", "district", "month"], name="summary_lookup")]
        verbose_name = _("dashboard figure")
        verbose_name_plural = _("dashboard figures")

    def __str__(self) -> str:
        return f"{self.measure} {self.key} {self.month or ''}: {self.value}"


class SummaryFreshnessQuerySet(ScopedQuerySet["SummaryFreshness"]):
    district_field = "district"


class SummaryFreshness(models.Model):
    """When a district's dashboard figures were last brought up to date."""

    district = models.OneToOneField(District, on_delete=models.CASCADE, related_name="+")
    refreshed_at = models.DateTimeField()

    objects = SummaryFreshnessQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.district_id}: {self.refreshed_at:%Y-%m-%d %H:%M}"


class SummaryRun(models.Model):
    """One run of the summaries' upkeep: the day's changes (from `since`) or a full rebuild."""

    class Kind(models.TextChoices):
        CHANGES = "changes", _("The day's changes")
        FULL = "full", _("Full rebuild")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    since = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M}"
