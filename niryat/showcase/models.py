"""The public showcase: which producers agreed to be shown (with their story), the addresses of
products taken off it (they answer 410 Gone), buyers' enquiries, online exhibitions (an event's
halls, exhibitors and their products), and the centre's MoUs with its partners, their
commitments and progress."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.db import connections, models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from niryat.catalog.models import Product, ProductQuerySet, Sku
from niryat.channels.models import ChannelCode, Listing
from niryat.core.expressions import EqualsAny
from niryat.core.models import (
    Bilingual,
    District,
    OdopProduct,
    PartnerOrg,
    Role,
    Timestamped,
    User,
)
from niryat.core.scoping import DistrictWorkQuerySet, ScopedQuerySet
from niryat.events.models import Event, Programme
from niryat.registry.models import STAGE_ORDER, TRIGRAM, Consent, Producer, Stage


def shown_products() -> ProductQuerySet:
    """Products on the public showcase: their producer is not erased, consents to be listed and
    agreed to be shown here, and the product is not being deleted and has a SKU left."""
    live_skus = Sku.objects.filter(product=OuterRef("pk"), deleting_since__isnull=True)
    return Product.objects.filter(
        Exists(live_skus),
        deleting_since__isnull=True,
        producer__erased_at__isnull=True,
        producer__listing_consent=True,
        producer__showcase_profile__shown=True,
    )


def shown_producers() -> models.QuerySet[Producer]:
    return Producer.objects.filter(
        erased_at__isnull=True, listing_consent=True, showcase_profile__shown=True
    )


def search_products(products: ProductQuerySet, text: str) -> ProductQuerySet:
    """Products whose name or ODOP product holds `text` (in either script), or whose producer's
    name matches it the registry's way ("ramu" finds रामू)."""
    text = text.strip()
    if not text:
        return products
    makers = Producer.objects.search(text).values("pk")
    if connections[products.db].vendor != "postgresql" or len(text) < TRIGRAM:
        return products.filter(
            Q(name_hi__icontains=text)
            | Q(name_en__icontains=text)
            | Q(odop_product__name_hi__icontains=text)
            | Q(odop_product__name_en__icontains=text)
            | Q(producer__in=makers)
        )
    # At the state's scale (100,000 products shown of 2.5 M, bench/bench_showcase.py) the
    # planner walked every shown product and tested each (3 s); so the matches are found first,
    # each term on its own index of the products (the trigram index of catalog 0004, the ODOP
    # product's and the producer's) combined with BitmapOr, and only they are checked against
    # the showcase. A text shorter than a trigram has no index to use: it keeps the walk.
    # The ODOP products (a few hundred rows) are read first: given as a list, the planner
    # knows how many products they hold; as a subquery it guessed a tenth of the catalogue,
    # and a plan that costly is compiled (JIT), 60 ms a query.
    odops = OdopProduct.objects.filter(Q(name_hi__icontains=text) | Q(name_en__icontains=text))
    matches = Product.objects.filter(
        Q(name_hi__icontains=text)
        | Q(name_en__icontains=text)
        | Q(odop_product__in=list(odops.order_by().values_list("pk", flat=True)))
        | Q(EqualsAny("producer_id", makers.order_by()))
    )
    return products.filter(EqualsAny("pk", matches.order_by().values("pk")))


class Profile(Timestamped):
    """A producer on the showcase: their agreement to be shown publicly (separate from the
    registry's consent to be listed on marketplaces, which they must also have given) and the
    story they want told, in Hindi and English."""

    producer = models.OneToOneField(
        Producer, on_delete=models.CASCADE, related_name="showcase_profile"
    )
    shown = models.BooleanField(
        _("agrees to be shown on the public showcase"),
        default=False,
        help_text=_("Unticked: the producer and their products leave the showcase at once."),
    )
    agreed_on = models.DateField(_("date"), null=True, blank=True)
    method = models.CharField(
        _("how given"), max_length=8, choices=Consent.Method.choices, blank=True
    )
    story_hi = models.TextField(_("story (Hindi)"), max_length=2000, blank=True)
    story_en = models.TextField(_("story (English)"), max_length=2000, blank=True)
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["producer_id"]
        verbose_name = _("showcase profile")
        verbose_name_plural = _("showcase profiles")

    def __str__(self) -> str:
        return str(self.producer)

    @property
    def story(self) -> str:
        if get_language() == "hi":
            return self.story_hi or self.story_en
        return self.story_en or self.story_hi


