"""Pages of the core app. Thin: fetch through scoping, call an action, render."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from niryat.core import actions
from niryat.core.access import role_required
from niryat.core.forms import ApiTokenForm, CentreForm, OdopProductForm
from niryat.core.middleware import remember_language
from niryat.core.models import Centre, District, OdopProduct, Role, TaskProgress, User
from niryat.core.progress import start_progress
from niryat.core.scoping import current_user, get_changeable_or_deny
from niryat.core.tasks import reload_reference_data


def districts_with_counts(user: User) -> Any:
    return District.objects.visible_to(user).with_counts().order_by("name_en")


@require_safe
@login_required
def district_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    districts = districts_with_counts(user)
    division = request.GET.get("division", "")
    if division:
        districts = districts.filter(division_en=division)
    # The filter keeps the English name as its value (the URL stays the same in both languages)
    # and shows the name in the reader's language.
    hindi = get_language() == "hi"
    names = dict(
        District.objects.visible_to(user)
        .exclude(division_en="")
        .values_list("division_en", "division_hi")
        .distinct()
    )
    divisions = sorted(
        ((en, (hi if hindi and hi else en)) for en, hi in names.items()), key=lambda pair: pair[1]
    )
    return render(
        request,
        "core/district_list.html",
        {"districts": districts, "divisions": divisions, "division": division},
    )


@login_required
def odop_product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    product = get_changeable_or_deny(OdopProduct.objects.select_related("district"), user, pk=pk)
    form = OdopProductForm(request.POST or None, instance=OdopProduct.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        actions.do_update_odop_product(product, acting_user=user, **form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect("district_detail", lgd_code=product.district.lgd_code)
    return render(request, "core/odop_product_form.html", {"form": form, "product": product})


@login_required
def centre_edit(request: HttpRequest, lgd_code: int) -> HttpResponse:
    user = current_user(request)
    centre = get_changeable_or_deny(
        Centre.objects.select_related("district"), user, district__lgd_code=lgd_code
    )
    form = CentreForm(request.POST or None, instance=Centre.objects.get(pk=centre.pk))
    if request.method == "POST" and form.is_valid():
        actions.do_update_centre(centre, acting_user=user, **form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect("district_detail", lgd_code=lgd_code)
    return render(request, "core/centre_form.html", {"form": form, "centre": centre})


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if request.method == "POST" and user.role == Role.PRODUCER:
        # Producers use their pages on the phone; API tokens are for the centre's integrations.
        raise PermissionDenied(_("Your role cannot open this page."))
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _record, new_token = actions.do_create_api_token(
            name=form.cleaned_data["name"],
            valid_days=form.cleaned_data["valid_days"],
            acting_user=user,
        )
        form = ApiTokenForm()
    return render(
        request,
        "core/account.html",
        {"form": form, "new_token": new_token, "tokens": user.api_tokens.all()},
    )


@require_POST
@login_required
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    token = get_object_or_404(user.api_tokens, pk=pk)
    actions.do_revoke_api_token(token, acting_user=user)
    messages.success(request, _("Token revoked."))
    return redirect("account")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; remembered on the account and in a cookie."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    if language not in dict(settings.LANGUAGES):
        return render(
            request,
            "core/message.html",
            {
                "title": _("Unknown language"),
                "message": _("Unknown language: %(code)s") % {"code": language},
            },
            status=400,
        )
    if request.user.is_authenticated:
        actions.do_set_language(request.user, language, acting_user=request.user)  # type: ignore[arg-type]
    response = redirect(next_url)
    remember_language(response, language)
    return response


@role_required(Role.STATE_ADMIN)
def reference_data(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if request.method == "POST":
        progress = start_progress(owner=user, label=gettext_noop("Reload reference data"))
        reload_reference_data.enqueue(str(progress.uuid), str(settings.REFERENCE_DATA_DIR))
        return redirect("progress", uuid=progress.uuid)
    return render(
        request,
        "core/reference_data.html",
        {
            "directory": settings.REFERENCE_DATA_DIR,
            "district_count": District.objects.count(),
            "odop_count": OdopProduct.objects.count(),
            "unverified_count": OdopProduct.objects.filter(verified=False).count(),
        },
    )


@login_required
def progress(request: HttpRequest, uuid: str) -> HttpResponse:
    """A task's progress; htmx polls the partial until the task has finished."""
    try:
        record = TaskProgress.objects.get(uuid=uuid, owner=cast(User, request.user))
    except (TaskProgress.DoesNotExist, ValidationError):
        return render(
            request,
            "core/message.html",
            {"title": _("Not found"), "message": _("Not found, or not in your district.")},
            status=404,
        )
    template = (
        "partials/progress.html" if request.headers.get("HX-Request") else "core/progress.html"
    )
    return render(request, template, {"progress": record})
