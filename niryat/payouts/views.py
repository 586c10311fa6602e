"""The payouts pages: for staff, each account's payouts and reconciliation and each producer's
share; for a producer, their own money. Thin: reads in reconcile.py, writes in actions.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Count, Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from niryat.channels.models import ChannelAccount
from niryat.core.access import role_required, staff_only
from niryat.core.dates import format_date
from niryat.core.models import Role
from niryat.core.money import format_money
from niryat.core.scoping import current_user, get_changeable_or_deny, get_visible_or_404
from niryat.core.sheets import jobs
from niryat.payouts import actions, reconcile, statements
from niryat.payouts.forms import PayoutTermsForm, PeriodForm, SettlementReportForm
from niryat.payouts.importers import SETTLEMENT_REPORT_IMPORTER
from niryat.payouts.models import (
    PULLED,
    PUSHED,
    PayoutTerms,
    Settlement,
    SettlementImport,
    SettlementPull,
)
from niryat.registry.models import Producer


def _today() -> dt.date:
    return timezone.localdate()


def _period(request: HttpRequest) -> tuple[PeriodForm, dt.date | None, dt.date | None]:
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    return form, start, end


@dataclass(frozen=True)
class Arrival:
    """Money for one order that reached the producer's account in one payout."""

    channel_order_id: str
    amount: Decimal
    paid_on: dt.date
    currency: str = "INR"

    @property
    def sentence(self) -> str:
        return _("%(amount)s for order #%(order)s reached your account on %(date)s.") % {
            "order": self.channel_order_id,
            "amount": format_money(self.amount, self.currency),
            "date": format_date(self.paid_on),
        }


def arrivals(lines: Iterable[reconcile.LineFigures]) -> list[Arrival]:
    """Per order and payout paid, what reached the account; newest first."""
    found: dict[tuple[str, str], list[Any]] = {}
    for line in lines:
        for payout in line.payouts:
            if payout.paid_on is None:
                continue
            key = (line.channel_order_id, payout.uuid)
            entry = found.setdefault(key, [Decimal(0), payout.paid_on, line.currency])
            entry[0] += payout.amount
    result = [
        Arrival(order, amount, paid_on, currency)
        for (order, _uuid), (amount, paid_on, currency) in found.items()
        if amount > 0
    ]
    return sorted(result, key=lambda a: (a.paid_on, a.channel_order_id), reverse=True)


