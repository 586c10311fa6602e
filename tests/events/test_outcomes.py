"""A programme's outcomes: of those it trained, how many went on to be catalogued, listed, sold
and exporting, and when, from the funnel's history."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from niryat.events.actions import do_register_participants, do_tick_attendance
from niryat.events.outcomes import programme_outcomes
from niryat.registry.actions import do_move_stage
from niryat.registry.models import Stage, StageChange
from tests.conftest import client_for
from tests.events.conftest import artisans


def test_outcomes_count_stages_reached_after_the_training(
    nift, session, gorakhpur, ganesh, sam, django_assert_max_num_queries
):
    listed, sold, stayed, absent = artisans(gorakhpur, ganesh, 4)
    do_move_stage(sold, Stage.CATALOGUED, reason="before", acting_user=ganesh)
    do_register_participants(nift, [listed, sold, stayed], acting_user=ganesh)
    nift.capacity = 4
    nift.save()
    do_register_participants(nift, [absent], acting_user=ganesh)
    for producer in (listed, sold, stayed):
        do_tick_attendance(session, nift.participants.get(producer=producer), acting_user=ganesh)
    trained_at = timezone.now()
    # Ten days on, one is listed (skipping "catalogued"); forty days on, the other sells.
    do_move_stage(listed, Stage.LISTED, reason="Amazon", acting_user=ganesh)
    do_move_stage(sold, Stage.SOLD, reason="first order", acting_user=ganesh)
    StageChange.objects.filter(producer=listed, to_stage=Stage.LISTED).update(
        created_at=trained_at + datetime.timedelta(days=10)
    )
    StageChange.objects.filter(producer=sold, to_stage=Stage.SOLD).update(
        created_at=trained_at + datetime.timedelta(days=40)
    )
    with django_assert_max_num_queries(3):
        outcomes = programme_outcomes(nift)
    assert outcomes.trained == 3
    by_stage = {o.stage: (o.reached, o.before, o.median_days) for o in outcomes.stages}
    assert by_stage == {
        Stage.CATALOGUED: (1, 1, 10),  # `listed` skipped it; `sold` was catalogued before
        Stage.LISTED: (2, 0, 25),
        Stage.SOLD: (1, 0, 40),
        Stage.EXPORTING: (0, 0, None),
    }
    assert [outcomes.share(o) for o in outcomes.stages] == [33, 67, 33, 0]
    page = client_for(sam).get(reverse("programme_outcomes", args=[nift.uuid]))
    assert page.status_code == 200
    assert "3 producers trained (came to a session)." in page.text
    assert '<tr data-stage="listed"><th scope="row">Listed</th><td class="num reached">2</td>' in (
        page.text
    )
