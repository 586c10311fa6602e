"""Seed the craft activities from data/activities.csv (staff extend them in the admin)."""

import csv
from pathlib import Path

from django.db import migrations

ACTIVITIES = Path(__file__).resolve().parent.parent / "data" / "activities.csv"


def load(apps, schema_editor):
    Activity = apps.get_model("registry", "Activity")
    with ACTIVITIES.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            Activity.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name_en": row["name_en"],
                    "name_hi": row["name_hi"],
                    "keywords": row["keywords"],
                },
            )


def unload(apps, schema_editor):
    Activity = apps.get_model("registry", "Activity")
    with ACTIVITIES.open(encoding="utf-8") as handle:
        Activity.objects.filter(code__in=[row["code"] for row in csv.DictReader(handle)]).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_producers")]
    operations = [migrations.RunPython(load, unload)]
