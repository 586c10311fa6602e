"""The framework's pages that every importer shares: a job's page and its status part (polled
while the task runs), the mapping step, the sheet with its errors, and "import the valid rows".

`job_urls(importer, "producers/import/")` gives an importer all of them, named
`<url_prefix>_import_job`, `_import_status`, `_import_columns`, `_import_errors` and
`_import_valid_rows`. The templates are the importer's own where it has them
(`<template_prefix>job.html`, `job_status.html`, which extend the shared ones in core/sheets/ to
say what was saved), else the shared ones; the upload page, whose form differs, stays the app's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from niryat.core.access import staff_only
from niryat.core.scoping import current_user, get_changeable_or_deny, get_visible_or_404
from niryat.core.sheets import jobs
from niryat.core.sheets.importers import Importer
from niryat.core.sheets.models import SheetImportJob
from niryat.core.sheets.reading import IGNORE, SheetError, read_rows
from niryat.core.sheets.writing import Sheet, csv_response, xlsx_response

# The most problems listed on a page; the error sheet has them all.
SHOWN_PROBLEMS = 500

CHOOSE = "?"  # the select's "choose…", which is no field
IGNORED = "-"  # "ignore this column" (a select's value cannot be empty when it is required)


class MappingForm(forms.Form):
    """A select per column of the sheet (a field, or "ignore this column"), and a value for every
    row of each required field."""

    def __init__(
        self,
        *args: Any,
        importer: Importer,
        header: list[str],
        samples: dict[int, list[str]],
        initial_mapping: dict[int, str | None],
        initial_constants: dict[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.importer = importer
        self.header = header
        choices = [
            (CHOOSE, _("Choose…")),
            (IGNORED, _("Ignore this column")),
            *[(f.name, f.label) for f in importer.fields],
        ]
        self.columns = []
        for position, text in enumerate(header):
            name = f"column_{position}"
            found = initial_mapping.get(position)
            self.fields[name] = forms.ChoiceField(
                label=text or _("(no header)"),
                choices=choices,
                initial=CHOOSE if found is None else (IGNORED if found == IGNORE else found),
                required=True,
            )
            self.columns.append((position, self[name], samples.get(position, [])))
        self.constant_fields = []
        for sheet_field in importer.fields:
            if not sheet_field.required:
                continue
            name = f"constant_{sheet_field.name}"
            options = constant_choices(importer, sheet_field.name)
            if options is not None:
                self.fields[name] = forms.ChoiceField(
                    label=sheet_field.label,
                    choices=[("", _("Not for all rows")), *options],
                    required=False,
                )
            else:
                self.fields[name] = forms.CharField(
                    label=sheet_field.label, required=False, max_length=200
                )
            self.fields[name].initial = initial_constants.get(sheet_field.name, "")
            self.fields[name].help_text = _(
                "If the sheet has no column for it: one value for all its rows."
            )
            self.constant_fields.append(self[name])

    def mapping(self) -> dict[int, str | None]:
        meaning: dict[str, str | None] = {CHOOSE: None, IGNORED: IGNORE}
        found = {}
        for position in range(len(self.header)):
            value = self.cleaned_data[f"column_{position}"]
            found[position] = meaning[value] if value in meaning else value
        return found

    def constants(self) -> dict[str, str]:
        return {
            f.name: self.cleaned_data.get(f"constant_{f.name}") or ""
            for f in self.importer.fields
            if f.required
        }


def constant_choices(importer: Importer, name: str) -> list[tuple[str, str]] | None:
    chooser = getattr(importer, "constant_choices", None)
    return chooser(name) if chooser is not None else None


def mapping_page(
    request: HttpRequest, importer: Importer, job_uuid: Any, *, title: str
) -> HttpResponse:
    """The sheet's columns, each with a sample and a select of the importer's fields."""
    job: SheetImportJob = get_changeable_or_deny(
        jobs.model_of(importer)._default_manager.select_related("district"),
        request.user,  # type: ignore[arg-type]
        uuid=job_uuid,
    )
    job_page = jobs.job_url(importer, job)
    if job.status != job.Status.MAPPING:
        return redirect(job_page)
    with job.file.open("rb") as handle:
        raw = read_rows(handle.read(), importer.layout)
    kwargs = {
        "importer": importer,
        "header": job.header,
        "samples": raw.samples(),
        "initial_mapping": job.mapping_by_position(),
        "initial_constants": job.constants or {},
    }
    if request.method == "POST":
        form = MappingForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                jobs.choose_mapping(
                    importer,
                    job,
                    form.mapping(),
                    form.constants(),
                    acting_user=request.user,  # type: ignore[arg-type]
                    language=translation.get_language(),
                )
            except SheetError as refused:
                form.add_error(None, str(refused))
            else:
                return redirect(job_page)
    else:
        form = MappingForm(**kwargs)
    return render(
        request,
        "core/sheets/mapping.html",
        {"form": form, "job": job, "title": title, "job_page": job_page},
    )


# --- a job's pages ------------------------------------------------------------------------------


def page_urls(importer: Importer, job: SheetImportJob) -> dict[str, str]:
    """The addresses of a job's pages, for the templates."""
    names = ("job", "status", "columns", "errors", "valid_rows")
    found = {
        name: reverse(f"{importer.url_prefix}_import_{name}", args=[job.uuid]) for name in names
    }
    found["upload"] = reverse(f"{importer.url_prefix}_import")
    return found


