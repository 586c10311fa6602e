"""The showcase's writes: a producer's showcase profile, buyers' enquiries and their follow-up,
taking products off (their addresses then answer 410 Gone), online exhibitions (halls,
exhibitors, visits) and the centre's MoUs."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from niryat.catalog.models import Product
from niryat.channels.models import ChannelCode
from niryat.core.audit import record_audit
from niryat.core.countries import country_name, is_destination
from niryat.core.messaging import MessageRefused, Outgoing, gateway
from niryat.core.models import District, PartnerOrg, User
from niryat.core.scoping import require_write
from niryat.events.models import Event
from niryat.registry.models import Consent, Producer
from niryat.showcase.models import (
    Commitment,
    Enquiry,
    Exhibition,
    Exhibitor,
    GoneProduct,
    Hall,
    Mou,
    Profile,
    shown_producers,
    shown_products,
)
from niryat.showcase.page_cache import forget_pages

logger = logging.getLogger("niryat.showcase")

MAX_QUANTITY = 10_000_000


class TooManyEnquiries(Exception):
    """The address sent as many enquiries as it may in the last hour."""


@dataclass(frozen=True)
class EnquiryInput:
    name: str
    email: str
    country: str
    quantity: int
    company: str = ""
    phone: str = ""
    message: str = ""


def address_hash(address: str) -> str:
    """A keyed hash of the sender's address: enough to count their enquiries, useless to anyone
    who reads the table."""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


# --- profiles --------------------------------------------------------------------------------


@transaction.atomic
def do_update_profile(
    producer: Producer,
    *,
    shown: bool,
    agreed_on: datetime.date | None,
    method: str,
    story_hi: str,
    story_en: str,
    acting_user: User,
) -> Profile:
    """Record whether the producer agrees to be on the public showcase, and their story. Being
    shown needs the date and the way they agreed; taking them off drops the cached pages at
    once and makes their products' addresses answer 410 Gone."""
    require_write(producer.district, acting_user)
    if shown and (agreed_on is None or method not in Consent.Method.values):
        raise ValidationError(_("Say when and how the producer agreed to be shown."))
    profile, _created = Profile.objects.select_for_update().get_or_create(producer=producer)
    was_shown = profile.shown
    if was_shown and not shown:
        take_off(shown_products().filter(producer=producer).values_list("uuid", flat=True))
    profile.shown = shown
    profile.agreed_on = agreed_on
    profile.method = method
    profile.story_hi = story_hi.strip()
    profile.story_en = story_en.strip()
    profile.updated_by = acting_user
    profile.save()
    if shown:
        bring_back(Product.objects.filter(producer=producer).values_list("uuid", flat=True))
    forget_pages()
    record_audit(
        actor=acting_user,
        action="showcase.profile",
        obj=producer,
        district=producer.district,
        changes={"shown": shown, "method": method},
    )
    return profile


def take_off(product_uuids: Iterable[object]) -> None:
    """These products leave the showcase: their addresses answer 410 Gone from now on, and no
    cached page shows them. Called inside the deciding transaction (hooks, actions)."""
    for product_uuid in product_uuids:
        GoneProduct.objects.update_or_create(product_uuid=product_uuid)
    forget_pages()


def bring_back(product_uuids: Iterable[object]) -> None:
    """Products shown again (consent given anew) answer at their address again."""
    GoneProduct.objects.filter(product_uuid__in=list(product_uuids)).delete()
    forget_pages()


# --- enquiries -------------------------------------------------------------------------------


def check_enquiry(data: EnquiryInput) -> dict[str, str]:
    """What is wrong with an enquiry, by field, in the active language."""
    errors = {}
    if not data.name.strip():
        errors["name"] = _("Give your name.")
    if not is_destination(data.country):
        errors["country"] = _("Choose the country the goods go to.")
    if not 1 <= data.quantity <= MAX_QUANTITY:
        errors["quantity"] = _("Give a quantity from 1 to 10,000,000.")
    return errors


@transaction.atomic
def do_create_enquiry(
    product: Product,
    data: EnquiryInput,
    *,
    address: str,
    acting_user: User | None,
    exhibition: Exhibition | None = None,
) -> Enquiry:
    """A buyer's enquiry about a shown product: kept for the centre's staff, and told to the
    producer in Hindi through the messaging gateway once it is saved. One address may send
    SHOWCASE_ENQUIRIES_PER_HOUR in an hour (TooManyEnquiries after that). Sent from an online
    exhibition (`exhibition`, one the product is exhibited in), it counts for its exhibitor."""
    errors = check_enquiry(data)
    if errors:
        raise ValidationError(errors)
    key = address_hash(address)
    since = timezone.now() - datetime.timedelta(hours=1)
    if (
        Enquiry.objects.filter(address_hash=key, created_at__gte=since).count()
        >= settings.SHOWCASE_ENQUIRIES_PER_HOUR
    ):
        raise TooManyEnquiries
    enquiry = Enquiry.objects.create(
        district=product.district,
        product=product,
        producer=product.producer,
        product_name=product.name_en or product.name_hi,
        name=data.name.strip(),
        company=data.company.strip(),
        email=data.email.strip(),
        phone=data.phone.strip(),
        country=data.country,
        quantity=data.quantity,
        message=data.message.strip(),
        address_hash=key,
        exhibition=exhibition,
    )
    record_audit(
        actor=acting_user, action="showcase.enquiry", obj=enquiry, district=enquiry.district
    )
    transaction.on_commit(lambda: tell_producer(enquiry))
    return enquiry


