"""Access decorators for pages: which roles may open a view."""

from __future__ import annotations

from functools import wraps
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from niryat.core.models import Role, User


def role_required(*roles: Role) -> Any:
    def decorator(view: Any) -> Any:
        @wraps(view)
        @login_required
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if cast(User, request.user).role not in roles:
                raise PermissionDenied(_("Your role cannot open this page."))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# Everyone but producers: a producer sees only their own record, not the district's work.
staff_only = role_required(
    Role.STATE_ADMIN, Role.STATE_VIEWER, Role.DISTRICT_OFFICER, Role.CENTRE_STAFF
)

# Every role, producers too: for pages whose reads are scoped by `visible_to`, where a producer
# sees only their own records (their products, read-only).
signed_in = role_required(*Role)
