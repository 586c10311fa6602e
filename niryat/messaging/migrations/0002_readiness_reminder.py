"""The export desk's reminder that a readiness item (IEC, LUT, RCMC...) lapses soon, as a template
the state can edit and register (niryat/exportdesk/actions.py sends it)."""

from django.db import migrations
from django.utils.translation import gettext_noop

TEMPLATE = {
    "key": "readiness_reminder",
    "purpose": gettext_noop("An export readiness item (LUT, RCMC...) of the producer lapses soon."),
    "body_en": "Niryat: {item} of {name} lapses on {date}. Renew it in time; the export centre can help.",
    "body_hi": "निर्यात: {name} का {item} {date} को समाप्त हो रहा है। समय पर नवीनीकरण कराएँ; निर्यात केन्द्र मदद करेगा।",
    "whatsapp_name": "readiness_reminder",
}


def add_template(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    MessageTemplate.objects.get_or_create(key=TEMPLATE["key"], defaults=TEMPLATE)


def remove_template(apps, schema_editor):
    apps.get_model("messaging", "MessageTemplate").objects.filter(key=TEMPLATE["key"]).delete()


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_initial")]

    operations = [migrations.RunPython(add_template, remove_template)]