def tell_producer(enquiry: Enquiry) -> None:
    """The producer hears of the enquiry in Hindi: product, quantity, country, and that the
    centre will call. A producer the gateway cannot reach is the centre's to call."""
    if enquiry.producer_id is None or enquiry.product is None:
        return
    product = enquiry.product
    try:
        gateway().send(
            Outgoing(
                template="showcase_enquiry",
                key=f"showcase_enquiry:{enquiry.pk}",
                variables={
                    "product": (product.name_hi or product.name_en)[:60],
                    "quantity": str(enquiry.quantity),
                    "country": country_name(enquiry.country)[:40],
                },
                producer_id=enquiry.producer_id,
                language="hi",
            )
        )
    except MessageRefused:
        logger.info("enquiry %s: the producer could not be messaged", enquiry.pk)


@transaction.atomic
def do_follow_enquiry(enquiry: Enquiry, *, status: str, answer: str, acting_user: User) -> Enquiry:
    """Staff answer an enquiry and say where it led: answered, a sample, an order, nothing."""
    require_write(enquiry.district, acting_user)
    if status not in Enquiry.Status.values or status == Enquiry.Status.NEW:
        raise ValidationError({"status": _("Choose where the enquiry stands.")})
    enquiry = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
    enquiry.status = status
    if answer.strip():
        enquiry.answer = answer.strip()
    enquiry.answered_by = acting_user
    enquiry.answered_at = timezone.now()
    enquiry.save(update_fields=["status", "answer", "answered_by", "answered_at", "updated_at"])
    record_audit(
        actor=acting_user,
        action="showcase.enquiry_followed",
        obj=enquiry,
        district=enquiry.district,
        changes={"status": status},
    )
    return enquiry


# --- partners and MoUs -----------------------------------------------------------------------


@dataclass(frozen=True)
class MouInput:
    partner: PartnerOrg
    title: str
    signed_on: datetime.date
    valid_until: datetime.date | None = None
    other_parties: str = ""
    terms: str = ""


@dataclass(frozen=True)
class CommitmentInput:
    description: str
    measure: str
    target: int
    due_on: datetime.date
    channel: str = ""


@transaction.atomic
def do_create_mou(district: District, data: MouInput, *, acting_user: User) -> Mou:
    """Record an MoU the district's centre signed with a partner."""
    require_write(district, acting_user)
    if data.valid_until is not None and data.valid_until < data.signed_on:
        raise ValidationError({"valid_until": _("An MoU cannot end before it is signed.")})
    mou = Mou.objects.create(
        district=district,
        partner=data.partner,
        title=data.title.strip(),
        signed_on=data.signed_on,
        valid_until=data.valid_until,
        other_parties=data.other_parties.strip(),
        terms=data.terms.strip(),
        created_by=acting_user,
    )
    record_audit(
        actor=acting_user,
        action="showcase.mou",
        obj=mou,
        district=district,
        changes={"partner": data.partner.code, "title": mou.title},
    )
    return mou


@transaction.atomic
def do_add_commitment(mou: Mou, data: CommitmentInput, *, acting_user: User) -> Commitment:
    """A commitment of the MoU: what, how it is measured, the target and the date."""
    require_write(mou.district, acting_user)
    errors = {}
    if data.measure not in Commitment.Measure.values:
        errors["measure"] = _("Choose how the commitment is measured.")
    marketplace_measures = {Commitment.Measure.SELLERS_LIVE, Commitment.Measure.LISTINGS_LIVE}
    if data.measure in marketplace_measures and data.channel not in ChannelCode.values:
        errors["channel"] = _("Choose the marketplace whose listings count.")
    if data.target < 1:
        errors["target"] = _("The target is at least 1.")
    if errors:
        raise ValidationError(errors)
    commitment = Commitment.objects.create(
        mou=mou,
        description=data.description.strip(),
        measure=data.measure,
        channel=data.channel if data.measure in marketplace_measures else "",
        target=data.target,
        due_on=data.due_on,
    )
    record_audit(
        actor=acting_user,
        action="showcase.commitment",
        obj=mou,
        district=mou.district,
        changes={"commitment": commitment.description, "target": data.target},
    )
    return commitment


