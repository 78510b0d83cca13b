"""Errors that tell the user what was wrong, where, and what to do about it.

Every error gridscout raises on bad input derives from :class:`GridscoutError`; the CLI prints
its message (no stack trace) and exits with status 2.
"""

from __future__ import annotations


class GridscoutError(Exception):
    """Base class: a problem the user can fix, with a message that says how."""


class SourceMissingError(GridscoutError):
    """A raw file is neither in the raw folder nor downloadable."""


class SourceFetchError(GridscoutError):
    """A download failed (HTTP error, timeout, truncated body, checksum mismatch, bad host)."""


class SourceRefreshError(SourceFetchError):
    """A scheduled re-check of a source's files could not reach its publisher (names source and files)."""


class SourceFormatError(GridscoutError):
    """A raw file is not in the format its parser knows (missing column, bad value, HTML page)."""


class CandidateError(GridscoutError):
    """A candidate-sites file cannot be scored as given."""


class ProfileError(GridscoutError):
    """A scoring profile is invalid."""


class WarehouseError(GridscoutError):
    """The warehouse is missing data a step needs, or failed its checks."""


class DataCheckError(WarehouseError):
    """One or more SQL data checks selected bad rows."""
