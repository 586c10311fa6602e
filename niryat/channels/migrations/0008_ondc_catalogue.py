"""ONDC's catalogue: each ODOP product's ONDC domain and category (seeded below from the ODOP
products' names), producers' pickup locations, buyer apps' push subscriptions, the queue of
catalogue changes and the pushes made of them."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The default rules as they were when this migration was written (niryat/channels/ondc/
# taxonomy.py DEFAULT_RULES may change later; a migration must not).
RULES = (
    (("saree", "sari"), "ONDC:RET12", "Sarees"),
    (("shawl", "dupatta"), "ONDC:RET12", "Dupattas & Shawls"),
    (("chikan", "khadi", "garment", "apparel", "hosiery", "school dress"), "ONDC:RET12",
     "Kurtas & Kurta Sets"),
    (("zari", "zardozi", "embroidery"), "ONDC:RET12", "Dress Materials"),
    (("handloom", "textile", "terricot", "powerloom"), "ONDC:RET12", "Unstitched Fabrics"),
    (("home furnishing", "bedsheet"), "ONDC:RET16", "Home Furnishing - Bedding and Linen"),
    (("furniture",), "ONDC:RET16", "Furniture"),
    (("toy",), "ONDC:RET16", "Toys and Games"),
    (("brass", "metal", "aluminium utensil"), "ONDC:RET16", "Serveware"),
    (("carpet", "dari", "terracotta", "pottery", "ceramic", "wood", "craft", "decorative",
      "glass", "stone", "moonj", "bamboo", "jute", "horn", "paper", "wall hanging", "tarkashi",
      "meenakari", "rushes", "banana fibre"), "ONDC:RET16", "Home Decor"),
)  # fmt: skip


def seed_mappings(apps, schema_editor):  # type: ignore[no-untyped-def]
    """A mapping for every ODOP product already loaded (those loaded later get the same default
    when their goods are first offered, until staff set one)."""
    OdopProduct = apps.get_model("core", "OdopProduct")
    OndcDomainMapping = apps.get_model("channels", "OndcDomainMapping")
    for odop in OdopProduct.objects.all():
        name = odop.name_en.lower()
        domain, category = "", ""
        for words, rule_domain, rule_category in RULES:
            if any(word in name for word in words):
                domain, category = rule_domain, rule_category
                break
        OndcDomainMapping.objects.get_or_create(
            odop_product=odop, defaults={"domain": domain, "category": category}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0007_ondc_orders"),
        ("core", "0003_import_jobs"),
        ("registry", "0007_import_jobs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="OndcChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("provider_id", models.CharField(max_length=40)),
                ("item_id", models.CharField(blank=True, max_length=40)),
                ("domain", models.CharField(blank=True, max_length=12)),
                ("disable", models.BooleanField(default=False)),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                ("batched_at", models.DateTimeField(blank=True, db_index=True, null=True)),
                (
                    "district",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.district",
                    ),
                ),
            ],
            options={
                "ordering": ["id"],
            },
        ),
        migrations.CreateModel(
            name="OndcDomainMapping",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "domain",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("ONDC:RET12", "Fashion (RET12)"),
                            ("ONDC:RET16", "Home and kitchen (RET16)"),
                        ],
                        max_length=12,
                        verbose_name="ONDC domain",
                    ),
                ),
                (
                    "category",
                    models.CharField(blank=True, max_length=60, verbose_name="ONDC category"),
                ),
                (
                    "odop_product",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="ondc_mapping",
                        to="core.odopproduct",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "ONDC domain of an ODOP product",
                "ordering": ["odop_product__district__name_en", "odop_product__name_en"],
            },
        ),
        migrations.CreateModel(
            name="OndcLocation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "latitude",
                    models.DecimalField(decimal_places=6, max_digits=8, verbose_name="latitude"),
                ),
                (
                    "longitude",
                    models.DecimalField(decimal_places=6, max_digits=9, verbose_name="longitude"),
                ),
                ("street", models.CharField(max_length=200, verbose_name="street")),
                ("locality", models.CharField(max_length=200, verbose_name="locality")),
                (
                    "producer",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="ondc_location",
                        to="registry.producer",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "ONDC pickup location",
                "ordering": ["producer_id"],
            },
        ),
        migrations.CreateModel(
            name="OndcSubscription",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("bap_id", models.CharField(max_length=200)),
                ("bap_uri", models.CharField(max_length=500)),
                (
                    "domain",
                    models.CharField(
                        choices=[
                            ("ONDC:RET12", "Fashion (RET12)"),
                            ("ONDC:RET16", "Home and kitchen (RET16)"),
                        ],
                        max_length=12,
                    ),
                ),
                ("context", models.JSONField(default=dict)),
                ("active", models.BooleanField(default=True)),
                ("started_at", models.DateTimeField()),
                ("stopped_at", models.DateTimeField(blank=True, null=True)),
                (
                    "node",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="subscriptions",
                        to="channels.ondcnode",
                    ),
                ),
            ],
            options={
                "ordering": ["node_id", "bap_id", "domain"],
            },
        ),
        migrations.CreateModel(
            name="OndcPush",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("message", models.JSONField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("next_try_at", models.DateTimeField(db_index=True)),
                ("acked_at", models.DateTimeField(blank=True, null=True)),
                ("last_error", models.TextField(blank=True)),
                (
                    "subscription",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="pushes",
                        to="channels.ondcsubscription",
                    ),
                ),
            ],
            options={
                "ordering": ["id"],
            },
        ),
        migrations.AddConstraint(
            model_name="ondcsubscription",
            constraint=models.UniqueConstraint(
                fields=("node", "bap_id", "domain"), name="ondc_subscription_unique"
            ),
        ),
        migrations.RunPython(seed_mappings, migrations.RunPython.noop),
    ]
