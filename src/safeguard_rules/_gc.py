"""Keeping the cyclic garbage collector off the objects the library builds in bulk.

Loading and evaluating build hundreds of thousands of small objects (events, obligations,
findings) that hold no reference cycles. Left alone, the collector walks all of them
again and again while they pile up, and then once more at every full collection for as
long as they live: about a fifth of a whole run (benchmarks/README.md). So bulk
construction runs with the collector paused, and the caller's setting is restored
afterwards (a collector the caller had disabled stays disabled; one that was enabled is
enabled again, also when an exception is raised).

When the block built many tracked objects (more than :data:`FREEZE_ABOVE`), the objects
alive at its end are also moved to the collector's permanent generation
(:func:`gc.freeze`), so that later collections do not walk them. That changes nothing
for correctness: objects there are still freed by reference counting as soon as they are
unused. Its one cost: a reference cycle that was *already* garbage at that moment (the
caller's, not collected yet) stays in memory until :func:`gc.unfreeze`. A program that
cares can call ``gc.unfreeze()`` after loading or evaluating; small calls (tests,
single children) never freeze.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["FREEZE_ABOVE", "collector_paused"]

# Tracked objects made inside one block above which the survivors are frozen: about
# 30,000 events (each is a model, its field dict and its set of fields).
FREEZE_ABOVE = 100_000


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector paused for the ``with`` block, then as it was before."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        # The first generation's count has grown by every tracked object made meanwhile.
        if gc.get_count()[0] > FREEZE_ABOVE:
            gc.freeze()
        gc.enable()
