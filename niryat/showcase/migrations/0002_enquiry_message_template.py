"""The producer's message about a buyer's enquiry from the showcase, as a template the state can
edit and register (niryat/showcase/actions.py sends it, in Hindi)."""

from django.db import migrations
from django.utils.translation import gettext_noop

TEMPLATE = {
    "key": "showcase_enquiry",
    "purpose": gettext_noop("A buyer asked about the producer's product on the public showcase."),
    "body_en": "Niryat: a buyer asks for {quantity} of {product} for {country}. The export centre will call you.",
    "body_hi": "निर्यात: एक खरीदार ने {country} के लिए {product} की {quantity} नग की पूछताछ की है। निर्यात केन्द्र आपको फ़ोन करेगा।",
    "whatsapp_name": "showcase_enquiry",
}


def add_template(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    MessageTemplate.objects.get_or_create(key=TEMPLATE["key"], defaults=TEMPLATE)


def remove_template(apps, schema_editor):
    apps.get_model("messaging", "MessageTemplate").objects.filter(key=TEMPLATE["key"]).delete()


class Migration(migrations.Migration):
    dependencies = [("showcase", "0001_initial"), ("messaging", "0002_readiness_reminder")]

    operations = [migrations.RunPython(add_template, remove_template)]
