"""What a benchmark returns, and how it times things.

A benchmark measures something against a baseline in the same run, so a figure never stands alone:
`Result.ratio` is the measured cost divided by the baseline's (above 1 means slower). Time the two
with `compare`, which interleaves them so that drift on the machine (frequency, a noisy neighbour)
falls on both alike.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

# Stop repeating once a series has taken this long, as long as it has MIN_REPEAT samples.
MAX_SECONDS = 4.0
MIN_REPEAT = 20


@dataclass(frozen=True)
class Timing:
    """Wall time of one call: median and 95th percentile over `n` repetitions."""

    p50_ms: float
    p95_ms: float
    n: int

    @property
    def cost(self) -> float:
        return self.p50_ms

    def __str__(self) -> str:
        return f"p50 {self.p50_ms:.2f} · p95 {self.p95_ms:.2f} ms"


@dataclass(frozen=True)
class Rate:
    """Throughput: rows handled per second, from the median of `n` repetitions over `rows` rows."""

    rows_per_s: float
    rows: int
    n: int

    @property
    def cost(self) -> float:
        return 1 / self.rows_per_s

    def __str__(self) -> str:
        return f"{self.rows_per_s:,.0f} rows/s"


Figure = Timing | Rate


@dataclass(frozen=True)
class Target:
    """A limit: `ratio`, `p50_ms` and `p95_ms` at most `limit`; `rows_per_s` at least `limit`."""

    metric: Literal["ratio", "p50_ms", "p95_ms", "rows_per_s"]
    limit: float

    def value(self, result: Result) -> float:
        if self.metric == "ratio":
            return result.ratio
        return float(getattr(result.measured, self.metric))

    def met(self, result: Result) -> bool:
        if self.metric == "rows_per_s":
            return self.value(result) >= self.limit
        return self.value(result) <= self.limit

    def __str__(self) -> str:
        sign = "≥" if self.metric == "rows_per_s" else "≤"
        name, unit = {
            "ratio": ("ratio", "×"),
            "p50_ms": ("p50", " ms"),
            "p95_ms": ("p95", " ms"),
            "rows_per_s": ("rate", " rows/s"),
        }[self.metric]
        return f"{name} {sign} {self.limit:g}{unit}"


@dataclass(frozen=True)
class Result:
    name: str
    size: str  # the dataset the figure was measured on, e.g. "75 districts · 15,117 users"
    measured: Figure
    baseline: Figure
    baseline_label: str  # what the baseline is, in words; printed under the table
    target: Target | None = None
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.measured.cost / self.baseline.cost

    @property
    def target_met(self) -> bool | None:
        return None if self.target is None else self.target.met(self)


def _timing(samples: list[float]) -> Timing:
    ms = [s * 1000 for s in samples]
    p95 = statistics.quantiles(ms, n=20, method="inclusive")[18] if len(ms) > 1 else ms[0]
    return Timing(p50_ms=statistics.median(ms), p95_ms=p95, n=len(ms))


def _once(fn: Callable[[], object], setup: Callable[[], object] | None) -> float:
    if setup is not None:
        setup()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def compare(
    measured: Callable[[], object],
    baseline: Callable[[], object],
    *,
    repeat: int = 200,
    warmup: int = 5,
    max_seconds: float = MAX_SECONDS,
    setup: Callable[[], object] | None = None,
) -> tuple[Timing, Timing]:
    """Time `measured` and `baseline` alternately; `setup` runs untimed before every call.

    Stops after `repeat` pairs or once `max_seconds` have passed (but never before MIN_REPEAT
    pairs). The garbage collector stays on, as it is in a server, so p95 includes its pauses.
    """
    for _ in range(warmup):
        _once(measured, setup)
        _once(baseline, setup)
    gc.collect()
    ours: list[float] = []
    theirs: list[float] = []
    deadline = time.perf_counter() + max_seconds
    for i in range(repeat):
        # Swap the order every pair, so neither side always runs on a warm cache left by the other.
        if i % 2:
            theirs.append(_once(baseline, setup))
            ours.append(_once(measured, setup))
        else:
            ours.append(_once(measured, setup))
            theirs.append(_once(baseline, setup))
        if len(ours) >= MIN_REPEAT and time.perf_counter() > deadline:
            break
    return _timing(ours), _timing(theirs)


def timeit(
    fn: Callable[[], object],
    *,
    repeat: int = 200,
    warmup: int = 5,
    max_seconds: float = MAX_SECONDS,
    setup: Callable[[], object] | None = None,
) -> Timing:
    """p50/p95 of `fn` over `repeat` calls (or `max_seconds`, at least MIN_REPEAT calls)."""
    for _ in range(warmup):
        _once(fn, setup)
    gc.collect()
    samples: list[float] = []
    deadline = time.perf_counter() + max_seconds
    for _ in range(repeat):
        samples.append(_once(fn, setup))
        if len(samples) >= MIN_REPEAT and time.perf_counter() > deadline:
            break
    return _timing(samples)


def queries(fn: Callable[[], object]) -> int:
    """How many SQL statements one call of `fn` runs (to explain a ratio, not to time it)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def rate(timing: Timing, rows: int) -> Rate:
    """Rows per second from the timing of one call that handles `rows` rows."""
    return Rate(rows_per_s=rows / (timing.p50_ms / 1000), rows=rows, n=timing.n)
