"""Run identity, output folders and the run manifest (``run.json``) that makes a result reproducible."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import re
import subprocess
from pathlib import Path

from gridscout import __version__, config
from gridscout.errors import GridscoutError

SECRET_ENV_HINTS = ("KEY", "TOKEN", "SECRET", "PASSWORD")
#: present in a run folder from its creation until run.json is written (ends in .part: never an output)
RUN_MARKER = ".gridscout-run.part"


def new_run_id(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{os.urandom(3).hex()}"


def check_out_dir(out: str | Path | None, run_id: str) -> Path:
    """The checks of :func:`safe_out_dir` without creating anything (so a job can refuse a bad
    ``--out`` at once and create the folder only when it has results to write)."""
    path = Path(out).expanduser().resolve() if out else config.reports_dir() / run_id
    if path.exists() and not path.is_dir():
        raise GridscoutError(f"--out {path} exists and is not a directory")
    if path.is_dir() and any(path.iterdir()) and not (path / "run.json").exists() \
            and not (path / RUN_MARKER).exists():
        raise GridscoutError(f"--out {path} is a non-empty folder that is not a gridscout run folder; "
                             "choose an empty or new folder")
    return path


def safe_out_dir(out: str | Path | None, run_id: str) -> Path:
    """The run's output folder: ``--out`` as given, else ``reports/<run_id>``.

    Refuses a folder that already holds a different run's files unless it is empty or a gridscout
    run folder (has ``run.json``, or the in-progress marker of a run that was killed before it
    wrote ``run.json``), so a typo cannot scatter outputs over an unrelated directory while a
    re-run after a crash into the same ``--out`` still works. The marker is removed by
    :func:`write_manifest` once ``run.json`` is in place.
    """
    path = check_out_dir(out, run_id)
    path.mkdir(parents=True, exist_ok=True)
    (path / RUN_MARKER).touch()
    return path


def child_path(run_dir: Path, name: str) -> Path:
    """A file inside ``run_dir``; refuses names that would escape it (``..``, absolute paths)."""
    if not re.fullmatch(r"[A-Za-z0-9_.\-]+", name) or name in (".", ".."):
        raise GridscoutError(f"refusing output file name {name!r}")
    p = (run_dir / name).resolve()
    if p.parent != run_dir.resolve():
        raise GridscoutError(f"output {name!r} would escape {run_dir}")
    return p


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
    path = child_path(run_dir, "run.json")
    tmp = path.with_name("run.json.part")
    tmp.write_text(json.dumps(scrub(manifest), indent=2, default=str, sort_keys=False), encoding="utf-8")
    tmp.replace(path)
    (run_dir / RUN_MARKER).unlink(missing_ok=True)
    return path
