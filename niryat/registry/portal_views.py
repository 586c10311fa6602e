"""The producer's own pages: sign in with a mobile number and a code by SMS, then their record.

Phone-sized and Hindi first: the sign-in pages are in Hindi unless this browser chose a language
with the switch, and a producer's account starts in Hindi (do_enable_producer_sign_in).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

import phonenumbers
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from niryat.core.access import role_required
from niryat.core.actions import do_set_language
from niryat.core.messaging import MessageNotSent
from niryat.core.models import Centre, Role, User
from niryat.core.scoping import current_user
from niryat.registry import otp
from niryat.registry.actions import do_record_consent
from niryat.registry.hooks import withdrawal_consequences
from niryat.registry.identifiers import clean_mobile
from niryat.registry.models import Consent, Producer, Stage
from niryat.registry.next_steps import next_steps

logger = logging.getLogger(__name__)

# The number being signed in, between the two pages: a signed cookie of its own, since an
# anonymous session would read as an expired one (niryat.core.middleware.SessionExpiredMiddleware).
MOBILE_COOKIE = "niryat_sign_in_mobile"
MOBILE_COOKIE_SALT = "niryat.registry.portal.mobile"
MOBILE_COOKIE_AGE = 60 * 60  # the rate limit's window
# django-axes guards password sign-in; a code was checked here, so the model backend signs in.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
# Phones with a Hindi keyboard type Devanagari digits.
DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")

View = Callable[..., HttpResponse]


def hindi_first(view: View) -> View:
    """Producers read Hindi: show the page in Hindi unless this browser chose a language with
    the switch (its cookie). The browser's Accept-Language is not enough: many phones of Hindi
    readers are set to English."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) not in dict(settings.LANGUAGES):
            translation.activate("hi")
            request.LANGUAGE_CODE = "hi"
        return view(request, *args, **kwargs)

    return wrapper


