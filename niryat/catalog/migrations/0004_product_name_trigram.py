"""On PostgreSQL, a trigram index for the product list's search by name (ProductQuerySet.filtered).

The search matches `%text%` in the English and Hindi names, joined by OR with the products of a
SKU code; a B-tree serves neither LIKE, so every search read all the district's products, and the
count read them again (bench/bench_catalog.py: 100,000 SKUs in a district). One GIN index with a
trigram column for each name lets PostgreSQL combine them with the primary key (BitmapOr). The
expressions match the SQL Django writes for `icontains` (UPPER(col::text) LIKE UPPER(...)).

SQLite has no trigram index, so there this does nothing (see registry 0003 for the same choice).
"""

from django.db import migrations

INDEX = "catalog_product_name_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON catalog_product USING gin ("
        "upper(name_en::text) gin_trgm_ops, upper(name_hi::text) gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_list_indexes"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
