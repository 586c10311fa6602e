"""What issuing export documents costs: invoice, packing list and CN 23 for each of N shipments
(issue 14: 1,000), through `do_issue_document` (checks, numbering under a row lock, the template,
WeasyPrint, the file and the row), against the baseline of WeasyPrint alone turning the same HTML
into PDFs in the same run: the ratio is what the desk adds to the rendering.

N is BENCH_EXPORT_SHIPMENTS, or 1,000 × scale (at least 10). Files go to a temporary directory.
"""

from __future__ import annotations

import datetime
import os
import tempfile
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML

from bench.harness import Result, compare, rate
from niryat.core.models import Role, User
from niryat.exportdesk.actions import LineInput, do_create_export_order, do_issue_document
from niryat.exportdesk.documents import document_context
from niryat.exportdesk.models import Document, DocumentCounter, ExportOrder
from niryat.registry.models import Producer

DESIGN_SHIPMENTS = 1_000
KINDS = ("invoice", "packing_list", "cn23")
ON = datetime.date(2026, 12, 7)


def orders(n: int) -> tuple[list[ExportOrder], User]:
    staff = (
        User.objects.filter(role=Role.CENTRE_STAFF, district__isnull=False).order_by("pk").first()
    )
    if staff is None:
        raise AssertionError("no centre staff in the generated data")
    producer = Producer.objects.filter(district_id=staff.district_id).order_by("pk").first()
    if producer is None:
        raise AssertionError(f"no producer in {staff.district}")
    Producer.objects.filter(pk=producer.pk).update(iec="ABCPE1234F")
    producer.refresh_from_db()
    made = []
    for index in range(n):
        made.append(
            do_create_export_order(
                producer,
                buyer={"name": f"Buyer {index}", "country": "US", "address": "New York"},
                order={
                    "incoterm": "FOB",
                    "currency": "USD",
                    "exchange_rate": Decimal("83.25"),
                    "igst_paid": True,
                    "igst_rate": Decimal(5),
                    "gross_weight_kg": Decimal("4.2"),
                },
                lines=[
                    LineInput(f"Brass lamp {i}", "74181021", 2 + i, Decimal("19.50"), Decimal(1))
                    for i in range(3)
                ],
                acting_user=staff,
            )
        )
    return made, staff


def run(scale: float) -> list[Result]:
    n = int(os.environ.get("BENCH_EXPORT_SHIPMENTS") or max(10, round(DESIGN_SHIPMENTS * scale)))
    media = tempfile.TemporaryDirectory(prefix="niryat-bench-docs-")
    settings.MEDIA_ROOT = media.name
    try:
        made, staff = orders(n)
        with translation.override("en"):
            pages = [
                render_to_string(
                    f"exportdesk/pdf/{kind}.html",
                    document_context(
                        order,
                        kind,
                        number="171/INV/2026-27/0001",
                        version=1,
                        on=ON,
                        hindi_name=True,
                    ),
                )
                for order in made
                for kind in KINDS
            ]

        def forget() -> None:
            Document.objects.all().delete()
            DocumentCounter.objects.all().delete()

        def issue_all() -> None:
            for order in made:
                for kind in KINDS:
                    do_issue_document(order, kind, hindi_name=True, on=ON, acting_user=staff)

        def weasyprint_alone() -> None:
            for page in pages:
                HTML(string=page).write_pdf()

        forget()
        issue_all()
        if Document.objects.count() != 3 * n:
            raise AssertionError(f"{Document.objects.count()} documents for {n} shipments")
        ours, bare = compare(issue_all, weasyprint_alone, repeat=2, warmup=0, setup=forget)
    finally:
        media.cleanup()
    size = f"{n:,} shipments · {3 * n:,} PDFs (invoice, packing list, CN 23)"
    return [
        Result(
            "export desk: issue documents (PDFs/s)",
            size,
            rate(ours, 3 * n),
            rate(bare, 3 * n),
            "WeasyPrint alone: the same HTML strings to PDF, no checks, numbers, files or rows",
        )
    ]
