"""A small demo dataset: state admin and viewer, and a few districts' staff with realistic names."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from faker import Faker

from niryat.core.actions import do_create_user
from niryat.core.models import District, PartnerOrg, Role, User

# LGD codes of the demo districts: Gorakhpur, Varanasi, Lucknow, Moradabad. Another state's data
# has none of them, and then the demo takes its first four districts.
DEMO_DISTRICTS = [148, 187, 162, 171]
DEMO_ADMIN = "admin"


@dataclass
class DemoLogin:
    username: str
    role: str
    district: str


def _name(fakers: list[Faker], index: int) -> str:
    # Alternate Hindi (Devanagari) and English spellings, as centre registers do.
    return fakers[index % 2].name()


@transaction.atomic
def seed_demo(
    password: str | None = None, *, seed: int = 2026
) -> tuple[str, list[DemoLogin]] | None:
    """Create the demo people once. Returns (password, logins), or None if they already exist."""
    if User.objects.filter(username=DEMO_ADMIN).exists():
        return None
    password = password or secrets.token_urlsafe(12)
    # Hashed once for all the demo people (they share the password anyway): Argon2 takes a good
    # second per hash on a small machine, and the demo should be ready in seconds.
    hashed = make_password(password)
    fakers = [Faker("hi_IN"), Faker("en_IN")]
    for number, faker in enumerate(fakers):
        faker.seed_instance(seed + number)
    partners = {org.code: org for org in PartnerOrg.objects.all()}
    logins: list[DemoLogin] = []

    def add(username: str, role: Role, district: District | None, org: str | None, i: int) -> None:
        user = do_create_user(
            username=username,
            password=None,
            role=role,
            district=district,
            full_name=_name(fakers, i),
            email=f"{username}@example.org",
            partner_org=partners.get(org) if org else None,
            acting_user=None,
        )
        user.password = hashed
        user.save(update_fields=["password"])
        logins.append(DemoLogin(username, str(role.label), district.name_en if district else "—"))

    add(DEMO_ADMIN, Role.STATE_ADMIN, None, None, 1)
    add("state.viewer", Role.STATE_VIEWER, None, None, 0)
    index = 2
    districts = District.objects.filter(lgd_code__in=DEMO_DISTRICTS) or District.objects.all()[:4]
    for district in districts:
        slug = district.name_en.lower().replace(" ", "")
        add(f"{slug}.officer", Role.DISTRICT_OFFICER, district, "dic", index)
        add(f"{slug}.staff", Role.CENTRE_STAFF, district, "fieo", index + 1)
        add(f"{slug}.staff2", Role.CENTRE_STAFF, district, "dic", index + 2)
        add(f"{slug}.producer", Role.PRODUCER, district, None, index + 3)
        index += 4
    return password, logins