@transaction.atomic
def do_record_progress(commitment: Commitment, value: int, *, acting_user: User) -> Commitment:
    """Staff record how far a commitment that the records cannot measure has come."""
    require_write(commitment.mou.district, acting_user)
    if commitment.measure != Commitment.Measure.RECORDED:
        raise ValidationError(_("This commitment is measured from the records."))
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    before = commitment.recorded
    commitment.recorded = value
    commitment.save(update_fields=["recorded", "updated_at"])
    record_audit(
        actor=acting_user,
        action="showcase.commitment_progress",
        obj=commitment.mou,
        district=commitment.mou.district,
        changes={"commitment": commitment.description, "recorded": [before, value]},
    )
    return commitment


# --- online exhibitions ----------------------------------------------------------------------


@dataclass(frozen=True)
class ExhibitionInput:
    title_en: str
    title_hi: str
    opens_on: datetime.date
    closes_on: datetime.date


def _require_event_write(event: Event, acting_user: User) -> None:
    """The event's district's centre staff (a state-level event: state administrators)."""
    if not Event.objects.changeable_by(acting_user).filter(pk=event.pk).exists():
        raise PermissionDenied(_("You may read this record but not change it."))


def exhibitable_producers(event: Event) -> models.QuerySet[Producer]:
    """Who may exhibit: producers shown on the showcase (listing consent and the showcase's
    own), of the event's district (any district for a state-level event)."""
    producers = shown_producers()
    if event.district_id is not None:
        producers = producers.filter(district_id=event.district_id)
    return producers


@transaction.atomic
def do_set_exhibition(event: Event, data: ExhibitionInput, *, acting_user: User) -> Exhibition:
    """Give an exhibition event its online exhibition, or change its title and dates."""
    _require_event_write(event, acting_user)
    errors = {}
    if event.kind != Event.Kind.EXHIBITION:
        errors["__all__"] = _("Only an exhibition can have an online exhibition.")
    if not (data.title_en.strip() or data.title_hi.strip()):
        errors["title_en"] = _("Give a title in Hindi or English.")
    if data.closes_on < data.opens_on:
        errors["closes_on"] = _("The exhibition cannot close before it opens.")
    if errors:
        raise ValidationError(errors)
    exhibition = Exhibition.objects.select_for_update().filter(event=event).first()
    created = exhibition is None
    if exhibition is None:
        exhibition = Exhibition(event=event, created_by=acting_user)
    exhibition.title_en = data.title_en.strip()
    exhibition.title_hi = data.title_hi.strip()
    exhibition.opens_on = data.opens_on
    exhibition.closes_on = data.closes_on
    exhibition.save()
    forget_pages()
    record_audit(
        actor=acting_user,
        action="showcase.exhibition" if created else "showcase.exhibition_changed",
        obj=exhibition,
        district=event.district,
        changes={
            "title": exhibition.title_en or exhibition.title_hi,
            "opens_on": data.opens_on.isoformat(),
            "closes_on": data.closes_on.isoformat(),
        },
    )
    return exhibition


@transaction.atomic
def do_add_hall(exhibition: Exhibition, *, name_en: str, name_hi: str, acting_user: User) -> Hall:
    """A hall at the end of the exhibition's halls."""
    _require_event_write(exhibition.event, acting_user)
    if not (name_en.strip() or name_hi.strip()):
        raise ValidationError({"name_en": _("Give the hall a name in Hindi or English.")})
    exhibition = Exhibition.objects.select_for_update().get(pk=exhibition.pk)
    last = exhibition.halls.order_by("-position").values_list("position", flat=True).first()
    hall = Hall.objects.create(
        exhibition=exhibition,
        name_en=name_en.strip(),
        name_hi=name_hi.strip(),
        position=(last or 0) + 1,
    )
    forget_pages()
    record_audit(
        actor=acting_user,
        action="showcase.hall",
        obj=exhibition,
        district=exhibition.event.district,
        changes={"hall": hall.name_en or hall.name_hi},
    )
    return hall


@transaction.atomic
def do_remove_hall(hall: Hall, *, acting_user: User) -> None:
    """An empty hall leaves the exhibition; one with exhibitors is refused."""
    exhibition = hall.exhibition
    _require_event_write(exhibition.event, acting_user)
    if hall.exhibitors.exists():
        raise ValidationError(_("Move or remove the hall's exhibitors first."))
    name = hall.name_en or hall.name_hi
    hall.delete()
    forget_pages()
    record_audit(
        actor=acting_user,
        action="showcase.hall_removed",
        obj=exhibition,
        district=exhibition.event.district,
        changes={"hall": name},
    )


