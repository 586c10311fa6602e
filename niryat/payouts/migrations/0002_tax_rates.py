"""The rates of tax the marketplaces withhold, each with the law that set it, from the day it
was in force: old orders reconcile at the rate of their date.

- TCS under section 52 of the CGST Act (an e-commerce operator collects it on the net taxable
  value of supplies through it): 1% (0.5% CGST + 0.5% SGST, or 1% IGST) from 1 October 2018
  (notifications 51/2018 and 52/2018-Central Tax); 0.5% from 10 July 2024 (notification
  15/2024-Central Tax).
- TDS under section 194-O of the Income-tax Act (on the gross amount of sales through the
  operator): 1% from 1 October 2020 (Finance Act, 2020); 0.1% from 1 October 2024 (Finance
  (No. 2) Act, 2024).
"""

import datetime
from decimal import Decimal

from django.db import migrations

RATES = [
    ("tcs", Decimal("1"), datetime.date(2018, 10, 1), "CGST Act s. 52; notifications 51/2018 and 52/2018-Central Tax"),
    ("tcs", Decimal("0.5"), datetime.date(2024, 7, 10), "notification 15/2024-Central Tax"),
    ("tds", Decimal("1"), datetime.date(2020, 10, 1), "Income-tax Act s. 194-O; Finance Act, 2020"),
    ("tds", Decimal("0.1"), datetime.date(2024, 10, 1), "s. 194-O; Finance (No. 2) Act, 2024"),
]


def add_rates(apps, schema_editor):
    TaxRate = apps.get_model("payouts", "TaxRate")
    for kind, percent, valid_from, notification in RATES:
        TaxRate.objects.get_or_create(
            kind=kind,
            valid_from=valid_from,
            defaults={"percent": percent, "notification": notification},
        )


def remove_rates(apps, schema_editor):
    TaxRate = apps.get_model("payouts", "TaxRate")
    for kind, _percent, valid_from, _notification in RATES:
        TaxRate.objects.filter(kind=kind, valid_from=valid_from).delete()


class Migration(migrations.Migration):
    dependencies = [("payouts", "0001_initial")]

    operations = [migrations.RunPython(add_rates, remove_rates)]