def _templates(importer: Importer, name: str) -> list[str]:
    return [f"{importer.template_prefix}{name}", f"core/sheets/{name}"]


def _visible_job(request: HttpRequest, importer: Importer, job_uuid: Any) -> SheetImportJob:
    return get_visible_or_404(
        jobs.model_of(importer)._default_manager.select_related(
            "district", "uploaded_by", "progress"
        ),
        current_user(request),
        uuid=job_uuid,
    )


def job_context(request: HttpRequest, importer: Importer, job: SheetImportJob) -> dict[str, Any]:
    problems = job.errors or []
    errors = [p for p in problems if p.get("kind") == "error"]
    model = jobs.model_of(importer)
    return {
        "job": job,
        "urls": page_urls(importer, job),
        "running": job.running,
        "errors": errors[:SHOWN_PROBLEMS],
        "more_errors": max(0, len(errors) - SHOWN_PROBLEMS),
        "warnings": [p for p in problems if p.get("kind") == "warning"][:SHOWN_PROBLEMS],
        "valid_rows": job.total_rows - job.error_rows,
        "has_row_errors": any(p.get("row") for p in errors),
        "can_change": model._default_manager.changeable_by(current_user(request))  # type: ignore[attr-defined]
        .filter(pk=job.pk)
        .exists(),
        **importer.page_context(job, problems[: SHOWN_PROBLEMS * 4]),
    }


@require_safe
@staff_only
def job_page(request: HttpRequest, importer: Importer, job_uuid: Any) -> HttpResponse:
    """An uploaded sheet: its progress while it is checked, then its errors or what it imported.
    htmx reloads the status part (`job_status`) until the task has finished."""
    job = _visible_job(request, importer, job_uuid)
    if job.status == job.Status.MAPPING:
        return redirect(f"{importer.url_prefix}_import_columns", job_uuid=job.uuid)
    earlier = (
        type(job)
        ._default_manager.filter(
            district=job.district,
            sha256=job.sha256,
            status=job.Status.DONE,
            created_at__lt=job.created_at,
        )
        .order_by("-created_at")
        .first()
    )
    context = {
        **job_context(request, importer, job),
        "earlier": earlier,
        "status_template": _templates(importer, "job_status.html"),
    }
    return render(request, _templates(importer, "job.html"), context)


@require_safe
@staff_only
def job_status(request: HttpRequest, importer: Importer, job_uuid: Any) -> HttpResponse:
    job = _visible_job(request, importer, job_uuid)
    return render(
        request, _templates(importer, "job_status.html"), job_context(request, importer, job)
    )


@require_safe
@staff_only
def error_sheet_download(
    request: HttpRequest, importer: Importer, job_uuid: Any
) -> HttpResponseBase:
    """The uploaded sheet with an error column, in the format it came in, identifiers masked."""
    job = _visible_job(request, importer, job_uuid)
    try:
        kind, header, rows = jobs.error_sheet(importer, job, importer.error_header)
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
def import_valid_rows(request: HttpRequest, importer: Importer, job_uuid: Any) -> HttpResponse:
    """Staff choose to import the rows without errors."""
    user = current_user(request)
    job = get_changeable_or_deny(
        jobs.model_of(importer)._default_manager.select_related("district"), user, uuid=job_uuid
    )
    try:
        jobs.import_valid_rows_of(
            importer, job, acting_user=user, language=translation.get_language()
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect(f"{importer.url_prefix}_import_job", job_uuid=job.uuid)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_only
def columns_page(request: HttpRequest, importer: Importer, job_uuid: Any) -> HttpResponse:
    """The mapping step: what each column of the sheet holds."""
    return mapping_page(request, importer, job_uuid, title=_(importer.sheet_title))


def job_urls(importer: Importer, base: str) -> list[URLPattern]:
    """The URLs of an importer's job pages under `base` (e.g. "producers/import/")."""

    def bound(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        def page(request: HttpRequest, job_uuid: Any) -> HttpResponseBase:
            return view(request, importer, job_uuid)

        return page

    name = f"{importer.url_prefix}_import"
    job = f"{base}<uuid:job_uuid>/"
    return [
        path(job, bound(job_page), name=f"{name}_job"),
        path(f"{job}status/", bound(job_status), name=f"{name}_status"),
        path(f"{job}columns/", bound(columns_page), name=f"{name}_columns"),
        path(f"{job}errors/", bound(error_sheet_download), name=f"{name}_errors"),
        path(f"{job}import-valid-rows/", bound(import_valid_rows), name=f"{name}_valid_rows"),
    ]
