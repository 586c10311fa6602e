"""Trainings: a programme (a GeM camp, a NIFT course...) with its sessions, its participants from
the registry (registered or waiting when full), who came to which session, and the certificates
of those who came."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import Count, F, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from niryat.catalog.models import Product
from niryat.channels.models import Order, OrderLine
from niryat.core.models import District, PartnerOrg, Timestamped, User
from niryat.core.scoping import DistrictWorkQuerySet, ScopedQuerySet
from niryat.core.sheets.models import SheetImportJob
from niryat.registry.models import Producer


class ProgrammeQuerySet(ScopedQuerySet["Programme"]):
    district_field = "district"


class Programme(Timestamped):
    class Kind(models.TextChoices):
        GEM_CAMP = "gem_camp", _("GeM onboarding camp")
        NIFT_COURSE = "nift_course", _("NIFT course")
        SOLAR_CHARKHA = "solar_charkha", _("Solar-charkha training")
        ECOMMERCE = "ecommerce", _("E-commerce sensitisation")
        OTHER = "other", _("Other training")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="programmes")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    partner = models.ForeignKey(
        PartnerOrg,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programmes",
        verbose_name=_("partner institute"),
    )
    scheme = models.CharField(_("scheme"), max_length=200, blank=True)
    eligibility = models.TextField(_("eligibility"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"))
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.title


class SessionQuerySet(ScopedQuerySet["Session"]):
    district_field = "programme__district"


class Session(Timestamped):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField(_("date"))
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    trainers = models.CharField(_("trainers"), max_length=300, blank=True)
    topics = models.TextField(_("topics"), blank=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"{self.programme} · {self.date:%d.%m.%Y}"


class ParticipantQuerySet(ScopedQuerySet["Participant"]):
    district_field = "programme__district"

    def registered(self) -> ParticipantQuerySet:
        return self.filter(status=Participant.Status.REGISTERED)

    def waiting(self) -> ParticipantQuerySet:
        return self.filter(status=Participant.Status.WAITING).order_by("created_at", "pk")


class Participant(Timestamped):
    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="participants")
    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="training_places")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    invited_at = models.DateTimeField(null=True, blank=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "producer"], name="one_place_per_producer")
        ]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return str(self.producer)


class Attendance(models.Model):
    class Method(models.TextChoices):
        QR = "qr", _("QR code")
        LIST = "list", _("Ticked on the list")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="attendances"
    )
    method = models.CharField(_("how"), max_length=4, choices=Method.choices)
    checked_in_at = models.DateTimeField(_("checked in at"))
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["checked_in_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "participant"], name="one_check_in")
        ]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")

    def __str__(self) -> str:
        return f"{self.participant} · {self.session}"


class CertificateQuerySet(ScopedQuerySet["Certificate"]):
    district_field = "participant__programme__district"


class Certificate(Timestamped):
    """A participant who came gets one certificate; its public page (by `uuid`) shows the name,
    the programme and the date, and says when it was revoked."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="certificate"
    )
    number = models.CharField(_("number"), max_length=40, unique=True)
    issued_on = models.DateField(_("issued on"))
    issued_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.CharField(_("why revoked"), max_length=300, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.number


class TraineeImportJobQuerySet(DistrictWorkQuerySet["TraineeImportJob"]):
    district_field = "district"


class TraineeImportJob(SheetImportJob):
    """A list of trainees (by mobile number) uploaded for a programme: checked row by row against
    the district's registry and registered whole or not at all (the import framework's job,
    niryat/core/sheets)."""

    file = models.FileField(upload_to="trainee-imports/%Y/%m/", max_length=255, blank=True)
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="imports")

    objects = TraineeImportJobQuerySet.as_manager()

    class Meta(SheetImportJob.Meta):
        verbose_name = _("trainee list import")
        verbose_name_plural = _("trainee list imports")


# Conclaves, exhibitions, buyer-seller meets and study visits ------------------------------------


