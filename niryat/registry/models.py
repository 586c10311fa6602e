"""The producer registry: producers of every kind, groups, consent, the outreach funnel, imports."""

from __future__ import annotations

import re
import sqlite3
import uuid
from typing import Any

from django.db import connections, models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from niryat.core.models import District, OdopProduct, Role, Timestamped, User
from niryat.core.params import record_id
from niryat.core.scoping import DistrictWorkQuerySet, ScopedQuerySet
from niryat.core.sheets.models import SheetImportJob


class Kind(models.TextChoices):
    ARTISAN = "artisan", _("Artisan")
    SHG = "shg", _("Self-help group")
    MSME = "msme", _("MSME unit")
    PRODUCER_ORG = "producer_org", _("Producer organisation")


GROUP_KINDS = frozenset({Kind.SHG, Kind.PRODUCER_ORG})


class Stage(models.TextChoices):
    """The outreach funnel, in order."""

    CONTACTED = "contacted", _("Contacted")
    SENSITISED = "sensitised", _("Sensitised")
    REGISTERED = "registered", _("Registered")
    TRAINED = "trained", _("Trained")
    CATALOGUED = "catalogued", _("Catalogued")
    LISTED = "listed", _("Listed")
    SOLD = "sold", _("Sold")
    EXPORTING = "exporting", _("Exporting")


STAGE_ORDER = {stage: index for index, stage in enumerate(Stage)}


class Gender(models.TextChoices):
    FEMALE = "female", _("Woman")
    MALE = "male", _("Man")
    OTHER = "other", _("Other")
    UNDISCLOSED = "undisclosed", _("Prefers not to say")


class SocialCategory(models.TextChoices):
    GENERAL = "general", _("General")
    OBC = "obc", _("Other Backward Class")
    SC = "sc", _("Scheduled Caste")
    ST = "st", _("Scheduled Tribe")
    MINORITY = "minority", _("Minority")


class ActivityQuerySet(models.QuerySet["Activity"]):
    def for_products(self, products: list[OdopProduct]) -> list[Activity]:
        """The activities offered for these ODOP products: those whose keywords occur in a
        product's English name, and those with no keywords (offered for every product)."""
        names = [p.name_en.lower() for p in products]
        return [
            activity
            for activity in self
            if not activity.keywords
            or any(word in name for word in activity.keywords.split() for name in names)
        ]


class Activity(Timestamped):
    """A craft activity (spinning, weaving, pottery...), offered for the ODOP products whose
    names contain one of its keywords; staff extend the list in the admin."""

    code = models.SlugField(_("code"), max_length=40)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_hi = models.CharField(_("name (Hindi)"), max_length=100)
    keywords = models.CharField(
        _("keywords"),
        max_length=300,
        blank=True,
        help_text=_(
            "Words of ODOP product names (English, lower case) this activity belongs to; "
            "empty for every product."
        ),
    )

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [models.UniqueConstraint(fields=["code"], name="activity_code_unique")]

    def __str__(self) -> str:
        return self.name_hi if get_language() == "hi" else self.name_en


# SQLite's FTS5 trigram tokenizer (3.34 and later) indexes the names for search; it finds
# substrings of at least TRIGRAM characters.
SQLITE_TRIGRAMS = sqlite3.sqlite_version_info >= (3, 34)
TRIGRAM = 3


# Identifier fields searched exactly (each indexed), with the lengths their canonical forms have.
IDENTIFIER_LENGTHS = {"gstin": 15, "pan": 10, "iec": 10}
UDYAM_PARTS = re.compile(r"^UDYAM([A-Z]{2})(\d{2})(\d{7})$")


def _identifiers(text: str) -> list[tuple[str, str]]:
    """The (field, value) pairs a search for `text` looks up exactly: GSTIN, PAN or IEC, an
    Udyam number and a mobile number, each in the canonical form the registry stores
    (niryat/registry/identifiers.py), whatever spaces, dashes or case it was typed with."""
    compact = re.sub(r"[\s\-./+()]", "", text).upper()
    found: list[tuple[str, str]] = []
    if not compact.isascii():
        return found
    if compact.isalnum():
        found += [
            (name, compact) for name, size in IDENTIFIER_LENGTHS.items() if len(compact) == size
        ]
    if parts := UDYAM_PARTS.match(compact):
        found.append(("udyam", "UDYAM-{}-{}-{}".format(*parts.groups())))
    # 98765 43210, 098765 43210, +91 98765 43210: stored as +919876543210.
    if compact.isdigit() and (len(compact) == 10 or compact[:-10] in ("0", "91")):
        found.append(("mobile", "+91" + compact[-10:]))
    return found


