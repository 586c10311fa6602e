"""The audit trail: one entry per change, written inside the same transaction as the change."""

from __future__ import annotations

from typing import Any

from django.db import models

from niryat.core.models import AuditEntry, District, User


def record_audit(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | type[models.Model],
    district: District | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """An entry about one record, or about many of a kind when `obj` is a model class (a list
    exported, for instance: then `changes` says which)."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        district=district,
        action=action,
        object_type=obj._meta.label_lower,
        object_id="" if isinstance(obj, type) else str(obj.pk),
        changes=changes or {},
    )


def diff_fields(record: models.Model, new_values: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value would change."""
    changed: dict[str, list[Any]] = {}
    for field, new in new_values.items():
        old = getattr(record, field)
        if old != new:
            changed[field] = [old, new]
    return changed
