"""Run test work in real threads, each with its own database connection, released together."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

from django.db import connections

from inventory_app.errors import InsufficientStock


def run_parallel(count: int, work: Callable[[int], object]) -> Counter:
    """Run ``work(i)`` in ``count`` threads started by one barrier; count the outcomes.

    InsufficientStock counts as "insufficient"; any other exception as "error: ..." so that the
    calling test shows it in its failed assertion.
    """
    barrier = threading.Barrier(count)
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def runner(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            result = work(i)
        except InsufficientStock:
            result = "insufficient"
        except Exception as exc:  # anything else is a bug the test must show
            result = f"error: {type(exc).__name__}: {exc}"
        finally:
            connections.close_all()
        with lock:
            outcomes[result] += 1

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes
