"""Writes of the channels: accounts, pushes and listings, orders and stock, warehouses and
consignments, exchange rates, saved selections.

Staff actions (`do_*`) are atomic, scoped and audited. The record_* functions write what a
marketplace answered; only the outbox (niryat/channels/calls.py) calls them.

Stock is one number per SKU (`Sku.stock`). Every change locks the SKU rows first, in primary-key
order (so two orders never deadlock), writes a `StockMove`, and queues the new quantity to every
other channel where the SKU is live. Two channels selling the last unit at once: the first
transaction to lock the row takes it; the second finds too little stock and its order is
cancelled back to its channel with the reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

# `settings` is an account's own in this module; the project's are `django_settings`.
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Upper
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from niryat.catalog.actions import purge_deleted
from niryat.catalog.completeness import Problem, readiness_problems
from niryat.catalog.models import Sku
from niryat.channels import outbox, secrets
from niryat.channels.base import ChannelError, ListingStatus, OrderData, OrderStatus, Shipment
from niryat.channels.models import (
    ORDER_SHIPMENT_ACTION,
    ORDER_STATE_ACTION,
    ChangeSource,
    ChannelAccount,
    ChannelCode,
    Consignment,
    ConsignmentLine,
    ExchangeRate,
    Listing,
    ListingEvent,
    Order,
    OrderLine,
    OutboxEntry,
    SkuSelection,
    StockMove,
    Warehouse,
    WarehouseStock,
)
from niryat.channels.ondc.push import queue_sku_change
from niryat.channels.registry import channel_class, channel_for
from niryat.core.audit import record_audit
from niryat.core.http import HttpError
from niryat.core.models import District, User
from niryat.core.scoping import require_write, require_write_access
from niryat.registry.actions import do_advance_stage
from niryat.registry.models import Producer, Stage

Operation = OutboxEntry.Operation
State = Listing.State
# States in which a listing is on the marketplace and must hear of price and stock changes.
ON_MARKETPLACE = (State.SUBMITTED, State.LIVE)


# --- accounts --------------------------------------------------------------------------------


def _check_credentials(channel: str, credentials: dict[str, str], settings: dict[str, Any]) -> None:
    """Ask the marketplace whether the credentials work (a token), before anything is saved."""
    probe = ChannelAccount(channel=channel, settings=settings)
    probe.credentials_encrypted = secrets.encrypt(credentials)
    try:
        channel_class(channel)(probe).check_account()
    except (ChannelError, HttpError) as exc:
        if exc.permanent:
            raise ValidationError(
                _("The marketplace refused these credentials: %(reason)s") % {"reason": exc}
            ) from exc
        raise ValidationError(
            _("The marketplace could not be reached (%(reason)s). Try again in a few minutes.")
            % {"reason": exc}
        ) from exc


def _required_credentials(channel: str, credentials: dict[str, str]) -> dict[str, str]:
    fields = channel_class(channel).credential_fields
    missing = [str(f.label) for f in fields if not credentials.get(f.name, "").strip()]
    if missing:
        raise ValidationError(_("Fill in: %(fields)s.") % {"fields": ", ".join(missing)})
    return {f.name: credentials[f.name].strip() for f in fields}


@transaction.atomic
def do_connect_account(
    *,
    district: District,
    channel: str,
    name: str,
    credentials: dict[str, str],
    settings: dict[str, Any],
    producer: Producer | None,
    acting_user: User,
) -> ChannelAccount:
    """Connect a seller account: the producer's own, or (no producer) one the centre operates.
    The credentials are checked with the marketplace, then stored encrypted."""
    require_write(district, acting_user)
    if channel not in ChannelCode.values:
        raise ValidationError(_("Choose a marketplace."))
    if producer is not None and producer.district_id != district.pk:
        raise PermissionDenied(_("The producer is not in this district."))
    credentials = _required_credentials(channel, credentials)
    if credentials:
        _check_credentials(channel, credentials, settings)
    account = ChannelAccount.objects.create(
        district=district,
        channel=channel,
        name=name.strip() or str(ChannelCode(channel).label),
        producer=producer,
        credentials_encrypted=secrets.encrypt(credentials) if credentials else "",
        settings=settings,
        created_by=acting_user,
    )
    # The audit names which secrets were set, never their values.
    record_audit(
        actor=acting_user,
        action="channel_account.connect",
        obj=account,
        district=district,
        changes={"channel": channel, "credentials": sorted(credentials), "settings": settings},
    )
    return account


@transaction.atomic
def do_update_credentials(
    account: ChannelAccount, credentials: dict[str, str], *, acting_user: User
) -> ChannelAccount:
    require_write(account.district, acting_user)
    credentials = _required_credentials(account.channel, credentials)
    _check_credentials(account.channel, credentials, account.settings)
    account.credentials_encrypted = secrets.encrypt(credentials)
    account.status, account.status_message = ChannelAccount.Status.CONNECTED, ""
    account.save(update_fields=["credentials_encrypted", "status", "status_message", "updated_at"])
    record_audit(
        actor=acting_user,
        action="channel_account.credentials",
        obj=account,
        district=account.district,
        changes={"credentials": sorted(credentials)},
    )
    return account


@transaction.atomic
def do_update_account_settings(
    account: ChannelAccount, settings: dict[str, Any], *, acting_user: User
) -> ChannelAccount:
    require_write(account.district, acting_user)
    old = account.settings
    account.settings = settings
    account.save(update_fields=["settings", "updated_at"])
    record_audit(
        actor=acting_user,
        action="channel_account.settings",
        obj=account,
        district=account.district,
        changes={"settings": [old, settings]},
    )
    return account


@transaction.atomic
def do_disconnect_account(account: ChannelAccount, *, acting_user: User) -> None:
    """Stop calling the marketplace for this account and forget its credentials; listings and
    orders stay for the record."""
    require_write(account.district, acting_user)
    account.status = ChannelAccount.Status.DISCONNECTED
    account.credentials_encrypted = ""
    account.save(update_fields=["status", "credentials_encrypted", "updated_at"])
    account.outbox.filter(state=OutboxEntry.State.PENDING).update(
        state=OutboxEntry.State.SUPERSEDED
    )
    record_audit(
        actor=acting_user,
        action="channel_account.disconnect",
        obj=account,
        district=account.district,
    )


def _require_connected(account: ChannelAccount) -> None:
    if account.status == ChannelAccount.Status.DISCONNECTED:
        raise ValidationError(_("This account is disconnected."))


# --- listings --------------------------------------------------------------------------------


def _event(
    listing: Listing,
    state_from: str,
    note: str = "",
    errors: Sequence[dict[str, str]] = (),
    actor: User | None = None,
) -> None:
    ListingEvent.objects.create(
        listing=listing,
        state_from=state_from,
        state_to=listing.state,
        note=note[:500],
        errors=list(errors),
        actor=actor,
    )


def _set_state(
    listing: Listing,
    state: str,
    *,
    note: str = "",
    errors: Sequence[dict[str, str]] = (),
    actor: User | None = None,
    fields: Sequence[str] = (),
) -> None:
    before = listing.state
    listing.state = state
    listing.errors = list(errors)
    first_time_live = state == State.LIVE and listing.live_at is None
    if state == State.LIVE and before != State.LIVE:
        listing.live_at = timezone.now()
    listing.save(update_fields=["state", "errors", "live_at", *fields, "updated_at"])
    if before != state or errors or note:
        _event(listing, before, note, errors, actor)
    if first_time_live:
        do_advance_stage(
            listing.sku.product.producer,
            Stage.LISTED,
            cause=lambda: (
                _("%(sku)s went live on %(marketplace)s")
                % {
                    "sku": listing.sku.seller_sku,
                    "marketplace": listing.account.get_channel_display(),
                }
            ),
        )


@dataclass
class PushResult:
    queued: list[Listing] = field(default_factory=list)
    not_ready: list[tuple[Sku, list[Problem]]] = field(default_factory=list)
    # Ready SKUs whose listing waits for a step on the marketplace's side (Flipkart's FSN).
    waiting: list[tuple[Listing, list[Problem]]] = field(default_factory=list)


def consent_problems(sku: Sku) -> list[Problem]:
    """A SKU is sold only while its producer consents to be listed (and is not erased), and
    not once staff have deleted it."""
    producer = sku.product.producer
    problems = []
    if not producer.listing_consent or producer.erased_at is not None:
        problems.append(
            Problem(
                "consent",
                "listing_consent",
                _("%(producer)s has not given consent to be listed on marketplaces.")
                % {"producer": producer},
            )
        )
    if sku.deleting_since is not None:
        problems.append(Problem("consent", "", _("This SKU is being deleted.")))
    return problems


def sku_problems_for_channel(sku: Sku, channel: str) -> list[Problem]:
    """The producer's consent, the catalogue's own checklist and the marketplace's rules, for
    one SKU."""
    own = readiness_problems(sku.product, sku, marketplaces=False)
    return consent_problems(sku) + own + channel_class(channel)().validate(sku)


def _submit(listing: Listing, actor: User | None) -> None:
    """Queue the listing's next submission (a new key: a resubmission after a fix is a new call;
    a retry of this one reuses the key)."""
    listing.submissions += 1
    _set_state(listing, State.READY, actor=actor, fields=["submissions"])
    outbox.enqueue(
        listing.account,
        Operation.SUBMIT,
        key=f"submit:{listing.uuid}:{listing.submissions}",
        listing=listing,
    )


@transaction.atomic
def do_push(skus: Iterable[Sku], account: ChannelAccount, *, acting_user: User) -> PushResult:
    """Send SKUs to a marketplace. Each SKU is checked first (catalogue checklist and the
    marketplace's rules): a SKU that is not ready gets a draft listing with its reasons and is not
    sent. Channels without an API (GeM, files) only mark the listing ready for a manual upload."""
    require_write(account.district, acting_user)
    _require_connected(account)
    result = PushResult()
    has_api = channel_for(account).has_api
    # Read afresh: the checks must see the SKUs as they are now.
    fresh = (
        Sku.objects.filter(pk__in=[sku.pk for sku in skus])
        .select_related("product__producer")
        .prefetch_related("product__images")
        .order_by("pk")
    )
    for sku in fresh:
        if sku.product.district_id != account.district_id:
            raise PermissionDenied(_("A SKU is not in this account's district."))
        if account.producer_id and sku.product.producer_id != account.producer_id:
            raise ValidationError(
                _("%(sku)s is not this producer's; their own account sells only their goods.")
                % {"sku": sku.seller_sku}
            )
        listing, _created = Listing.objects.select_for_update().get_or_create(
            sku=sku, account=account
        )
        problems = sku_problems_for_channel(sku, account.channel)
        steps = channel_for(account).listing_problems(listing)
        if problems or steps:
            if listing.state not in ON_MARKETPLACE:
                note = _("Not ready") if problems else str(steps[0].message)
                _set_state(listing, State.DRAFT, note=note, actor=acting_user)
            if problems:
                result.not_ready.append((sku, problems))
            else:
                result.waiting.append((listing, steps))
            continue
        if has_api:
            _submit(listing, acting_user)
        else:
            _set_state(listing, State.READY, actor=acting_user)
        result.queued.append(listing)
    record_audit(
        actor=acting_user,
        action="channel.push",
        obj=account,
        district=account.district,
        changes={
            "queued": [listing.sku.seller_sku for listing in result.queued],
            "not_ready": [sku.seller_sku for sku, _problems in result.not_ready],
            "waiting": [listing.sku.seller_sku for listing, _steps in result.waiting],
        },
    )
    return result


def record_listing_status(listing: Listing, status: ListingStatus, note: str = "") -> Listing:
    """What the marketplace said of a listing (submit or poll)."""
    with transaction.atomic():
        listing = Listing.objects.select_for_update().get(pk=listing.pk)
        fields = []
        if status.external_id and status.external_id != listing.external_id:
            listing.external_id = status.external_id
            fields.append("external_id")
        if status.url and status.url != listing.url:
            listing.url = status.url
            fields.append("url")
        if status.reference and status.reference != listing.reference:
            listing.reference = status.reference
            fields.append("reference")
        if status.state == State.SUBMITTED and listing.state != State.SUBMITTED:
            listing.submitted_at = timezone.now()
            listing.polls = 0
            fields += ["submitted_at", "polls"]
        # Explanations are kept in English, the messages' source language; pages translate them
        # into the reader's language (the `explained` filter).
        with translation.override("en"):
            errors = [
                {
                    "field": e.field,
                    "code": e.code,
                    "message": e.message,
                    "explanation": str(e.explanation),
                }
                for e in status.errors
            ]
        if listing.state == status.state and not errors and not fields:
            return listing
        _set_state(listing, status.state, note=note, errors=errors, fields=fields)
        return listing


def queue_poll(listing: Listing) -> None:
    outbox.enqueue(
        listing.account,
        Operation.POLL,
        key=f"poll:{listing.uuid}:{listing.submissions}",
        listing=listing,
        delay=django_settings.CHANNEL_POLL_SECONDS,
    )


def count_poll(listing: Listing) -> int:
    Listing.objects.filter(pk=listing.pk).update(polls=F("polls") + 1)
    return Listing.objects.values_list("polls", flat=True).get(pk=listing.pk)


def quantity_for(listing: Listing) -> int:
    """What a listing offers: the SKU's stock, or 0 while it is paused."""
    if listing.state == State.PAUSED:
        return 0
    stock: int = Sku.objects.values_list("stock", flat=True).get(pk=listing.sku_id)
    return max(stock, 0)


def record_sent(
    listing: Listing, *, quantity: int | None = None, price: Decimal | None = None
) -> None:
    values: dict[str, Any] = {}
    if quantity is not None:
        values["quantity_sent"] = quantity
    if price is not None:
        values["price_sent"] = price
    Listing.objects.filter(pk=listing.pk).update(**values, updated_at=timezone.now())


# Calls after which a stock push must go out, because the marketplace changes its quantity when
# it makes them (a cancellation adds the units back, a submission or end sets it).
STOCK_AFTER = (Operation.SUBMIT, Operation.END, Operation.STOCK, Operation.CANCEL_ORDER)


def calls_touching(listing: Listing) -> QuerySet[OutboxEntry]:
    """Calls that change what the marketplace offers of the listing's SKU on its account: its
    own submissions, ends and stock pushes, and cancellations of orders holding the SKU."""
    own = Q(listing=listing)
    cancellations = Q(operation=Operation.CANCEL_ORDER, order__lines__sku=listing.sku_id)
    return (
        OutboxEntry.objects.filter(
            own | cancellations, account_id=listing.account_id, operation__in=STOCK_AFTER
        )
        .distinct()
        .order_by("pk")
    )


def unfinished_calls_touching(listing: Listing) -> QuerySet[OutboxEntry]:
    """The calls of `calls_touching` decided earlier and not finished: a stock push queued now
    goes out after them."""
    return calls_touching(listing).filter(state__in=outbox.UNFINISHED)


def _queue_update(listing: Listing, operation: str) -> OutboxEntry:
    """Queue a stock or price call, replacing one still waiting: the newest value wins, and it
    is read when the call is made. A stock push waits for every earlier call that touches the
    SKU on this account (see `unfinished_calls_touching`), so its absolute quantity comes last."""
    superseded = list(
        listing.outbox.filter(operation=operation, state=OutboxEntry.State.PENDING).values_list(
            "pk", flat=True
        )
    )
    OutboxEntry.objects.filter(pk__in=superseded).update(state=OutboxEntry.State.SUPERSEDED)
    outbox.release_successors(superseded)
    after = list(unfinished_calls_touching(listing)) if operation == Operation.STOCK else []
    return outbox.enqueue(
        listing.account,
        operation,
        key=f"{operation}:{listing.uuid}:{uuid.uuid4()}",
        listing=listing,
        after=after,
    )


def sync_sku(sku: Sku, *, stock: bool = False, price: bool = False) -> None:
    """Tell every channel where the SKU is on sale of its new stock or price (in the caller's
    transaction), and ONDC's subscribed buyer apps at the next catalogue push."""
    if stock or price:
        queue_sku_change(sku)
    listings = Listing.objects.filter(sku=sku, state__in=[*ON_MARKETPLACE, State.PAUSED])
    for listing in listings.select_related("account"):
        if not channel_for(listing.account).has_api:
            continue
        if listing.account.status == ChannelAccount.Status.DISCONNECTED:
            continue
        if stock:
            _queue_update(listing, Operation.STOCK)
        if price and listing.state != State.PAUSED:
            _queue_update(listing, Operation.PRICE)


@transaction.atomic
def do_record_listing_by_hand(
    listing: Listing, *, external_id: str, state: str, acting_user: User
) -> Listing:
    """GeM and manual uploads: staff record the marketplace's catalogue id and the status."""
    require_write(listing.account.district, acting_user)
    if channel_for(listing.account).has_api:
        raise ValidationError(_("This marketplace reports its listings itself."))
    if state not in State.values:
        raise ValidationError(_("Choose a status."))
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    listing.external_id = external_id.strip()[:80]
    _set_state(
        listing, state, note=_("Recorded by hand"), actor=acting_user, fields=["external_id"]
    )
    return listing


@transaction.atomic
def do_record_fsn(listing: Listing, fsn: str, *, acting_user: User) -> Listing:
    """Flipkart: the FSN Seller Hub gave a product uploaded by catalogue sheet; the listing is
    then sent through the API."""
    require_write(listing.account.district, acting_user)
    fsn = fsn.strip().upper()
    if listing.account.channel != ChannelCode.FLIPKART:
        raise ValidationError(_("Only Flipkart listings have an FSN."))
    if not (fsn.isalnum() and len(fsn) == 16):
        raise ValidationError(_("An FSN has 16 letters and digits, like TSHFZ6Y3ZGBYHXVZ."))
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    listing.external_id = fsn
    listing.save(update_fields=["external_id", "updated_at"])
    record_audit(
        actor=acting_user,
        action="listing.fsn",
        obj=listing,
        district=listing.account.district,
        changes={"fsn": fsn},
    )
    if not sku_problems_for_channel(listing.sku, listing.account.channel):
        _submit(listing, acting_user)
    return listing


@transaction.atomic
def do_record_fsns(
    account: ChannelAccount, fsns: dict[str, str], *, acting_user: User
) -> list[Listing]:
    """Flipkart: record the FSNs of Seller Hub's listing report (seller SKU → FSN) on this
    account's listings, and send those that are ready. Returns the listings that got one."""
    require_write(account.district, acting_user)
    by_code = {code.upper(): fsn for code, fsn in fsns.items()}
    recorded = []
    for listing in account.listings.select_related("sku__product").filter(external_id=""):
        fsn = by_code.get(listing.sku.seller_sku.upper())
        if fsn:
            recorded.append(do_record_fsn(listing, fsn, acting_user=acting_user))
    return recorded


def _live_listing(listing: Listing, acting_user: User) -> Listing:
    require_write(listing.account.district, acting_user)
    return Listing.objects.select_for_update().select_related("account").get(pk=listing.pk)


@transaction.atomic
def do_pause_listing(listing: Listing, *, acting_user: User) -> Listing:
    """Keep the listing but offer nothing (quantity 0) until it is resumed."""
    listing = _live_listing(listing, acting_user)
    if listing.state != State.LIVE:
        raise ValidationError(_("Only a live listing can be paused."))
    _set_state(listing, State.PAUSED, actor=acting_user)
    if channel_for(listing.account).has_api:
        _queue_update(listing, Operation.STOCK)
    return listing


@transaction.atomic
def do_resume_listing(listing: Listing, *, acting_user: User) -> Listing:
    listing = _live_listing(listing, acting_user)
    if listing.state != State.PAUSED:
        raise ValidationError(_("Only a paused listing can be resumed."))
    _set_state(listing, State.LIVE, actor=acting_user)
    if channel_for(listing.account).has_api:
        _queue_update(listing, Operation.STOCK)
    return listing


def _on_marketplace(listing: Listing) -> bool:
    """Whether the marketplace may have the listing: on sale, paused, live once (a rejected
    update leaves the old version on sale), or a submission under way (it may go live yet; one
    still waiting is dropped instead)."""
    if not channel_for(listing.account).has_api:
        return False
    if listing.account.status == ChannelAccount.Status.DISCONNECTED:
        return False  # nothing reaches it; staff end the listing on the marketplace themselves
    if listing.state in (*ON_MARKETPLACE, State.PAUSED) or listing.live_at is not None:
        return True
    return listing.outbox.filter(
        operation=Operation.SUBMIT, state=OutboxEntry.State.RUNNING
    ).exists()


def end_listing(listing: Listing, *, note: str = "", actor: User | None = None) -> None:
    """End a listing (locked by the caller): through its marketplace where it may be on sale
    there, at once otherwise. Stock, price and submission calls still waiting are dropped: an
    ended listing hears of nothing more."""
    if listing.state == State.ENDED:
        return
    reaches_marketplace = _on_marketplace(listing)
    dropped = list(
        listing.outbox.filter(
            state=OutboxEntry.State.PENDING,
            operation__in=[Operation.STOCK, Operation.PRICE, Operation.SUBMIT, Operation.POLL],
        ).values_list("pk", flat=True)
    )
    OutboxEntry.objects.filter(pk__in=dropped).update(state=OutboxEntry.State.SUPERSEDED)
    outbox.release_successors(dropped)
    if reaches_marketplace:
        # After a call already under way (a submission in flight): the end must come last.
        outbox.enqueue(
            listing.account,
            Operation.END,
            key=f"end:{listing.uuid}:{listing.submissions}",
            listing=listing,
            after=list(unfinished_calls_touching(listing)),
        )
        if note:
            _event(listing, listing.state, note, actor=actor)
    else:
        _set_state(listing, State.ENDED, note=note, actor=actor)


def listing_ended(listing: Listing) -> None:
    """The marketplace has ended the listing: a SKU that waited for it to be deleted goes once
    none of its listings is still being ended."""
    sku = listing.sku
    if sku.deleting_since is None:
        return
    if listings_being_ended([sku]).exclude(pk=listing.pk).exists():  # this one's call is running
        return
    Listing.objects.filter(sku=sku).delete()
    purge_deleted(sku.pk)


def listings_being_ended(skus: Sequence[Sku]) -> QuerySet[Listing]:
    """Listings of these SKUs whose end call is still to be made."""
    return Listing.objects.filter(
        sku__in=skus,
        outbox__operation=Operation.END,
        outbox__state__in=[OutboxEntry.State.PENDING, OutboxEntry.State.RUNNING],
    )


def end_producer_listings(producer: Producer, *, note: str, actor: User) -> list[Listing]:
    """End every listing of the producer's SKUs on every marketplace (consent withdrawn, data
    erased). The listings that go through a marketplace are returned."""
    listings = list(
        Listing.objects.select_for_update()
        .filter(sku__product__producer=producer)
        .exclude(state=State.ENDED)
        .select_related("account", "sku")
        .order_by("pk")
    )
    for listing in listings:
        end_listing(listing, note=note, actor=actor)
    return listings


@transaction.atomic
def do_end_listing(listing: Listing, *, acting_user: User) -> Listing:
    listing = _live_listing(listing, acting_user)
    if listing.state == State.ENDED:
        return listing
    end_listing(listing, actor=acting_user)
    record_audit(
        actor=acting_user, action="listing.end", obj=listing, district=listing.account.district
    )
    return listing


@transaction.atomic
def do_retry_entry(entry: OutboxEntry, *, acting_user: User) -> OutboxEntry:
    """Try a call that needs attention again, now (same idempotency key)."""
    require_write(entry.account.district, acting_user)
    entry = OutboxEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.state != OutboxEntry.State.FAILED:
        raise ValidationError(_("This call does not need attention."))
    _require_connected(entry.account)
    entry.state = OutboxEntry.State.PENDING
    entry.attempts = 0
    entry.next_try_at = timezone.now()
    entry.save(update_fields=["state", "attempts", "next_try_at", "updated_at"])
    if entry.operation == Operation.POLL and entry.listing_id:
        Listing.objects.filter(pk=entry.listing_id).update(polls=0)
    if entry.operation == Operation.CANCEL_ORDER and entry.order is not None:
        # The stock pushes made since it failed went out before it: send our quantity again,
        # after it.
        _push_stock_after_cancellation(entry.order)
    record_audit(
        actor=acting_user, action="outbox.retry", obj=entry, district=entry.account.district
    )
    outbox.schedule(entry)
    return entry


@transaction.atomic
def do_request_orders(account: ChannelAccount, *, acting_user: User | None) -> OutboxEntry:
    """Fetch new orders from the marketplace now (also run every few minutes by channels_sync).
    One fetch per account waits at a time."""
    if acting_user is not None:
        require_write(account.district, acting_user)
    _require_connected(account)
    waiting = account.outbox.filter(
        operation=Operation.PULL_ORDERS, state=OutboxEntry.State.PENDING
    ).first()
    if waiting is not None:
        return waiting
    return outbox.enqueue(
        account, Operation.PULL_ORDERS, key=f"pull_orders:{account.uuid}:{uuid.uuid4()}"
    )


def record_progress(entry: OutboxEntry, progress: dict[str, Any]) -> None:
    """Where a long call stands (an order pull: its window, and where to go on from after the
    orders already recorded; a quantity check: the listings checked), kept on its outbox entry
    for the next try. Progress, so its count of attempts starts again: a long backlog at a flaky
    marketplace is read to its end, not given up."""
    entry.payload = progress
    entry.attempts = 0
    OutboxEntry.objects.filter(pk=entry.pk).update(
        payload=progress, attempts=0, updated_at=timezone.now()
    )


def record_orders_pulled(account: ChannelAccount, until: datetime) -> None:
    """Every order changed before `until` is home: the next pull starts there (never moved back,
    should an older pull finish late)."""
    ChannelAccount.objects.filter(pk=account.pk).filter(
        Q(orders_pulled_until__isnull=True) | Q(orders_pulled_until__lt=until)
    ).update(orders_pulled_until=until)


# --- quantity checks (reconciliation) ----------------------------------------------------------

# Listings whose quantity on the marketplace is ours to check: live ones, and paused ones (0).
CHECKED_STATES = (State.LIVE, State.PAUSED)


@transaction.atomic
def do_request_quantity_check(account: ChannelAccount, *, acting_user: User | None) -> OutboxEntry:
    """Read what the marketplace offers of each live listing and correct any drift (also run by
    channels_sync). One check per account waits at a time."""
    if acting_user is not None:
        require_write(account.district, acting_user)
    _require_connected(account)
    if not channel_for(account).has_api:
        raise ValidationError(_("This marketplace has no API to read quantities from."))
    waiting = account.outbox.filter(
        operation=Operation.RECONCILE, state=OutboxEntry.State.PENDING
    ).first()
    if waiting is not None:
        return waiting
    # After any order fetch still to run: a sale the marketplace made and we have not heard of
    # yet would look like drift, and "correcting" it would offer a sold unit again.
    pulls = account.outbox.filter(operation=Operation.PULL_ORDERS, state__in=outbox.UNFINISHED)
    entry = outbox.enqueue(
        account,
        Operation.RECONCILE,
        key=f"reconcile:{account.uuid}:{uuid.uuid4()}",
        after=list(pulls),
    )
    if acting_user is not None:
        record_audit(
            actor=acting_user,
            action="channel_account.check_quantities",
            obj=account,
            district=account.district,
        )
    return entry


def listings_to_check(account: ChannelAccount) -> QuerySet[Listing]:
    return (
        Listing.objects.filter(account=account, state__in=CHECKED_STATES)
        .select_related("sku__product", "account")
        .order_by("pk")
    )


def record_quantities(
    account: ChannelAccount, offered: dict[int, int], *, read_since: datetime
) -> list[Listing]:
    """What the marketplace offers of each listing (by listing pk), read from `read_since` on:
    where it is not what we hold (0 while paused), send ours and note the drift on the listing.
    A listing with a call touching its SKU still to finish, or finished while we were reading (a
    stock push, a cancellation), is left alone: what we read may be older than what the
    marketplace has heard. Returns the listings corrected."""
    corrected = []
    for listing_id, quantity in sorted(offered.items()):
        with transaction.atomic():
            listing = (
                Listing.objects.select_for_update()
                .select_related("account", "sku")
                .filter(pk=listing_id, account=account, state__in=CHECKED_STATES)
                .first()
            )
            if listing is None:
                continue
            recent = Q(state__in=outbox.UNFINISHED) | Q(updated_at__gte=read_since)
            if calls_touching(listing).filter(recent).exists():
                continue
            held = quantity_for(listing)
            if quantity == held:
                continue
            listing.quantity_corrected_at = timezone.now()
            listing.save(update_fields=["quantity_corrected_at", "updated_at"])
            ListingEvent.objects.create(
                listing=listing,
                state_from=listing.state,
                state_to=listing.state,
                offered=quantity,
                held=held,
            )
            _queue_update(listing, Operation.STOCK)
            corrected.append(listing)
    return corrected


# --- orders and stock ------------------------------------------------------------------------

ORDER_NEXT_STATES: dict[str, tuple[str, ...]] = {
    Order.State.NEW: (Order.State.ACCEPTED, Order.State.CANCELLED),
    Order.State.ACCEPTED: (Order.State.PACKED, Order.State.CANCELLED),
    Order.State.PACKED: (Order.State.SHIPPED, Order.State.CANCELLED),
    Order.State.SHIPPED: (
        Order.State.OUT_FOR_DELIVERY,
        Order.State.DELIVERED,
        Order.State.RETURNED,
    ),
    Order.State.OUT_FOR_DELIVERY: (Order.State.DELIVERED, Order.State.RETURNED),
    Order.State.DELIVERED: (Order.State.RETURNED,),
    Order.State.CANCELLED: (),
    Order.State.RETURNED: (),
}


def _move_stock(
    sku: Sku,
    change: int,
    reason: str,
    *,
    order: Order | None = None,
    consignment: Consignment | None = None,
    actor: User | None = None,
) -> None:
    """Change a locked SKU's stock and write the move."""
    sku.stock = (sku.stock or 0) + change
    Sku.objects.filter(pk=sku.pk).update(stock=sku.stock)
    StockMove.objects.create(
        sku=sku,
        change=change,
        balance=sku.stock,
        reason=reason,
        order=order,
        consignment=consignment,
        actor=actor,
    )


def _locked_skus(ids: Iterable[int]) -> dict[int, Sku]:
    """Lock SKU rows in primary-key order, so that two transactions never wait on each other."""
    rows = Sku.objects.select_for_update().filter(pk__in=set(ids)).order_by("pk")
    return {sku.pk: sku for sku in rows}


def _inr(value: Decimal, currency: str) -> Decimal:
    if currency == "INR":
        return value
    rate = ExchangeRate.objects.filter(currency=currency).first()
    return (value * rate.inr_per_unit).quantize(Decimal("0.01")) if rate else Decimal(0)


def record_order(account: ChannelAccount, data: OrderData) -> Order:
    """Bring one order home from a marketplace: once, however often it is reported.

    In one transaction: the order and its lines are written, the SKUs' rows are locked and their
    stock taken. If any line cannot be filled, the whole order is cancelled back to its channel
    with the reason (never oversold). Then the other channels get the new quantities and the
    producer a message in Hindi (through the messaging gateway).
    """
    try:
        with transaction.atomic():
            return _record_order(account, data)
    except IntegrityError:
        # Another worker recorded the same order at the same moment: theirs stands.
        with transaction.atomic():
            existing = (
                Order.objects.select_for_update()
                .select_related("account")
                .get(account=account, channel_order_id=data.channel_order_id)
            )
            _apply_status(existing, data)
        return existing


def _sku_for(account: ChannelAccount, seller_sku: str) -> Sku | None:
    listing = (
        Listing.objects.alias(code=Upper("sku__seller_sku"))
        .filter(account=account, code=seller_sku.upper())
        .select_related("sku")
        .first()
    )
    return listing.sku if listing else None


def _record_order(account: ChannelAccount, data: OrderData) -> Order:
    existing = (
        Order.objects.select_for_update()
        .filter(account=account, channel_order_id=data.channel_order_id)
        .first()
    )
    if existing is not None:
        _apply_status(existing, data)
        return existing
    lines = [(line, _sku_for(account, line.seller_sku)) for line in data.lines]
    total = sum((line.unit_price * line.quantity for line in data.lines), Decimal(0))
    producer = next((sku.product.producer for _line, sku in lines if sku is not None), None)
    order = Order.objects.create(
        district=account.district,
        account=account,
        producer=producer,
        channel_order_id=data.channel_order_id,
        ordered_at=data.ordered_at,
        ship_by=data.ship_by,
        currency=data.currency,
        total=total,
        total_inr=_inr(total, data.currency),
        fulfilled_by_marketplace=data.fulfilled_by_marketplace,
        buyer_city=data.buyer_city[:120],
        raw=data.raw,
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            sku=sku,
            seller_sku=line.seller_sku,
            line_id=line.line_id,
            quantity=line.quantity,
            unit_price=line.unit_price,
        )
        for line, sku in lines
    )
    if data.cancelled or data.status == OrderStatus.CANCELLED:
        order.cancel_reason = _cancellation_reason(order, data)
        _order_state_changed(
            order,
            order.state,
            Order.State.CANCELLED,
            fields=["cancel_reason"],
            source=ChangeSource.MARKETPLACE,
            reason=order.cancel_reason,
        )
        return order
    unknown = [line.seller_sku for line, sku in lines if sku is None]
    if unknown:
        return _cancel_back(order, _("Not sold here: %(skus)s") % {"skus": ", ".join(unknown)})
    if data.fulfilled_by_marketplace:
        # Shipped from the marketplace's warehouse: the producer's own stock is not touched.
        _take_warehouse_stock(order, account, lines)
        return order
    skus = _locked_skus(sku.pk for _line, sku in lines if sku is not None)
    short = [
        line.seller_sku
        for line, sku in lines
        if sku is not None and (skus[sku.pk].stock or 0) < line.quantity
    ]
    if short:
        return _cancel_back(order, _("Out of stock: %(skus)s") % {"skus": ", ".join(short)})
    for line, sku in lines:
        if sku is not None:
            _move_stock(skus[sku.pk], -line.quantity, StockMove.Reason.ORDER, order=order)
    # Every channel hears the new quantity, the selling one too: a stock call queued before
    # this order could otherwise undo the marketplace's own decrement. An absolute quantity
    # sent twice is harmless.
    for locked in skus.values():
        sync_sku(locked, stock=True)
    _notify_producer(order)
    return order


