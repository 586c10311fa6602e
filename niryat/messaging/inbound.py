"""What producers send us, and the answers: keywords in Hindi or English, STOP, photos.

`receive` runs in the webhook's request, after its signature was checked: it keeps the message
of a registered producer (once, however often the webhook is replayed) and queues `answer`. A
number that is no producer's gets a polite reply in Hindi and nothing is kept; a producer who
withdrew consent gets only what the law requires (the confirmation of a STOP).

Keywords: "ऑर्डर" / "order" → open orders with their pack-by dates; "प्रशिक्षण" / "training" →
coming training dates (from the app named in settings.MESSAGING_AGENDA); "मदद" / "help" → the
centre's phone; "रोकें" / "stop" → no more messages on this channel; "शुरू" / "start" → again.
A photo goes to the producer's product (or the one they pick from a numbered list) through the
catalogue's imaging, and the quality score comes back in Hindi.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from niryat.catalog.actions import do_add_producer_photo, process_image_now
from niryat.catalog.models import Product, ProductImage
from niryat.channels.models import Order
from niryat.core import imaging
from niryat.core.dates import format_date, format_datetime
from niryat.core.messaging import MessageRefused, agenda, normalise_mobile
from niryat.core.models import Centre
from niryat.messaging import gateway
from niryat.messaging.backends.base import ProviderError
from niryat.messaging.backends.whatsapp import download_media
from niryat.messaging.models import ContactChoice, Message, WebhookEvent
from niryat.registry.models import Producer

logger = logging.getLogger("niryat.messaging")

KEYWORDS = {
    "order": {"order", "orders", "ऑर्डर", "आर्डर", "ऑडर"},
    "training": {"training", "trainings", "प्रशिक्षण", "प्रशिक्षन", "ट्रेनिंग"},
    "help": {"help", "मदद"},
    # "stop" written in Devanagari too, as phones without a Latin keyboard send it.
    "stop": {"stop", "रोकें", "रोको", "रोके", "रोकिए", "स्टॉप", "स्टाप", "स्टोप"},
    "start": {"start", "शुरू", "शुरु", "स्टार्ट"},
}
CHOICES = 5  # products offered in the numbered list
CHOICE_WINDOW = dt.timedelta(hours=24)
PHOTO_RETRIES = 5


@dataclass(frozen=True)
class Incoming:
    channel: str
    provider_id: str  # the provider's id of the message (WhatsApp's wamid)
    sender: str  # the number, in whatever form the provider writes it
    kind: str  # "text", "image", or what else the provider says (audio, document...)
    text: str = ""
    media_id: str = ""
    mime_type: str = ""


# Spaces, punctuation and the invisible joiners some Hindi keyboards put between letters.
NOT_A_LETTER = re.compile(r"[\s।.,!?'\"\-_\u200b-\u200d\ufeff]+")


def keyword(text: str) -> str:
    """Which keyword the text is ("stop", "order"...), or "". Case, spaces (" S T O P "),
    punctuation and Unicode normal forms do not matter."""
    word = NOT_A_LETTER.sub("", unicodedata.normalize("NFC", text)).casefold()
    for name, words in KEYWORDS.items():
        if word in words:
            return name
    return ""


def producer_for(number: str) -> Producer | None:
    """The one producer this number belongs to (their mobile, second mobile, or WhatsApp
    number); None if it is nobody's, or more than one producer's."""
    ids = set(
        Producer.objects.active()
        .filter(Q(mobile=number) | Q(mobile_alt=number))
        .values_list("pk", flat=True)[:2]
    )
    ids |= set(
        ContactChoice.objects.filter(address=number, producer__erased_at__isnull=True).values_list(
            "producer_id", flat=True
        )[:2]
    )
    if len(ids) != 1:
        return None
    return Producer.objects.get(pk=ids.pop())


def _first_time(incoming: Incoming) -> bool:
    """True once per provider message: replayed webhooks are dropped here. Only a hash of the
    provider's id is kept, nothing about the sender."""
    digest = hashlib.sha256(f"{incoming.channel}:{incoming.provider_id}".encode()).hexdigest()
    return WebhookEvent.objects.get_or_create(digest=digest)[1]


def receive(incoming: Incoming) -> None:
    try:
        number = normalise_mobile(incoming.sender)
    except MessageRefused:
        return  # not an Indian mobile: no producer of ours
    answer_unrecorded = ""
    with transaction.atomic():
        if not _first_time(incoming):
            return
        producer = producer_for(number)
        if producer is None:
            answer_unrecorded = "reply_unknown_number"
        elif gateway.consent_withdrawn(producer):
            # Nothing kept, nothing answered, but a STOP is honoured and confirmed.
            if incoming.kind == "text" and keyword(incoming.text) == "stop":
                opt_out(producer, incoming.channel, number)
                answer_unrecorded = "opt_out_confirmed"
        else:
            _keep(incoming, producer, number)
    if answer_unrecorded:
        # After the transaction: the answer is one attempt, and a failure changes nothing kept.
        gateway.send_unrecorded(incoming.channel, number, answer_unrecorded)


