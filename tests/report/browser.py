"""Headless Chromium in a network namespace with no network, and a small PNG reader for its screenshots."""

from __future__ import annotations

import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import numpy as np

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
         "--disable-default-apps", "--disable-extensions", "--enable-logging=stderr", "--v=0",
         "--virtual-time-budget=10000"]


def unshare_ok() -> bool:
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


def run_chromium(chromium: str, url: str, *extra: str, timeout: float = 90) -> subprocess.CompletedProcess:
    """Run Chromium once inside ``unshare -n`` (a namespace with only a downed loopback)."""
    with tempfile.TemporaryDirectory(prefix="gs-chromium-") as profile:
        cmd = ["unshare", "-n", chromium, *FLAGS, f"--user-data-dir={profile}", *extra, url]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def page_log_problems(stderr: str, page_name: str) -> list[str]:
    """Lines of Chromium's log about the page: console errors, uncaught exceptions, failed loads.

    Browser-internal noise (D-Bus, GPU, sandbox) is ignored; anything naming the page, the
    console, or a failed request is reported.
    """
    bad = []
    for line in stderr.splitlines():
        low = line.lower()
        if "dbus" in low or "vaapi" in low or "sandbox_linux" in low or "idle_linux" in low:
            continue
        if ("uncaught" in low or "err_" in low or "failed to load" in low or "refused to" in low
                or ("console" in low and page_name in line)):
            bad.append(line)
    return bad


def read_png(path: Path) -> np.ndarray:
    """Decode an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes) to an (h, w, c) uint8 array."""
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        ctype = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if ctype == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color, interlace)
            bpp = 3 if color == 2 else 4
        elif ctype == b"IDAT":
            idat.append(body)
        elif ctype == b"IEND":
            break
        pos += 12 + length
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), dtype=np.uint8).reshape(height, 1 + width * bpp)
    filters = raw[:, 0].astype(np.int32)
    line = raw[:, 1:].astype(np.int32).reshape(height, width, bpp)
    # Undo the per-row filters along anti-diagonals: pixel (y, x) needs (y, x-1), (y-1, x) and
    # (y-1, x-1), all on earlier diagonals, so each diagonal is one vectorised step.
    out = np.zeros((height + 1, width + 1, bpp), dtype=np.int32)  # zero row on top, zero column left
    for d in range(width + height - 1):
        ys = np.arange(max(0, d - width + 1), min(height, d + 1))
        xs = d - ys
        a, b, c = out[ys + 1, xs], out[ys, xs + 1], out[ys, xs]
        f = filters[ys][:, None]
        p = a + b - c
        pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - c)
        paeth = np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))
        pred = np.select([f == 1, f == 2, f == 3, f == 4], [a, b, (a + b) // 2, paeth], 0)
        out[ys + 1, xs + 1] = (line[ys, xs] + pred) & 0xFF
    return out[1:, 1:].astype(np.uint8)


def page_attrs(chromium: str, report: Path, widths: tuple[int, ...], attr: str = "data-overflow-px") -> dict[int, str]:
    """The value of the ``<body>`` attribute ``attr`` that the report's own script sets, with the
    report loaded at each viewport width.

    Headless Chromium will not make a window narrower than 500 px, so the report is loaded in
    iframes of the exact widths inside one harness page (same directory; file access allowed)."""
    frames = "".join(f'<iframe id="w{w}" src="{report.name}" width="{w}" height="900"></iframe>' for w in widths)
    js = ("window.addEventListener('load',function(){" + "".join(
        f"var d{w}=document.getElementById('w{w}').contentDocument.body;"
        f"document.body.setAttribute('data-w{w}',d{w}.getAttribute('data-js-ready')==='1'?"
        f"d{w}.getAttribute('{attr}'):'not-ready');" for w in widths) + "});")
    harness = report.parent / "overflow-harness.html"
    harness.write_text(f"<!doctype html><body>{frames}<script>{js}</script></body>", encoding="utf-8")
    try:
        res = run_chromium(chromium, harness.as_uri(), "--dump-dom", "--allow-file-access-from-files",
                           f"--window-size={sum(widths) + 100},1000")
    finally:
        harness.unlink(missing_ok=True)
    import re

    body = re.search(r"<body([^>]*)>", res.stdout)
    attrs = dict(re.findall(r'data-w(\d+)="([^"]*)"', body.group(1) if body else ""))
    return {w: attrs.get(str(w), "missing") for w in widths}


def overflow_px(chromium: str, report: Path, widths: tuple[int, ...]) -> dict[int, str]:
    """Horizontal page overflow [px] of ``report`` at each viewport width, as the page's own script
    measures it (``data-overflow-px`` = scrollWidth − clientWidth of the document)."""
    return page_attrs(chromium, report, widths, "data-overflow-px")


def table_overflow_px(chromium: str, report: Path, width: int) -> dict[str, int]:
    """Table id -> how far [px] it overflows its own scroll box at ``width`` (the page's
    ``data-table-overflow-px``: ``gs-table:0 gs-sources:0``); a table wider than its box hides columns."""
    raw = page_attrs(chromium, report, (width,), "data-table-overflow-px")[width]
    return {k: int(v) for k, v in (p.split(":") for p in raw.split())}