class NotEnoughStock(Exception):
    """An order placed with us directly cannot be filled: `available` holds the stock of every
    SKU of the order (by SKU pk) at the moment it was refused."""

    def __init__(self, available: dict[int, int], short: Sequence[int]) -> None:
        super().__init__(f"not enough stock of SKUs {sorted(short)}")
        self.available = available
        self.short = list(short)


def record_placed_order(account: ChannelAccount, data: OrderData, skus: Sequence[Sku]) -> Order:
    """An order a buyer's app places with us directly (ONDC's confirm), `skus[i]` being what
    `data.lines[i]` buys: accepted whole or not at all, in the caller's transaction.

    Unlike an order a marketplace reports (`record_order`), nothing is written when a line cannot
    be filled: the SKU rows are locked first (primary-key order, as every order does, so that a
    marketplace's order for the last unit and this one never both take it) and NotEnoughStock
    is raised with what is left, for the buyer's app to show. An order id seen before is the
    order already recorded."""
    with transaction.atomic():
        existing = (
            Order.objects.select_for_update()
            .filter(account=account, channel_order_id=data.channel_order_id)
            .first()
        )
        if existing is not None:
            return existing
        locked = _locked_skus(sku.pk for sku in skus)
        wanted: dict[int, int] = {}
        for line, sku in zip(data.lines, skus, strict=True):
            wanted[sku.pk] = wanted.get(sku.pk, 0) + line.quantity
        short = [pk for pk, quantity in wanted.items() if (locked[pk].stock or 0) < quantity]
        if short:
            raise NotEnoughStock({pk: locked[pk].stock or 0 for pk in locked}, short)
        total = sum((line.unit_price * line.quantity for line in data.lines), Decimal(0))
        order = Order.objects.create(
            district=account.district,
            account=account,
            producer=skus[0].producer if skus else None,
            channel_order_id=data.channel_order_id,
            ordered_at=data.ordered_at,
            ship_by=data.ship_by,
            currency=data.currency,
            total=total,
            total_inr=_inr(total, data.currency),
            buyer_city=data.buyer_city[:120],
            raw=data.raw,
        )
        OrderLine.objects.bulk_create(
            OrderLine(
                order=order,
                sku=sku,
                seller_sku=sku.seller_sku,
                line_id=line.line_id,
                quantity=line.quantity,
                unit_price=line.unit_price,
            )
            for line, sku in zip(data.lines, skus, strict=True)
        )
        for line, sku in zip(data.lines, skus, strict=True):
            _move_stock(locked[sku.pk], -line.quantity, StockMove.Reason.ORDER, order=order)
        for sku in locked.values():
            sync_sku(sku, stock=True)
        _notify_producer(order)
        return order


