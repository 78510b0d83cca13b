"""Prefect settings that work on small machines, applied before Prefect is imported.

A local flow run starts a temporary API server (8–14 s on a fresh database here); the default
20 s start-up timeout is too short on 2 cores, and anonymous analytics cause a "database is locked"
error. Values already set in the environment win.
"""

from __future__ import annotations

import os

DEFAULTS = {
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
    "PREFECT_UI_ENABLED": "false",
}


def apply() -> None:
    for k, v in DEFAULTS.items():
        os.environ.setdefault(k, v)
