"""Orders gain the state "out for delivery" (between shipped and delivered), which needs a longer
state column."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0008_ondc_catalogue"),
    ]

    operations = [
        migrations.AlterField(
            model_name="order",
            name="state",
            field=models.CharField(
                choices=[
                    ("new", "new"),
                    ("accepted", "accepted"),
                    ("packed", "packed"),
                    ("shipped", "shipped"),
                    ("out_for_delivery", "out for delivery"),
                    ("delivered", "delivered"),
                    ("cancelled", "cancelled"),
                    ("returned", "returned"),
                ],
                db_index=True,
                default="new",
                max_length=20,
                verbose_name="status",
            ),
        ),
    ]
