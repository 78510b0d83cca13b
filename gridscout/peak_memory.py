"""Peak resident memory of this process, for benchmarks, run statistics and memory tests.

``resource.getrusage(RUSAGE_SELF).ru_maxrss`` is not that for a child process: Linux keeps the
high-water mark across ``fork`` and ``execve`` (getrusage(2)), so a fresh ``python -c …`` started by a
2 GB parent reports 2 GB before doing anything (measured here: 1,932 MB against a true 10 MB). That
made a test's 1-million-row candidate load read 0.45 GB alone and up to 2.46 GB late in the test suite.
``VmHWM`` of ``/proc/self/status`` is the peak of this process's own address space since its last
``execve``; where there is no ``/proc`` (macOS), ``ru_maxrss`` is the fallback (bytes there, KiB on Linux).
"""

from __future__ import annotations

import resource
import sys
from pathlib import Path


def peak_rss_mb() -> float:
    """Peak resident set size of this process since it started (its last ``execve``) [MB = MiB]."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0  # kB
    except OSError:
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024.0 / (1024.0 if sys.platform == "darwin" else 1.0)
