"""Pages of the catalogue import: upload, template, progress, errors, and the choice to import the
rows without errors.

Thin, like every view: jobs are fetched through the scoping helpers, writes go through
`bulk_import` (`start_import`, `import_valid_rows_of`), and sheets are written by the registry's
`spreadsheets` (formula-safe XLSX and CSV). Importing is for those who may change a district's
catalogue (its centre staff, and state admins, who choose the district); the jobs can be read by
anyone who may read the district's records, except producers.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from niryat.catalog.bulk_import import (
    CATALOGUE_SHEET,
    MAX_ZIP_BYTES,
    SheetError,
    check_photos,
    start_import,
    template_sheets,
)
from niryat.catalog.models import CatalogImportJob
from niryat.core.access import staff_only
from niryat.core.models import District, User
from niryat.core.scoping import current_user
from niryat.core.sheets.reading import MAX_FILE_BYTES, check_upload
from niryat.core.sheets.writing import xlsx_response

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
                return redirect("catalogue_import_columns", job_uuid=job.uuid)
            return redirect("catalogue_import_job", job_uuid=job.uuid)
    else:
        form = CatalogueImportForm(user=user)
    jobs = (
        CatalogImportJob.objects.visible_to(user)
        .select_related("district", "uploaded_by")
        .defer("errors")  # a sheet's messages can run to megabytes; the list shows counts
    )[:10]
    return render(
        request,
        "catalog/import_upload.html",
        {"form": form, "jobs": jobs, "job_url_name": "catalogue_import_job"},
    )


@require_safe
@staff_only
def import_template(request: HttpRequest) -> HttpResponseBase:
    _importer(request)
    return xlsx_response("catalogue-template.xlsx", template_sheets())
