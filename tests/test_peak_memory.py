"""Peak memory is the measuring process's own: a child started by a big parent does not report the
parent's resident memory (Linux keeps ru_maxrss across fork and exec), and does count its own."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

CHILD = ("import resource, sys\nimport numpy as np\nfrom gridscout.peak_memory import peak_rss_mb\n"
         "held = np.ones(int(sys.argv[1]) * 2**20 // 8)\n"
         "print(peak_rss_mb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)")


def _child(mib: int) -> tuple[float, float]:
    out = subprocess.run([sys.executable, "-c", CHILD, str(mib)], capture_output=True, text=True, check=True)
    ours, rusage = out.stdout.split()
    return float(ours), float(rusage)


def test_a_child_of_a_big_parent_reports_its_own_peak():
    held = np.ones(600 * 2**20 // 8)  # 600 MiB resident in this process while the children start
    small, rusage = _child(0)
    big, _ = _child(300)
    assert held.sum() > 0
    assert rusage > 600  # what ru_maxrss says: the parent's memory
    assert 5 < small < 300  # the child's own: an interpreter, numpy and gridscout.peak_memory
    assert 290 < big - small < 320  # and what it allocates
