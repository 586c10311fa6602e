"""On PostgreSQL, a trigram index for the producer list's search (ProducerQuerySet.search).

The search matches `%text%` in the names and the mobile number, and identifiers exactly, joined by
OR; a B-tree serves none of the LIKE terms, so every search read all the district's producers
(40 ms at 20,000, bench/bench_registry.py). One GIN index with a trigram column for each term lets
PostgreSQL combine them (BitmapOr): 3 ms. The expressions match the SQL Django writes for
`icontains` (UPPER(col::text) LIKE UPPER(...)) and `contains`; trigram indexes also serve `=`.

SQLite has no trigram index, so there this does nothing; and as Django cannot declare such an
index for one database only, it lives here rather than in Producer.Meta.indexes.
"""

from django.db import migrations

INDEX = "registry_producer_search_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON registry_producer USING gin ("
        "upper(name_hi::text) gin_trgm_ops, upper(name_latin::text) gin_trgm_ops, "
        "name_key gin_trgm_ops, mobile gin_trgm_ops, pan gin_trgm_ops, iec gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The extension stays: other indexes or queries may use it by then.
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_load_activities"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
