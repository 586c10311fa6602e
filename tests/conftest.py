"""Shared fixtures: the reference data once per run, and named personas per role and district.

Alice is a state admin, Sam a state viewer. Gorakhpur has Gita (district officer), Ganesh (centre
staff) and Prem (a producer); Varanasi has Vani (centre staff). Tests about scoping put Gorakhpur's
people against Varanasi's records.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from niryat.core.actions import do_create_user
from niryat.core.models import District, OdopProduct, Role, User
from niryat.core.reference_data import load_reference_data
from niryat.registry.models import Producer
from tests.registry.factories import register

GORAKHPUR = 148
VARANASI = 187
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def keep_test_connection(monkeypatch):  # type: ignore[no-untyped-def]
    """The task worker closes stale database connections between tasks; inside a test's
    transaction that would end the test itself on PostgreSQL, so in tests it keeps them."""
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        load_reference_data(settings.REFERENCE_DATA_DIR)


def make_user(username: str, role: Role, district_code: int | None, full_name: str) -> User:
    district = District.objects.get(lgd_code=district_code) if district_code else None
    return do_create_user(
        username=username,
        password=PASSWORD,
        role=role,
        district=district,
        full_name=full_name,
        email=f"{username}@example.org",
        acting_user=None,
    )


@pytest.fixture
def gorakhpur(db) -> District:  # type: ignore[no-untyped-def]
    return District.objects.get(lgd_code=GORAKHPUR)


@pytest.fixture
def varanasi(db) -> District:  # type: ignore[no-untyped-def]
    return District.objects.get(lgd_code=VARANASI)


@pytest.fixture
def terracotta(gorakhpur: District) -> OdopProduct:
    return OdopProduct.objects.get(district=gorakhpur, name_en="Terracotta")


@pytest.fixture
def banarasi(varanasi: District) -> OdopProduct:
    return OdopProduct.objects.get(district=varanasi, name_en="Banarasi silk sarees")


@pytest.fixture
def alice(db) -> User:  # type: ignore[no-untyped-def]
    return make_user("alice", Role.STATE_ADMIN, None, "Alice Admin")


@pytest.fixture
def sam(db) -> User:  # type: ignore[no-untyped-def]
    return make_user("sam", Role.STATE_VIEWER, None, "Sam Viewer")


@pytest.fixture
def gita(db) -> User:  # type: ignore[no-untyped-def]
    return make_user("gita", Role.DISTRICT_OFFICER, GORAKHPUR, "गीता देवी")


@pytest.fixture
def ganesh(db) -> User:  # type: ignore[no-untyped-def]
    return make_user("ganesh", Role.CENTRE_STAFF, GORAKHPUR, "गणेश प्रजापति")


@pytest.fixture
def prem(db) -> User:  # type: ignore[no-untyped-def]
    return make_user("prem", Role.PRODUCER, GORAKHPUR, "प्रेम कुमार")


@pytest.fixture
def vani(db) -> User:  # type: ignore[no-untyped-def]
    return make_user("vani", Role.CENTRE_STAFF, VARANASI, "Vani Mishra")


def client_for(user: User, **headers: str) -> Client:
    client = Client(headers=headers or None)
    client.force_login(user)
    return client


def hindi(message: str) -> str:
    """The Hindi of an interface message; fails if it has none."""
    with translation.override("hi"):
        translated = gettext(message)
    assert translated != message, f"no Hindi for {message!r}"
    return translated


@pytest.fixture(autouse=True)
def english_by_default():  # type: ignore[no-untyped-def]
    """A request in Hindi leaves Hindi active in the test's thread; each test starts in English."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def ramu(gorakhpur: District, ganesh: User, terracotta: OdopProduct) -> Producer:
    """A Gorakhpur terracotta artisan."""
    return register(
        gorakhpur, ganesh, name_hi="रामू प्रजापति", odop_product=terracotta, mobile="+919839012345"
    )
