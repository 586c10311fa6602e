"""Pages of the catalogue import: upload, template, progress, errors, and the choice to import the
rows without errors.

Thin, like every view: jobs are fetched through the scoping helpers, writes go through
`bulk_import` (`start_import`, `import_valid_rows_of`), and sheets are written by the registry's
`spreadsheets` (formula-safe XLSX and CSV). Importing is for those who may change a district's
catalogue (its centre staff, and state admins, who choose the district); the jobs can be read by
anyone who may read the district's records, except producers.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from niryat.catalog.bulk_import import (
    CATALOGUE_IMPORTER,
    CATALOGUE_SHEET,
    MAX_ZIP_BYTES,
    SheetError,
    check_photos,
    error_sheet,
    import_valid_rows_of,
    start_import,
    template_sheets,
)
from niryat.catalog.models import CatalogImportJob
from niryat.core.access import staff_only
from niryat.core.models import District, User
from niryat.core.scoping import current_user, get_changeable_or_deny, get_visible_or_404
from niryat.core.sheets import views as sheet_views
from niryat.core.sheets.reading import MAX_FILE_BYTES, check_upload
from niryat.core.sheets.writing import Sheet, csv_response, xlsx_response

# The most problems listed on a page; the error sheet has them all.
SHOWN_PROBLEMS = 500


def _importer(request: HttpRequest) -> User:
    user = current_user(request)
    if not District.objects.changeable_by(user).exists():
        raise PermissionDenied(_("Only centre staff and state administrators import products."))
    return user


class CatalogueImportForm(forms.Form):
    district = forms.ModelChoiceField(
        label=gettext_lazy("District"),
        queryset=District.objects.none(),
        help_text=gettext_lazy("The district whose producers' products the sheet lists."),
    )
    file = forms.FileField(label=gettext_lazy("Sheet (XLSX or CSV)"))
    photos = forms.FileField(label=gettext_lazy("Photos (a zip file)"), required=False)

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
        self.fields["photos"].widget.attrs["accept"] = ".zip"
        self.fields["photos"].help_text = _(
            "Optional. The photos the sheet names, in one zip file of up to %(size)s MB."
        ) % {"size": MAX_ZIP_BYTES // 1024 // 1024}

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        try:
            check_upload(upload, CATALOGUE_SHEET)
        except SheetError as exc:
            raise ValidationError(str(exc)) from exc
        return upload

    def clean_photos(self) -> UploadedFile | None:
        upload: UploadedFile | None = self.cleaned_data.get("photos")
        if upload is None:
            return None
        try:
            check_photos(upload)
        except SheetError as exc:
            raise ValidationError(str(exc)) from exc
        return upload

    def chosen_district(self) -> District:
        return self.cleaned_data.get("district") or cast(District, self.user.district)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_only
def import_page(request: HttpRequest) -> HttpResponse:
    user = _importer(request)
    if request.method == "POST":
        form = CatalogueImportForm(request.POST, request.FILES, user=user)
        if form.is_valid():
            job = start_import(
                form.chosen_district(),
                form.cleaned_data["file"],
                form.cleaned_data["photos"],
                acting_user=user,
                language=translation.get_language(),
            )
            if job.status == CatalogImportJob.Status.MAPPING:
                return redirect("catalogue_import_columns", catalog_job_uuid=job.uuid)
            return redirect("catalogue_import_job", catalog_job_uuid=job.uuid)
    else:
        form = CatalogueImportForm(user=user)
    jobs = (
        CatalogImportJob.objects.visible_to(user)
        .select_related("district", "uploaded_by")
        .defer("errors")  # a sheet's messages can run to megabytes; the list shows counts
    )[:10]
    return render(request, "catalog/import_upload.html", {"form": form, "jobs": jobs})


@require_http_methods(["GET", "HEAD", "POST"])
@staff_only
def import_job_columns(request: HttpRequest, catalog_job_uuid: Any) -> HttpResponse:
    """The mapping step: what each column of the sheet holds."""
    _importer(request)
    return sheet_views.mapping_page(
        request, CATALOGUE_IMPORTER, catalog_job_uuid, title=_("A sheet of products and SKUs")
    )


@require_safe
@staff_only
def import_template(request: HttpRequest) -> HttpResponseBase:
    _importer(request)
    return xlsx_response("catalogue-template.xlsx", template_sheets())


def _job(request: HttpRequest, catalog_job_uuid: Any) -> CatalogImportJob:
    return get_visible_or_404(
        CatalogImportJob.objects.select_related("district", "uploaded_by", "progress"),
        current_user(request),
        uuid=catalog_job_uuid,
    )


def _job_context(request: HttpRequest, job: CatalogImportJob) -> dict[str, Any]:
    problems = job.errors or []
    errors = [p for p in problems if p.get("kind") == "error"]
    return {
        "job": job,
        "running": job.status
        in {CatalogImportJob.Status.CHECKING, CatalogImportJob.Status.IMPORTING},
        "errors": errors[:SHOWN_PROBLEMS],
        "more_errors": max(0, len(errors) - SHOWN_PROBLEMS),
        "warnings": [p for p in problems if p.get("kind") == "warning"][:SHOWN_PROBLEMS],
        "valid_rows": job.total_rows - job.error_rows,
        "has_row_errors": any(p.get("row") for p in errors),
        "can_change": CatalogImportJob.objects.changeable_by(current_user(request))
        .filter(pk=job.pk)
        .exists(),
    }


@require_safe
@staff_only
def import_job(request: HttpRequest, catalog_job_uuid: Any) -> HttpResponse:
    """An uploaded sheet: its progress while it is checked, then its errors or what it imported.
    htmx reloads the status part of the page (`import_job_status`) until the task has finished."""
    job = _job(request, catalog_job_uuid)
    if job.status == CatalogImportJob.Status.MAPPING:
        return redirect("catalogue_import_columns", catalog_job_uuid=job.uuid)
    earlier = (
        CatalogImportJob.objects.filter(
            district=job.district,
            sha256=job.sha256,
            status=CatalogImportJob.Status.DONE,
            created_at__lt=job.created_at,
        )
        .order_by("-created_at")
        .first()
    )
    context = {**_job_context(request, job), "earlier": earlier}
    return render(request, "catalog/import_job.html", context)


@require_safe
@staff_only
def import_job_status(request: HttpRequest, catalog_job_uuid: Any) -> HttpResponse:
    job = _job(request, catalog_job_uuid)
    return render(request, "catalog/import_job_status.html", _job_context(request, job))


@require_safe
@staff_only
def import_job_errors(request: HttpRequest, catalog_job_uuid: Any) -> HttpResponseBase:
    """The uploaded sheet with an error column, in the format it came in."""
    job = _job(request, catalog_job_uuid)
    try:
        kind, header, rows = error_sheet(job)
    except (SheetError, OSError):
        return render(
            request,
            "core/message.html",
            {"title": _("Not found"), "message": _("The uploaded sheet can no longer be read.")},
            status=404,
        )
    stem = PurePath(job.file_name).stem or "sheet"
    if kind == "csv":
        return csv_response(f"{stem}-errors.csv", header, rows)
    sheet = Sheet(stem, header, rows, [18] * (len(header) - 1) + [60], highlight=len(header) - 1)
    return xlsx_response(f"{stem}-errors.xlsx", [sheet])


@require_POST
@staff_only
def import_job_confirm(request: HttpRequest, catalog_job_uuid: Any) -> HttpResponse:
    """Staff choose to import the rows without errors."""
    user = current_user(request)
    job = get_changeable_or_deny(
        CatalogImportJob.objects.select_related("district"), user, uuid=catalog_job_uuid
    )
    try:
        import_valid_rows_of(job, acting_user=user, language=translation.get_language())
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("catalogue_import_job", catalog_job_uuid=job.uuid)
