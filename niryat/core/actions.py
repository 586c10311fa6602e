"""Writes of the core app. Each `do_*` is atomic, checks scope, and leaves an audit entry."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from niryat.core.audit import diff_fields, record_audit
from niryat.core.models import ApiToken, Centre, District, OdopProduct, PartnerOrg, Role, User

TOKEN_PREFIX = "nyt_"  # noqa: S105 (a public prefix, not a secret)
TOKEN_DEFAULT_DAYS = 90
TOKEN_MAX_DAYS = 365


def _require_change(queryset: Any, record: Any, acting_user: User) -> None:
    if not queryset.changeable_by(acting_user).filter(pk=record.pk).exists():
        raise PermissionDenied(_("You may read this record but not change it."))


@transaction.atomic
def do_update_odop_product(
    product: OdopProduct, *, acting_user: User, **values: Any
) -> dict[str, list[Any]]:
    """Correct or confirm a district's ODOP product (names, usual HS codes, verified)."""
    product = OdopProduct.objects.select_for_update().get(pk=product.pk)
    _require_change(OdopProduct.objects, product, acting_user)
    allowed = {"name_en", "name_hi", "hs_codes", "verified"}
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    changes = diff_fields(product, values)
    if not changes:
        return changes
    for field, (_old, new) in changes.items():
        setattr(product, field, new)
    product.full_clean()
    product.save(update_fields=[*changes, "updated_at"])
    record_audit(
        actor=acting_user,
        action="odop_product.update",
        obj=product,
        district=product.district,
        changes=changes,
    )
    return changes


@transaction.atomic
def do_update_centre(centre: Centre, *, acting_user: User, **values: Any) -> dict[str, list[Any]]:
    """Change the centre's own details: names, address, phone, email."""
    centre = Centre.objects.select_for_update().get(pk=centre.pk)
    _require_change(Centre.objects, centre, acting_user)
    changes = diff_fields(centre, values)
    if not changes:
        return changes
    for field, (_old, new) in changes.items():
        setattr(centre, field, new)
    centre.full_clean()
    centre.save(update_fields=[*changes, "updated_at"])
    record_audit(
        actor=acting_user,
        action="centre.update",
        obj=centre,
        district=centre.district,
        changes=changes,
    )
    return changes


@transaction.atomic
def do_create_user(
    *,
    username: str,
    password: str | None,
    role: Role,
    district: District | None,
    full_name: str = "",
    email: str = "",
    partner_org: PartnerOrg | None = None,
    acting_user: User | None,
) -> User:
    """Create a person with a role. State roles have no district; every other role has one."""
    if role in {Role.STATE_ADMIN, Role.STATE_VIEWER}:
        if district is not None:
            raise ValidationError(_("State roles do not belong to a district."))
    elif district is None:
        raise ValidationError(_("This role needs a district."))
    user = User(
        username=username,
        role=role,
        district=district,
        full_name=full_name,
        email=email,
        partner_org=partner_org,
        # The Django admin is for state administrators only.
        is_staff=role == Role.STATE_ADMIN,
        is_superuser=role == Role.STATE_ADMIN,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    record_audit(
        actor=acting_user,
        action="user.create",
        obj=user,
        district=district,
        changes={"role": role.value, "username": username},
    )
    return user


@transaction.atomic
def do_set_language(user: User, language: str, *, acting_user: User) -> None:
    """Remember the interface language a person chose."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Unknown language: %(code)s") % {"code": language})
    if acting_user.pk != user.pk:
        raise PermissionDenied
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def do_create_api_token(
    *, name: str, acting_user: User, valid_days: int = TOKEN_DEFAULT_DAYS
) -> tuple[ApiToken, str]:
    """A new personal API token, valid for `valid_days` (1 to a year). Returns the record and
    the token, which is never shown again."""
    if not name.strip():
        raise ValidationError(_("Give the token a name."))
    if not 1 <= valid_days <= TOKEN_MAX_DAYS:
        raise ValidationError(
            _("A token is valid for 1 to %(days)d days.") % {"days": TOKEN_MAX_DAYS}
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(
        user=acting_user,
        name=name.strip(),
        prefix=token[:8],
        digest=token_digest(token),
        expires_at=timezone.now() + timedelta(days=valid_days),
    )
    record_audit(
        actor=acting_user, action="api_token.create", obj=record, district=acting_user.district
    )
    return record, token


@transaction.atomic
def do_revoke_api_token(token: ApiToken, *, acting_user: User) -> None:
    if token.user_id != acting_user.pk:
        raise PermissionDenied
    record_audit(
        actor=acting_user, action="api_token.revoke", obj=token, district=acting_user.district
    )
    token.delete()