def _check_products(producer: Producer, products: list[Product]) -> None:
    for product in products:
        if product.producer_id != producer.pk:
            raise ValidationError(
                {
                    "products": _("%(product)s is not %(name)s's product.")
                    % {"product": product, "name": producer}
                }
            )
    shown = set(shown_products().filter(pk__in=[p.pk for p in products]).values_list("pk"))
    hidden = [product for product in products if (product.pk,) not in shown]
    if hidden:
        raise ValidationError(
            {"products": _("%(product)s is not on the public showcase.") % {"product": hidden[0]}}
        )


@transaction.atomic
def do_add_exhibitor(
    exhibition: Exhibition,
    hall: Hall,
    producer: Producer,
    products: Iterable[Product] = (),
    *,
    acting_user: User,
) -> Exhibitor:
    """A producer exhibits in a hall with the chosen products of theirs. Only a producer on the
    public showcase may exhibit. With no products chosen, the products of their stall at the
    event are taken, else all their products on the showcase."""
    event = exhibition.event
    _require_event_write(event, acting_user)
    exhibition = Exhibition.objects.select_for_update().get(pk=exhibition.pk)
    if hall.exhibition_id != exhibition.pk:
        raise ValidationError({"hall": _("Choose one of this exhibition's halls.")})
    if event.district_id is not None and producer.district_id != event.district_id:
        raise ValidationError(
            _("%(name)s is from another district (%(district)s).")
            % {"name": producer, "district": producer.district}
        )
    if not shown_producers().filter(pk=producer.pk).exists():
        raise ValidationError(
            {
                "producer": _("%(name)s has not agreed to be on the public showcase.")
                % {"name": producer}
            }
        )
    if exhibition.exhibitors.filter(producer=producer).exists():
        raise ValidationError(
            {"producer": _("%(name)s exhibits here already.") % {"name": producer}}
        )
    chosen = list(products)
    if chosen:
        _check_products(producer, chosen)
    else:
        own = shown_products().filter(producer=producer)
        chosen = list(own.filter(stalls__event=event).distinct()) or list(own)
    exhibitor = Exhibitor.objects.create(
        exhibition=exhibition, hall=hall, producer=producer, added_by=acting_user
    )
    exhibitor.products.set(chosen)
    forget_pages()
    record_audit(
        actor=acting_user,
        action="showcase.exhibitor",
        obj=exhibition,
        district=event.district,
        changes={"producer": str(producer.uuid), "products": len(chosen)},
    )
    return exhibitor


@transaction.atomic
def do_update_exhibitor(
    exhibitor: Exhibitor, hall: Hall, products: Iterable[Product], *, acting_user: User
) -> Exhibitor:
    """Move an exhibitor to another hall and choose again which of their products are shown."""
    exhibition = exhibitor.exhibition
    _require_event_write(exhibition.event, acting_user)
    if hall.exhibition_id != exhibition.pk:
        raise ValidationError({"hall": _("Choose one of this exhibition's halls.")})
    chosen = list(products)
    if not chosen:
        raise ValidationError({"products": _("Choose at least one product.")})
    _check_products(exhibitor.producer, chosen)
    exhibitor = Exhibitor.objects.select_for_update().get(pk=exhibitor.pk)
    exhibitor.hall = hall
    exhibitor.save(update_fields=["hall", "updated_at"])
    exhibitor.products.set(chosen)
    forget_pages()
    record_audit(
        actor=acting_user,
        action="showcase.exhibitor_changed",
        obj=exhibition,
        district=exhibition.event.district,
        changes={"producer": str(exhibitor.producer.uuid), "products": len(chosen)},
    )
    return exhibitor


@transaction.atomic
def do_remove_exhibitor(exhibitor: Exhibitor, *, acting_user: User) -> None:
    """The exhibitor leaves the exhibition (their enquiries stay the centre's record)."""
    exhibition = exhibitor.exhibition
    _require_event_write(exhibition.event, acting_user)
    producer_uuid = str(exhibitor.producer.uuid)
    exhibitor.delete()
    forget_pages()
    record_audit(
        actor=acting_user,
        action="showcase.exhibitor_removed",
        obj=exhibition,
        district=exhibition.event.district,
        changes={"producer": producer_uuid},
    )


def count_visit(
    exhibition_uuid: uuid.UUID, exhibitor_uuid: uuid.UUID, *, today: datetime.date
) -> bool:
    """One more visit to an exhibitor's public page, if it is public now (the exhibition has
    opened and the producer is still shown): one UPDATE adding 1, nothing about the visitor."""
    return bool(
        Exhibitor.objects.filter(
            uuid=exhibitor_uuid,
            exhibition__uuid=exhibition_uuid,
            exhibition__opens_on__lte=today,
            producer__in=shown_producers(),
        ).update(visits=F("visits") + 1)
    )
