"""Templates for the trainings (an invitation with the check-in code: niryat/events) and the
payouts (a marketplace's payment for an order reached the producer's account: niryat/payouts),
which the state can edit and register."""

from django.db import migrations
from django.utils.translation import gettext_noop

TEMPLATES = [
    {
        "key": "training_invitation",
        "purpose": gettext_noop("A producer's place in a training, with its date, place and their check-in code."),
        "body_en": "Niryat: you have a place in {programme} on {date} at {place}. "
        "Show your check-in code {code} at the venue.",
        "body_hi": "निर्यात: {programme} में आपका स्थान पक्का है, {date} को {place} में। "
        "स्थल पर अपना चेक-इन कोड {code} दिखाएँ।",
        "whatsapp_name": "training_invitation",
    },
    {
        "key": "payout_landed",
        "purpose": gettext_noop("A marketplace paid the producer's money for an order into their account."),
        "body_en": "Niryat: {amount} for order #{order} reached your account on {date}.",
        "body_hi": "निर्यात: ऑर्डर #{order} का {amount} आपके खाते में {date} को आया।",
        "whatsapp_name": "payout_landed",
    },
]


def add_templates(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    for template in TEMPLATES:
        MessageTemplate.objects.get_or_create(key=template["key"], defaults=template)


def remove_templates(apps, schema_editor):
    keys = [template["key"] for template in TEMPLATES]
    apps.get_model("messaging", "MessageTemplate").objects.filter(key__in=keys).delete()


class Migration(migrations.Migration):
    dependencies = [("messaging", "0003_message_provider_ref")]

    operations = [migrations.RunPython(add_templates, remove_templates)]