def _keep(incoming: Incoming, producer: Producer, number: str) -> None:
    message = Message.objects.create(
        key=f"in:{incoming.channel}:{incoming.provider_id}",
        producer=producer,
        district_id=producer.district_id,
        direction=Message.Direction.IN,
        channel=incoming.channel,
        address=number,
        text=incoming.text if incoming.kind == "text" else f"[{incoming.kind}]",
        variables={
            "kind": incoming.kind,
            "media_id": incoming.media_id,
            "mime_type": incoming.mime_type,
        },
        status=Message.Status.RECEIVED,
        next_try_at=timezone.now(),
    )
    from niryat.messaging.tasks import answer_message

    answer_message.enqueue(message.pk)


def opt_out(producer: Producer, channel: str, address: str) -> None:
    choice, _created = ContactChoice.objects.get_or_create(
        producer=producer, channel=channel, defaults={"address": address}
    )
    choice.opted_out_at = timezone.now()
    choice.opted_out_via = ContactChoice.Via.REPLY
    choice.save(update_fields=["opted_out_at", "opted_out_via", "updated_at"])


def opt_in(producer: Producer, channel: str, address: str) -> None:
    choice, _created = ContactChoice.objects.get_or_create(
        producer=producer, channel=channel, defaults={"address": address}
    )
    choice.opted_out_at = None
    choice.opted_out_via = ""
    choice.agreed = True
    choice.address = address
    choice.save(update_fields=["opted_out_at", "opted_out_via", "agreed", "address", "updated_at"])


# --- answers (the task) ----------------------------------------------------------------------


def answer(message_id: int) -> None:
    """Answer one message a producer sent; a no-op if it was answered already."""
    claimed = Message.objects.filter(
        pk=message_id, status=Message.Status.RECEIVED, next_try_at__lte=timezone.now()
    ).update(status=Message.Status.ANSWERED, updated_at=timezone.now())
    if not claimed:
        return
    message = Message.objects.select_related("producer").get(pk=message_id)
    producer = message.producer
    if producer is None:  # erased since: nothing to answer
        return
    kind = message.variables.get("kind", "text")
    with translation.override("hi"):
        if kind == "image":
            _photo(message, producer)
        elif kind != "text":
            _reply(message, "photo_refused", reason=_not_a_photo())
        else:
            _text(message, producer)


def _reply(message: Message, template: str, **variables: str) -> None:
    gateway.reply(message, template, variables)


def _not_a_photo() -> str:
    return str(
        _("This file is not a photo we can read. Please upload a JPEG, PNG, WebP or HEIC photo.")
    )


def _text(message: Message, producer: Producer) -> None:
    word = keyword(message.text)
    if word == "stop":
        opt_out(producer, message.channel, message.address)
        _reply(message, "opt_out_confirmed")
    elif word == "start":
        opt_in(producer, message.channel, message.address)
        _reply(message, "opt_in_confirmed")
    elif word == "order":
        _orders(message, producer)
    elif word == "training":
        _trainings(message, producer)
    elif word == "help":
        centre = Centre.objects.filter(district_id=producer.district_id).first()
        phone = centre.phone if centre and centre.phone else ""
        if phone:
            _reply(message, "reply_help", phone=phone)
        else:
            _reply(message, "reply_keywords")
    elif message.text.strip().isdigit() and _pending_photo(message) is not None:
        _chosen(message, producer, int(message.text.strip()))
    else:
        _reply(message, "reply_keywords")


def _orders(message: Message, producer: Producer) -> None:
    orders = list(
        Order.objects.filter(producer=producer)
        .to_pack()
        .select_related("account")
        .order_by("ship_by", "ordered_at")[:5]
    )
    if not orders:
        _reply(message, "reply_no_orders")
        return
    lines = []
    for order in orders:
        line = f"{order.channel_order_id} ({order.account.get_channel_display()})"
        if order.ship_by:
            line += " " + _("pack by %(date)s") % {"date": format_datetime(order.ship_by)}
        lines.append(line)
    _reply(message, "reply_orders", orders="; ".join(lines))


def _trainings(message: Message, producer: Producer) -> None:
    source = agenda()
    coming = source.upcoming_trainings(producer.pk, today=timezone.localdate()) if source else []
    if not coming:
        _reply(message, "reply_no_trainings")
        return
    lines = [
        ", ".join(part for part in (format_date(when.on), when.title, when.place) if part)
        for when in coming
    ]
    _reply(message, "reply_trainings", trainings="; ".join(lines))


# --- photos ----------------------------------------------------------------------------------


