"""Check-in at the venue: N QR check-ins into one session in a burst (issue 17: 500, a
conclave's morning), each through `do_check_in_by_code` (the code read and its HMAC checked, the
participant and the duplicate looked up, the attendance row, the audit entry, and the producer's
funnel moved to "trained" with its history row), timed one by one for p50 and p95 (target: p95 at
most 100 ms). The baseline, interleaved in the same run, is the bare insert of the same attendance
rows (the same participants, into a second session) with no checks, audit or funnel.

N is BENCH_EVENTS_CHECK_INS, or 500 at any scale (the burst is the measure, not the state's size).
Producers beyond those the generator made in the district are added with bulk_create.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator

from django.db import transaction
from django.utils import timezone

from bench.harness import Result, Target, compare
from niryat.core.models import Role, User
from niryat.events.actions import do_add_session, do_create_programme
from niryat.events.codes import check_in_code
from niryat.events.models import Attendance, Participant, Programme
from niryat.registry.models import Kind, Producer, Stage

CHECK_INS = 500
DAY = datetime.date(2026, 12, 14)


def staff_and_producers(n: int) -> tuple[User, list[Producer]]:
    staff = (
        User.objects.filter(role=Role.CENTRE_STAFF, district__isnull=False).order_by("pk").first()
    )
    if staff is None:
        raise AssertionError("no centre staff in the generated data")
    district = staff.district
    assert district is not None
    # Producers before "trained", as a training's invitees are: each check-in moves one.
    existing = list(
        Producer.objects.filter(
            district=district,
            erased_at__isnull=True,
            stage__in=[Stage.CONTACTED, Stage.SENSITISED, Stage.REGISTERED],
        ).order_by("pk")[:n]
    )
    extra = [
        Producer(
            kind=Kind.ARTISAN,
            district=district,
            name_hi=f"प्रशिक्षु {index}",
            name_latin=f"Prashikshu {index}",
            name_key=f"prashikshu {index}",
            village="Aurangabad",
            pin="273001",
            stage=Stage.REGISTERED,
            created_by=staff,
        )
        for index in range(n - len(existing))
    ]
    Producer.objects.bulk_create(extra)
    producers = existing + list(
        Producer.objects.filter(district=district, name_latin__startswith="Prashikshu ").order_by(
            "pk"
        )[: len(extra)]
    )
    return staff, producers


def burst(n: int) -> Result:
    staff, producers = staff_and_producers(n)
    district = staff.district
    assert district is not None
    programme = do_create_programme(
        district,
        {"kind": Programme.Kind.OTHER, "title": "Export conclave", "capacity": n},
        acting_user=staff,
    )
    session = do_add_session(programme, {"date": DAY, "venue": "Hall"}, acting_user=staff)
    bare_session = do_add_session(programme, {"date": DAY, "venue": "Annexe"}, acting_user=staff)
    Participant.objects.bulk_create(
        Participant(programme=programme, producer=p, status=Participant.Status.REGISTERED)
        for p in producers
    )
    places = list(programme.participants.order_by("pk"))
    codes: Iterator[str] = iter(check_in_code(p.pk, programme.pk) for p in places)
    bare: Iterator[Participant] = iter(places)
    from niryat.events.actions import do_check_in_by_code

    def check_in() -> None:
        do_check_in_by_code(session, next(codes), acting_user=staff)

    def bare_insert() -> None:
        Attendance.objects.create(
            session=bare_session,
            participant=next(bare),
            method=Attendance.Method.QR,
            checked_in_at=timezone.now(),
            recorded_by=staff,
        )

    ours, theirs = compare(check_in, bare_insert, repeat=n, warmup=0, max_seconds=1e9)
    came = Attendance.objects.filter(session=session).count()
    if came != n:
        raise AssertionError(f"{came} check-ins recorded of {n}")
    trained = Producer.objects.filter(pk__in=[p.pk for p in producers], stage=Stage.TRAINED)
    if trained.count() != n:
        raise AssertionError(f"{trained.count()} of {n} producers moved to trained")
    return Result(
        "events: QR check-in, one at a time in a burst",
        f"{n:,} check-ins into one session · {n:,} participants",
        ours,
        theirs,
        "bare INSERT of the same attendance rows (no code check, audit or funnel move)",
        Target("p95_ms", 100.0),
    )


def run(scale: float) -> list[Result]:
    n = int(os.environ.get("BENCH_EVENTS_CHECK_INS") or CHECK_INS)
    with transaction.atomic():
        result = burst(n)
        transaction.set_rollback(True)
    return [result]