@require_safe
@staff_only
def payouts_home(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    accounts = (
        ChannelAccount.objects.visible_to(user)
        .select_related("district", "producer")
        .annotate(
            settlement_count=Count("settlements", distinct=True),
            last_paid=Max("settlements__paid_on"),
            flagged_lines=Count(
                "settlements__lines", filter=Q(settlements__lines__flagged=True), distinct=True
            ),
        )
    )
    return render(request, "payouts/home.html", {"accounts": accounts})


@require_safe
@staff_only
def account_payouts(request: HttpRequest, uuid: Any) -> HttpResponse:
    user = current_user(request)
    account = get_visible_or_404(ChannelAccount.objects.select_related("district"), user, uuid=uuid)
    form, start, end = _period(request)
    accounts = ChannelAccount.objects.filter(pk=account.pk)
    lines = reconcile.reconcile(
        reconcile.lines_for(accounts=accounts, start=start, end=end), today=_today()
    )
    split = reconcile.by_producer(lines)
    producers = Producer.objects.in_bulk([pk for pk in split if pk is not None])
    settlements = [
        (settlement, reconcile.settlement_flags(settlement))
        for settlement in Settlement.objects.of_account(account).annotate(
            line_count=Count("lines")
        )[:50]
    ]
    terms = PayoutTerms.objects.filter(account=account).first()
    can_change = ChannelAccount.objects.changeable_by(user).filter(pk=account.pk).exists()
    return render(
        request,
        "payouts/account.html",
        {
            "account": account,
            "period_form": form,
            "settlements": settlements,
            "split": [
                (producers.get(pk) if pk is not None else None, totals)
                for pk, totals in split.items()
            ],
            "flagged": [line for line in lines if line.flags],
            "unmatched": reconcile.unmatched_lines(accounts)[:200],
            "terms": terms,
            "terms_form": PayoutTermsForm(instance=terms) if can_change else None,
            "can_change": can_change,
            "can_pull": account.channel in PULLED,
            "can_import": account.channel not in (*PULLED, *PUSHED),
            "pushed": account.channel in PUSHED,
            "pull": SettlementPull.objects.filter(account=account).first(),
            "tolerance": reconcile.tolerance(),
        },
    )


@require_POST
@staff_only
def account_pull(request: HttpRequest, uuid: Any) -> HttpResponse:
    user = current_user(request)
    account = get_changeable_or_deny(ChannelAccount.objects, user, uuid=uuid)
    since = Settlement.objects.pull_since(account, timezone.now())
    actions.do_start_settlement_pull(account, since=since, acting_user=user)
    messages.success(request, _("The payouts are being fetched from the marketplace."))
    return redirect("payouts_account", uuid=account.uuid)


@require_POST
@staff_only
def account_terms(request: HttpRequest, uuid: Any) -> HttpResponse:
    user = current_user(request)
    account = get_changeable_or_deny(ChannelAccount.objects, user, uuid=uuid)
    terms = PayoutTerms.objects.filter(account=account).first()
    form = PayoutTermsForm(request.POST, instance=terms)
    if form.is_valid():
        values = {name: form.cleaned_data[name] for name in PayoutTermsForm.Meta.fields}
        actions.do_save_payout_terms(account, values, acting_user=user)
        messages.success(request, _("The payment cycle and rate card are saved."))
    else:
        messages.error(request, _("The rate card was not saved: correct the values."))
    return redirect("payouts_account", uuid=account.uuid)


def _producer_context(
    request: HttpRequest, producer: Producer, accounts: Any = None, *, own: bool = False
) -> dict[str, Any]:
    form, start, end = _period(request)
    lines = reconcile.reconcile(
        reconcile.lines_for(accounts=accounts, producer_id=producer.pk, start=start, end=end),
        today=_today(),
    )
    totals = reconcile.by_producer(lines).get(producer.pk) or reconcile.ProducerTotals(producer.pk)
    months = sorted({statements.month_of(line.ordered_at) for line in lines}, reverse=True)
    links = []
    for month in months:
        if own:
            url = reverse("my_payouts_statement", args=[month.year, month.month])
        else:
            url = reverse(
                "payouts_producer_statement", args=[producer.uuid, month.year, month.month]
            )
        links.append((month, url))
    return {
        "producer": producer,
        "period_form": form,
        "totals": totals,
        "lines": lines,
        "arrivals": arrivals(lines),
        "credits": statements.credits_by_month(lines),
        "statements": links,
        "tolerance": reconcile.tolerance(),
    }


def _month(year: int, month: int) -> dt.date:
    try:
        return dt.date(year, month, 1)
    except ValueError as exc:
        raise Http404(_("No such month.")) from exc


def _pdf(producer: Producer, first: dt.date, language: str) -> HttpResponse:
    language = language if language in ("hi", "en") else "hi"
    content = statements.statement_pdf(producer, first, language=language, today=_today())
    response = HttpResponse(content, content_type="application/pdf")
    name = f"statement-{first:%Y-%m}-{language}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
@staff_only
def producer_statement(request: HttpRequest, uuid: Any, year: int, month: int) -> HttpResponse:
    """A producer's monthly statement as a PDF, in Hindi (or English: ?lang=en)."""
    user = current_user(request)
    producer = get_visible_or_404(Producer.objects.select_related("district"), user, uuid=uuid)
    return _pdf(producer, _month(year, month), request.GET.get("lang", "hi"))


@require_safe
@role_required(Role.PRODUCER)
def my_statement(request: HttpRequest, year: int, month: int) -> HttpResponse:
    user = current_user(request)
    producer = Producer.objects.visible_to(user).active().select_related("district").first()
    if producer is None:
        raise Http404(_("Your sign-in is not linked to a producer record yet."))
    return _pdf(producer, _month(year, month), request.GET.get("lang", "hi"))


@require_safe
@staff_only
def account_xlsx(request: HttpRequest, uuid: Any) -> HttpResponse:
    """An account's reconciliation for the period as a workbook."""
    user = current_user(request)
    account = get_visible_or_404(ChannelAccount.objects, user, uuid=uuid)
    _form, start, end = _period(request)
    lines = reconcile.reconcile(
        reconcile.lines_for(
            accounts=ChannelAccount.objects.filter(pk=account.pk), start=start, end=end
        ),
        today=_today(),
    )
    producers = Producer.objects.in_bulk({line.producer_id for line in lines if line.producer_id})
    response = HttpResponse(
        statements.account_sheets(lines, producers),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="payouts-{account.uuid}.xlsx"'
    return response


@require_safe
@staff_only
def producer_payouts(request: HttpRequest, uuid: Any) -> HttpResponse:
    user = current_user(request)
    producer = get_visible_or_404(Producer.objects.select_related("district"), user, uuid=uuid)
    context = _producer_context(request, producer, ChannelAccount.objects.visible_to(user))
    return render(request, "payouts/producer.html", context)


@require_safe
@role_required(Role.PRODUCER)
def my_payouts(request: HttpRequest) -> HttpResponse:
    """The producer's own money: what came, what is held back and why, what is still owed."""
    user = current_user(request)
    producer = Producer.objects.visible_to(user).active().first()
    if producer is None:
        return render(request, "payouts/mine.html", {"producer": None})
    return render(request, "payouts/mine.html", _producer_context(request, producer, own=True))


@require_http_methods(["GET", "HEAD", "POST"])
@staff_only
def report_upload(request: HttpRequest) -> HttpResponse:
    """Upload a marketplace's settlement report (Flipkart's, from Seller Hub) for an account."""
    user = current_user(request)
    if request.method == "POST":
        form = SettlementReportForm(request.POST, request.FILES, user=user)
        if form.is_valid():
            account = form.cleaned_data["account"]
            job = jobs.start_job(
                SETTLEMENT_REPORT_IMPORTER,
                account.district,
                form.cleaned_data["file"],
                acting_user=user,
                language=translation.get_language(),
                account=account,
            )
            if job.status == SettlementImport.Status.MAPPING:
                return redirect("settlement_report_import_columns", job_uuid=job.uuid)
            return redirect("settlement_report_import_job", job_uuid=job.uuid)
    else:
        initial = {}
        if request.GET.get("account"):
            found = ChannelAccount.objects.changeable_by(user).filter(uuid=request.GET["account"])
            initial["account"] = found.first()
        form = SettlementReportForm(user=user, initial=initial)
    recent = (
        SettlementImport.objects.visible_to(user)
        .select_related("account")
        .defer("errors")
        .order_by("-created_at")[:10]
    )
    return render(request, "payouts/upload.html", {"form": form, "jobs": recent})
