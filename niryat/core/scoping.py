"""District scoping: the one place that decides who may read or change a district's records.

Centre staff read and change their own district; district officers read theirs; state viewers read
all; state admins read and change all; producers read their own district's reference data (the
registry narrows their records to their own). Every view and API endpoint fetches records through
`visible_to` / `changeable_by` or the two `get_*` helpers below, never through a bare queryset.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from niryat.core.models import User

M = TypeVar("M", bound=models.Model)


class ScopedQuerySet(models.QuerySet[M]):
    # Path from the model to its District ("" when the model *is* District).
    district_field: str = "district"

    def _in_district(self, district_id: int | None) -> Self:
        # `district__pk` is resolved to the `district_id` column without a join.
        lookup = f"{self.district_field}__pk" if self.district_field else "pk"
        return self.filter(**{lookup: district_id})

    def in_district(self, district: Any) -> Self:
        return self._in_district(district.pk)

    def visible_to(self, user: User) -> Self:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_state_level:
            return self
        if user.district_id is None:
            return self.none()
        return self._in_district(user.district_id)

    def changeable_by(self, user: User) -> Self:
        if not user.is_authenticated or not user.is_active or not user.can_write:
            return self.none()
        return self.visible_to(user)


class DistrictWorkQuerySet(ScopedQuerySet[M]):
    """The centre's own work (import jobs and their sheets of other people's data): scoped like
    any district record, and never shown to producers, who share the district but not its work."""

    def visible_to(self, user: User) -> Self:
        from niryat.core.models import Role

        if user.is_authenticated and user.role == Role.PRODUCER:
            return self.none()
        return super().visible_to(user)


Records = models.QuerySet[M] | models.Manager[M]


def _scoped(records: Records[M]) -> ScopedQuerySet[M]:
    return cast(ScopedQuerySet[M], records.all())


def current_user(request: HttpRequest) -> User:
    """The signed-in person of a request (views and API endpoints require sign-in first)."""
    return cast("User", request.user)


def get_visible_or_404(records: Records[M], user: User, **lookup: Any) -> M:
    """The record if `user` may read it, else 404: other districts' ids leak nothing."""
    try:
        return _scoped(records).visible_to(user).get(**lookup)
    except ObjectDoesNotExist as exc:
        raise Http404(_("Not found, or not in your district.")) from exc


def require_write(district: Any, acting_user: User) -> None:
    """Refuse a write to a district's records unless `acting_user` may change that district
    (its centre staff, or a state admin)."""
    from niryat.core.models import District

    if not District.objects.changeable_by(acting_user).filter(pk=district.pk).exists():
        raise PermissionDenied(_("You may read this record but not change it."))


def require_write_access(acting_user: User) -> None:
    """Refuse a write to records that belong to no district (the craft glossary, exchange
    rates, marketplace warehouses) unless `acting_user` may write at all."""
    if not (acting_user.is_authenticated and acting_user.is_active and acting_user.can_write):
        raise PermissionDenied(_("You may read this record but not change it."))


def get_changeable_or_deny(records: Records[M], user: User, **lookup: Any) -> M:
    """The record if `user` may change it; 404 if they cannot even read it, 403 if read-only."""
    record = get_visible_or_404(records, user, **lookup)
    if not _scoped(records).changeable_by(user).filter(pk=record.pk).exists():
        raise PermissionDenied(_("You may read this record but not change it."))
    return record