def record_buyer_cancellation(order: Order, reason: str) -> Order:
    """The buyer cancelled an order placed with us directly (ONDC's cancel), before it left:
    the stock comes back and every channel hears it. ValidationError once it has been shipped."""
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("account").get(pk=order.pk)
        if order.state not in REPORTED_FROM[Order.State.CANCELLED]:
            raise ValidationError(
                _("An order that is %(now)s cannot be cancelled.")
                % {"now": order.get_state_display()}
            )
        order.cancel_reason = reason[:300]
        _order_state_changed(
            order,
            order.state,
            Order.State.CANCELLED,
            fields=["cancel_reason"],
            source=ChangeSource.MARKETPLACE,
            reason=order.cancel_reason,
        )
        _restock(order, StockMove.Reason.CANCELLED, None)
        return order


def record_part_cancellation(order: Order, quantities: dict[int, int], reason: str) -> Order:
    """The buyer cancelled some units of an order before it left (ONDC's update, part-cancel):
    `quantities` maps order line pks to the units cancelled. Those units come back to stock and
    the order's value drops; cancelling every unit cancels the order."""
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("account").get(pk=order.pk)
        if order.state not in REPORTED_FROM[Order.State.CANCELLED]:
            raise ValidationError(
                _("An order that is %(now)s cannot be cancelled.")
                % {"now": order.get_state_display()}
            )
        lines = {line.pk: line for line in order.lines.all()}
        if any(pk not in lines or not 0 < n <= lines[pk].quantity for pk, n in quantities.items()):
            raise ValidationError(_("Only units still in the order can be cancelled."))
        if all(n == lines[pk].quantity for pk, n in quantities.items()) and len(quantities) == len(
            lines
        ):
            return record_buyer_cancellation(order, reason)
        skus = _locked_skus(sku_id for pk in quantities if (sku_id := lines[pk].sku_id))
        for pk, cancelled in quantities.items():
            line = lines[pk]
            line.quantity -= cancelled
            line.save(update_fields=["quantity"])
            if line.sku_id is not None:
                _move_stock(skus[line.sku_id], cancelled, StockMove.Reason.CANCELLED, order=order)
        order.total = sum((line.unit_price * line.quantity for line in lines.values()), Decimal(0))
        order.total_inr = _inr(order.total, order.currency)
        order.save(update_fields=["total", "total_inr", "updated_at"])
        record_audit(
            actor=None,
            action=ORDER_STATE_ACTION,
            obj=order,
            district=order.district,
            changes={
                "state": [order.state, order.state],
                "by": ChangeSource.MARKETPLACE,
                "reason": reason,
                "part_cancelled": {lines[pk].seller_sku: n for pk, n in quantities.items()},
            },
        )
        for sku in skus.values():
            sync_sku(sku, stock=True)
        return order


