"""A programme's list of trainees as a sheet (a partner institute's or a scheme's list): each
row's mobile number finds the producer in the district's registry, and the rows are registered
for the programme together (places, then the waiting list), or not at all while a row has an
error. The framework (niryat/core/sheets) does the reading, mapping, job, pages and clean-up."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from niryat.core.sheets.importers import CheckedRecord, Importer, SheetField
from niryat.events.actions import do_register_participants
from niryat.events.models import TraineeImportJob
from niryat.registry.identifiers import clean_mobile
from niryat.registry.models import Producer

if TYPE_CHECKING:
    from niryat.core.models import District, User
    from niryat.core.sheets.models import SheetImportJob


class TraineeImporter(Importer):
    key = "trainees"
    label = gettext_noop("Importing a list of trainees")
    fields = (
        SheetField(
            "mobile",
            "मोबाइल",
            "mobile",
            aliases=("mobile number", "मोबाइल नंबर", "phone", "फ़ोन"),
            required=True,
            kind="mobile",
            personal=True,
        ),
        SheetField("name", "नाम", "name", aliases=("trainee", "प्रशिक्षु")),
    )
    job_model = TraineeImportJob
    url_prefix = "trainees"
    sheet_title = gettext_noop("A list of trainees")
    template_prefix = "events/import_"

    def check_row(
        self, values: Mapping[str, str], number: int, district: District
    ) -> CheckedRecord:
        row = super().check_row(values, number, district)
        if row.values is None:
            return row
        mobile = clean_mobile(row.values["mobile"])
        found = list(
            Producer.objects.filter(mobile=mobile, erased_at__isnull=True).values_list(
                "pk", "district_id"
            )[:2]
        )
        mine = [pk for pk, district_id in found if district_id == district.pk]
        if not found:
            row.errors.append(("mobile", _("No producer in the registry has this mobile number.")))
        elif not mine:
            row.errors.append(
                ("mobile", _("This mobile number is a producer of another district."))
            )
        if row.errors:
            row.values = None
        else:
            row.values = {"producer": mine[0]}
        return row

    def save(
        self,
        rows: Sequence[CheckedRecord],
        *,
        district: District,
        acting_user: User,
        job: SheetImportJob | None,
    ) -> tuple[int, int]:
        """Register the rows' producers (a second import of the same list changes nothing):
        (registered or waiting, unchanged)."""
        if not isinstance(job, TraineeImportJob):
            raise TypeError("a trainee list is imported for a programme, through its job")
        wanted: dict[int, Any] = {}
        for row in rows:
            if row.values is not None:
                wanted.setdefault(row.values["producer"], row)
        found = Producer.objects.in_bulk(list(wanted))
        in_sheet_order = [found[pk] for pk in wanted if pk in found]  # the waiting list's order
        result = do_register_participants(job.programme, in_sheet_order, acting_user=acting_user)
        placed = len(result.registered) + len(result.waiting)
        return placed, len(rows) - placed


TRAINEE_IMPORTER = TraineeImporter()