class ProducerQuerySet(ScopedQuerySet["Producer"]):
    district_field = "district"

    def visible_to(self, user: User) -> ProducerQuerySet:
        if user.is_authenticated and user.role == Role.PRODUCER:
            # A producer sees their own record and nobody else's.
            return self.filter(user=user)
        return super().visible_to(user).filter(erased_at__isnull=True)  # type: ignore[return-value]

    def active(self) -> ProducerQuerySet:
        return self.filter(erased_at__isnull=True)

    def listable(self) -> ProducerQuerySet:
        """Producers who consent to be listed on marketplaces and in exports."""
        return self.active().filter(listing_consent=True)

    def search(self, text: str) -> ProducerQuerySet:
        """Match a name typed in either script (and spelling), a mobile number, or an identifier."""
        from niryat.registry.name_matching import name_key

        text = text.strip()
        if not text:
            return self
        key = name_key(text)
        digits = "".join(ch for ch in text if ch.isdigit())
        return self.filter(
            self._matching(text, key, digits if len(digits) >= 4 else "", _identifiers(text))
        )

    def _matching(self, text: str, key: str, digits: str, identifiers: list[tuple[str, str]]) -> Q:
        """Producers whose name holds `text` (either script, any case), whose name key holds
        `key`, whose mobile number holds `digits` (each "" for none), or with one of the
        `identifiers` exactly: from SQLite's trigram index where it can answer (migration 0005),
        else with LIKE. On PostgreSQL each term has an index (the trigram one of 0003 and the
        B-trees), which it combines (BitmapOr)."""
        if (
            connections[self.db].vendor == "sqlite"
            and SQLITE_TRIGRAMS
            and all(len(value) >= TRIGRAM for value in (text, key, digits) if value)
        ):
            # An FTS5 phrase in double quotes (a quote inside doubled) matches as a substring.
            def phrase(value: str) -> str:
                return '"' + value.replace('"', '""') + '"'

            match = "{name_hi name_latin} : " + phrase(text)
            if key:
                match += " OR name_key : " + phrase(key)
            if digits:
                match += " OR mobile : " + phrase(digits)
            # One list of ids: the index's and the identifiers' (each an indexed lookup). Joined
            # to the query by OR instead, they let SQLite's planner walk the whole district.
            sql = (
                "SELECT rowid FROM registry_producer_search WHERE registry_producer_search MATCH %s"
            )
            params = [match]
            for field, value in identifiers:
                # `field` is one of ours (_identifiers), never typed by anyone; values are params.
                sql += f" UNION SELECT id FROM registry_producer WHERE {field} = %s"  # noqa: S608
                params.append(value)
            return Q(pk__in=RawSQL(sql, params))  # noqa: S611
        query = Q(name_hi__icontains=text) | Q(name_latin__icontains=text)
        if key:
            query |= Q(name_key__contains=key)
        if digits:
            query |= Q(mobile__contains=digits)
        for field, value in identifiers:
            query |= Q(**{field: value})
        return query

    def filtered(self, params: dict[str, str]) -> ProducerQuerySet:
        """The producer list's filters, from query-string parameters; unknown values are ignored."""
        records: ProducerQuerySet = self
        district = record_id(params.get("district"))
        if district is not None:
            records = records.filter(district__lgd_code=district)
        odop_product = record_id(params.get("odop_product"))
        if odop_product is not None:
            records = records.filter(odop_product_id=odop_product)
        if params.get("kind") in Kind.values:
            records = records.filter(kind=params["kind"])
        if params.get("stage") in Stage.values:
            records = records.filter(stage=params["stage"])
        if params.get("women_led") in {"yes", "no"}:
            records = records.filter(women_led=params["women_led"] == "yes")
        if params.get("activity"):
            records = records.filter(activities__code=params["activity"])
        if params.get("next_step"):
            from niryat.registry.next_steps import STEP_QUERIES

            step = STEP_QUERIES.get(params["next_step"])
            if step is not None:
                records = records.filter(step)
        if params.get("q"):
            records = records.search(params["q"])
        return records

    def next_step_counts(self) -> dict[str, int]:
        """How many of these producers wait for each next step (niryat/registry/next_steps.py),
        in one query."""
        from niryat.registry.next_steps import STEP_QUERIES

        counts: dict[str, int] = self.order_by().aggregate(
            **{code: models.Count("pk", filter=query) for code, query in STEP_QUERIES.items()}
        )
        return counts


