"""How the benchmarks time and count: shared by every bench module."""

import gc
import statistics
import time
from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def median_ms_in_turns(
    actions: dict[str, Callable], *, runs: int, warm_ups: int = 2
) -> dict[str, float]:
    """The median time of each action in milliseconds.

    The actions are timed in turns, so that a machine slowing down or speeding up mid-run shifts
    them all alike and leaves their ratios fair. The cycle collector runs, untimed, before each
    action, so that a collection of garbage another action left falls on nobody's time.
    """
    for _ in range(warm_ups):
        for action in actions.values():
            action()
    timings = {target: [] for target in actions}
    for _ in range(runs):
        for target, action in actions.items():
            gc.collect()
            start = time.perf_counter()
            action()
            timings[target].append(time.perf_counter() - start)
    return {target: statistics.median(seconds) * 1000 for target, seconds in timings.items()}


def query_count(action) -> int:
    # Counted on a separate, untimed call: capturing queries slows every one of them down.
    with CaptureQueriesContext(connection) as queries:
        action()
    return len(queries)
