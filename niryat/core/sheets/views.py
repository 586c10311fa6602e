"""The framework's pages that every importer shares: the mapping step.

An app's URL for a job's columns calls `mapping_page` with its importer; the app's own pages
(upload, the job's progress and errors) stay its own, for what it says about its records.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from niryat.core.scoping import get_changeable_or_deny
from niryat.core.sheets import jobs
from niryat.core.sheets.importers import Importer
from niryat.core.sheets.models import SheetImportJob
from niryat.core.sheets.reading import IGNORE, SheetError, read_rows

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