def _candidates(producer: Producer) -> list[Product]:
    """The products a photo may be for: the producer's drafts (not yet complete) first, newest
    first, then the others."""
    products = Product.objects.filter(producer=producer, deleting_since__isnull=True)
    drafts = list(products.filter(completeness__lt=100).order_by("-updated_at", "-id")[:CHOICES])
    return drafts or list(products.order_by("-updated_at", "-id")[:CHOICES])


def _photo(message: Message, producer: Producer) -> None:
    mime = str(message.variables.get("mime_type", ""))
    if not mime.startswith("image/"):
        _reply(message, "photo_refused", reason=_not_a_photo())
        return
    products = _candidates(producer)
    if not products:
        _reply(message, "photo_no_product")
        return
    try:
        data = _download(message)
    except ProviderError as exc:
        if exc.permanent:
            _reply(message, "photo_refused", reason=str(_("The file is too large.")))
        else:
            _try_again_later(message, exc)
        return
    try:
        imaging.clean_original(data)  # a file that is not a photo, or a bomb, is refused here
    except imaging.ImagingError as exc:
        _reply(message, "photo_refused", reason=str(exc.message))
        return
    if len(products) == 1:
        _add(message, producer, products[0], data)
        return
    message.variables = {**message.variables, "choices": [str(p.uuid) for p in products]}
    message.save(update_fields=["variables", "updated_at"])
    listing = "; ".join(f"{number}. {product}" for number, product in enumerate(products, 1))
    _reply(message, "photo_choose_product", products=listing)


def _download(message: Message) -> bytes:
    return download_media(str(message.variables["media_id"]), imaging.MAX_BYTES).data


def _try_again_later(message: Message, exc: ProviderError) -> None:
    """The media endpoint is down: the photo is fetched again later, a few times."""
    message.attempts += 1
    if message.attempts > PHOTO_RETRIES:
        message.reason = exc.reason[:500]
        message.save(update_fields=["attempts", "reason", "updated_at"])
        return
    message.status = Message.Status.RECEIVED
    message.reason = exc.reason[:500]
    message.next_try_at = timezone.now() + dt.timedelta(
        seconds=gateway.backoff_seconds(message.attempts, exc.retry_after)
    )
    from niryat.messaging.tasks import answer_message

    with transaction.atomic():
        message.save(update_fields=["attempts", "status", "reason", "next_try_at", "updated_at"])
        answer_message.using(run_after=message.next_try_at).enqueue(message.pk)


def _pending_photo(message: Message) -> Message | None:
    """The producer's latest photo still waiting for them to pick its product."""
    return (
        Message.objects.filter(
            producer=message.producer,
            direction=Message.Direction.IN,
            channel=message.channel,
            variables__kind="image",
            variables__has_key="choices",
            created_at__gt=timezone.now() - CHOICE_WINDOW,
        )
        .exclude(variables__has_key="image")
        .order_by("-created_at", "-id")
        .first()
    )


def _chosen(message: Message, producer: Producer, number: int) -> None:
    photo = _pending_photo(message)
    if photo is None:
        return
    choices = photo.variables["choices"]
    if not 1 <= number <= len(choices):
        _reply(message, "reply_keywords")
        return
    product = Product.objects.filter(uuid=choices[number - 1], producer=producer).first()
    if product is None:
        _reply(message, "photo_no_product")
        return
    try:
        data = _download(photo)
    except ProviderError as exc:
        _reply(message, "photo_refused", reason=exc.reason)
        return
    _add(photo, producer, product, data, answer_to=message)


def _add(
    photo: Message,
    producer: Producer,
    product: Product,
    data: bytes,
    answer_to: Message | None = None,
) -> None:
    try:
        image = do_add_producer_photo(
            product,
            data,
            file_name=f"WhatsApp {photo.created_at.astimezone(dt.UTC):%Y-%m-%d %H%M}.jpg",
            producer=producer,
            via=f"{photo.get_channel_display()} {photo.key}",
        )
    except imaging.ImagingError as exc:
        _reply(answer_to or photo, "photo_refused", reason=str(exc.message))
        return
    image = process_image_now(image)
    photo.variables = {**photo.variables, "image": str(image.uuid)}
    photo.save(update_fields=["variables", "updated_at"])
    _reply(answer_to or photo, "photo_result", **photo_result(product, image))


def photo_result(product: Product, image: ProductImage) -> dict[str, str]:
    """The score and, for each check that failed, what to do, in the active language."""
    if image.status != ProductImage.Status.READY:
        advice = image.error or str(_("The photo could not be processed."))
        return {"product": str(product), "score": "0", "advice": advice}
    failed = [check for check in image.quality_checks() if not check["passed"]]
    advice = " ".join(check["reason"] for check in failed) or str(_("The photo is good."))
    return {"product": str(product), "score": str(image.quality_score or 0), "advice": advice}
