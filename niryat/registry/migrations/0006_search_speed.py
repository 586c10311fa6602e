"""Indexes for the producer list's search (bench/bench_registry.py, 20,000 producers a district).

- The list shows a district's producers not erased, by Latin name: with no index in that order,
  every page sorted the whole district (20 ms on SQLite). The index holds the list's filters
  (kind, women-led, stage, ODOP product) after the order, so that counting a filtered list reads
  the index alone instead of every producer's row.
- PAN and IEC are searched exactly, beside GSTIN and Udyam, which have their indexes: without
  them, a search that could be an identifier read the whole district.

AddIndex only creates indexes: on SQLite the table is not rebuilt, so the search triggers of
0005 stay.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0005_producer_search_fts"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="producer",
            index=models.Index(
                fields=[
                    "district",
                    "erased_at",
                    "name_latin",
                    "id",
                    "kind",
                    "women_led",
                    "stage",
                    "odop_product",
                ],
                name="producer_list_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="producer",
            index=models.Index(fields=["pan"], name="producer_pan_idx"),
        ),
        migrations.AddIndex(
            model_name="producer",
            index=models.Index(fields=["iec"], name="producer_iec_idx"),
        ),
    ]
