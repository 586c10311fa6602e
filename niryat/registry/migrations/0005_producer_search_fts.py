"""On SQLite, a full-text index (FTS5, trigram) for the producer list's search.

The search matches `%text%` in name_hi, name_latin and name_key, and digits in the mobile number
(ProducerQuerySet.search). SQLite has no index for such LIKE terms, so every search read every
producer of the district and ran three or four LIKEs on each: p95 103 ms at 20,000
(bench/bench_registry.py). FTS5's trigram tokenizer
answers the same substring question from an index (for three characters or more, and without
regard to case, as LIKE is for ASCII); shorter searches still use LIKE.

The index holds only those four columns, keyed by the producer's id (an external-content
table, so no text is stored twice), and triggers keep it in step with every write, bulk ones
included. Django rebuilds a table on SQLite to alter it (create, copy, drop, rename), which drops
its triggers: a later migration that alters registry_producer must run this one's SQL again
(tests/registry/test_search.py fails if the triggers are gone).

PostgreSQL has its trigram index (0003); there this does nothing. SQLite before 3.34 has no
trigram tokenizer: there too, and the search keeps to LIKE.
"""

import sqlite3

from django.db import migrations

TABLE = "registry_producer_search"
COLUMNS = "name_hi, name_latin, name_key, mobile"
CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5({COLUMNS}, "
    "content='registry_producer', content_rowid='id', tokenize='trigram')",
    f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_insert AFTER INSERT ON registry_producer BEGIN "
    f"INSERT INTO {TABLE}(rowid, {COLUMNS}) VALUES (new.id, new.name_hi, new.name_latin, "
    "new.name_key, new.mobile); END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_delete AFTER DELETE ON registry_producer BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, {COLUMNS}) VALUES ('delete', old.id, old.name_hi, "
    "old.name_latin, old.name_key, old.mobile); END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_update AFTER UPDATE OF {COLUMNS} ON registry_producer "
    f"BEGIN INSERT INTO {TABLE}({TABLE}, rowid, {COLUMNS}) VALUES ('delete', old.id, "
    f"old.name_hi, old.name_latin, old.name_key, old.mobile); "
    f"INSERT INTO {TABLE}(rowid, {COLUMNS}) "
    "VALUES (new.id, new.name_hi, new.name_latin, new.name_key, new.mobile); END",
]
DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_insert",
    f"DROP TRIGGER IF EXISTS {TABLE}_delete",
    f"DROP TRIGGER IF EXISTS {TABLE}_update",
    f"DROP TABLE IF EXISTS {TABLE}",
]


def _applies(schema_editor):
    return schema_editor.connection.vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 34)


def create_index(apps, schema_editor):
    if _applies(schema_editor):
        for statement in CREATE:
            schema_editor.execute(statement)


def drop_index(apps, schema_editor):
    if _applies(schema_editor):
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0004_merged_producer_address"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
