#!/usr/bin/env bash
# Install Debian's headless-capable Chromium if it is missing (idempotent, quiet).
# Used by tests/report (session fixture); exits 0 when chromium is (now) on PATH.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
        echo "install_chromium.sh: not root and no sudo; install the Debian package 'chromium' yourself" >&2
        exit 2
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq chromium >/dev/null
command -v chromium >/dev/null 2>&1
