"""What the centre needs from a producer next, computed from their record; shown on their page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
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


# The same steps as database conditions, for the staff's lists and counts (one query for a whole
# district, where next_steps() reads one producer). tests/registry/test_next_steps.py keeps the two
# in agreement.
STEP_QUERIES: dict[str, Q] = {
    "listing_consent": Q(listing_consent=False),
    "bank": Q(bank_ifsc="") | Q(bank_account_masked=""),
    "sensitisation": Q(stage=Stage.CONTACTED),
    "training": Q(stage__in=[Stage.SENSITISED, Stage.REGISTERED]),
    "catalogue": Q(stage=Stage.TRAINED),
    "udyam": Q(kind=Kind.MSME, udyam=""),
    "iec": Q(stage__in=[Stage.SOLD, Stage.EXPORTING], iec=""),
}

# What each step asks of the centre, as the staff read it.
STAFF_LABELS: dict[str, str | Promise] = {
    "listing_consent": _("Consent to be listed not yet given"),
    "bank": _("Bank details missing"),
    "sensitisation": _("To invite to an awareness meeting"),
    "training": _("To train"),
    "catalogue": _("Trained: products to photograph and catalogue"),
    "udyam": _("MSME without a Udyam number"),
    "iec": _("Selling without an IEC"),
}
