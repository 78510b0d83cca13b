"""Every file a run writes goes through here: inside its run folder, never through a planted link.

* A name is a plain file name (no ``..``, no ``/``, no NUL): :func:`child_path`.
* A target that is a symbolic link is refused (``os.replace`` would not follow it, but the refusal
  says that someone planted it), and so is any link in a run folder when a run starts.
* Bytes go to a fresh temporary file created with ``O_CREAT | O_EXCL | O_NOFOLLOW`` (Python's
  :func:`tempfile.mkstemp`) in the run folder and are renamed over the target with one atomic
  ``os.replace``: a reader sees the old file or the new one, never half of one, and a
  pre-created ``*.part`` link is never opened.
* A run's life in its folder: :func:`begin_run` removes the outputs of an older run (so they are
  never listed as this run's) and creates ``_IN_PROGRESS``; :func:`finish_run` writes
  ``_SUCCESS`` and then removes ``_IN_PROGRESS``. A folder with ``_IN_PROGRESS`` and no
  ``_SUCCESS`` is a run that was killed or failed; the warehouse records a run as "completed" only
  after ``_SUCCESS`` is on disk (``jobs/score.py:complete_run``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from gridscout.errors import GridscoutError

IN_PROGRESS = "_IN_PROGRESS"
SUCCESS = "_SUCCESS"
#: every file name a run or its report writes (stale copies from an older run are removed at start)
RUN_OUTPUTS = ("scores.parquet", "hourly.parquet", "monthly.parquet", "fuel_mix.parquet", "boundaries.parquet",
               "surface.parquet", "zones.parquet", "screen.json", "run.json", "report.html", "scores.csv",
               "sites.geoparquet", "surface.geoparquet")
_TMP_SUFFIX = ".part"


def child_path(run_dir: Path, name: str) -> Path:
    """A file inside ``run_dir``; refuses names that would escape it (``..``, absolute paths) and a
    target that is a symbolic link."""
    if not re.fullmatch(r"[A-Za-z0-9_.\-]+", name) or name in (".", ".."):
        raise GridscoutError(f"refusing output file name {name!r}")
    base = Path(run_dir).resolve()
    p = base / name
    if p.is_symlink():
        raise GridscoutError(f"output {name!r} in {base} is a symbolic link (to {os.readlink(p)}); refusing to "
                             "write through it, as it could escape the run folder")
    if p.resolve().parent != base:
        raise GridscoutError(f"output {name!r} would escape {run_dir}")
    return p


def write_file(run_dir: Path, name: str, write: Callable[[BinaryIO], None]) -> Path:
    """Call ``write(fh)`` on a fresh exclusive temporary file in ``run_dir``, then rename it to ``name``."""
    path = child_path(run_dir, name)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=_TMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; outputs are read like any other file
        child_path(run_dir, name)  # a link planted while we wrote is refused too
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


@contextmanager
def staging_dir(run_dir: Path) -> Iterator[Path]:
    """A fresh private folder inside ``run_dir`` (``mkdtemp``: mode 0700, a name no one planted) for
    files a library writes by path (DuckDB's ``COPY``, a DuckDB database file); :func:`move_in` renames
    each into place; the folder and anything left in it are removed on exit."""
    tmp = Path(tempfile.mkdtemp(prefix=".staging-", suffix=_TMP_SUFFIX, dir=Path(run_dir).resolve()))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def move_in(run_dir: Path, staged: Path, name: str) -> Path:
    """Rename ``staged`` (a file in a :func:`staging_dir` of ``run_dir``) to ``run_dir/name`` with one
    atomic ``os.replace``: a reader sees the old file or the new one; one holding the old file open
    keeps reading it (POSIX rename never waits for readers)."""
    path = child_path(run_dir, name)
    with open(staged, "rb+") as fh:
        os.fsync(fh.fileno())
    os.chmod(staged, 0o644)
    os.replace(staged, path)
    return path


def write_text(run_dir: Path, name: str, text: str) -> Path:
    return write_file(run_dir, name, lambda fh: fh.write(text.encode("utf-8")))


def write_parquet(df, run_dir: Path, name: str) -> Path:
    """A Polars frame as ``run_dir/name`` (atomic, no links)."""
    return write_file(run_dir, name, df.write_parquet)


def _links(run_dir: Path) -> list[str]:
    return sorted(p.name for p in run_dir.iterdir() if p.is_symlink())


def check_no_links(run_dir: Path) -> None:
    """Refuse a run folder that holds symbolic links (planted to redirect a write)."""
    if links := _links(run_dir):
        raise GridscoutError(f"--out {run_dir} holds symbolic links ({', '.join(links)}); a run folder holds only "
                             "its own files: remove them or choose another folder")


def begin_run(run_dir: Path) -> None:
    """Start a run in ``run_dir``: refuse planted links, remove an older run's outputs, its
    ``_SUCCESS`` and leftover temporary files, then create ``_IN_PROGRESS``."""
    check_no_links(run_dir)
    old = _old_outputs(run_dir)
    for p in run_dir.iterdir():
        if p.is_file() and (p.name in old or p.name == SUCCESS or p.name.endswith(_TMP_SUFFIX)):
            p.unlink()
    fd = os.open(run_dir / IN_PROGRESS, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    os.close(fd)


def _old_outputs(run_dir: Path) -> set[str]:
    names = set(RUN_OUTPUTS)
    try:
        listed = json.loads((run_dir / "run.json").read_text(encoding="utf-8")).get("outputs") or []
        names |= {n for n in listed if isinstance(n, str) and "/" not in n}
    except (OSError, ValueError, AttributeError):
        pass
    return names


def finish_run(run_dir: Path, run_id: str) -> None:
    """The run's last write: ``_SUCCESS`` (with its id), then ``_IN_PROGRESS`` goes."""
    write_text(run_dir, SUCCESS, json.dumps({"run_id": run_id}) + "\n")
    (Path(run_dir) / IN_PROGRESS).unlink(missing_ok=True)


def is_complete(run_dir: Path) -> bool:
    """True when the run in ``run_dir`` finished (``_SUCCESS`` and no ``_IN_PROGRESS``)."""
    return (Path(run_dir) / SUCCESS).is_file() and not (Path(run_dir) / IN_PROGRESS).exists()
