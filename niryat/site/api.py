"""The HTTP API (/api/, OpenAPI at /api/docs): every app's router, assembled here."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from niryat.catalog.api import router as catalog_router
from niryat.channels.api import router as channels_router
from niryat.core.api import router as core_router
from niryat.core.api_auth import SessionAuth, TokenAuth, TokenExpired
from niryat.registry.api import router as registry_router

api = NinjaAPI(
    title="Niryat API",
    version="1.0.0",
    description="Districts, ODOP products, producers, the catalogue and the marketplace channels. "
    "Authenticate with `Authorization: Bearer <token>` (create a token on your account page) "
    "or a signed-in browser session. Every answer is limited to the districts your role may see.",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api-1.0.0",
)
api.add_router("/", core_router)
api.add_router("/", registry_router)
api.add_router("/", catalog_router)
api.add_router("/", channels_router)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    if isinstance(exc, TokenExpired):
        detail = exc.message
    else:
        detail = _("Sign in, or send a valid API token: Authorization: Bearer <token>.")
    return api.create_response(request, {"detail": detail}, status=401)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("Not found, or not in your district.")}, status=404
    )


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    detail = str(exc) or _("You may read this record but not change it.")
    return api.create_response(request, {"detail": detail}, status=403)


@api.exception_handler(DjangoValidationError)
def invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    """422 with the sentences a user reads: per field when the error names fields."""
    detail: object = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    return api.create_response(request, {"detail": detail}, status=422)
