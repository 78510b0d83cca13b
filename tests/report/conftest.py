"""Session fixtures for the report tests: a real-data run directory and headless Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
INSTALL_CHROMIUM = REPO / "scripts" / "install_chromium.sh"


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path to Debian's chromium, installed by scripts/install_chromium.sh when missing."""
    exe = shutil.which("chromium")
    if exe is None:
        proc = subprocess.run(["bash", str(INSTALL_CHROMIUM)], capture_output=True, text=True, timeout=900)
        exe = shutil.which("chromium")
        if exe is None:
            pytest.skip(f"chromium could not be installed with apt (rc={proc.returncode}): {proc.stderr[-500:]}")
    return exe