def _take_warehouse_stock(
    order: Order, account: ChannelAccount, lines: Sequence[tuple[Any, Sku | None]]
) -> None:
    for line, sku in lines:
        row = (
            WarehouseStock.objects.select_for_update()
            .filter(sku=sku, warehouse__channel=account.channel, quantity__gte=line.quantity)
            .order_by("pk")
            .first()
        )
        if row is not None:
            WarehouseStock.objects.filter(pk=row.pk).update(quantity=F("quantity") - line.quantity)


def _cancel_back(order: Order, reason: str, *, acting_user: User | None = None) -> Order:
    """Cancel an order we cannot fill (or staff cancel it: `acting_user`), and tell its
    marketplace why."""
    order.cancel_reason = reason[:300]
    _order_state_changed(
        order,
        order.state,
        Order.State.CANCELLED,
        fields=["cancel_reason"],
        source=ChangeSource.STAFF if acting_user is not None else ChangeSource.NIRYAT,
        actor=acting_user,
        reason=order.cancel_reason,
    )
    outbox.enqueue(
        order.account,
        Operation.CANCEL_ORDER,
        key=f"cancel_order:{order.uuid}",
        order=order,
        payload={"reason": order.cancel_reason},
    )
    _push_stock_after_cancellation(order)
    return order