class GoneProduct(models.Model):
    """The address of a product that was on the showcase and left it (consent withdrawn, the
    producer erased, the product deleted): it answers 410 Gone, with nothing about it."""

    product_uuid = models.UUIDField(unique=True)
    gone_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-gone_at"]

    def __str__(self) -> str:
        return str(self.product_uuid)


class ExhibitionQuerySet(ScopedQuerySet["Exhibition"]):
    """Scoped like its event: a district's staff see and change their district's exhibitions,
    and see the state's; state administrators change the state's. Producers see none here (the
    public pages are for everyone)."""

    district_field = "event__district"

    def visible_to(self, user: User) -> ExhibitionQuerySet:
        if user.is_authenticated and user.role == Role.PRODUCER:
            return self.none()
        return self.filter(event__in=Event.objects.visible_to(user))

    def changeable_by(self, user: User) -> ExhibitionQuerySet:
        if user.is_authenticated and user.role == Role.PRODUCER:
            return self.none()
        return self.filter(event__in=Event.objects.changeable_by(user))

    def opened(self, today: datetime.date) -> ExhibitionQuerySet:
        """Open now, or closed and kept as an archive: the ones whose exhibitors are public."""
        return self.filter(opens_on__lte=today)


class Exhibition(Timestamped):
    """An event's online exhibition: open to everyone between its dates, its exhibitors in
    halls; before it opens it only says when; after it closes it stays as an archive."""

    class Phase(models.TextChoices):
        UPCOMING = "upcoming", _("opens soon")
        OPEN = "open", _("open")
        ARCHIVE = "archive", _("archive")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="online_exhibition")
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_hi = models.CharField(_("title (Hindi)"), max_length=200, blank=True)
    opens_on = models.DateField(_("open from"))
    closes_on = models.DateField(_("open until"), help_text=_("The last day it is open."))
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ExhibitionQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on", "-id"]
        verbose_name = _("online exhibition")
        verbose_name_plural = _("online exhibitions")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        if get_language() == "hi":
            return self.title_hi or self.title_en
        return self.title_en or self.title_hi

    def phase(self, today: datetime.date) -> str:
        """Dates are the India dates of `today` (timezone.localdate()), both ends included."""
        if today < self.opens_on:
            return self.Phase.UPCOMING
        if today > self.closes_on:
            return self.Phase.ARCHIVE
        return self.Phase.OPEN