class MobileForm(forms.Form):
    mobile = forms.CharField(
        label=gettext_lazy("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_mobile(self) -> str:
        return clean_mobile(self.cleaned_data["mobile"])


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from the SMS"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_code(self) -> str:
        code = re.sub(r"\s", "", self.cleaned_data["code"].translate(DEVANAGARI_DIGITS))
        if not re.fullmatch(r"\d{6}", code):
            raise ValidationError(_("The code has 6 digits."))
        return code


def display_mobile(mobile: str) -> str:
    return phonenumbers.format_number(
        phonenumbers.parse(mobile), phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )


def masked_mobile(mobile: str) -> str:
    """All but the last four digits hidden, as on the producer's own page."""
    return "X" * 6 + mobile[-4:] if mobile else ""


@hindi_first
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    earlier = _mobile_from_cookie(request)
    form = MobileForm(
        request.POST or None, initial={"mobile": display_mobile(earlier) if earlier else ""}
    )
    problem = ""
    if request.method == "POST" and form.is_valid():
        mobile = form.cleaned_data["mobile"]
        try:
            otp.issue_code(mobile)
        except otp.TooManyCodes as exc:
            minutes = exc.minutes_to_wait()
            problem = ngettext(
                "Too many codes were asked for this number. Please try again in %(count)s minute.",
                "Too many codes were asked for this number. Please try again in %(count)s minutes.",
                minutes,
            ) % {"count": minutes}
        except MessageNotSent:
            logger.warning("SMS gateway failed for a sign-in code", exc_info=True)
            problem = _("The SMS could not be sent just now. Please try again in a few minutes.")
        else:
            response = redirect("producer_sign_in_code")
            response.set_signed_cookie(
                MOBILE_COOKIE,
                mobile,
                salt=MOBILE_COOKIE_SALT,
                max_age=MOBILE_COOKIE_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
            return response
    return render(request, "registry/portal/sign_in.html", {"form": form, "problem": problem})


@hindi_first
@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    mobile = _mobile_from_cookie(request)
    if not mobile:
        return redirect("producer_sign_in")
    form = CodeForm(request.POST or None)
    problem = None
    if request.method == "POST" and form.is_valid():
        try:
            user = otp.check_code(mobile, form.cleaned_data["code"])
        except otp.CodeRejected as exc:
            problem = _problem_message(exc)
        else:
            login(request, user, backend=MODEL_BACKEND)
            # A language chosen with the switch on this phone carries over to the account.
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
            if chosen in dict(settings.LANGUAGES):
                do_set_language(user, chosen, acting_user=user)
            response = redirect("home")
            response.delete_cookie(MOBILE_COOKIE, samesite="Lax")
            return response
    return render(
        request,
        "registry/portal/code.html",
        {
            "form": form,
            "problem": problem,
            "mobile": display_mobile(mobile),
            "minutes": settings.OTP_VALID_MINUTES,
        },
    )


def _mobile_from_cookie(request: HttpRequest) -> str | None:
    mobile: str | None = request.get_signed_cookie(
        MOBILE_COOKIE, default=None, salt=MOBILE_COOKIE_SALT, max_age=MOBILE_COOKIE_AGE
    )
    return mobile


def _problem_message(rejected: otp.CodeRejected) -> dict[str, Any]:
    """The sentence for a refused code, and whether a new code must be asked for."""
    if rejected.problem == otp.Problem.WRONG:
        text = ngettext(
            "Wrong code (only the newest SMS counts). You can try %(count)s more time.",
            "Wrong code (only the newest SMS counts). You can try %(count)s more times.",
            rejected.attempts_left,
        ) % {"count": rejected.attempts_left}
        return {"text": text, "ask_again": False}
    texts = {
        otp.Problem.EXPIRED: _("This code has expired: a code works for %(minutes)s minutes.")
        % {"minutes": settings.OTP_VALID_MINUTES},
        otp.Problem.TOO_MANY_ATTEMPTS: _(
            "A wrong code was entered too many times, so this code no longer works."
        ),
        otp.Problem.NO_CODE: _("This code was already used. Ask for a new one to sign in again."),
    }
    return {"text": texts[rejected.problem], "ask_again": True}


def _own_producer(user: User) -> Producer | None:
    producer: Producer | None = (
        Producer.objects.visible_to(user)
        .active()
        .select_related("district", "odop_product")
        .first()
    )
    return producer


def producer_home(request: HttpRequest) -> HttpResponse:
    """A producer's own page (the home page of role producer, see niryat.site.views.home)."""
    user = current_user(request)
    producer = _own_producer(user)
    centre = Centre.objects.visible_to(user).first()
    if producer is None:
        return render(request, "registry/portal/home.html", {"producer": None, "centre": centre})
    stages = list(Stage)
    current = stages.index(Stage(producer.stage))
    latest_consents: dict[str, Consent] = {}
    for consent in producer.consents.all():
        latest_consents.setdefault(consent.purpose, consent)
    return render(
        request,
        "registry/portal/home.html",
        {
            "producer": producer,
            "centre": centre,
            "mobile": masked_mobile(producer.mobile),
            "stages": [
                {"label": stage.label, "done": index < current, "current": index == current}
                for index, stage in enumerate(stages)
            ],
            "consents": [
                {"purpose": purpose.label, "record": latest_consents.get(purpose.value)}
                for purpose in Consent.Purpose
            ],
            "steps": next_steps(producer),
        },
    )


@require_POST
@role_required(Role.PRODUCER)
def listing_consent(request: HttpRequest) -> HttpResponse:
    """The producer gives their consent to be listed on marketplaces; a withdrawal goes through
    its confirmation page first, which lists what it ends."""
    user = current_user(request)
    producer = _own_producer(user)
    if producer is None:
        raise PermissionDenied(_("Your sign-in is not linked to a producer record yet."))
    choice = request.POST.get("given")
    if choice == "no":
        return redirect("producer_withdraw_consent")
    if choice != "yes":
        messages.error(request, _("Choose whether you give or withdraw your consent."))
        return redirect("home")
    do_record_consent(
        producer,
        purpose=Consent.Purpose.LIST_ON_MARKETPLACES,
        given=True,
        on=timezone.localdate(),
        method=Consent.Method.SELF,
        acting_user=user,
    )
    messages.success(request, _("Thank you. You have given your consent to be listed."))
    return redirect("home")


@require_http_methods(["GET", "POST"])
@role_required(Role.PRODUCER)
def withdraw_consent(request: HttpRequest) -> HttpResponse:
    """What a withdrawal ends, and the button that confirms it."""
    user = current_user(request)
    producer = _own_producer(user)
    if producer is None:
        raise PermissionDenied(_("Your sign-in is not linked to a producer record yet."))
    if request.method == "POST":
        do_record_consent(
            producer,
            purpose=Consent.Purpose.LIST_ON_MARKETPLACES,
            given=False,
            on=timezone.localdate(),
            method=Consent.Method.SELF,
            acting_user=user,
        )
        messages.success(
            request,
            _(
                "Your consent is withdrawn. Your listings are being taken off every marketplace; "
                "nothing new is listed."
            ),
        )
        return redirect("home")
    return render(
        request,
        "registry/portal/withdraw_consent.html",
        {"producer": producer, "consequences": withdrawal_consequences(producer)},
    )
