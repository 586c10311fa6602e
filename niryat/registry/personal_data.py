"""Everything held about a producer, for their data export on request."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from niryat.registry.hooks import DataSection, producer_hooks
from niryat.registry.models import Producer, producer_values

SECTION_TITLES = {
    "profile": _("Profile"),
    "consents": _("Consents"),
    "stage_history": _("Stage history"),
    "groups": _("Groups"),
    "members": _("Members"),
    "visits_attended": _("Visits attended"),
}


def held_data(producer: Producer) -> list[DataSection]:
    """Everything held about a producer, section by section, for their data export: the
    registry's own, then each app's above it (`ProducerHooks.personal_data`)."""
    profile = producer_values(producer)
    profile["activities"] = ", ".join(a.code for a in producer.activities.all())
    own = {
        "profile": [profile],
        "consents": [
            {
                "purpose": consent.purpose,
                "given": consent.given,
                "on": consent.on.isoformat(),
                "method": consent.method,
                "recorded_by": str(consent.recorded_by or ""),
                "recorded_at": consent.created_at.isoformat(),
            }
            for consent in producer.consents.select_related("recorded_by")
        ],
        "stage_history": [
            {
                "from_stage": change.from_stage,
                "to_stage": change.to_stage,
                "reason": change.reason,
                "changed_by": str(change.changed_by or ""),
                "at": change.created_at.isoformat(),
            }
            for change in producer.stage_changes.select_related("changed_by")
        ],
        "groups": [
            {
                "group": str(m.group),
                "group_uuid": str(m.group.uuid),
                "role": m.role,
                "joined_on": m.joined_on.isoformat(),
            }
            for m in producer.groups_joined.select_related("group")
        ],
        "members": [
            {
                "member": str(m.member),
                "member_uuid": str(m.member.uuid),
                "role": m.role,
                "joined_on": m.joined_on.isoformat(),
            }
            for m in producer.memberships.select_related("member")
        ],
        "visits_attended": [
            {"kind": visit.kind, "on": visit.on.isoformat(), "place": visit.place}
            for visit in producer.visits.all()
        ],
    }
    sections = [DataSection(key, SECTION_TITLES[key], rows) for key, rows in own.items()]
    for hooks in producer_hooks():
        sections.extend(hooks.personal_data(producer))
    return sections