class Hall(Bilingual, Timestamped):
    """A named hall of an online exhibition (garments, home textiles...), in the staff's order."""

    exhibition = models.ForeignKey(Exhibition, on_delete=models.CASCADE, related_name="halls")
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    name_hi = models.CharField(_("name (Hindi)"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        ordering = ["exhibition_id", "position", "id"]
        verbose_name = _("hall")
        verbose_name_plural = _("halls")

    def __str__(self) -> str:
        return self.name or self.name_hi


class Exhibitor(Timestamped):
    """A producer exhibiting in a hall with the products of theirs chosen from the catalogue,
    and the number of times their page was opened (a number, nothing about who opened it)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    exhibition = models.ForeignKey(Exhibition, on_delete=models.CASCADE, related_name="exhibitors")
    hall = models.ForeignKey(
        Hall, verbose_name=_("hall"), on_delete=models.CASCADE, related_name="exhibitors"
    )
    producer = models.ForeignKey(
        Producer, verbose_name=_("producer"), on_delete=models.CASCADE, related_name="exhibits"
    )
    products = models.ManyToManyField(
        Product, blank=True, related_name="exhibits", verbose_name=_("products")
    )
    visits = models.PositiveIntegerField(_("visits"), default=0)
    added_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["hall_id", "producer__name_key", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["exhibition", "producer"], name="one_place_per_exhibition"
            )
        ]
        verbose_name = _("exhibitor")
        verbose_name_plural = _("exhibitors")

    def __str__(self) -> str:
        return str(self.producer)


class FeedbackQuerySet(ScopedQuerySet["Feedback"]):
    district_field = "district"

    def visible_to(self, user: User) -> FeedbackQuerySet:
        if user.is_authenticated and user.role == Role.PRODUCER:
            # A producer reads their own feedback and nobody else's.
            return self.filter(producer__user=user, producer__erased_at__isnull=True)
        return super().visible_to(user)  # type: ignore[return-value]

    def filtered(self, params: dict[str, str]) -> FeedbackQuerySet:
        records = self
        if params.get("about") in Feedback.About.values:
            records = records.filter(about=params["about"])
        if params.get("rating") in {"1", "2", "3", "4", "5"}:
            records = records.filter(rating=int(params["rating"]))
        return records

    def shown(self) -> FeedbackQuerySet:
        """Testimonials on the public showcase: feedback whose producer agreed to show it (and
        has not withdrawn that) and who is on the showcase themselves."""
        agreed = Testimonial.objects.filter(feedback=OuterRef("pk"), withdrawn_at__isnull=True)
        return self.filter(Exists(agreed), producer__in=shown_producers().values("pk")).exclude(
            text=""
        )

    def with_agreement(self) -> FeedbackQuerySet:
        """Each with `agreed`: whether the producer's consent to show it stands."""
        agreed = Testimonial.objects.filter(feedback=OuterRef("pk"), withdrawn_at__isnull=True)
        return self.annotate(agreed=Exists(agreed))

    def averages(self) -> list[dict[str, Any]]:
        """The average rating and the number of feedback per subject: the kind, and the
        marketplace or training where one is named."""
        rows = (
            self.order_by()
            .values("about", "channel", "programme__title")
            .annotate(average=models.Avg("rating"), count=models.Count("pk"))
            .order_by("about", "channel", "programme__title")
        )
        return list(rows)


class Feedback(Timestamped):
    """What a producer says of a training, a marketplace, the centre or anything else: a rating
    of 1 to 5 and their reason, in the language they gave it. Recorded by staff or sent by the
    producer from their own page. Guests' feedback on events (conclaves, exhibitions, visits)
    stays in the events app (events.Feedback); this is the rest of a producer's voice."""

    class About(models.TextChoices):
        TRAINING = "training", _("a training")
        MARKETPLACE = "marketplace", _("a marketplace")
        CENTRE = "centre", _("the centre")
        OTHER = "other", _("something else")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="voices")
    about = models.CharField(_("about"), max_length=12, choices=About.choices)
    # The training or marketplace it is about, where `about` names one.
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("training"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="voices",
    )
    channel = models.CharField(
        _("marketplace"), max_length=10, choices=ChannelCode.choices, blank=True
    )
    rating = models.PositiveSmallIntegerField(_("rating"))
    text = models.TextField(_("reason, in their words"), max_length=2000)
    language = models.CharField(max_length=2, default="hi")
    given_on = models.DateField(_("date"))
    # Staff who wrote it down; empty with `from_producer` when the producer sent it themselves.
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    from_producer = models.BooleanField(_("sent by the producer"), default=False)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="voice_rating_1_to_5"
            )
        ]
        indexes = [models.Index(fields=["district", "about", "rating"])]
        verbose_name = _("producer's feedback")
        verbose_name_plural = _("producers' feedback")

    def __str__(self) -> str:
        return f"{self.producer} · {self.rating}"

    @property
    def subject(self) -> str:
        """What it is about, in words: the training's title, the marketplace, the centre."""
        if self.about == self.About.TRAINING and self.programme is not None:
            return self.programme.title
        if self.about == self.About.MARKETPLACE and self.channel:
            return str(ChannelCode(self.channel).label)
        return str(self.get_about_display())

    def open_testimonial(self) -> Testimonial | None:
        return self.testimonials.filter(withdrawn_at__isnull=True).first()


