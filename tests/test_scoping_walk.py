"""Walk every page and API route as each role: nothing of another district is read or changed.

A new URL with a parameter must be added to FOREIGN_VALUES below, or this test fails: that is
deliberate, so that no page escapes the walk.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from niryat.catalog.actions import do_add_image, process_image_now
from niryat.catalog.models import CatalogImportJob, Product, ProductImage, Sku
from niryat.channels.models import (
    ChannelAccount,
    Consignment,
    ExchangeRate,
    Grievance,
    Listing,
    OndcNode,
    Order,
    OrderLine,
    OutboxEntry,
    SkuSelection,
    Warehouse,
)
from niryat.channels.ondc.actions import do_set_up_ondc_node
from niryat.channels.ondc.server import ACTIONS as ONDC_ACTIONS
from niryat.channels.ondc.views import invoice_token
from niryat.core.actions import do_create_api_token
from niryat.core.models import ApiToken, AuditEntry, Centre, OdopProduct, PartnerOrg, User
from niryat.core.progress import start_progress
from niryat.events.actions import (
    do_add_session,
    do_assign_stall,
    do_create_event,
    do_create_programme,
    do_give_feedback,
    do_invite_to_event,
    do_issue_certificate,
    do_nominate,
    do_record_benefit,
    do_register_participants,
    do_tick_attendance,
    do_tick_guest,
)
from niryat.events.models import (
    Attendance,
    Benefit,
    Certificate,
    Event,
    Feedback,
    Guest,
    Nomination,
    Participant,
    Programme,
    Stall,
    TraineeImportJob,
)
from niryat.exportdesk.actions import (
    LineInput,
    do_create_export_order,
    do_issue_document,
    do_record_merchant_sale,
    do_record_shipment,
    do_update_readiness_item,
)
from niryat.exportdesk.models import (
    Document,
    ExportOrder,
    MerchantSale,
    ReadinessItem,
    Shipment,
)
from niryat.insights.actions import do_refresh_summaries
from niryat.insights.models import (
    Decision,
    DepcMeeting,
    ExportPlan,
    Measure,
    PlanAction,
    PlanProduct,
    PlanTarget,
    SummaryFreshness,
    SummaryRow,
    SummaryRun,
)
from niryat.insights.plan_actions import (
    DecisionInput,
    do_add_plan_action,
    do_record_meeting,
    do_set_target,
    do_start_plan,
)
from niryat.payouts.models import (
    PayoutTerms,
    Settlement,
    SettlementImport,
    SettlementLine,
    SettlementPull,
)
from niryat.registry.actions import do_add_member, do_record_outreach_visit
from niryat.registry.duplicates import DISTRICT_SEARCH
from niryat.registry.models import DuplicateFlag, ImportJob, Kind, OutreachVisit, Producer
from niryat.showcase import models as showcase
from niryat.showcase.models import (
    Commitment,
    Enquiry,
    Exhibition,
    Exhibitor,
    Hall,
    Mou,
    Profile,
)
from niryat.showcase.voice_actions import FeedbackInput, do_record_feedback
from niryat.site.api import api
from tests.catalog.factories import add_sku, make_product
from tests.conftest import client_for
from tests.registry.factories import register
from tests.test_imaging import a_photo, jpeg

MARKER = "VARANASI-PRIVATE-MARKER"

# Pages that are not about any district: signing in and out, and the language.
NOT_DISTRICT_PAGES = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "producer_sign_in",
    "producer_sign_in_code",
    # A certificate's public check page: anyone with its QR code reads the name on it (only).
    "certificate_verify",
    # A guest's RSVP and feedback pages, opened by the signed link sent to them alone; they show
    # that guest's own invitation (tests/events/test_conclaves.py).
    "event_rsvp",
    "event_feedback",
    # What ONDC's registry calls on a centre's node, found by host (tests/channels/ondc).
    "ondc_site_verification",
    "ondc_on_subscribe",
    # What buyer apps call, signed, on a centre's node (tests/channels/ondc/test_server.py).
    *(f"ondc_{action}" for action in ONDC_ACTIONS),
    # What WhatsApp (signed) and MSG91 (a secret address) call (tests/messaging).
    "whatsapp_webhook",
    "msg91_report",
    "msg91_inbound",
    # The public showcase's district page, for everyone signed out: it shows only what producers
    # agreed to show (tests/showcase). Its product pages are walked: Varanasi's saree is not shown.
    "showcase_district",
    # An online exhibition's public page, the same: its exhibitors are those shown on the
    # showcase (tests/showcase/test_exhibitions.py). Its exhibitor pages are walked: Varanasi's
    # weaver exhibits but is not shown.
    "showcase_exhibition",
    # A district's producers' voices on the showcase: only words their producers agreed to show,
    # of producers on the showcase (tests/showcase/test_voices.py). The weaver is not shown.
    "showcase_voices",
}


# Pages that take their records in the query string: which foreign value each parameter gets.
QUERIES: dict[str, dict[str, str]] = {
    "product_list": {"producer": "producer_uuid"},
    "product_list_xlsx": {"producer": "producer_uuid"},
    "sku_labels": {"sku": "sku_uuid", "product": "product_uuid"},
    "push": {"account": "account_uuid", "selection": "selection_uuid"},
    "listing_list": {"account": "account_uuid"},
    "order_list": {"account": "account_uuid", "producer": "producer_uuid"},
}
# Of those, the pages that must refuse another district's records (the lists just come out empty).
REFUSED_BY_QUERY = {"sku_labels", "push"}


def walk(patterns: list[Any], prefix: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern) in {"admin/", "api/"}:
                continue  # the admin is checked on its own, the API below
            found += walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif pattern.name:
            found.append((prefix + str(pattern.pattern), pattern))
    return found


@pytest.fixture
def foreign(varanasi, vani, banarasi, settings, tmp_path) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Varanasi's records, marked so that a leak shows in any page."""
    settings.MEDIA_ROOT = tmp_path / "media"
    Centre.objects.filter(district=varanasi).update(address=MARKER)
    OdopProduct.objects.filter(pk=banarasi.pk).update(listing=MARKER)
    token, _ = do_create_api_token(name=MARKER, acting_user=vani)
    progress = start_progress(owner=vani, label=MARKER, district=varanasi)
    search = start_progress(owner=vani, label=DISTRICT_SEARCH, district=varanasi)
    weaver = register(
        varanasi, vani, name_hi="मरियम बानो", name_latin=MARKER, mobile="+919812345678"
    )
    group = register(varanasi, vani, name_hi="काशी बुनकर समूह", kind=Kind.SHG, pin="221001")
    membership = do_add_member(group, weaver, joined_on=datetime.date(2026, 1, 5), acting_user=vani)
    twin = register(varanasi, vani, name_hi="मरियम बानो", mobile="+919812345678")
    visit = do_record_outreach_visit(
        varanasi,
        kind=OutreachVisit.Kind.VISIT,
        on=datetime.date(2026, 11, 1),
        place=MARKER,
        attendees=[weaver],
        acting_user=vani,
    )
    job = ImportJob.objects.create(
        district=varanasi, uploaded_by=vani, file="imports/x.csv", file_name=MARKER, sha256="0" * 64
    )
    saree = make_product(weaver, vani, name_en=MARKER, name_hi="बनारसी साड़ी")
    sku = add_sku(saree, vani, title_en=MARKER)
    image = do_add_image(
        saree, jpeg(a_photo(400, 300)), file_name=f"{MARKER}.jpg", acting_user=vani
    )
    process_image_now(image)  # so that its main image exists and could be served
    catalog_job = CatalogImportJob.objects.create(
        district=varanasi,
        uploaded_by=vani,
        file="catalogue-imports/x.xlsx",
        file_name=MARKER,
        sha256="0" * 64,
    )
    account = ChannelAccount.objects.create(
        district=varanasi, channel="flipkart", name=MARKER, settings={"location_id": MARKER}
    )
    listing = Listing.objects.create(sku=sku, account=account, external_id=MARKER)
    order = Order.objects.create(
        district=varanasi,
        account=account,
        producer=weaver,
        channel_order_id=MARKER,
        ordered_at=timezone.now(),
        buyer_city=MARKER,
    )
    OrderLine.objects.create(
        order=order, sku=sku, seller_sku=sku.seller_sku, quantity=1, unit_price=1
    )
    entry = OutboxEntry.objects.create(
        account=account,
        listing=listing,
        operation="submit",
        idempotency_key=MARKER,
        state="failed",
        next_try_at=timezone.now(),
        last_error=MARKER,
    )
    selection = SkuSelection.objects.create(district=varanasi, name=MARKER)
    selection.skus.add(sku)
    warehouse = Warehouse.objects.create(
        channel="flipkart", code="VNS1", name="FC", city="Varanasi"
    )
    consignment = Consignment.objects.create(
        district=varanasi, warehouse=warehouse, reference=MARKER, sent_on=datetime.date(2026, 11, 1)
    )
    node = do_set_up_ondc_node(varanasi, "edc-varanasi.niryat.test", acting_user=vani)
    OndcNode.objects.filter(pk=node.pk).update(settlement_beneficiary=MARKER)
    now = timezone.now()
    grievance = Grievance.objects.create(
        district=varanasi,
        node=node,
        order=order,
        issue_id=MARKER,
        bap_id=MARKER,
        category="ITEM",
        short_desc=MARKER,
        raised_at=now,
        respond_by=now,
        resolve_by=now,
    )
    readiness = do_update_readiness_item(
        weaver,
        "iec",
        status="done",
        reference="ABCPE1234F",
        note=MARKER,
        evidence=SimpleUploadedFile(f"{MARKER}.pdf", MARKER.encode(), "application/pdf"),
        acting_user=vani,
    )
    export_order = do_create_export_order(
        weaver,
        buyer={"name": MARKER, "country": "US", "importer_reference": MARKER},
        order={
            "incoterm": "FOB",
            "currency": "USD",
            "exchange_rate": 83,
            "igst_paid": True,
            "igst_rate": 5,
        },
        lines=[LineInput(MARKER, "50072010", 1, Decimal(100))],
        acting_user=vani,
    )
    shipment = do_record_shipment(
        export_order,
        shipped_on=datetime.date(2026, 11, 2),
        mode="courier",
        tracking_number=MARKER,
        acting_user=vani,
    )
    export_document = do_issue_document(export_order, "invoice", acting_user=vani)
    enquiry = Enquiry.objects.create(
        district=varanasi,
        product=saree,
        producer=weaver,
        product_name=MARKER,
        name=MARKER,
        email="buyer@example.com",
        country="US",
        quantity=5,
        address_hash="0" * 64,
    )
    mou = Mou.objects.create(
        district=varanasi,
        partner=PartnerOrg.objects.get(code="amazon"),
        title=MARKER,
        signed_on=datetime.date(2026, 4, 1),
    )
    commitment = Commitment.objects.create(
        mou=mou,
        description=MARKER,
        measure="recorded",
        target=10,
        due_on=datetime.date(2027, 3, 31),
    )
    do_record_merchant_sale(
        weaver,
        merchant_name=MARKER,
        merchant_iec="AAFCM1234K",
        country="ZA",
        sold_on=datetime.date(2026, 10, 1),
        value_inr=Decimal(50000),
        acting_user=vani,
    )
    voice = do_record_feedback(
        weaver,
        FeedbackInput(about="centre", rating=2, text=MARKER, given_on=datetime.date(2026, 11, 1)),
        show_publicly=True,
        consent_method="paper",
        acting_user=vani,
    )
    training = do_create_programme(
        varanasi,
        {"kind": Programme.Kind.NIFT_COURSE, "title": MARKER, "capacity": 5},
        acting_user=vani,
    )
    training_session = do_add_session(
        training, {"date": datetime.date(2026, 12, 14), "venue": MARKER}, acting_user=vani
    )
    do_register_participants(training, [weaver], acting_user=vani)
    place = training.participants.get()
    do_tick_attendance(training_session, place, acting_user=vani)
    certificate = do_issue_certificate(place, acting_user=vani)
    trainee_job = TraineeImportJob.objects.create(
        district=varanasi,
        uploaded_by=vani,
        programme=training,
        file="trainee-imports/x.csv",
        file_name=MARKER,
        sha256="0" * 64,
    )
    training_pages = {
        name: training.uuid
        for name in (
            "programme_import",
            "programme_detail",
            "session_new",
            "programme_pick",
            "programme_invite",
            "programme_certify",
        )
    }
    # Varanasi's conclave: the weaver invited, given a stall, checked in, with feedback; a
    # handover of a solar charkha to the weaver; the weaver nominated to the state conclave.
    conclave = do_create_event(
        varanasi,
        {
            "kind": Event.Kind.CONCLAVE,
            "title": MARKER,
            "starts_on": datetime.date(2026, 12, 20),
            "ends_on": datetime.date(2026, 12, 20),
            "venue": MARKER,
            "agenda": MARKER,
            "floor_rows": 2,
            "floor_columns": 2,
        },
        acting_user=vani,
    )
    do_invite_to_event(conclave, [weaver], acting_user=vani)
    guest = conclave.guests.get()
    do_assign_stall(conclave, 1, 1, weaver, [saree], acting_user=vani)
    do_tick_guest(conclave, guest, acting_user=vani)
    do_give_feedback(guest, 5, MARKER)
    state_conclave = Event.objects.create(
        kind=Event.Kind.CONCLAVE,
        title="State export conclave",
        starts_on=datetime.date(2026, 12, 22),
        ends_on=datetime.date(2026, 12, 22),
        venue="Lucknow",
    )
    do_nominate(state_conclave, weaver, MARKER, acting_user=vani)
    benefit = do_record_benefit(
        weaver,
        {
            "scheme": MARKER,
            "item": Benefit.Item.SOLAR_CHARKHA,
            "serial_number": "SC-VNS-1",
            "handed_over_on": datetime.date(2026, 9, 1),
        },
        jpeg(a_photo(400, 300)),
        acting_user=vani,
    )
    # Varanasi's online exhibition: its title is public (the showcase's home announces it), its
    # event and hall are marked; the weaver exhibits the saree (not shown on the showcase).
    fair = do_create_event(
        varanasi,
        {
            "kind": Event.Kind.EXHIBITION,
            "title": MARKER,
            "starts_on": datetime.date(2026, 12, 1),
            "ends_on": datetime.date(2026, 12, 31),
            "venue": MARKER,
        },
        acting_user=vani,
    )
    exhibition = Exhibition.objects.create(
        event=fair,
        title_en="Varanasi silk fair",
        opens_on=datetime.date(2026, 12, 1),
        closes_on=datetime.date(2026, 12, 31),
    )
    hall = Hall.objects.create(exhibition=exhibition, name_en=MARKER, name_hi=MARKER)
    stand = Exhibitor.objects.create(exhibition=exhibition, hall=hall, producer=weaver)
    stand.products.add(saree)
    event_pages = {
        name: conclave.uuid
        for name in (
            "event_detail",
            "event_invite",
            "event_stalls",
            "event_check_in",
            "event_check_in_code",
            "event_sync",
            "event_tick",
            "event_ask_feedback",
            "event_report",
            "event_nominate",
        )
    }
    # Varanasi's payouts: a settlement of its account (a line about its order), a report upload.
    payout = Settlement.objects.create(
        account=account, settlement_id=MARKER, source="file", reference=MARKER, digest="0"
    )
    SettlementLine.objects.create(
        settlement=payout,
        order=order,
        producer=weaver,
        kind="sale",
        code=MARKER,
        amount=Decimal(100),
        currency="INR",
        channel_order_id=MARKER,
    )
    payout_job = SettlementImport.objects.create(
        district=varanasi, account=account, uploaded_by=vani, file_name=MARKER, sha256="0" * 64
    )
    payout_pages = {
        "payouts_account": account.uuid,
        "payouts_account_pull": account.uuid,
        "payouts_account_terms": account.uuid,
        "payouts_account_xlsx": account.uuid,
        "payouts_producer": weaver.uuid,
        "payouts_producer_statement": weaver.uuid,
    }
    plan = do_start_plan(varanasi, "2026-27", acting_user=vani)
    do_set_target(plan, Measure.ONBOARDED, value=Decimal(7), acting_user=vani)
    plan_action = do_add_plan_action(
        plan,
        kind="training",
        title=MARKER,
        owner=MARKER,
        due_on=datetime.date(2026, 11, 1),
        acting_user=vani,
    )
    meeting = do_record_meeting(
        plan,
        held_on=datetime.date(2026, 11, 1),
        place=MARKER,
        attendees=MARKER,
        agenda=MARKER,
        minutes=MARKER,
        decisions=[DecisionInput(MARKER, MARKER, datetime.date(2026, 12, 1))],
        acting_user=vani,
    )
    plan_pages = {
        "plan_product_set": plan.uuid,
        "plan_target_set": plan.uuid,
        "plan_action_add": plan.uuid,
        "depc_meeting_new": plan.uuid,
        "plan_action_status": plan_action.uuid,
        "depc_meeting": meeting.uuid,
        "depc_decision_add": meeting.uuid,
        "depc_decision_done": meeting.decisions.get().uuid,
    }
    export_pages = {
        "export_document_issue": export_order.uuid,
        "export_pbe3": export_order.uuid,
        "export_document_pdf": export_order.uuid,
        "export_readiness": weaver.uuid,
        "export_readiness_item": weaver.uuid,
        "export_readiness_evidence": weaver.uuid,
        "export_order_new": weaver.uuid,
        "export_merchant_sale_new": weaver.uuid,
        "export_order_detail": export_order.uuid,
        "export_shipment_new": export_order.uuid,
        "export_shipment_realised": export_order.uuid,
        "export_parcel_status": export_order.uuid,
        "export_order_edit": export_order.uuid,
        "export_order_origin": export_order.uuid,
        "export_marketplace_order": order.uuid,
    }
    # Varanasi's records summed into the dashboards' figures.
    do_refresh_summaries(full=True)
    return {
        **{f"{page}:uuid": value for page, value in export_pages.items()},
        **{f"{page}:uuid": value for page, value in plan_pages.items()},
        "plan_detail:financial_year": plan.financial_year,
        **{f"{page}:uuid": value for page, value in payout_pages.items()},
        **{
            f"settlement_report_import_{page}:job_uuid": payout_job.uuid
            for page in ("job", "status", "columns", "errors", "valid_rows")
        },
        "year": 2026,
        "month": 11,
        **{f"{page}:uuid": value for page, value in training_pages.items()},
        "participant_card:uuid": place.uuid,
        "programme_outcomes:uuid": training.uuid,
        **{f"{page}:uuid": value for page, value in event_pages.items()},
        "event_tick:guest": guest.uuid,
        "guest_card:uuid": guest.uuid,
        "benefit_detail:uuid": benefit.uuid,
        "benefit_photo:uuid": benefit.uuid,
        "certificate_pdf:uuid": certificate.uuid,
        "certificate_revoke:uuid": certificate.uuid,
        "language": "hi",
        "session_check_in:pk": training_session.pk,
        "session_check_in_code:pk": training_session.pk,
        "session_tick:pk": training_session.pk,
        "session_sync:pk": training_session.pk,
        "participant": place.uuid,
        **{
            f"trainees_import_{page}:job_uuid": trainee_job.uuid
            for page in ("job", "status", "columns", "errors", "valid_rows")
        },
        "export_readiness_item:key": "iec",
        "export_readiness_evidence:pk": readiness.pk,
        "export_shipment_realised:pk": shipment.pk,
        "export_parcel_status:pk": shipment.pk,
        "export_document_pdf:pk": export_document.pk,
        "account_uuid": account.uuid,
        "grievance_uuid": grievance.uuid,
        "listing_uuid": listing.uuid,
        "order_uuid": order.uuid,
        "entry_id": entry.pk,
        "selection_uuid": selection.uuid,
        "consignment_uuid": consignment.uuid,
        "lgd_code": varanasi.lgd_code,
        "pk": {
            "odop_product_edit": banarasi.pk,
            "odop_export_potential": banarasi.pk,
            "api_token_revoke": token.pk,
        },
        "uuid": progress.uuid,
        "product_id": banarasi.pk,
        "progress_id": progress.uuid,
        "search_uuid": search.uuid,
        "producer_uuid": weaver.uuid,
        "visit_uuid": visit.uuid,
        "job_uuid": job.uuid,
        # (a page's own value, as "<url name>:<parameter>")
        **{
            f"catalogue_import_{page}:job_uuid": catalog_job.uuid
            for page in ("job", "status", "columns", "errors", "valid_rows")
        },
        "flag_id": DuplicateFlag.objects.get(second=twin).pk,
        "membership_id": membership.pk,
        "product_uuid": saree.uuid,
        "sku_uuid": sku.uuid,
        # an ONDC order's invoice, signed, of another district's order (the node is the host's)
        "ondc_invoice:token": invoice_token(order.pk),
        "image_uuid": image.uuid,
        "variant": "main",
        "row": 2,
        # Message templates belong to the state: only its administrator edits one.
        "key": "order_alert",
        "enquiry_uuid": enquiry.uuid,
        "feedback_uuid": voice.uuid,
        "mou_uuid": mou.uuid,
        "commitment_id": commitment.pk,
        "exhibition_uuid": exhibition.uuid,
        "exhibitor_uuid": stand.uuid,
        "event_uuid": fair.uuid,
        "hall_id": hall.pk,
        "width": 160,
        "chart": "funnel",
    }


