"""Background tasks: queued from a page, run by the database worker, progress shown to the user."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from niryat.core.models import District, TaskProgress
from tests.conftest import client_for


def run_worker() -> None:
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def test_state_admin_reloads_reference_data_in_the_background(alice):
    client = client_for(alice)
    response = client.post("/reference-data/")
    progress = TaskProgress.objects.get(owner=alice)
    assert response["Location"] == f"/progress/{progress.uuid}/"
    assert progress.status == TaskProgress.Status.WAITING
    assert DBTaskResult.objects.count() == 1

    run_worker()

    progress.refresh_from_db()
    assert progress.status == TaskProgress.Status.DONE
    assert (progress.done, progress.total, progress.percent) == (169, 169, 100)
    assert progress.result == {"created": {}, "updated": {}}
    page = client.get(
        f"/progress/{progress.uuid}/", headers={"HX-Request": "true"}
    ).content.decode()
    assert 'value="100"' in page
    assert "hx-get" not in page  # polling stops once done
    api = client.get(f"/api/progress/{progress.uuid}").json()
    assert (api["status"], api["percent"], api["label"]) == ("done", 100, "Reload reference data")


def test_running_task_keeps_polling(alice):
    client = client_for(alice)
    client.post("/reference-data/")
    progress = TaskProgress.objects.get(owner=alice)
    page = client.get(
        f"/progress/{progress.uuid}/", headers={"HX-Request": "true"}
    ).content.decode()
    assert f'hx-get="/progress/{progress.uuid}/"' in page
    assert 'value="0"' in page


def test_failed_task_shows_why(alice, settings, tmp_path):
    settings.REFERENCE_DATA_DIR = tmp_path  # an empty folder: no state.csv
    client = client_for(alice)
    client.post("/reference-data/")
    run_worker()
    progress = TaskProgress.objects.get(owner=alice)
    assert progress.status == TaskProgress.Status.FAILED
    assert progress.message == f"File not found: {tmp_path / 'state.csv'}"
    assert District.objects.count() == 75


@pytest.mark.parametrize("persona", ["sam", "ganesh", "gita"])
# `db` before the persona: with the persona fetched by name, a test that runs first in its process
# would otherwise read the development database.
def test_only_state_admins_reload(request, db, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.post("/reference-data/").status_code == 403
    assert not TaskProgress.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_progress_is_private_to_its_owner(alice, sam):
    client_for(alice).post("/reference-data/")
    progress = TaskProgress.objects.get(owner=alice)
    assert client_for(sam).get(f"/progress/{progress.uuid}/").status_code == 404
    assert client_for(sam).get(f"/api/progress/{progress.uuid}").status_code == 404
