"""EIA-930 cleaned hourly demand (source eia930): real files, spot values from the data README, schema drift."""

from __future__ import annotations

import lzma

import polars as pl
import pytest

from gridscout.errors import SourceFormatError
from gridscout.sources import eia930, get

FOLDER = ("eia930", eia930.SUBFOLDER)


@pytest.fixture(scope="module")
def dom(raw_dir):
    """PJM's Dominion zone (northern Virginia's data-center load), parsed from the real release file."""
    return eia930.parse_file(raw_dir.joinpath(*FOLDER, "PJM-DOM.csv.xz"))


def test_dominion_spot_values_from_readme(dom):
    # eia930/README.md: "PJM-DOM (Dominion zone) 2023 max 22,050 MW, categories OKAY 43,651 / MISSING 193"
    assert dom.height == 43_848
    assert dom.select("region_code", "ba_code").unique().rows() == [("PJM-DOM", "PJM")]
    y2023 = dom.filter(pl.col("datetime_utc").dt.year() == 2023)
    assert y2023["demand_mw"].max() == 22_050
    counts = dict(dom.group_by("category").len().rows())
    assert counts["OKAY"] == 43_651 and counts["MISSING"] == 193
    assert dom["datetime_utc"].dtype == pl.Datetime("us", "UTC")
    assert dom["datetime_utc"].min().isoformat() == "2020-01-01T00:00:00+00:00"


def test_ba_file_keeps_its_own_code(raw_dir):
    soco = eia930.parse_file(raw_dir.joinpath(*FOLDER, "SOCO.csv.xz"))
    assert soco.select("region_code", "ba_code").unique().rows() == [("SOCO", "SOCO")]
    assert 40_000 < soco["demand_mw"].max() < 60_000  # Southern Company's all-time peaks are ~47–48 GW


def test_renamed_header_is_a_clear_error(raw_dir, tmp_path):
    """The real file with one header label changed (schema drift) names the file and the missing label."""
    data = lzma.decompress(raw_dir.joinpath(*FOLDER, "PJM-DOM.csv.xz").read_bytes())
    drifted = data.replace(b"cleaned demand (MW)", b"demand_imputed_mw", 1)
    path = tmp_path / "PJM-DOM.csv.xz"
    path.write_bytes(lzma.compress(drifted))
    with pytest.raises(SourceFormatError, match=r"PJM-DOM\.csv\.xz.*cleaned demand \(MW\)"):
        eia930.parse_file(path)


def test_repeated_hour_is_rejected(raw_dir, tmp_path):
    data = lzma.decompress(raw_dir.joinpath(*FOLDER, "SC.csv.xz").read_bytes())
    lines = data.split(b"\n")
    path = tmp_path / "SC.csv"
    path.write_bytes(b"\n".join(lines[:3] + [lines[2]] + lines[3:]))
    with pytest.raises(SourceFormatError, match="repeats an hour"):
        eia930.parse_file(path)


def test_spec_reads_only_the_ba_folder(raw_dir):
    from gridscout.sources.fetch import locate

    files = locate(get("eia930"), raw_dir, allow_download=False)
    assert len(files) == 119  # README: 47 BAs + 72 ISO sub-regions; regions/ and interconnects/ are not read
    assert not any(f.name.startswith(("MIDA", "TEX", "CONUS", "EASTERN")) for f in files)
