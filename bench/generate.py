"""Synthetic state-scale data for the benchmarks, at any fraction of the design scale.

scale=1.0 is the state DESIGN.md designs for: 75 districts, up to 20,000 producers per district.
Every `generate_*` function adds one kind of record for a scale, in bulk, and returns how many it
made; `generate` runs them in dependency order. Add producers, SKUs and orders as functions here
when their models exist, and call them from `generate`.

The data is deterministic for a scale (no random choices yet), so two runs measure the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from niryat.core.models import District, OdopProduct, Role, User
from niryat.core.reference_data import load_reference_data

BATCH = 5000
PASSWORD = "bench-password"  # noqa: S105 - the synthetic users' password; the database is thrown away


@dataclass(frozen=True)
class UserMix:
    """People per role at design scale (scale=1.0).

    DESIGN.md fixes districts and producers, not logins; these are our assumptions. Producers are
    the upper bound: every producer of the district signs in.
    """

    state_admins: int = 5
    state_viewers: int = 20
    district_officers: int = 2  # per district
    centre_staff: int = 10  # per district
    producers: int = 20_000  # per district


DESIGN_USERS = UserMix()


def scaled(count: int, scale: float) -> int:
    """`count` at `scale`, but at least one, so every district has someone in every role."""
    return max(1, round(count * scale))


def _batches(items: Iterable[User], size: int = BATCH) -> Iterator[list[User]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def load_reference() -> None:
    """The state's districts and ODOP products (and a centre per district), from the repository."""
    load_reference_data(settings.REFERENCE_DATA_DIR)


@transaction.atomic
def generate_users(scale: float, mix: UserMix = DESIGN_USERS) -> int:
    """State users, then each district's officers, centre staff and producers. Returns the count."""
    password = make_password(PASSWORD)  # hashing is slow on purpose: once, shared by all

    def user(username: str, role: Role, district: District | None) -> User:
        return User(
            username=username,
            password=password,
            role=role,
            district=district,
            full_name=username.replace(".", " ").title(),
            is_staff=role == Role.STATE_ADMIN,
            is_superuser=role == Role.STATE_ADMIN,
        )

    def people() -> Iterator[User]:
        for role, count in [
            (Role.STATE_ADMIN, mix.state_admins),
            (Role.STATE_VIEWER, mix.state_viewers),
        ]:
            for i in range(scaled(count, scale)):
                yield user(f"bench.{role.value}.{i}", role, None)
        for district in District.objects.order_by("lgd_code"):
            for role, count in [
                (Role.DISTRICT_OFFICER, mix.district_officers),
                (Role.CENTRE_STAFF, mix.centre_staff),
                (Role.PRODUCER, mix.producers),
            ]:
                for i in range(scaled(count, scale)):
                    yield user(f"bench.{district.lgd_code}.{role.value}.{i}", role, district)

    made = 0
    for batch in _batches(people()):
        User.objects.bulk_create(batch)
        made += len(batch)
    return made


def analyze() -> None:
    """Refresh the planner's statistics, as autovacuum would have by now in a running PostgreSQL."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def generate(scale: float) -> dict[str, int]:
    """The whole synthetic dataset at `scale`. Returns `sizes()`."""
    load_reference()
    generate_users(scale)
    analyze()
    return sizes()


def sizes() -> dict[str, int]:
    return {
        "districts": District.objects.count(),
        "odop_products": OdopProduct.objects.count(),
        "users": User.objects.count(),
    }


LABELS = {"odop_products": "ODOP"}


def describe(*kinds: str) -> str:
    """The dataset size for the table, e.g. describe("districts", "users")."""
    counts = sizes()
    return " · ".join(f"{counts[kind]:,} {LABELS.get(kind, kind)}" for kind in kinds)


def a_user(role: Role) -> User:
    """A synthetic person with `role`; the district ones are in the first district by LGD code."""
    return (
        User.objects.select_related("district")
        .filter(role=role, username__startswith="bench.")
        .order_by("district__lgd_code", "id")
        .first()
    )  # type: ignore[return-value]
