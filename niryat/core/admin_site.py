"""The Django admin is for state administrators only, whatever flags a user carries."""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.http import HttpRequest

from niryat.core.models import Role


def restrict_admin_to_state_admins(site: AdminSite) -> None:
    def has_permission(request: HttpRequest) -> bool:
        user = request.user
        return bool(
            user.is_active and user.is_staff and getattr(user, "role", None) == Role.STATE_ADMIN
        )

    site.has_permission = has_permission  # type: ignore[method-assign]
    site.site_header = "Niryat"