class Producer(Timestamped):
    """An artisan, self-help group, MSME unit or producer organisation of a district."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    district = models.ForeignKey(
        District, verbose_name=_("district"), on_delete=models.PROTECT, related_name="producers"
    )
    odop_product = models.ForeignKey(
        OdopProduct,
        verbose_name=_("ODOP product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="producers",
    )
    activities = models.ManyToManyField(
        Activity, verbose_name=_("activities"), blank=True, related_name="producers"
    )
    name_hi = models.CharField(_("name in Devanagari"), max_length=200)
    name_latin = models.CharField(_("name in Latin letters"), max_length=200)
    # Lowercase phonetic key of the name (see name_matching.py), for search and duplicates.
    NAME_KEY_LENGTH = 200
    name_key = models.CharField(max_length=NAME_KEY_LENGTH, db_index=True, editable=False)
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices, blank=True)
    women_led = models.BooleanField(_("women-led"), default=False)
    social_category = models.CharField(
        _("social category"), max_length=12, choices=SocialCategory.choices, blank=True
    )
    village = models.CharField(_("village or town"), max_length=100, blank=True)
    tehsil = models.CharField(_("tehsil"), max_length=100, blank=True)
    pin = models.CharField(_("PIN code"), max_length=6, blank=True, db_index=True)
    mobile = models.CharField(_("mobile"), max_length=16, blank=True, db_index=True)
    # A second number the producer is reached on (an import that kept both), searched as well.
    mobile_alt = models.CharField(_("second mobile"), max_length=16, blank=True, db_index=True)
    email = models.EmailField(_("email"), blank=True)
    bank_ifsc = models.CharField(_("bank IFSC"), max_length=11, blank=True)
    bank_account_masked = models.CharField(
        _("bank account (last 4 digits)"), max_length=18, blank=True
    )
    gstin = models.CharField(_("GSTIN"), max_length=15, blank=True, db_index=True)
    pan = models.CharField(_("PAN"), max_length=10, blank=True)
    iec = models.CharField(_("IEC"), max_length=10, blank=True)
    udyam = models.CharField(_("Udyam number"), max_length=19, blank=True, db_index=True)
    aadhaar_last4 = models.CharField(_("Aadhaar (last 4 digits)"), max_length=4, blank=True)
    stage = models.CharField(
        _("stage"), max_length=12, choices=Stage.choices, default=Stage.CONTACTED, db_index=True
    )
    listing_consent = models.BooleanField(_("consents to marketplace listing"), default=False)
    user = models.OneToOneField(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="producer"
    )
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    erased_at = models.DateTimeField(null=True, blank=True)

    objects = ProducerQuerySet.as_manager()

    class Meta:
        ordering = ["name_latin", "id"]
        verbose_name = _("producer")
        verbose_name_plural = _("producers")
        indexes = [
            models.Index(fields=["district", "stage"]),
            models.Index(fields=["district", "name_key"]),
            models.Index(fields=["district", "odop_product", "kind"]),
            # The producer list: a district's producers not erased, in the list's order, so the
            # first page is read from the index instead of sorting the whole district; the list's
            # filters come after, so counting a filtered list reads only this index
            # (migration 0006).
            models.Index(
                fields=[
                    "district",
                    "erased_at",
                    "name_latin",
                    "id",
                    "kind",
                    "women_led",
                    "stage",
                    "odop_product",
                ],
                name="producer_list_idx",
            ),
            # Searched exactly (ProducerQuerySet.search); GSTIN and Udyam have theirs.
            models.Index(fields=["pan"], name="producer_pan_idx"),
            models.Index(fields=["iec"], name="producer_iec_idx"),
        ]

    def __str__(self) -> str:
        if get_language() == "hi":
            return self.name_hi or self.name_latin
        return self.name_latin or self.name_hi

    @property
    def is_group(self) -> bool:
        return self.kind in GROUP_KINDS


class Membership(Timestamped):
    class GroupRole(models.TextChoices):
        MEMBER = "member", _("Member")
        PRESIDENT = "president", _("President")
        SECRETARY = "secretary", _("Secretary")
        TREASURER = "treasurer", _("Treasurer")

    group = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="groups_joined")
    role = models.CharField(
        _("role in the group"), max_length=12, choices=GroupRole.choices, default=GroupRole.MEMBER
    )
    joined_on = models.DateField(_("joined on"))

    class Meta:
        ordering = ["group_id", "member__name_latin"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["group", "member"], name="membership_unique"),
            models.CheckConstraint(
                condition=~Q(group=models.F("member")), name="membership_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} ∈ {self.group}"


class Consent(Timestamped):
    class Purpose(models.TextChoices):
        HOLD_DATA = "hold_data", _("Hold my data at the centre")
        LIST_ON_MARKETPLACES = "list", _("List me and my products on marketplaces and in exports")

    class Method(models.TextChoices):
        PAPER = "paper", _("Signed paper form")
        VERBAL = "verbal", _("Verbal, before a witness")
        SMS = "sms", _("SMS reply")
        SELF = "self", _("By the producer, signed in")

    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)
    given = models.BooleanField(_("given"), help_text=_("Unticked records a withdrawal."))
    on = models.DateField(_("date"))
    method = models.CharField(_("how given"), max_length=8, choices=Method.choices)
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}: {self.given}"


class StageChange(models.Model):
    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=12, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=12, choices=Stage.choices)
    # Staff write the reason in their own words; a reason the software writes (a listing went
    # live) is kept in English and in Hindi, and each reader sees their language.
    reason = models.TextField(_("reason"), blank=True)
    reason_hi = models.TextField(_("reason in Hindi"), blank=True)
    changed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"

    @property
    def reason_shown(self) -> str:
        """The reason in the reader's language, where the software wrote it in both."""
        hindi = (get_language() or "").startswith("hi")
        return self.reason_hi if hindi and self.reason_hi else self.reason


