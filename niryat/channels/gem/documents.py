"""What a producer needs on GeM before the catalogue can go up: the seller's documents. They
belong to the seller, not to a SKU, so they are a checklist per producer read from the registry."""

from __future__ import annotations

from typing import NamedTuple

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from niryat.catalog.models import ProductImage
from niryat.registry.models import Producer


class DocumentItem(NamedTuple):
    document: StrOrPromise
    present: bool
    note: StrOrPromise


def document_checklist(producer: Producer) -> list[DocumentItem]:
    """GeM seller registration and catalogue upload: each document, whether the registry holds
    it, and a note on why GeM asks for it or what to do."""
    has_photos = ProductImage.objects.filter(
        product__producer=producer, status=ProductImage.Status.READY
    ).exists()
    return [
        DocumentItem(
            _("PAN"),
            bool(producer.pan),
            _("GeM verifies the seller's PAN at registration."),
        ),
        DocumentItem(
            _("Aadhaar of the proprietor or authorised person"),
            bool(producer.aadhaar_last4),
            _("Verified by OTP on GeM; Niryat keeps only the last four digits."),
        ),
        DocumentItem(
            _("GSTIN"),
            bool(producer.gstin),
            _("Needed for goods that attract GST, unless the seller is exempt from registration."),
        ),
        DocumentItem(
            _("Udyam registration"),
            bool(producer.udyam),
            _("Gives the MSE benefits on GeM: purchase preference and no bid security."),
        ),
        DocumentItem(
            _("Bank account"),
            bool(producer.bank_ifsc and producer.bank_account_masked),
            _("GeM pays into an account verified through PFMS; bring a cancelled cheque."),
        ),
        DocumentItem(
            _("Address proof"),
            bool(producer.village and producer.pin),
            _("The office or workshop address, as on the GST or Udyam certificate."),
        ),
        DocumentItem(
            _("Mobile and email"),
            bool(producer.mobile and producer.email),
            _("The mobile linked to Aadhaar, and an email for GeM's messages."),
        ),
        DocumentItem(
            _("Maker's declaration (OEM) or reseller authorisation"),
            True,
            _(
                "The producer makes the goods, so lists as their maker; a reseller would need "
                "the maker's authorisation. A brand name needs GeM's brand approval; otherwise "
                "list as Unbranded."
            ),
        ),
        DocumentItem(
            _("Product photos"),
            has_photos,
            _("GeM shows the catalogue with the product's photos on a plain background."),
        ),
    ]
