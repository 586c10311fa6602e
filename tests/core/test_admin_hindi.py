"""The admin tells a Hindi-reading state administrator in Hindi that a change was saved (Django's
own Hindi catalogue lacks these messages; ours has them)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from niryat.core.models import District, User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_admin_save_message_is_in_hindi(alice: User, gorakhpur: District) -> None:
    alice.language = "hi"
    alice.save(update_fields=["language"])
    client = client_for(alice)
    url = f"/admin/core/district/{gorakhpur.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields and not isinstance(value, bool)
    }
    data["state"] = gorakhpur.state_id
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == f'जिला “<a href="{url}">गोरखपुर</a>” बदला गया।'
