"""What the centre needs from a producer next, computed from their record; shown on their page."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from niryat.registry.models import Kind, Producer, Stage


@dataclass(frozen=True)
class NextStep:
    code: str  # stable, for tests and styling
    text: str | Promise


def next_steps(producer: Producer) -> list[NextStep]:
    """The short checklist, most pressing first."""
    steps = []
    if not producer.listing_consent:
        steps.append(
            NextStep(
                "listing_consent",
                _(
                    "Give your consent to list you and your products on "
                    "marketplaces (the button is below)."
                ),
            )
        )
    if not producer.bank_ifsc or not producer.bank_account_masked:
        steps.append(
            NextStep(
                "bank",
                _(
                    "Give the centre your bank details: the IFSC and the account "
                    "number (a passbook or a cancelled cheque)."
                ),
            )
        )
    if producer.stage == Stage.CONTACTED:
        steps.append(
            NextStep(
                "sensitisation", _("Attend the centre's next awareness meeting about exports.")
            )
        )
    elif producer.stage in {Stage.SENSITISED, Stage.REGISTERED}:
        steps.append(NextStep("training", _("Attend a training at the centre.")))
    elif producer.stage == Stage.TRAINED:
        steps.append(
            NextStep(
                "catalogue",
                _("Bring samples of your products to the centre for photos and the catalogue."),
            )
        )
    if producer.kind == Kind.MSME and not producer.udyam:
        steps.append(
            NextStep(
                "udyam",
                _(
                    "Get your Udyam registration (free, at udyamregistration.gov.in) "
                    "and give the number to the centre."
                ),
            )
        )
    if producer.stage in {Stage.SOLD, Stage.EXPORTING} and not producer.iec:
        steps.append(
            NextStep(
                "iec",
                _("Get an Importer-Exporter Code (IEC) to export; the centre can help you apply."),
            )
        )
    return steps