class EventQuerySet(ScopedQuerySet["Event"]):
    """A district's events are its own; a state-level event (no district) is seen by every
    district's staff, who nominate producers to it, and changed by state administrators only."""

    district_field = "district"

    def visible_to(self, user: User) -> EventQuerySet:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_state_level:
            return self
        if user.district_id is None:
            return self.none()
        return self.filter(
            models.Q(district__pk=user.district_id) | models.Q(district__isnull=True)
        )

    def changeable_by(self, user: User) -> EventQuerySet:
        if not user.is_authenticated or not user.is_active or not user.can_write:
            return self.none()
        if user.is_state_level:
            return self
        if user.district_id is None:
            return self.none()
        return self.filter(district__pk=user.district_id)

    def state_level(self) -> EventQuerySet:
        return self.filter(district__isnull=True)


class Event(Timestamped):
    class Kind(models.TextChoices):
        CONCLAVE = "conclave", _("Conclave")
        EXHIBITION = "exhibition", _("Exhibition")
        STUDY_VISIT = "study_visit", _("Study visit")
        BUYER_SELLER_MEET = "buyer_seller", _("Buyer-seller meet")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # None: a state-level event (the state conclave in Lucknow), to which districts nominate.
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    venue = models.CharField(_("venue"), max_length=300)
    agenda = models.TextField(_("agenda"), blank=True, help_text=_("One item a line."))
    speakers = models.TextField(_("speakers"), blank=True, help_text=_("One speaker a line."))
    partners = models.ManyToManyField(
        PartnerOrg, blank=True, related_name="events", verbose_name=_("partners")
    )
    floor_rows = models.PositiveSmallIntegerField(_("stall rows"), default=0)
    floor_columns = models.PositiveSmallIntegerField(_("stall columns"), default=0)
    itinerary = models.TextField(_("itinerary"), blank=True)
    report = models.TextField(_("report"), blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return self.title

    @property
    def is_state_level(self) -> bool:
        return self.district_id is None

    def agenda_lines(self) -> list[str]:
        return [line.strip() for line in self.agenda.splitlines() if line.strip()]

    def speaker_lines(self) -> list[str]:
        return [line.strip() for line in self.speakers.splitlines() if line.strip()]


class GuestQuerySet(ScopedQuerySet["Guest"]):
    district_field = "producer__district"


class Guest(Timestamped):
    """A producer invited to an event: their answer (by the RSVP link), whether they came (by
    their QR code), and their feedback."""

    class Answer(models.TextChoices):
        PENDING = "pending", _("No answer yet")
        YES = "yes", _("Coming")
        NO = "no", _("Not coming")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="guests")
    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="event_places")
    answer = models.CharField(
        _("answer"), max_length=8, choices=Answer.choices, default=Answer.PENDING
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = GuestQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "producer"], name="one_invitation_per_event")
        ]
        verbose_name = _("guest")
        verbose_name_plural = _("guests")

    def __str__(self) -> str:
        return str(self.producer)


class StallQuerySet(ScopedQuerySet["Stall"]):
    district_field = "producer__district"


class Stall(Timestamped):
    """A place on the event's floor grid (row, column), given to one producer and the products
    of theirs shown there."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="stalls")
    row = models.PositiveSmallIntegerField(_("row"))
    column = models.PositiveSmallIntegerField(_("column"))
    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="stalls")
    products = models.ManyToManyField(
        Product, blank=True, related_name="stalls", verbose_name=_("products")
    )
    assigned_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = StallQuerySet.as_manager()

    class Meta:
        ordering = ["row", "column"]
        constraints = [
            models.UniqueConstraint(fields=["event", "row", "column"], name="one_producer_a_stall")
        ]
        verbose_name = _("stall")
        verbose_name_plural = _("stalls")

    @property
    def label(self) -> str:
        return stall_label(self.row, self.column)

    def __str__(self) -> str:
        return self.label


def stall_label(row: int, column: int) -> str:
    """ "B3" for the second row's third stall (rows lettered as on a floor plan)."""
    letters = ""
    number = row
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{letters}{column}"


