"""Pages of the producer import, and the producer list's spreadsheet exports.

Thin, like every view: records are fetched through the scoping helpers, writes go through
`bulk_import` (`start_import`, `import_valid_rows_of`), and sheets are built in `spreadsheets`.
Importing is for those who may change a district's registry (its centre staff, and state admins,
who choose the district); exports are for anyone who may read the producers, except producers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from niryat.core.models import District, Role, User
from niryat.core.scoping import get_changeable_or_deny
from niryat.core.sheets.reading import MAX_FILE_BYTES, SheetError, check_upload
from niryat.registry.actions import do_record_producer_list_export
from niryat.registry.bulk_import import (
    PRODUCER_SHEET,
    resolve_match,
    start_import,
)
from niryat.registry.models import ImportJob, Producer
from niryat.registry.spreadsheets import (
    EXPORT_COLUMNS,
    Sheet,
    csv_response,
    export_header,
    export_row,
    template_header,
    template_sheets,
    xlsx_response,
)

# The most problems listed on a page; the error sheet has them all.
SHOWN_PROBLEMS = 500
# openpyxl writes some 3,000 rows a second here: beyond this an XLSX export would outlast the
# request, and CSV (streamed) is the way.
XLSX_EXPORT_MAX_ROWS = 100_000


def _staff(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if user.role == Role.PRODUCER:
        raise PermissionDenied(_("Your role cannot open this page."))
    return user


def _importer(request: HttpRequest) -> User:
    user = _staff(request)
    if not District.objects.changeable_by(user).exists():
        raise PermissionDenied(_("Only centre staff and state administrators import producers."))
    return user


class ImportForm(forms.Form):
    district = forms.ModelChoiceField(
        label=gettext_lazy("District"),
        queryset=District.objects.none(),
        help_text=gettext_lazy("The district whose producers the sheet lists."),
    )
    file = forms.FileField(label=gettext_lazy("Sheet (XLSX or CSV)"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user.is_state_level:
            # A state administrator imports for one district at a time, chosen here.
            district = cast(forms.ModelChoiceField, self.fields["district"])
            district.queryset = District.objects.changeable_by(user).order_by("name_en")
        else:
            del self.fields["district"]
        self.user = user
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv,.txt"
        self.fields["file"].help_text = _("An Excel workbook or a CSV file, up to %(size)s MB.") % {
            "size": MAX_FILE_BYTES // 1024 // 1024
        }

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        try:
            check_upload(upload, PRODUCER_SHEET)
        except SheetError as exc:
            raise ValidationError(str(exc)) from exc
        return upload

    def chosen_district(self) -> District:
        return self.cleaned_data.get("district") or cast(District, self.user.district)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    user = _importer(request)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, user=user)
        if form.is_valid():
            job = start_import(
                form.chosen_district(),
                form.cleaned_data["file"],
                acting_user=user,
                language=translation.get_language(),
            )
            if job.status == ImportJob.Status.MAPPING:
                return redirect("producer_import_columns", job_uuid=job.uuid)
            return redirect("producer_import_job", job_uuid=job.uuid)
    else:
        form = ImportForm(user=user)
    jobs = (
        ImportJob.objects.visible_to(user)
        .select_related("district", "uploaded_by")
        .defer("errors")  # a sheet's messages can run to megabytes; the list shows counts
    )[:10]
    return render(
        request,
        "registry/import_upload.html",
        {"form": form, "jobs": jobs, "job_url_name": "producer_import_job"},
    )


@require_safe
@login_required
def import_template(request: HttpRequest, fmt: str) -> HttpResponseBase:
    user = _importer(request)
    if fmt == "csv":
        return csv_response("producers-template.csv", template_header(), [])
    district = None if user.is_state_level else user.district
    return xlsx_response("producers-template.xlsx", template_sheets(district))


@require_POST
@login_required
def import_job_keep(request: HttpRequest, job_uuid: Any, row: int) -> HttpResponse:
    """Staff's choice for the differences of a row that is a registered producer."""
    user = _staff(request)
    job = get_changeable_or_deny(ImportJob.objects.select_related("district"), user, uuid=job_uuid)
    choices = {
        name.removeprefix("keep_"): request.POST[name]
        for name in request.POST
        if name.startswith("keep_") and request.POST[name] in {"sheet", "ours", "both"}
    }
    try:
        resolve_match(job, row, choices, acting_user=user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request, _("Row %(row)s: your choices are saved to the producer.") % {"row": row}
        )
    return redirect(f"{reverse('producer_import_job', args=[job.uuid])}#row-{row}")


def _export_rows(records: Iterable[Producer], language: str) -> Iterator[list[str]]:
    # A streamed response is written after the view returns: keep the user's language for it.
    with translation.override(language):
        for producer in records:
            yield export_row(producer)


@require_safe
@login_required
def producer_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The producer list, with the list page's filters, as XLSX or CSV."""
    user = _staff(request)
    records = (
        Producer.objects.visible_to(user)
        .filtered(request.GET)  # type: ignore[arg-type]
        .select_related("district", "odop_product")
        .prefetch_related("activities")
    )
    stem = f"producers-{timezone.localdate():%Y-%m-%d}"
    rows = _export_rows(records.iterator(chunk_size=2000), translation.get_language())
    count = records.count()
    if fmt == "csv" or count <= XLSX_EXPORT_MAX_ROWS:
        do_record_producer_list_export(
            fmt=fmt, filters=request.GET.dict(), count=count, acting_user=user
        )
    if fmt == "csv":
        return csv_response(f"{stem}.csv", export_header(), rows)
    if count > XLSX_EXPORT_MAX_ROWS:
        return render(
            request,
            "core/message.html",
            {
                "title": _("Too many producers for one Excel sheet"),
                "message": _(
                    "%(count)s producers match; an Excel export holds up to %(limit)s. "
                    "Choose a district or other filters, or download CSV."
                )
                % {"count": f"{count:,}", "limit": f"{XLSX_EXPORT_MAX_ROWS:,}"},
            },
            status=400,
        )
    widths = [column.width for column in EXPORT_COLUMNS]
    return xlsx_response(f"{stem}.xlsx", [Sheet(_("Producers"), export_header(), rows, widths)])
