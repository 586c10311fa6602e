"""The Django admin is for state administrators only, whatever flags a user carries."""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.http import HttpRequest
from django.utils.translation import gettext_noop

from niryat.core.models import Role

# The admin's messages after a save or a deletion, which Django's own Hindi catalogue lacks (the
# page then said "The producer “…” was changed successfully." in English). Naming them here puts
# them in our catalogue, which Django reads before its own.
ADMIN_MESSAGES = (
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    gettext_noop("You may edit it again below."),
    gettext_noop("The %(name)s “%(obj)s” was deleted successfully."),
    gettext_noop("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?"),
    gettext_noop("Please correct the error below."),
    gettext_noop("Please correct the errors below."),
    gettext_noop("Added {name} “{object}”."),
    gettext_noop("Changed {fields} for {name} “{object}”."),
    gettext_noop("Deleted {name} “{object}”."),
    gettext_noop("Added."),
    gettext_noop("Changed {fields}."),
    gettext_noop("View site"),
    gettext_noop("Recent actions"),
    gettext_noop("My actions"),
)


def restrict_admin_to_state_admins(site: AdminSite) -> None:
    def has_permission(request: HttpRequest) -> bool:
        user = request.user
        return bool(
            user.is_active and user.is_staff and getattr(user, "role", None) == Role.STATE_ADMIN
        )

    site.has_permission = has_permission  # type: ignore[method-assign]
    site.site_header = "Niryat"
