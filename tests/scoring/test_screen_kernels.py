"""Screening's compiled kernels load ahead (gridscout.kernels): the declared signatures are the ones a
screening calls, so after warm_kernels a real screening compiles or loads nothing more."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from gridscout.kernels import screening_kernels, start_warm_kernels, warm_kernels

# a fresh process: this one's kernels may have been called by other tests already
PROBE = textwrap.dedent("""
    import gc, json, sys
    import numba
    from gridscout.kernels import screening_kernels, warm_kernels
    from gridscout.geo import hexgrid
    from gridscout.geo.regions import region_geometry
    from gridscout.jobs.screen import cell_frame
    from gridscout.scoring import load_profile
    from gridscout.warehouse.readers.reference import read_reference

    n = warm_kernels()
    def loaded():  # every compiled gridscout function with its signatures, declared or not
        return {f"{d.py_func.__module__}.{d.py_func.__name__}": sorted(map(str, d.signatures))
                for d in gc.get_objects() if isinstance(d, numba.core.dispatcher.Dispatcher)
                and d.py_func.__module__.startswith("gridscout") and d.signatures}
    before = loaded()
    ref = read_reference(sys.argv[1])
    out = {"warmed": n, "before": before}
    # US and European grid, substations and stations; r7 cells, and a sparse r5 sample (as the UNKNOWN
    # medians take) whose groups the grouped station query does not all settle
    for region, res in (("US-RI", 7), ("LUX", 7), ("CONUS", 5)):
        cells, lat, lon = hexgrid.polyfill(region_geometry(region, ref.boundaries), res)
        cell_frame(cells, lat, lon, load_profile("balanced"), ref)
    out["after"] = loaded()
    print(json.dumps(out))
""")


def test_a_screening_after_warming_loads_no_other_kernel(warehouse):
    run = subprocess.run([sys.executable, "-c", PROBE, str(warehouse)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["warmed"] == len(screening_kernels()) >= 7
    # every declared kernel was loaded by warming (on a new machine, compiling also registers the
    # kernels they call), and the screening compiled no other signature of any gridscout function
    declared = {f"{d.py_func.__module__}.{d.py_func.__name__}" for d, _ in screening_kernels()}
    assert declared <= set(out["before"]) and all(len(out["before"][k]) == 1 for k in declared), out["before"]
    assert out["after"] == out["before"]


def test_warming_is_idempotent_and_once_per_process():
    assert warm_kernels() == len(screening_kernels())
    sigs = {d: list(d.signatures) for d, _ in screening_kernels()}
    assert warm_kernels() == len(sigs)
    assert {d: list(d.signatures) for d, _ in screening_kernels()} == sigs
    start_warm_kernels()
    start_warm_kernels()
    from gridscout import kernels

    assert len(kernels._STARTED) == 1
    kernels._STARTED[0].join(timeout=120)
    assert not kernels._STARTED[0].is_alive()
