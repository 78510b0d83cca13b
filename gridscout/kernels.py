"""The compiled (numba) kernels of screening, loaded before they are needed.

A process's first call of a ``numba.njit(cache=True)`` function does not run it at once: numba first
builds its typing and target contexts (≈ 0.3 s of Python, once per process) and then loads the
function's machine code from the on-disk cache (≈ 20–50 ms each; a first run on a new machine
compiles instead, seconds). In a screening that lands on the critical path: the first batch's spatial
queries wait for it. :func:`start_warm_kernels` does it on a background thread at the start of a job,
beside reading the warehouse (DuckDB releases the GIL), so the first batch finds the kernels ready.

Each module that defines a screening kernel lists it with the argument types screening calls it with
in ``KERNEL_SIGNATURES`` (``(dispatcher, (numba types, …))`` pairs, built from the aliases of
:mod:`gridscout.kernel_types`);
``tests/scoring/test_screen_kernels.py`` checks that a screening after :func:`warm_kernels` compiles nothing more.
A kernel called with other types (e.g. a site's read-only arrays) still compiles or loads on demand,
as before: warming changes when code is loaded, never what runs.
"""

from __future__ import annotations

import logging
import threading

from gridscout.features import substations, weather_link
from gridscout.geo import nearest, polygons

_log = logging.getLogger(__name__)
_LOCK = threading.Lock()
_STARTED: list[threading.Thread] = []


def screening_kernels() -> list[tuple]:
    """Every ``(dispatcher, signature)`` screening calls: the ``KERNEL_SIGNATURES`` of the modules
    that define them."""
    return [*nearest.KERNEL_SIGNATURES, *polygons.KERNEL_SIGNATURES, *substations.KERNEL_SIGNATURES,
            *weather_link.KERNEL_SIGNATURES]


def warm_kernels() -> int:
    """Load (or, on a new machine, compile and cache) every screening kernel for its screening
    signature, in this thread; returns how many. A kernel already loaded costs nothing."""
    pairs = screening_kernels()
    for dispatcher, signature in pairs:
        dispatcher.compile(signature)
    return len(pairs)


def start_warm_kernels() -> None:
    """Start :func:`warm_kernels` on a daemon thread, once per process, and return at once. Numba
    serialises compilation behind one lock and a caller of a kernel being loaded waits for it, so
    the kernels are never loaded twice. A failure is logged, not raised: the kernel then compiles or
    loads when first called, as without warming."""
    with _LOCK:
        if _STARTED:
            return

        def run() -> None:
            try:
                warm_kernels()
            except Exception as exc:  # noqa: BLE001 — warming is an optimisation; the call site compiles
                _log.warning("loading the compiled kernels ahead failed (%s); they load when first called", exc)

        thread = threading.Thread(target=run, name="gridscout-warm-kernels", daemon=True)
        _STARTED.append(thread)
        thread.start()
