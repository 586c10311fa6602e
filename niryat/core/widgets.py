"""Form widgets shared by the apps."""

from __future__ import annotations

from django import forms


class FilePicker(forms.ClearableFileInput):
    """A file input whose button and "no file chosen" text are ours, in the page's language: the
    browser's own say "Choose File" in the browser's language, whatever the page's. The input
    stays in the page (visually hidden, focusable), so the form works without JavaScript;
    static/js/file_picker.js writes the chosen names in."""

    template_name = "core/widgets/file_picker.html"


class MultipleFilePicker(FilePicker):
    allow_multiple_selected = True
