"""The navigation each role sees."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from niryat.core.models import Centre, Role, User


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url: str


def nav_for(user: User) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    if user.role == Role.PRODUCER:
        return producer_nav(user)
    items = [NavItem(_("Home"), reverse("home"))]
    if user.is_state_level:
        items.append(NavItem(_("Districts"), reverse("district_list")))
    elif user.district:
        url = reverse("district_detail", args=[user.district.lgd_code])
        items.append(NavItem(_("My district"), url))
    items.append(NavItem(_("Producers"), reverse("producer_list")))
    items.append(NavItem(_("Catalogue"), reverse("product_list")))
    items.append(NavItem(_("Marketplaces"), reverse("channels_home")))
    items.append(NavItem(_("Orders"), reverse("order_list")))
    items.append(NavItem(_("Export desk"), reverse("export_desk")))
    items.append(NavItem(_("Export plan"), reverse("plan_list")))
    if user.is_state_level:
        items.append(NavItem(_("Dashboards"), reverse("state_dashboard")))
    elif user.district:
        url = reverse("district_dashboard", args=[user.district.lgd_code])
        items.append(NavItem(_("Dashboard"), url))
    items.append(NavItem(_("Trainings"), reverse("programme_list")))
    items.append(NavItem(_("Payouts"), reverse("payouts_home")))
    items.append(NavItem(_("Enquiries"), reverse("showcase_enquiry_list")))
    items.append(NavItem(_("Online exhibitions"), reverse("exhibition_list")))
    items.append(NavItem(_("Partners and MoUs"), reverse("showcase_mou_list")))
    items.append(NavItem(_("Feedback"), reverse("voice_list")))
    items.append(NavItem(_("Outreach"), reverse("outreach_list")))
    items.append(NavItem(_("Funnel"), reverse("funnel")))
    items.append(NavItem(_("Message templates"), reverse("message_templates")))
    if user.role in {Role.CENTRE_STAFF, Role.STATE_ADMIN}:
        items.append(NavItem(_("Possible duplicates"), reverse("duplicate_list")))
    items.append(NavItem(_("My account"), reverse("account")))
    if user.role == Role.STATE_ADMIN:
        items.append(NavItem(_("Reference data"), reverse("reference_data")))
        items.append(NavItem(_("Administration"), reverse("admin:index")))
    items.append(NavItem(_("API"), reverse("api-1.0.0:openapi-view")))
    return items


def producer_nav(user: User) -> list[NavItem]:
    """What a producer needs on their phone: their page, their orders and what to pack, their
    products, and their centre's number to call (no staff pages, no API, no password by email:
    they sign in with a code by SMS)."""
    items = [
        NavItem(_("My page"), reverse("home")),
        NavItem(_("My orders"), reverse("order_list")),
        NavItem(_("My payments"), reverse("my_payouts")),
        NavItem(_("My products"), reverse("product_list")),
        NavItem(_("My feedback"), reverse("my_feedback")),
    ]
    district_id = user.district_id
    phone = (
        Centre.objects.filter(district_id=district_id).values_list("phone", flat=True).first()
        if district_id is not None
        else None
    )
    if phone:
        label = gettext("Call the centre: %(phone)s") % {"phone": phone}
        items.append(NavItem(label, f"tel:{phone}"))
    return items
