"""Run identity, output folders and the run manifest (``run.json``) that makes a result reproducible."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import subprocess
from pathlib import Path

from gridscout import __version__, config
from gridscout.errors import GridscoutError
from gridscout.paths import writable_dir
from gridscout.safe_write import IN_PROGRESS, begin_run, check_no_links, child_path, write_text

__all__ = ["RUN_MARKER", "check_out_dir", "child_path", "safe_out_dir", "write_manifest"]

SECRET_ENV_HINTS = ("KEY", "TOKEN", "SECRET", "PASSWORD")
#: present in a run folder from its start until the run finished (``_SUCCESS`` written; see safe_write)
RUN_MARKER = IN_PROGRESS
#: the marker older versions left in a run folder killed before run.json
_OLD_MARKER = ".gridscout-run.part"


def new_run_id(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{os.urandom(3).hex()}"


def check_out_dir(out: str | Path | None, run_id: str | None = None) -> Path:
    """The checks of :func:`safe_out_dir` without creating anything (the CLI runs them before any
    flow or server starts): a file, a path under a file, a read-only place, a non-empty folder that
    is not a run folder, planted symbolic links. Returns the resolved folder (``reports/<run_id>`` for None,
    ``reports/`` without a run id). Creates nothing, so a job can refuse a bad ``--out`` at once and create
    the folder only when it has results to write."""
    path = Path(out).expanduser().absolute() if out else (config.reports_dir() / run_id if run_id else config.reports_dir())
    writable_dir(path, "--out")
    path = path.resolve()
    # without --out or a run id the path is the reports folder, which holds earlier runs' folders: the
    # run will make its own new folder in it, so only its writability is checked
    if (out or run_id) and path.is_dir() and any(path.iterdir()) and not any(
            (path / m).exists() or (path / m).is_symlink() for m in ("run.json", RUN_MARKER, _OLD_MARKER)):
        raise GridscoutError(f"--out {path} is a non-empty folder that is not a gridscout run folder; "
                             "choose an empty or new folder")
    if out and path.is_dir():
        check_no_links(path)
    return path


def safe_out_dir(out: str | Path | None, run_id: str) -> Path:
    """The run's output folder: ``--out`` as given, else ``reports/<run_id>``.

    Refuses a folder that already holds a different run's files unless it is empty or a gridscout
    run folder (has ``run.json``, or the in-progress marker of a run that was killed before it
    finished), so a typo cannot scatter outputs over an unrelated directory while a re-run after a
    crash into the same ``--out`` still works. An older run's outputs there are removed first and
    planted symbolic links refused (:func:`gridscout.safe_write.begin_run`).
    """
    path = check_out_dir(out, run_id)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GridscoutError(f"--out {path}: cannot create the folder ({exc.strerror})") from None
    begin_run(path)
    return path


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def git_revision() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=config.PROJECT_ROOT, capture_output=True,
                             text=True, timeout=5, check=False)
        rev = out.stdout.strip()
        if not rev:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=config.PROJECT_ROOT,
                               capture_output=True, text=True, timeout=5, check=False).stdout.strip()
        return rev + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def code_version() -> dict:
    return {"gridscout": __version__, "git": git_revision(), "python": platform.python_version()}


def scrub(obj):
    """Drop anything that looks like a secret from a manifest (defence in depth: none should be there)."""
    if isinstance(obj, dict):
        return {k: ("<redacted>" if any(h in k.upper() for h in SECRET_ENV_HINTS) and k.upper() != "KEY" else scrub(v))
                for k, v in obj.items()}
    if isinstance(obj, list):
        return [scrub(v) for v in obj]
    if isinstance(obj, str):
        for name, value in os.environ.items():
            if value and len(value) >= 8 and any(h in name.upper() for h in SECRET_ENV_HINTS) and value in obj:
                obj = obj.replace(value, "<redacted>")
    return obj


def write_manifest(run_dir: Path, manifest: dict) -> Path:
    """``run.json`` (atomic; the run is finished only when ``_SUCCESS`` follows)."""
    return write_text(run_dir, "run.json", json.dumps(scrub(manifest), indent=2, default=str, sort_keys=False))
