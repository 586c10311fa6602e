"""The answers to "प्रशिक्षण" / "training" (a producer's coming training sessions), and the list of
keywords naming it; a list the state has already reworded is left as it is."""

from django.db import migrations
from django.utils.translation import gettext_noop

TEMPLATES = [
    {
        "key": "reply_trainings",
        "purpose": gettext_noop('Answer to "training" / "प्रशिक्षण": the producer\'s coming training sessions.'),
        "body_en": "Your coming trainings: {trainings}",
        "body_hi": "आपके आने वाले प्रशिक्षण: {trainings}",
    },
    {
        "key": "reply_no_trainings",
        "purpose": gettext_noop('Answer to "training" / "प्रशिक्षण" when no training is coming.'),
        "body_en": "No training is booked for you now. Ask your Export Development Centre.",
        "body_hi": "अभी आपके लिए कोई प्रशिक्षण तय नहीं है। अपने निर्यात विकास केन्द्र से पूछें।",
    },
]
KEYWORDS_BEFORE = {
    "body_en": "Send ORDER for your orders, HELP for the centre's number, a photo for your "
    "product, STOP to stop messages.",
    "body_hi": "अपने ऑर्डर के लिए ऑर्डर, केन्द्र के नंबर के लिए मदद, उत्पाद के लिए फ़ोटो, संदेश "
    "बंद करने के लिए रोकें भेजें।",
}
KEYWORDS_NOW = {
    "body_en": "Send ORDER for your orders, TRAINING for your trainings, HELP for the centre's "
    "number, a photo for your product, STOP to stop messages.",
    "body_hi": "अपने ऑर्डर के लिए ऑर्डर, अपने प्रशिक्षण के लिए प्रशिक्षण, केन्द्र के नंबर के लिए "
    "मदद, उत्पाद के लिए फ़ोटो, संदेश बंद करने के लिए रोकें भेजें।",
}


def add(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    for template in TEMPLATES:
        MessageTemplate.objects.get_or_create(key=template["key"], defaults=template)
    MessageTemplate.objects.filter(key="reply_keywords", **KEYWORDS_BEFORE).update(**KEYWORDS_NOW)


def remove(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    MessageTemplate.objects.filter(key__in=[t["key"] for t in TEMPLATES]).delete()
    MessageTemplate.objects.filter(key="reply_keywords", **KEYWORDS_NOW).update(**KEYWORDS_BEFORE)


class Migration(migrations.Migration):
    dependencies = [("messaging", "0004_training_and_payout_templates")]

    operations = [migrations.RunPython(add, remove)]