def _push_stock_after_cancellation(order: Order) -> None:
    """A marketplace may add a cancelled order's units back to what it offers: send our quantity
    of each of its SKUs to that account again, after the cancellation (the push waits for it)."""
    if not channel_for(order.account).has_api:
        return
    listings = Listing.objects.filter(
        account=order.account,
        sku__in=order.lines.exclude(sku=None).values("sku"),
        state__in=[*ON_MARKETPLACE, State.PAUSED],
    ).select_related("account")
    for listing in listings.order_by("pk"):
        _queue_update(listing, Operation.STOCK)


def _restock(order: Order, reason: str, actor: User | None) -> None:
    if order.fulfilled_by_marketplace:
        return
    lines = list(order.lines.exclude(sku=None))
    skus = _locked_skus(line.sku_id for line in lines if line.sku_id)
    for line in lines:
        if line.sku_id is None:
            continue
        _move_stock(skus[line.sku_id], line.quantity, reason, order=order, actor=actor)
    for locked in skus.values():
        sync_sku(locked, stock=True)


def _cancellation_reason(order: Order, data: OrderData) -> str:
    if not data.cancelled_by_buyer:
        if order.state == Order.State.PACKED:
            return _("Cancelled on the marketplace after it was packed")
        return _("Cancelled on the marketplace")
    if order.state == Order.State.PACKED:
        # The producer may have packed it already: the parcel must be unpacked, not sent.
        return _("Cancelled by the buyer after it was packed")
    return _("Cancelled by the buyer")


