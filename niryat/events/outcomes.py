"""What a programme changed: of the producers it trained (came to a session), how many went on
to be catalogued, listed, sold and exporting, and how long after their training, read from the
funnel's history (registry StageChange).

A producer who skipped a stage (trained, then listed at once) counts as having reached the
stages below it at the same moment, since the funnel only moves forward. One who was already
there before the training counts apart: the training did not take them there.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass, field

from django.db.models import Min

from niryat.events.models import Attendance, Programme
from niryat.registry.models import STAGE_ORDER, Producer, Stage, StageChange

AFTER_TRAINING = (Stage.CATALOGUED, Stage.LISTED, Stage.SOLD, Stage.EXPORTING)


@dataclass
class StageOutcome:
    stage: Stage
    reached: int = 0  # after the training
    before: int = 0  # already there before it
    days: list[int] = field(default_factory=list)
    first: datetime.datetime | None = None
    last: datetime.datetime | None = None

    @property
    def median_days(self) -> int | None:
        return round(statistics.median(self.days)) if self.days else None


@dataclass(frozen=True)
class TraineeOutcome:
    producer: Producer
    trained_at: datetime.datetime
    reached: dict[str, datetime.datetime]  # stage value → when (after the training only)


@dataclass(frozen=True)
class Outcomes:
    trained: int
    stages: list[StageOutcome]
    trainees: list[TraineeOutcome]

    def share(self, outcome: StageOutcome) -> int:
        return round(100 * outcome.reached / self.trained) if self.trained else 0


def programme_outcomes(programme: Programme) -> Outcomes:
    """The programme's outcomes in two queries, however many trainees it had."""
    first_attended = dict(
        Attendance.objects.filter(participant__programme=programme)
        .values("participant__producer_id")
        .annotate(at=Min("checked_in_at"))
        .values_list("participant__producer_id", "at")
    )
    changes = StageChange.objects.filter(
        producer_id__in=list(first_attended), to_stage__in=[stage.value for stage in AFTER_TRAINING]
    ).values_list("producer_id", "to_stage", "created_at")
    reached_at: dict[int, dict[Stage, datetime.datetime]] = {}
    for producer_id, to_stage, created_at in changes:
        for stage in AFTER_TRAINING:
            if STAGE_ORDER[Stage(to_stage)] < STAGE_ORDER[stage]:
                continue
            known = reached_at.setdefault(producer_id, {})
            if stage not in known or created_at < known[stage]:
                known[stage] = created_at
    stages = {stage: StageOutcome(stage) for stage in AFTER_TRAINING}
    producers = Producer.objects.in_bulk(list(first_attended))
    trainees = []
    for producer_id, trained_at in first_attended.items():
        after: dict[str, datetime.datetime] = {}
        for stage, when in reached_at.get(producer_id, {}).items():
            outcome = stages[stage]
            if when < trained_at:
                outcome.before += 1
                continue
            after[stage.value] = when
            outcome.reached += 1
            outcome.days.append((when - trained_at).days)
            outcome.first = min(filter(None, [outcome.first, when]))
            outcome.last = max(filter(None, [outcome.last, when]))
        if producer_id in producers:
            trainees.append(TraineeOutcome(producers[producer_id], trained_at, after))
    trainees.sort(key=lambda trainee: (trainee.trained_at, trainee.producer.pk))
    return Outcomes(len(first_attended), list(stages.values()), trainees)
