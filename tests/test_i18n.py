"""Hindi everywhere: the catalogue is complete, the switch works, and the choice is remembered."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import PASSWORD, client_for, hindi

PO_FILE = Path(settings.BASE_DIR) / "locale" / "hi" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


def test_every_catalogue_entry_has_hindi():
    catalogue = polib.pofile(str(PO_FILE))
    missing = [entry.msgid for entry in catalogue if not entry.translated() and not entry.obsolete]
    assert missing == [], f"untranslated in locale/hi: {missing}"
    broken = [
        entry.msgid
        for entry in catalogue.translated_entries()
        if sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(PLACEHOLDER.findall(entry.msgstr))
        and not entry.msgid_plural
    ]
    assert broken == [], f"placeholders differ between English and Hindi: {broken}"


def test_no_string_in_code_or_templates_is_missing_from_the_catalogue(tmp_path):
    """Extract the strings afresh (as `make messages` does) and find any the catalogue lacks."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext (xgettext) is needed for this test: apt-get install gettext")
    root = Path(settings.BASE_DIR)
    for name in ("config", "niryat", "templates", "locale"):
        shutil.copytree(
            root / name, tmp_path / name, ignore=shutil.ignore_patterns("*.mo", "__pycache__")
        )
    shutil.copy(root / "manage.py", tmp_path / "manage.py")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "hi", "--no-location", "--no-obsolete"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={
            "PATH": "/usr/bin:/bin",
            "NIRYAT_ENV": "test",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        },
    )
    fresh = polib.pofile(str(tmp_path / "locale" / "hi" / "LC_MESSAGES" / "django.po"))
    missing = sorted(entry.msgid for entry in fresh if not entry.translated())
    assert missing == [], f"strings without Hindi (run `make messages` and translate): {missing}"


def test_language_switch_is_remembered_on_the_account(ganesh):
    client = client_for(ganesh)
    response = client.post("/language/", {"language": "hi", "next": "/districts/148/"})
    assert response.status_code == 302
    assert response["Location"] == "/districts/148/"
    ganesh.refresh_from_db()
    assert ganesh.language == "hi"
    # A new browser, no cookie: after signing in, the pages are in Hindi.
    fresh = Client()
    fresh.post("/login/", {"username": "ganesh", "password": PASSWORD})
    page = fresh.get("/districts/148/").content.decode()
    assert '<html lang="hi">' in page
    assert "गोरखपुर" in page


def test_anonymous_visitors_get_their_browsers_language(db):
    page = Client(headers={"accept-language": "hi-IN,hi;q=0.9"}).get("/login/").content.decode()
    assert '<html lang="hi">' in page


def test_unknown_language_code_is_refused_clearly(ganesh):
    client = client_for(ganesh, **{"accept-language": "hi"})
    response = client.post("/language/", {"language": "xx", "next": "/"})
    assert response.status_code == 400
    assert "xx" in response.content.decode()
    assert hindi("Unknown language: %(code)s") % {"code": "xx"} in response.content.decode()
    ganesh.refresh_from_db()
    assert ganesh.language == ""


def test_language_switch_never_redirects_off_site(ganesh):
    response = client_for(ganesh).post(
        "/language/", {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