# What a marketplace's report may move an order to, from where (anything else is ignored: a
# report older than what staff recorded, or one that contradicts it).
REPORTED_FROM: dict[str, tuple[str, ...]] = {
    Order.State.SHIPPED: (Order.State.NEW, Order.State.ACCEPTED, Order.State.PACKED),
    Order.State.DELIVERED: (
        Order.State.NEW,
        Order.State.ACCEPTED,
        Order.State.PACKED,
        Order.State.SHIPPED,
        Order.State.OUT_FOR_DELIVERY,
    ),
    Order.State.RETURNED: (
        Order.State.SHIPPED,
        Order.State.OUT_FOR_DELIVERY,
        Order.State.DELIVERED,
    ),
    Order.State.CANCELLED: (Order.State.NEW, Order.State.ACCEPTED, Order.State.PACKED),
}


def _apply_status(order: Order, data: OrderData) -> None:
    """An order we hold, reported again: apply where the marketplace says it now stands
    (delivered, returned, cancelled by the buyer...). The order row is locked by the caller.
    A return or a cancellation puts the stock back, as staff's own do."""
    status = OrderStatus.CANCELLED if data.cancelled else data.status
    if not status or order.state not in REPORTED_FROM.get(status, ()):
        return
    fields: list[str] = []
    if status == OrderStatus.CANCELLED:
        order.cancel_reason = _cancellation_reason(order, data)[:300]
        fields.append("cancel_reason")
    if status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED) and order.shipped_at is None:
        order.shipped_at = timezone.now()
        fields.append("shipped_at")
    before = order.state
    _order_state_changed(
        order,
        before,
        status,
        fields=fields,
        source=ChangeSource.MARKETPLACE,
        reason=order.cancel_reason if status == OrderStatus.CANCELLED else "",
    )
    if status == OrderStatus.CANCELLED:
        _restock(order, StockMove.Reason.CANCELLED, None)
    elif status == OrderStatus.RETURNED:
        _restock(order, StockMove.Reason.RETURNED, None)


