"""Paths a user gives (candidates, profile, warehouse, raw folder, ``--out``), checked once with a
one-line message each: missing, a directory where a file is expected (or the reverse), a FIFO or
other special file, unreadable, under a file, read-only. Every command checks its paths here
before any work or Prefect server starts, so a bad path is ``error: …`` and exit 2, never a
traceback."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from gridscout.errors import GridscoutError


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a regular file" if stat.S_ISREG(mode) else "a special file"


def _stat(path: Path, what: str) -> os.stat_result | None:
    """``os.stat`` of ``path``; None when it does not exist; a message when a parent is a file."""
    try:
        return path.stat()
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise GridscoutError(f"{what} {path} is under a file, not a folder ({_file_ancestor(path)} is a file)") from None
    except OSError as exc:
        raise GridscoutError(f"{what} {path} cannot be read ({exc.strerror})") from None


def _file_ancestor(path: Path) -> Path | None:
    return next((p for p in path.parents if p.exists() and not p.is_dir()), None)


def readable_file(path: str | Path, what: str) -> Path:
    """``path`` as a regular file that can be opened for reading, else a :class:`GridscoutError`."""
    path = Path(path).expanduser()
    st = _stat(path, what)
    if st is None:
        raise GridscoutError(f"{what} {path} does not exist")
    if not stat.S_ISREG(st.st_mode):
        raise GridscoutError(f"{what} {path} is {_kind(st.st_mode)}, not a file")
    try:
        with open(path, "rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise GridscoutError(f"{what} {path} cannot be read ({exc.strerror})") from None
    return path


def readable_dir(path: str | Path, what: str) -> Path:
    """``path`` as a folder that can be listed, else a :class:`GridscoutError`."""
    path = Path(path).expanduser()
    st = _stat(path, what)
    if st is None:
        raise GridscoutError(f"{what} {path} does not exist")
    if not stat.S_ISDIR(st.st_mode):
        raise GridscoutError(f"{what} {path} is {_kind(st.st_mode)}, not a folder")
    try:
        os.listdir(path)
    except OSError as exc:
        raise GridscoutError(f"{what} {path} cannot be read ({exc.strerror})") from None
    return path


def writable_dir(path: str | Path, what: str) -> Path:
    """``path`` as a folder that exists or can be created, and can be written: checked by creating
    (and removing) a temporary entry, so read-only mounts are caught too. Creates nothing."""
    path = Path(path).expanduser().absolute()
    st = _stat(path, what)
    if st is not None and not stat.S_ISDIR(st.st_mode):
        raise GridscoutError(f"{what} {path} exists and is {_kind(st.st_mode)}, not a directory")
    probe_in = path if st is not None else next((p for p in path.parents if p.exists()), Path("/"))
    if not probe_in.is_dir():
        raise GridscoutError(f"{what} {path} is under a file, not a folder ({probe_in} is a file)")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".gridscout-probe-", dir=probe_in))
    except OSError as exc:
        where = "the folder" if probe_in == path else f"its parent {probe_in}"
        raise GridscoutError(f"{what} {path}: {where} is not writable ({exc.strerror})") from None
    return path


def warehouse_file(path: str | Path, what: str = "warehouse", *, must_exist: bool = False) -> Path:
    """A DuckDB file that is a readable regular file, or (unless ``must_exist``: then
    :class:`FileNotFoundError`) absent in a folder that can hold it."""
    path = Path(path).expanduser()
    st = _stat(path, what)
    if st is None:
        if must_exist:
            raise FileNotFoundError(path)
        writable_dir(path.parent, f"the folder of {what}")
        return path
    return readable_file(path, what)
