"""The producer's own pages (their home is "/", see niryat.site.views.home)."""

from django.urls import path

from niryat.registry import portal_views

urlpatterns = [
    path("producer/sign-in/", portal_views.sign_in, name="producer_sign_in"),
    path("producer/sign-in/code/", portal_views.sign_in_code, name="producer_sign_in_code"),
    path("producer/consent/", portal_views.listing_consent, name="producer_listing_consent"),
    path(
        "producer/consent/withdraw/",
        portal_views.withdraw_consent,
        name="producer_withdraw_consent",
    ),
]