def _order_state_changed(
    order: Order,
    before: str,
    after: str,
    *,
    fields: Sequence[str] = (),
    source: str,
    actor: User | None = None,
    reason: str = "",
) -> None:
    """The one place every change of an order's state passes: staff's (`do_set_order_state`),
    ours (an order we cannot fill, cancelled back) and the marketplaces' (`record_order`:
    delivered, returned, cancelled by the buyer). It runs in the caller's transaction with the
    order row locked and saves the new state with the `fields` changed along with it.

    Each change is audited here, with who or what made it (`source`, and `actor` for staff),
    the reason, and the courier and waybill once shipped: the order's history.

    What follows from a state change elsewhere belongs here, so that no path can skip it: a
    delivered order proves its producer "sold" in the funnel."""
    order.state = after
    order.save(update_fields=["state", "updated_at", *fields])
    record_audit(
        actor=actor,
        action=ORDER_STATE_ACTION,
        obj=order,
        district=order.district,
        changes={
            "state": [before, after],
            "by": source,
            "reason": reason,
            "carrier": order.carrier,
            "tracking_number": order.tracking_number,
        },
    )
    if source == ChangeSource.STAFF:
        # A channel whose buyers hear of the seller's steps from us (ONDC: on_status).
        channel_for(order.account).seller_changed_state(order, before, after)
    if after == Order.State.DELIVERED and order.producer is not None:
        do_advance_stage(
            order.producer,
            Stage.SOLD,
            cause=lambda: (
                _("Order %(order)s on %(marketplace)s was delivered")
                % {
                    "order": order.channel_order_id,
                    "marketplace": order.account.get_channel_display(),
                }
            ),
        )


def _notify_producer(order: Order) -> None:
    # The gateway chooses the channel (WhatsApp, SMS, email) and refuses, with a reason in the
    # producer's message log, if there is none.
    if order.producer is not None:
        from niryat.channels.tasks import notify_producer_of_order

        notify_producer_of_order.enqueue(order.pk)


def _require_waybill(order: Order, carrier: str, tracking_number: str) -> None:
    channel = channel_class(order.account.channel)
    if order.fulfilled_by_marketplace or not channel.needs_waybill:
        return
    if not carrier or not tracking_number:
        # Named by the field that is missing (the waybill first), for the form and the API.
        raise ValidationError(
            {
                "tracking_number" if not tracking_number else "carrier": _(
                    "%(marketplace)s needs the courier and the waybill (tracking) number to tell "
                    "the buyer: give both to mark the order shipped."
                )
                % {"marketplace": order.account.get_channel_display()}
            }
        )


@transaction.atomic
def do_set_order_state(
    order: Order,
    state: str,
    *,
    acting_user: User,
    reason: str = "",
    carrier: str = "",
    tracking_number: str = "",
) -> Order:
    """Move an order along: accepted, packed, shipped (with the courier and waybill where the
    marketplace needs them), delivered; or cancel it (the stock comes back and the marketplace
    is told) or record a return (the stock comes back). Packed and shipped are sent to
    marketplaces with an API through the outbox, once."""
    require_write(order.district, acting_user)
    order = Order.objects.select_for_update().select_related("account").get(pk=order.pk)
    if state not in ORDER_NEXT_STATES.get(order.state, ()):
        raise ValidationError(
            {
                "state": _("An order that is %(now)s cannot become %(next)s.")
                % {
                    "now": order.get_state_display(),
                    # An unknown state is named as sent (a form or an API client's typo).
                    "next": Order.State(state).label if state in Order.State.values else state,
                }
            }
        )
    before = order.state
    channel = channel_class(order.account.channel)
    by_api = channel.ships_through_api and not order.fulfilled_by_marketplace
    if state == Order.State.CANCELLED:
        if not reason.strip():
            raise ValidationError({"reason": _("Say why the order is cancelled.")})
        # The cancellation is decided first, so that every stock push the restock queues goes
        # out after it (a marketplace adds the cancelled units back on top of what it offers).
        _cancel_back(order, reason.strip(), acting_user=acting_user)
        _restock(order, StockMove.Reason.CANCELLED, acting_user)
    elif state == Order.State.SHIPPED:
        carrier, tracking_number = carrier.strip()[:80], tracking_number.strip()[:80]
        _require_waybill(order, carrier, tracking_number)
        order.carrier, order.tracking_number = carrier, tracking_number
        order.shipped_at = timezone.now()
        _order_state_changed(
            order,
            before,
            state,
            fields=["carrier", "tracking_number", "shipped_at"],
            source=ChangeSource.STAFF,
            actor=acting_user,
        )
        if by_api:
            outbox.enqueue(
                order.account,
                Operation.SHIP,
                key=f"ship:{order.uuid}",
                order=order,
                payload={
                    "carrier": carrier,
                    "tracking_number": tracking_number,
                    "shipped_at": order.shipped_at.isoformat(),
                },
            )
    else:
        _order_state_changed(
            order, before, state, source=ChangeSource.STAFF, actor=acting_user, reason=reason
        )
        if state == Order.State.RETURNED:
            _restock(order, StockMove.Reason.RETURNED, acting_user)
        if state == Order.State.PACKED and by_api and channel.packs_through_api:
            outbox.enqueue(order.account, Operation.PACK, key=f"pack:{order.uuid}", order=order)
    return order


