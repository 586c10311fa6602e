"""Core records: states, districts, ODOP products, centres, partner organisations, users, audit."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from niryat.core.scoping import ScopedQuerySet


class Timestamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Bilingual:
    """A record with `name_en` and `name_hi`; `name` is the one for the active language."""

    name_en: str
    name_hi: str

    @property
    def name(self) -> str:
        if get_language() == "hi" and self.name_hi:
            return self.name_hi
        return self.name_en


class State(Bilingual, Timestamped):
    lgd_code = models.PositiveIntegerField(_("LGD code"), unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_hi = models.CharField(_("name (Hindi)"), max_length=100)
    gst_code = models.CharField(_("GST state code"), max_length=2)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("state")
        verbose_name_plural = _("states")

    def __str__(self) -> str:
        return self.name


def _count_per_district(records: models.QuerySet[Any]) -> Coalesce:
    # A correlated subquery per count: joining users and products in one query multiplies rows,
    # which made the state page grow with the number of users (bench/bench_foundation.py).
    counted = records.filter(district=OuterRef("pk")).order_by().values("district")
    return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")), 0)


class DistrictQuerySet(ScopedQuerySet["District"]):
    district_field = ""

    def with_counts(self) -> DistrictQuerySet:
        """Each district with its ODOP products (all, verified) and centre staff counted."""
        return self.annotate(
            odop_count=_count_per_district(OdopProduct.objects.all()),
            verified_count=_count_per_district(OdopProduct.objects.filter(verified=True)),
            staff_count=_count_per_district(User.objects.filter(role=Role.CENTRE_STAFF)),
        )


class District(Bilingual, Timestamped):
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="districts")
    lgd_code = models.PositiveIntegerField(_("LGD code"), unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_hi = models.CharField(_("name (Hindi)"), max_length=100)
    division_en = models.CharField(_("division (English)"), max_length=100, blank=True)
    division_hi = models.CharField(_("division (Hindi)"), max_length=100, blank=True)
    census_2011_code = models.PositiveIntegerField(_("Census 2011 code"), null=True, blank=True)
    source = models.TextField(_("source"), blank=True)

    objects = DistrictQuerySet.as_manager()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name

    @property
    def division(self) -> str:
        if get_language() == "hi" and self.division_hi:
            return self.division_hi
        return self.division_en


class OdopProductQuerySet(ScopedQuerySet["OdopProduct"]):
    district_field = "district"


class OdopProduct(Bilingual, Timestamped):
    """A district's One District One Product line. `verified` is false until staff confirm it."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="odop_products")
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_hi = models.CharField(_("name (Hindi)"), max_length=200)
    listing = models.CharField(_("listing"), max_length=100, blank=True)
    hs_codes = models.JSONField(_("usual HS codes"), default=list, blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    source = models.TextField(_("source"), blank=True)

    objects = OdopProductQuerySet.as_manager()

    class Meta:
        ordering = ["district__name_en", "name_en"]
        verbose_name = _("ODOP product")
        verbose_name_plural = _("ODOP products")
        constraints = [
            models.UniqueConstraint(fields=["district", "name_en"], name="odop_unique_per_district")
        ]

    def __str__(self) -> str:
        return self.name


class PartnerOrg(Bilingual, Timestamped):
    class Kind(models.TextChoices):
        KNOWLEDGE_PARTNER = "knowledge_partner", _("Knowledge partner")
        GOVERNMENT = "government", _("Government department")
        TRAINING = "training", _("Training institute")
        MARKETPLACE = "marketplace", _("Marketplace")
        LOGISTICS = "logistics", _("Logistics")

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_hi = models.CharField(_("name (Hindi)"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")

    def __str__(self) -> str:
        return self.name


class CentreQuerySet(ScopedQuerySet["Centre"]):
    district_field = "district"


class Centre(Bilingual, Timestamped):
    """The Export Development Centre of a district, hosted by its District Industries Centre."""

    district = models.OneToOneField(District, on_delete=models.PROTECT, related_name="centre")
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_hi = models.CharField(_("name (Hindi)"), max_length=200)
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)

    objects = CentreQuerySet.as_manager()

    class Meta:
        ordering = ["district__name_en"]
        verbose_name = _("Export Development Centre")
        verbose_name_plural = _("Export Development Centres")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    STATE_ADMIN = "state_admin", _("State administrator")
    STATE_VIEWER = "state_viewer", _("State viewer")
    DISTRICT_OFFICER = "district_officer", _("District officer")
    CENTRE_STAFF = "centre_staff", _("Centre staff")
    PRODUCER = "producer", _("Producer")


STATE_ROLES = frozenset({Role.STATE_ADMIN, Role.STATE_VIEWER})


class NiryatUserManager(UserManager["User"]):
    def create_superuser(  # type: ignore[override]
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("role", Role.STATE_ADMIN)
        return super().create_superuser(username, email, password, **extra)


class User(AbstractUser):
    """A person who signs in. Every role but the state roles belongs to one district."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    partner_org = models.ForeignKey(
        PartnerOrg,
        verbose_name=_("partner organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)

    objects: ClassVar[NiryatUserManager] = NiryatUserManager()  # type: ignore[assignment]

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=[Role.STATE_ADMIN, Role.STATE_VIEWER])
                | models.Q(district__isnull=False),
                name="user_district_unless_state_role",
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_state_level(self) -> bool:
        return self.role in STATE_ROLES

    @property
    def can_write(self) -> bool:
        return self.role in {Role.STATE_ADMIN, Role.CENTRE_STAFF}


class AuditEntry(models.Model):
    """Who changed what and when. Written by every `do_*` action, never edited."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    district = models.ForeignKey(
        District, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"


class ApiToken(Timestamped):
    """A personal API token. Only its SHA-256 digest is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # A token that leaks stops working by itself; its owner picks how long it lives.
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()


class TaskProgress(Timestamped):
    """How far a background task has got, for the person who started it."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="task_progress")
    district = models.ForeignKey(
        District, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    label = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    # What the task works on (an uploaded file's name) and the page of its outcome.
    subject = models.CharField(max_length=255, blank=True)
    link = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("task progress")
        verbose_name_plural = _("task progress")

    def __str__(self) -> str:
        return f"{self.label}: {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if self.status == self.Status.FAILED:
            return 0
        if not self.total:
            return 0
        return min(100, round(100 * self.done / self.total))

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}


class SheetMapping(Timestamped):
    """How a centre's sheets with these headers map onto an importer's fields: remembered from
    the last time staff mapped one, applied by itself to the next sheet with the same headers."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    importer = models.CharField(max_length=40)
    signature = models.CharField(max_length=64)  # sha256 of the folded header row
    header = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    constants = models.JSONField(default=dict, blank=True)
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "importer", "signature"], name="one_mapping_per_sheet_shape"
            )
        ]

    def __str__(self) -> str:
        return f"{self.importer}: {', '.join(self.header)[:80]}"