class OutreachVisitQuerySet(ScopedQuerySet["OutreachVisit"]):
    district_field = "district"


class OutreachVisit(Timestamped):
    class Kind(models.TextChoices):
        VISIT = "visit", _("Outreach visit")
        SENSITISATION = "sensitisation", _("Sensitisation meeting")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="outreach_visits")
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    attendees = models.ManyToManyField(
        Producer, verbose_name=_("producers who attended"), blank=True, related_name="visits"
    )
    other_attendees = models.PositiveIntegerField(_("other people who attended"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = OutreachVisitQuerySet.as_manager()

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("outreach visit")
        verbose_name_plural = _("outreach visits")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.place} {self.on}"


class DuplicateFlagQuerySet(ScopedQuerySet["DuplicateFlag"]):
    district_field = "district"


class DuplicateFlag(Timestamped):
    """Two producers that are likely the same, with the reason; staff merge or dismiss."""

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        MERGED = "merged", _("Merged")
        DISMISSED = "dismissed", _("Not the same")

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    first = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="+")
    reasons = models.JSONField(default=list)
    score = models.FloatField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = DuplicateFlagQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "-id"]
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="duplicate_pair_unique")
        ]

    def __str__(self) -> str:
        return f"{self.first} ≈ {self.second}"


class ImportJobQuerySet(DistrictWorkQuerySet["ImportJob"]):
    district_field = "district"


class ImportJob(SheetImportJob):
    """One uploaded sheet of producers (the import framework's job: niryat/core/sheets)."""

    objects = ImportJobQuerySet.as_manager()

    class Meta(SheetImportJob.Meta):
        verbose_name = _("import")
        verbose_name_plural = _("imports")


class LoginCode(models.Model):
    """A one-time sign-in code sent by SMS. Only a hash of the code is stored."""

    mobile = models.CharField(max_length=16, db_index=True)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.mobile} {self.created_at}"


class MergedProducer(models.Model):
    """The address of a producer record merged away: /producers/<uuid>/ of the duplicate leads to
    the record that was kept, so bookmarks, links in messages and the audit trail keep working."""

    merged_uuid = models.UUIDField(unique=True, editable=False)
    survivor = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="merged_away")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.merged_uuid} → {self.survivor_id}"


def producer_values(producer: Producer) -> dict[str, Any]:
    """Everything held about a producer, for their data export (consent and erasure requests)."""
    fields = [f.name for f in Producer._meta.concrete_fields if f.name not in {"name_key", "user"}]
    return {name: str(getattr(producer, name) or "") for name in fields}
