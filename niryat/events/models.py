"""Trainings: a programme (a GeM camp, a NIFT course...) with its sessions, its participants from
the registry (registered or waiting when full), who came to which session, and the certificates
of those who came."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

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
