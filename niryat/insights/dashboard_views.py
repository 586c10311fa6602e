"""The district and state dashboards, each chart's data as XLSX, the monthly DEPC report as a
PDF, and the full rebuild of the figures on demand. Reads come from dashboards.py."""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from openpyxl import Workbook

from niryat.core.access import role_required, staff_only
from niryat.core.models import District, Role
from niryat.core.scoping import current_user, get_visible_or_404
from niryat.core.sheets.writing import XLSX_TYPE, escape_cell
from niryat.insights.dashboards import Chart, Dashboard, build
from niryat.insights.report import LANGUAGES, monthly_report_pdf
from niryat.insights.tasks import rebuild_dashboards


def _state_dashboard(request: HttpRequest) -> Dashboard:
    if not current_user(request).is_state_level:
        raise PermissionDenied(_("The state dashboard is for the state's staff."))
    return build(None)


@require_safe
@staff_only
def state_dashboard(request: HttpRequest) -> HttpResponse:
    dashboard = _state_dashboard(request)
    user = current_user(request)
    return render(
        request,
        "insights/dashboards/dashboard.html",
        {"dashboard": dashboard, "can_rebuild": user.role == Role.STATE_ADMIN},
    )


@require_safe
@staff_only
def district_dashboard(request: HttpRequest, lgd_code: int) -> HttpResponse:
    district = get_visible_or_404(District.objects, current_user(request), lgd_code=lgd_code)
    return render(request, "insights/dashboards/dashboard.html", {"dashboard": build(district)})


def _xlsx(dashboard: Dashboard, slug: str, name: str) -> HttpResponse:
    chart: Chart | None = dashboard.chart(slug)
    if chart is None:
        raise Http404(_("No such chart."))
    # Numbers stay numbers (a sum in the spreadsheet works); labels are escaped as text.
    book = Workbook()
    sheet = book.active
    sheet.title = slug
    sheet.append([escape_cell(chart.label_header), *(escape_cell(c) for c in chart.columns)])
    for label, values in chart.rows:
        sheet.append([escape_cell(label), *values])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}-{slug}.xlsx"'
    return response


@require_safe
@staff_only
def state_chart_xlsx(request: HttpRequest, chart: str) -> HttpResponse:
    return _xlsx(_state_dashboard(request), chart, "up")


@require_safe
@staff_only
def district_chart_xlsx(request: HttpRequest, lgd_code: int, chart: str) -> HttpResponse:
    district = get_visible_or_404(District.objects, current_user(request), lgd_code=lgd_code)
    return _xlsx(build(district), chart, f"district-{district.lgd_code}")


@require_safe
@staff_only
def district_report_pdf(request: HttpRequest, lgd_code: int) -> HttpResponse:
    district = get_visible_or_404(District.objects, current_user(request), lgd_code=lgd_code)
    language = request.GET.get("lang", request.LANGUAGE_CODE or "hi")
    if language not in LANGUAGES:
        language = "hi"
    response = HttpResponse(monthly_report_pdf(district, language), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="depc-report-{district.lgd_code}-{language}.pdf"'
    )
    return response


@require_POST
@role_required(Role.STATE_ADMIN)
def rebuild(request: HttpRequest) -> HttpResponse:
    """Every dashboard figure computed again from every record, in the background."""
    rebuild_dashboards.enqueue(current_user(request).pk)
    messages.success(
        request, _("The figures are being computed again; the dashboards will show when.")
    )
    return redirect("state_dashboard")
