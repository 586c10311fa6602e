"""What the registry's writes mean to the apps above it: the one place to look.

An app that holds records about producers implements `ProducerHooks` and lists its class in
`settings.PRODUCER_HOOKS`. The registry's actions call every implementation explicitly, inside their
transaction, so a consequence (listings ended, rows re-pointed) commits or rolls back with the
decision that caused it. No signals: reading this file tells everything that happens.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string
from django_stubs_ext import StrOrPromise

if TYPE_CHECKING:
    from niryat.core.models import User
    from niryat.registry.models import Producer


@dataclass(frozen=True)
class DataSection:
    """One section of a producer's data export: a sheet in the XLSX, a key in the JSON."""

    key: str
    title: StrOrPromise
    rows: list[dict[str, Any]]


@runtime_checkable
class ProducerHooks(Protocol):
    def producer_merged(
        self, survivor: Producer, duplicate: Producer, *, acting_user: User
    ) -> None:
        """Point this app's rows at `survivor`; `duplicate` is deleted right after."""

    def producer_erased(self, producer: Producer, *, acting_user: User) -> None:
        """The producer's personal data is being erased: end what this app shows or sends of
        them, and erase what it keeps. Called before the registry empties the record, so the
        producer's numbers still tell which of this app's rows (or kept files) are theirs."""

    def listing_consent_changed(
        self, producer: Producer, *, given: bool, acting_user: User
    ) -> None:
        """Consent to be listed was given or withdrawn: withdrawn ends every listing."""

    def withdrawal_consequences(self, producer: Producer) -> list[str]:
        """What withdrawing consent (or erasing) would end, one sentence each, for the page that
        asks the producer or staff to confirm."""

    def personal_data(self, producer: Producer) -> list[DataSection]:
        """What this app holds about the producer, for their data export."""


@cache
def producer_hooks() -> tuple[ProducerHooks, ...]:
    return tuple(import_string(path)() for path in settings.PRODUCER_HOOKS)


def withdrawal_consequences(producer: Producer) -> list[str]:
    """What withdrawing the producer's listing consent, or erasing them, would end."""
    return [line for hooks in producer_hooks() for line in hooks.withdrawal_consequences(producer)]