def record_shipment(order: Order, shipment: Shipment) -> None:
    """The marketplace confirmed the shipment: keep its courier and tracking id where it gave its
    own (Flipkart's E-kart label), which is what the buyer sees."""
    changed = {
        name: value
        for name, value in (
            ("carrier", shipment.carrier[:80]),
            ("tracking_number", shipment.tracking_number[:80]),
        )
        if value and value != getattr(order, name)
    }
    if changed:
        Order.objects.filter(pk=order.pk).update(**changed, updated_at=timezone.now())
        # In the order's history: the waybill the buyer sees now.
        record_audit(
            actor=None,
            action=ORDER_SHIPMENT_ACTION,
            obj=order,
            district=order.district,
            changes={"by": ChangeSource.MARKETPLACE, **changed},
        )


def stock_changed_by_staff(sku: Sku, before: int, after: int, acting_user: User) -> None:
    """The catalogue's SKU edit changed the stock (inside its transaction): record the move and
    tell the channels."""
    StockMove.objects.create(
        sku=sku,
        change=after - before,
        balance=after,
        reason=StockMove.Reason.EDIT,
        actor=acting_user,
    )
    sync_sku(sku, stock=True)


# --- selections, exchange rates, warehouses, consignments ------------------------------------


@transaction.atomic
def do_save_selection(
    *, district: District, name: str, skus: Iterable[Sku], acting_user: User
) -> SkuSelection:
    require_write(district, acting_user)
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the selection a name."))
    skus = list(skus)
    if any(sku.product.district_id != district.pk for sku in skus):
        raise PermissionDenied(_("A SKU is not in this district."))
    selection, _created = SkuSelection.objects.get_or_create(
        district=district, name=name, defaults={"created_by": acting_user}
    )
    selection.skus.set(skus)
    record_audit(
        actor=acting_user,
        action="selection.save",
        obj=selection,
        district=district,
        changes={"skus": len(skus)},
    )
    return selection


@transaction.atomic
def do_delete_selection(selection: SkuSelection, *, acting_user: User) -> None:
    require_write(selection.district, acting_user)
    record_audit(
        actor=acting_user, action="selection.delete", obj=selection, district=selection.district
    )
    selection.delete()


@transaction.atomic
def do_set_exchange_rate(
    currency: str, inr_per_unit: Decimal, *, acting_user: User
) -> ExchangeRate:
    """Rupees per unit of a currency, for cross-border prices; the live eBay prices follow."""
    require_write_access(acting_user)
    currency = currency.strip().upper()
    if len(currency) != 3 or not currency.isalpha() or currency == "INR":
        raise ValidationError(_("A currency is three letters, like USD."))
    if inr_per_unit <= 0:
        raise ValidationError(_("The rate must be more than zero."))
    rate, _created = ExchangeRate.objects.update_or_create(
        currency=currency, defaults={"inr_per_unit": inr_per_unit, "updated_by": acting_user}
    )
    record_audit(
        actor=acting_user,
        action="exchange_rate.set",
        obj=rate,
        changes={"currency": currency, "inr_per_unit": str(inr_per_unit)},
    )
    return rate


@transaction.atomic
def do_add_warehouse(
    *, channel: str, code: str, name: str, city: str, acting_user: User
) -> Warehouse:
    require_write_access(acting_user)
    if channel not in ChannelCode.values:
        raise ValidationError(_("Choose a marketplace."))
    code = code.strip().upper()
    if not code or not city.strip():
        raise ValidationError(_("A warehouse needs a code and a city."))
    if Warehouse.objects.filter(channel=channel, code=code).exists():
        raise ValidationError(_("This warehouse is already on the list."))
    warehouse = Warehouse.objects.create(
        channel=channel, code=code, name=name.strip() or code, city=city.strip()
    )
    record_audit(actor=acting_user, action="warehouse.add", obj=warehouse)
    return warehouse


@transaction.atomic
def do_send_consignment(
    *,
    district: District,
    warehouse: Warehouse,
    lines: Sequence[tuple[Sku, int]],
    sent_on: date,
    reference: str,
    acting_user: User,
) -> Consignment:
    """Stock leaves the producers for a marketplace warehouse: their stock goes down (and every
    channel hears of it), the warehouse's goes up."""
    require_write(district, acting_user)
    if not lines:
        raise ValidationError(_("Add at least one SKU and its quantity."))
    if any(quantity <= 0 for _sku, quantity in lines):
        raise ValidationError(_("Quantities must be more than zero."))
    if any(sku.product.district_id != district.pk for sku, _quantity in lines):
        raise PermissionDenied(_("A SKU is not in this district."))
    skus = _locked_skus(sku.pk for sku, _quantity in lines)
    short = [sku.seller_sku for sku, quantity in lines if (skus[sku.pk].stock or 0) < quantity]
    if short:
        raise ValidationError(_("Not enough stock: %(skus)s") % {"skus": ", ".join(short)})
    consignment = Consignment.objects.create(
        district=district,
        warehouse=warehouse,
        sent_on=sent_on,
        reference=reference.strip()[:80],
        created_by=acting_user,
    )
    for sku, quantity in lines:
        ConsignmentLine.objects.create(consignment=consignment, sku=sku, quantity=quantity)
        _move_stock(
            skus[sku.pk],
            -quantity,
            StockMove.Reason.CONSIGNMENT,
            consignment=consignment,
            actor=acting_user,
        )
        row, _created = WarehouseStock.objects.select_for_update().get_or_create(
            sku=sku, warehouse=warehouse
        )
        WarehouseStock.objects.filter(pk=row.pk).update(quantity=F("quantity") + quantity)
    for locked in skus.values():
        sync_sku(locked, stock=True)
    record_audit(
        actor=acting_user,
        action="consignment.send",
        obj=consignment,
        district=district,
        changes={"lines": [[sku.seller_sku, quantity] for sku, quantity in lines]},
    )
    return consignment


@transaction.atomic
def do_receive_consignment(consignment: Consignment, *, acting_user: User) -> Consignment:
    require_write(consignment.district, acting_user)
    consignment = Consignment.objects.select_for_update().get(pk=consignment.pk)
    if consignment.state != Consignment.State.RECEIVED:
        consignment.state = Consignment.State.RECEIVED
        consignment.save(update_fields=["state", "updated_at"])
        record_audit(
            actor=acting_user,
            action="consignment.receive",
            obj=consignment,
            district=consignment.district,
        )
    return consignment
