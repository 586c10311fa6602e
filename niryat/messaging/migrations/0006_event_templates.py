"""Templates for conclaves, exhibitions and visits (niryat/events): the invitation with its answer
link, the reminder with the guest's check-in code, and the feedback link after."""

from django.db import migrations
from django.utils.translation import gettext_noop

TEMPLATES = [
    {
        "key": "event_invitation",
        "purpose": gettext_noop("An invitation to a conclave, exhibition or visit, with the link to answer."),
        "body_en": "Niryat: you are invited to {event} on {date} at {place}. Will you come? "
        "Answer here: {link}",
        "body_hi": "निर्यात: आपको {event} में आमंत्रित किया गया है, {date} को {place} में। क्या आप "
        "आएँगे? यहाँ उत्तर दें: {link}",
        "whatsapp_name": "event_invitation",
    },
    {
        "key": "event_reminder",
        "purpose": gettext_noop("A reminder of an event in the next days, with the guest's check-in code."),
        "body_en": "Niryat: a reminder: {event} on {date} at {place}. Show your check-in code "
        "{code} at the entrance.",
        "body_hi": "निर्यात: याद दिला दें: {event}, {date} को {place} में। प्रवेश पर अपना चेक-इन कोड "
        "{code} दिखाएँ।",
        "whatsapp_name": "event_reminder",
    },
    {
        "key": "event_feedback",
        "purpose": gettext_noop("After an event, the link where a guest who came gives feedback."),
        "body_en": "Niryat: thank you for coming to {event}. Tell us how it was: {link}",
        "body_hi": "निर्यात: {event} में आने के लिए धन्यवाद। बताइए कैसा रहा: {link}",
        "whatsapp_name": "event_feedback",
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
    dependencies = [("messaging", "0005_training_keyword")]

    operations = [migrations.RunPython(add_templates, remove_templates)]