def text_of(response: Any) -> str:
    """The body of any response, streamed (file downloads) or not."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def kwargs_for(name: str, pattern: URLPattern, foreign: dict[str, Any]) -> dict[str, Any]:
    kwargs = {}
    for key in pattern.pattern.converters:
        value = foreign.get(f"{name}:{key}", foreign.get(key))
        if isinstance(value, dict):
            value = value.get(name)
        assert value is not None, f"add a foreign value for {name}:{key} in FOREIGN_VALUES"
        kwargs[key] = value
    return kwargs


def url_for(name: str, pattern: URLPattern, foreign: dict[str, Any]) -> str:
    url = reverse(name, kwargs=kwargs_for(name, pattern, foreign))
    query = {param: foreign[key] for param, key in QUERIES.get(name, {}).items()}
    return f"{url}?{urlencode(query)}" if query else url


EXPORT_AUDIT_ACTIONS = ["producer.data_export", "producer.list_export"]


def snapshot() -> list[Any]:
    return [
        list(OdopProduct.objects.order_by("pk").values()),
        list(Centre.objects.order_by("pk").values()),
        list(ApiToken.objects.order_by("pk").values_list("pk", "name")),
        # Downloads of personal data are audited although they change nothing: not counted.
        AuditEntry.objects.exclude(action__in=EXPORT_AUDIT_ACTIONS).count(),
        list(Producer.objects.order_by("pk").values()),
        list(DuplicateFlag.objects.order_by("pk").values()),
        list(ImportJob.objects.order_by("pk").values()),
        list(Product.objects.order_by("pk").values()),
        list(Sku.objects.order_by("pk").values()),
        list(ProductImage.objects.order_by("pk").values()),
        list(CatalogImportJob.objects.order_by("pk").values()),
        list(ChannelAccount.objects.order_by("pk").values()),
        list(Listing.objects.order_by("pk").values()),
        list(Order.objects.order_by("pk").values()),
        list(OutboxEntry.objects.order_by("pk").values()),
        list(SkuSelection.objects.order_by("pk").values()),
        list(Consignment.objects.order_by("pk").values()),
        list(Warehouse.objects.order_by("pk").values()),
        list(ExchangeRate.objects.order_by("pk").values()),
        list(ReadinessItem.objects.order_by("pk").values()),
        list(ExportOrder.objects.order_by("pk").values()),
        list(Shipment.objects.order_by("pk").values()),
        list(Document.objects.order_by("pk").values()),
        list(MerchantSale.objects.order_by("pk").values()),
        list(ExportPlan.objects.order_by("pk").values()),
        list(PlanProduct.objects.order_by("pk").values()),
        list(PlanTarget.objects.order_by("pk").values()),
        list(PlanAction.objects.order_by("pk").values()),
        list(DepcMeeting.objects.order_by("pk").values()),
        list(Decision.objects.order_by("pk").values()),
        list(SummaryRow.objects.order_by("pk").values()),
        list(SummaryFreshness.objects.order_by("pk").values()),
        list(SummaryRun.objects.order_by("pk").values()),
        list(Enquiry.objects.order_by("pk").values()),
        list(Profile.objects.order_by("pk").values()),
        list(showcase.Feedback.objects.order_by("pk").values()),
        list(showcase.Testimonial.objects.order_by("pk").values()),
        list(Mou.objects.order_by("pk").values()),
        list(Commitment.objects.order_by("pk").values()),
        list(Exhibition.objects.order_by("pk").values()),
        list(Hall.objects.order_by("pk").values()),
        list(Exhibitor.objects.order_by("pk").values()),
        list(Exhibitor.products.through.objects.order_by("pk").values()),
        list(Settlement.objects.order_by("pk").values()),
        list(SettlementLine.objects.order_by("pk").values()),
        list(PayoutTerms.objects.order_by("pk").values()),
        list(SettlementPull.objects.order_by("pk").values()),
        list(SettlementImport.objects.order_by("pk").values()),
        list(Programme.objects.order_by("pk").values()),
        list(Participant.objects.order_by("pk").values()),
        list(Attendance.objects.order_by("pk").values()),
        list(Certificate.objects.order_by("pk").values()),
        list(TraineeImportJob.objects.order_by("pk").values()),
        list(Event.objects.order_by("pk").values()),
        list(Guest.objects.order_by("pk").values()),
        list(Stall.objects.order_by("pk").values()),
        list(Stall.products.through.objects.order_by("pk").values()),
        list(Feedback.objects.order_by("pk").values()),
        list(Nomination.objects.order_by("pk").values()),
        list(Benefit.objects.order_by("pk").values()),
    ]


@pytest.mark.parametrize("persona", ["gita", "ganesh", "prem"])
def test_district_people_never_see_or_change_another_district(request, persona, foreign):
    user: User = request.getfixturevalue(persona)
    client = client_for(user)
    before = snapshot()
    pages = walk(get_resolver().url_patterns)
    assert len(pages) >= 10
    for route, pattern in pages:
        name = pattern.name
        if name in NOT_DISTRICT_PAGES:
            continue
        url = url_for(name, pattern, foreign)
        got = client.get(url)
        content = text_of(got)
        assert MARKER not in content, f"{persona} read Varanasi's data on {route}"
        if pattern.pattern.converters or name in REFUSED_BY_QUERY:
            assert got.status_code in {403, 404, 405}, f"{persona} GET {url}: {got.status_code}"
        posted = client.post(url, {"name_en": "changed", "address": "changed", "verified": "on"})
        allowed = {403, 404, 405} if pattern.pattern.converters else {200, 302, 400, 403, 405}
        assert posted.status_code in allowed, f"{persona} POST {url}: {posted.status_code}"
        assert MARKER not in text_of(posted)
    # Nothing was changed: no record, no token, no audit entry.
    assert snapshot() == before


def test_state_viewer_reads_every_page_and_changes_nothing(sam, foreign):
    client = client_for(sam)
    before = snapshot()
    for route, pattern in walk(get_resolver().url_patterns):
        if pattern.name in NOT_DISTRICT_PAGES:
            continue
        url = url_for(pattern.name, pattern, foreign)
        assert client.get(url).status_code in {200, 302, 403, 404, 405}, f"GET {route}"
        posted = client.post(url, {"name_en": "changed", "address": "changed", "verified": "on"})
        assert posted.status_code in {200, 403, 404, 405}, f"POST {url}: {posted.status_code}"
    assert snapshot() == before


def test_refused_writes_leave_no_trace(ganesh, gita, sam, banarasi, terracotta):
    """A staff user of Gorakhpur, an officer and a state viewer all fail to change records."""
    before = snapshot()
    attempts = [
        (ganesh, reverse("odop_product_edit", args=[banarasi.pk]), 404),
        (ganesh, reverse("centre_edit", args=[187]), 404),
        (gita, reverse("odop_product_edit", args=[terracotta.pk]), 403),
        (gita, reverse("centre_edit", args=[148]), 403),
        (sam, reverse("odop_product_edit", args=[terracotta.pk]), 403),
        (sam, reverse("centre_edit", args=[187]), 403),
    ]
    for user, url, status in attempts:
        response = client_for(user).post(url, {"name_en": "X", "name_hi": "क", "verified": "on"})
        assert response.status_code == status, (user.username, url)
    assert snapshot() == before


# A valid body for every write route, so that a refusal comes from scoping, not from validation.
PRODUCER_BODY = {"kind": "artisan", "name_hi": "बदला हुआ नाम", "pin": "221001"}
API_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/api/odop-products/{product_id}"): {"name_en": "changed", "verified": False},
    ("POST", "/api/districts/{lgd_code}/producers"): PRODUCER_BODY,
    ("PUT", "/api/producers/{producer_uuid}"): PRODUCER_BODY,
    ("PATCH", "/api/producers/{producer_uuid}"): PRODUCER_BODY,
    ("POST", "/api/producers/{producer_uuid}/stage"): {"stage": "exporting", "reason": "walk"},
    ("POST", "/api/producers/{producer_uuid}/consents"): {
        "purpose": "list",
        "given": True,
        "on": "2026-11-22",
        "method": "paper",
    },
    ("POST", "/api/producers/{producer_uuid}/products"): {
        "category": "handicrafts",
        "name_en": "changed",
    },
    ("PATCH", "/api/products/{product_uuid}"): {"name_en": "changed"},
    ("POST", "/api/products/{product_uuid}/skus"): {
        "title_en": "changed",
        "mrp": "100.00",
        "price": "90.00",
    },
    ("PATCH", "/api/skus/{sku_uuid}"): {"stock": 0},
    ("PATCH", "/api/images/{image_uuid}"): {"make_main": True, "move": 1},
    ("POST", "/api/channel-accounts/{account_uuid}/push"): {"skus": ["{sku_uuid}"]},
    ("POST", "/api/orders/{order_uuid}/state"): {"state": "cancelled", "reason": "walk"},
    ("POST", "/api/skus/{sku_uuid}/stock"): {"stock": 0},
}
# Write routes that take a file (multipart) rather than JSON: the field's name.
API_UPLOADS: dict[tuple[str, str], str] = {("POST", "/api/products/{product_uuid}/images"): "image"}


def api_routes() -> list[tuple[str, str, list[str]]]:
    schema = api.get_openapi_schema()
    routes = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            params = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            if "requestBody" in operation:
                route = (method.upper(), path)
                assert route in API_BODIES or route in API_UPLOADS, f"add a body for {route}"
            routes.append((method.upper(), path, params))
    return routes


@pytest.mark.parametrize("persona", ["gita", "ganesh", "prem"])
def test_every_api_route_is_scoped(request, persona, foreign):
    user: User = request.getfixturevalue(persona)
    _, token = do_create_api_token(name="walk", acting_user=user)
    client = client_for(user)
    client.logout()
    headers = {"Authorization": f"Bearer {token}"}
    before = snapshot()
    routes = api_routes()
    assert len(routes) >= 6
    for method, path, params in routes:
        url = path
        for param in params:
            assert param in foreign, f"add a foreign value for API parameter {param}"
            url = url.replace("{" + param + "}", str(foreign[param]))
        if (method, path) in API_UPLOADS:
            photo = SimpleUploadedFile("walk.jpg", jpeg(a_photo(400, 300)), "image/jpeg")
            response = client.post(url, {API_UPLOADS[method, path]: photo}, headers=headers)
        else:
            # Bodies name other records by the same foreign values as the paths.
            body = json.dumps(API_BODIES.get((method, path), {}))
            for key, value in foreign.items():
                body = body.replace("{" + key + "}", str(value))
            response = client.generic(
                method, url, body, content_type="application/json", headers=headers
            )
        assert MARKER not in text_of(response), f"{persona} {method} {url} leaked"
        if params:
            assert response.status_code in {403, 404}, f"{persona} {method} {url}"
        else:
            assert response.status_code == 200, f"{persona} {method} {url}"
    assert snapshot() == before


def test_state_viewer_reads_everything_but_changes_nothing(sam, banarasi):
    client = client_for(sam)
    assert client.get(reverse("district_detail", args=[187])).status_code == 200
    response = client.patch(
        f"/api/odop-products/{banarasi.pk}", {"verified": False}, content_type="application/json"
    )
    assert response.status_code == 403
    banarasi.refresh_from_db()
    assert banarasi.verified is True


def test_state_admin_may_change_any_district(alice, banarasi):
    response = client_for(alice).post(
        reverse("odop_product_edit", args=[banarasi.pk]),
        {
            "name_en": "Banarasi silk sarees",
            "name_hi": "बनारसी साड़ी",
            "hs_codes": "5007",
            "verified": "on",
        },
    )
    assert response.status_code == 302
    banarasi.refresh_from_db()
    assert banarasi.name_hi == "बनारसी साड़ी"
    entry = AuditEntry.objects.get(action="odop_product.update")
    assert entry.actor == alice
    assert entry.changes == {"name_hi": ["बनारसी रेशमी साड़ी", "बनारसी साड़ी"]}


def test_admin_site_is_for_state_admins_only(alice, ganesh, sam):
    assert client_for(alice).get("/admin/").status_code == 200
    for user in (ganesh, sam):
        response = client_for(user).get("/admin/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
