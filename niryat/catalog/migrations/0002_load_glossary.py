"""Seed the craft glossary from data/glossary.csv (staff extend it on the glossary page)."""

import csv
from pathlib import Path

from django.db import migrations

GLOSSARY = Path(__file__).resolve().parent.parent / "data" / "glossary.csv"


def load(apps, schema_editor):
    GlossaryTerm = apps.get_model("catalog", "GlossaryTerm")
    with GLOSSARY.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            GlossaryTerm.objects.get_or_create(
                hindi=row["hindi"], defaults={"english": row["english"], "note": row["note"]}
            )


def unload(apps, schema_editor):
    GlossaryTerm = apps.get_model("catalog", "GlossaryTerm")
    with GLOSSARY.open(encoding="utf-8") as handle:
        GlossaryTerm.objects.filter(hindi__in=[row["hindi"] for row in csv.DictReader(handle)]).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_products_skus_images")]
    operations = [migrations.RunPython(load, unload)]