class Feedback(models.Model):
    guest = models.OneToOneField(Guest, on_delete=models.CASCADE, related_name="feedback")
    rating = models.PositiveSmallIntegerField(_("rating"))
    text = models.TextField(_("what you would tell us"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="rating_1_to_5"
            )
        ]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self) -> str:
        return f"{self.guest} · {self.rating}"


class NominationQuerySet(ScopedQuerySet["Nomination"]):
    district_field = "district"


class Nomination(Timestamped):
    """A district's nomination of one of its producers to a state-level event: the district sees
    its own, the state every district's."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="nominations")
    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="nominations")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("why this producer"), max_length=300, blank=True)
    nominated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = NominationQuerySet.as_manager()

    class Meta:
        ordering = ["district__name_en", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "producer"], name="one_nomination_per_event")
        ]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")

    def __str__(self) -> str:
        return str(self.producer)


# Scheme benefits -------------------------------------------------------------------------------


class BenefitQuerySet(ScopedQuerySet["Benefit"]):
    district_field = "district"


def benefit_photo_path(benefit: Benefit, filename: str) -> str:
    return f"benefits/{benefit.district_id}/{benefit.uuid}.jpg"


class Benefit(Timestamped):
    """What a scheme handed over to a producer (a solar charkha with its serial number, a
    toolkit, a loom), when, with a photo of the handover."""

    class Item(models.TextChoices):
        SOLAR_CHARKHA = "solar_charkha", _("Solar charkha")
        TOOLKIT = "toolkit", _("Toolkit")
        LOOM = "loom", _("Loom")
        OTHER = "other", _("Other equipment")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="benefits")
    programme = models.ForeignKey(
        Programme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="benefits",
        verbose_name=_("programme"),
    )
    scheme = models.CharField(_("scheme"), max_length=200)
    item = models.CharField(_("what was handed over"), max_length=20, choices=Item.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=60, blank=True)
    handed_over_on = models.DateField(_("handed over on"))
    photo = models.ImageField(_("photo"), upload_to=benefit_photo_path, max_length=255)
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = BenefitQuerySet.as_manager()

    class Meta:
        ordering = ["-handed_over_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "serial_number"],
                condition=~models.Q(serial_number=""),
                name="one_handover_per_serial_number",
            )
        ]
        verbose_name = _("scheme benefit")
        verbose_name_plural = _("scheme benefits")

    def __str__(self) -> str:
        return f"{self.get_item_display()} · {self.producer}"


@dataclass(frozen=True)
class AfterBenefit:
    """What a beneficiary made and sold since the handover (from the catalogue and the order
    book)."""

    products_catalogued: int
    orders: int
    units: int
    value_by_currency: list[tuple[str, Decimal]]
    months: list[tuple[datetime.date, int, int]]  # (month, orders, units)


def after_benefit(benefit: Benefit) -> AfterBenefit:
    """The producer's products catalogued and order lines sold since the handover date
    (cancelled and returned orders left out)."""
    since = datetime.datetime.combine(
        benefit.handed_over_on, datetime.time.min, tzinfo=timezone.get_current_timezone()
    )
    lines = OrderLine.objects.filter(
        order__producer=benefit.producer, order__ordered_at__gte=since
    ).exclude(order__state__in=[Order.State.CANCELLED, Order.State.RETURNED])
    totals = lines.aggregate(units=Sum("quantity"), orders=Count("order", distinct=True))
    value = (
        lines.values("order__currency")
        .annotate(total=Sum(F("quantity") * F("unit_price")))
        .order_by("order__currency")
    )
    months = (
        lines.annotate(month=TruncMonth("order__ordered_at"))
        .values("month")
        .annotate(orders=Count("order", distinct=True), units=Sum("quantity"))
        .order_by("month")
    )
    return AfterBenefit(
        products_catalogued=Product.objects.filter(
            producer=benefit.producer, created_at__gte=since
        ).count(),
        orders=totals["orders"] or 0,
        units=totals["units"] or 0,
        value_by_currency=[(row["order__currency"], row["total"]) for row in value],
        months=[(row["month"].date(), row["orders"], row["units"]) for row in months],
    )