class Testimonial(Timestamped):
    """The producer's consent to show one feedback of theirs on the public showcase, in their
    name: a use of its own, apart from being shown there at all (Profile). Who recorded it and
    when; withdrawn, it leaves the showcase at once, and the row stays as the record of both."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="testimonials")
    agreed_on = models.DateField(_("date agreed"))
    method = models.CharField(_("how given"), max_length=8, choices=Consent.Method.choices)
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-agreed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["feedback"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_open_testimonial",
            )
        ]
        verbose_name = _("testimonial")
        verbose_name_plural = _("testimonials")

    def __str__(self) -> str:
        return str(self.feedback)


class EnquiryQuerySet(ScopedQuerySet["Enquiry"]):
    district_field = "district"

    def visible_to(self, user: User) -> EnquiryQuerySet:
        if user.is_authenticated and user.role == Role.PRODUCER:
            return self.none()
        return super().visible_to(user)  # type: ignore[return-value]

    def filtered(self, params: dict[str, str]) -> EnquiryQuerySet:
        records = self
        if params.get("status") in Enquiry.Status.values:
            records = records.filter(status=params["status"])
        return records


class Enquiry(Timestamped):
    """A buyer's enquiry about a product, from the showcase, followed by the centre's staff."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        ANSWERED = "answered", _("answered")
        SAMPLE = "sample", _("sample sent")
        ORDER = "order", _("became an order")
        NOTHING = "nothing", _("came to nothing")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    # Kept when the product or its producer leaves: the enquiry is the centre's record.
    product = models.ForeignKey(
        Product, on_delete=models.SET_NULL, null=True, related_name="enquiries"
    )
    producer = models.ForeignKey(
        Producer, on_delete=models.SET_NULL, null=True, related_name="enquiries"
    )
    product_name = models.CharField(_("product"), max_length=200)
    name = models.CharField(_("your name"), max_length=120)
    company = models.CharField(_("company"), max_length=160, blank=True)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    country = models.CharField(_("destination country"), max_length=2)
    quantity = models.PositiveIntegerField(_("quantity"))
    message = models.TextField(_("message"), max_length=2000, blank=True)
    # A keyed hash of the sender's address, for the rate limit: never the address itself.
    address_hash = models.CharField(max_length=64, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW, db_index=True
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    # The online exhibition the buyer enquired from, if any: counted for its exhibitor.
    exhibition = models.ForeignKey(
        Exhibition,
        verbose_name=_("online exhibition"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enquiries",
    )

    objects = EnquiryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("enquiry")
        verbose_name_plural = _("enquiries")
        indexes = [models.Index(fields=["district", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.product_name}: {self.name}"


class MouQuerySet(DistrictWorkQuerySet["Mou"]):
    district_field = "district"


class Mou(Timestamped):
    """A memorandum of understanding between the district's centre and a partner organisation
    (a marketplace, FIEO, NIFT, India Post, a bank...), with its commitments."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey(
        PartnerOrg, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="mous"
    )
    other_parties = models.CharField(
        _("other parties"),
        max_length=300,
        blank=True,
        help_text=_("Anyone else who signed, such as the khadi board or a bank."),
    )
    title = models.CharField(_("title"), max_length=200)
    signed_on = models.DateField(_("signed on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    terms = models.TextField(_("terms"), max_length=5000, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = MouQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_on", "-id"]
        verbose_name = _("MoU")
        verbose_name_plural = _("MoUs")

    def __str__(self) -> str:
        return self.title


class Commitment(Timestamped):
    """One promise of an MoU, with a target and a date, measured from the records where they
    tell it (live listings, producers' stages, the showcase) or recorded by staff."""

    class Measure(models.TextChoices):
        SELLERS_LIVE = "sellers_live", _("producers with a live listing on a marketplace")
        LISTINGS_LIVE = "listings_live", _("live listings on a marketplace")
        TRAINED = "trained", _("producers trained or further")
        EXPORTING = "exporting", _("producers exporting")
        SHOWN = "shown", _("products on the public showcase")
        RECORDED = "recorded", _("a number staff record")

    mou = models.ForeignKey(Mou, on_delete=models.CASCADE, related_name="commitments")
    description = models.CharField(_("commitment"), max_length=300)
    measure = models.CharField(_("measured by"), max_length=16, choices=Measure.choices)
    channel = models.CharField(
        _("marketplace"), max_length=10, choices=ChannelCode.choices, blank=True
    )
    target = models.PositiveIntegerField(_("target"))
    due_on = models.DateField(_("by"))
    recorded = models.PositiveIntegerField(_("progress recorded"), default=0)

    class Meta:
        ordering = ["mou_id", "due_on", "id"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")

    def __str__(self) -> str:
        return self.description

    def progress(self) -> int:
        """How far the records say the commitment has come, in the MoU's district, now."""
        district_id = self.mou.district_id
        live = Listing.objects.filter(
            state=Listing.State.LIVE, account__channel=self.channel, account__district=district_id
        )
        producers = Producer.objects.active().filter(district_id=district_id)
        if self.measure == self.Measure.SELLERS_LIVE:
            return live.values("sku__product__producer").distinct().count()
        if self.measure == self.Measure.LISTINGS_LIVE:
            return live.count()
        if self.measure == self.Measure.TRAINED:
            further = [s for s in Stage if STAGE_ORDER[s] >= STAGE_ORDER[Stage.TRAINED]]
            return producers.filter(stage__in=further).count()
        if self.measure == self.Measure.EXPORTING:
            return producers.filter(stage=Stage.EXPORTING).count()
        if self.measure == self.Measure.SHOWN:
            return shown_products().filter(district_id=district_id).count()
        return self.recorded


class PageGeneration(models.Model):
    """One row: the generation of the showcase's cached pages (page_cache.py). It lives in the
    database, not in the cache, so that every web worker sees a new one as soon as the decision
    that made it commits (each worker may keep pages in its own memory)."""

    number = models.PositiveBigIntegerField(default=1)

    def __str__(self) -> str:
        return str(self.number)
