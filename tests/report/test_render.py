"""Rendering without a browser: UNKNOWN handling, escaping, output paths, comparison, minimal runs."""

from __future__ import annotations

import html as html_lib
import json
import re
import shutil
from pathlib import Path

import polars as pl
import pytest

from gridscout.report import ReportError, render_report
from gridscout.report.fields import FIELDS, UNKNOWN, fmt_field, fmt_number
from gridscout.report.render import json_for_html
from tests.report.rundir_fixture import XSS_NAME, XSS_NAME_2


def _card(html: str, site_id: str) -> str:
    for m in re.finditer(r'<details class="card" id="site-\d+".*?</details>', html, re.S):
        if f"({site_id})" in m.group(0):
            return m.group(0)
    raise AssertionError(f"no card for {site_id}")


def _row(card: str, label: str) -> str:
    return re.search(rf"<tr><td>{re.escape(label)}</td>.*?</tr>", card, re.S).group(0)


@pytest.fixture()
def copy_run(tmp_path, run_dir):
    dst = tmp_path / "run"
    shutil.copytree(run_dir, dst)
    return dst


def test_formatting_never_turns_null_into_zero():
    f = next(f for f in FIELDS if f.column == "it_load_mw")
    assert fmt_field(f, None) == UNKNOWN
    assert fmt_field(f, float("nan")) == UNKNOWN
    assert fmt_field(f, 0.0) == "0.0 MW"
    assert fmt_number(None) == UNKNOWN and fmt_number(0) == "0"
    cfe = next(f for f in FIELDS if f.column == "cfe_share_24x7")
    assert fmt_field(cfe, 0.5) == "50.0 %"
    by = {f.column: f for f in FIELDS}
    assert fmt_field(by["wholesale_price_year"], 2024) == "2024"  # a year, not 2,024
    assert fmt_field(by["energy_mwh_per_year"], 401348.2) == "401,348 MWh/yr"  # a quantity per year


def test_wholesale_row_only_where_covered(copy_run):
    """The informational wholesale price shows where Ember covers the site; elsewhere the row is left
    out rather than listed UNKNOWN (it is never scored)."""
    scores = pl.read_parquet(copy_run / "scores.parquet")
    if "wholesale_price_usd_per_mwh" not in scores.columns:
        scores = scores.with_columns(pl.lit(None, pl.Float64).alias("wholesale_price_usd_per_mwh"),
                                     pl.lit(None, pl.Int32).alias("wholesale_price_year"))
    a, b = scores["site_id"][0], scores["site_id"][1]
    scores = scores.with_columns(
        pl.when(pl.col("site_id") == a).then(pl.lit(84.15)).otherwise(None).alias("wholesale_price_usd_per_mwh"),
        pl.when(pl.col("site_id") == a).then(pl.lit(2024)).otherwise(None).cast(pl.Int32).alias("wholesale_price_year"))
    scores.write_parquet(copy_run / "scores.parquet")
    html = render_report(copy_run).read_text()
    label = next(f.label for f in FIELDS if f.column == "wholesale_price_usd_per_mwh")
    assert "84.15 $/MWh" in _row(_card(html, a), label) and "2024" in _row(_card(html, a), "Wholesale price year")
    assert "Wholesale" not in _card(html, b)


def test_null_and_absent_values_show_as_unknown(copy_run):
    scores = pl.read_parquet(copy_run / "scores.parquet")
    target = scores.filter(~pl.col("excluded")).sort("rank")["site_id"][0]
    scores = scores.with_columns(
        pl.when(pl.col("site_id") == target).then(None).otherwise(pl.col("it_load_mw")).alias("it_load_mw"),
        pl.when(pl.col("site_id") == target).then(None).otherwise(pl.col("score_power")).alias("score_power"),
    ).drop("capacity_within_50km_mw")
    scores.write_parquet(copy_run / "scores.parquet")
    html = render_report(copy_run).read_text()
    card = _card(html, target)
    assert '<span class="unknown">UNKNOWN</span>' in _row(card, "IT load")
    assert "not in run" in _row(card, "Generation within 50 km (not scored)") and "UNKNOWN" in _row(card, "Generation within 50 km (not scored)")
    assert '<span class="unknown">UNKNOWN</span>' in _row(card, "power")
    assert "0.0 MW" not in _row(card, "IT load")
    # the table cell for the null sub-score is UNKNOWN too
    row = re.search(rf'<tr [^>]*data-site-id="{target}">.*?</tr>', html, re.S).group(0)
    assert row.count("UNKNOWN") >= 1


def test_user_strings_are_escaped_in_raw_html(run_dir):
    html = render_report(run_dir).read_text()
    assert XSS_NAME not in html and XSS_NAME_2 not in html
    assert "<img" not in html
    # the inline run JSON cannot close its <script> element
    blob = re.search(r'<script type="application/json" id="gs-run">(.*?)</script>', html, re.S).group(1)
    assert "</" not in blob and "<" not in blob
    assert json.loads(blob)["run"]["profile"]["name"].endswith("</script><script>alert(3)</script>")
    # SVG titles on the map are escaped as well
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert len(re.findall(r"<script\b", html)) == 3


def test_json_for_html_escapes_script_breakouts():
    text = json_for_html({"n": "</script><script>alert(1)</script>", "c": "<!-- &"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["n"] == "</script><script>alert(1)</script>"


def test_no_network_references(run_dir):
    html = render_report(run_dir).read_text()
    assert not re.search(r'\b(src|href)\s*=\s*["\']?\s*(https?:|//)', html, re.I)
    assert "url(http" not in html and "@import" not in html and "<link" not in html.lower()
    csp = html_lib.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1))
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp and "unsafe-inline" not in csp.split(";")[1]


def test_output_cannot_escape_the_run_dir(copy_run, tmp_path):
    with pytest.raises(ReportError, match="outside the run directory"):
        render_report(copy_run, out=Path("../escape.html"))
    with pytest.raises(ReportError, match="outside the run directory"):
        render_report(copy_run, out=tmp_path / "elsewhere.html")
    (copy_run / "link").symlink_to(tmp_path)
    with pytest.raises(ReportError, match="outside the run directory"):
        render_report(copy_run, out=Path("link/x.html"))
    assert not (tmp_path / "escape.html").exists() and not (tmp_path / "x.html").exists()
    assert render_report(copy_run, out=Path("sub/r.html")) == (copy_run / "sub" / "r.html").resolve()
    outside = render_report(copy_run, out=tmp_path / "ok.html", allow_outside=True)
    assert outside.exists()


def test_minimal_run_dir_renders(tmp_path, run_dir):
    """Only scores.parquet with a few columns: everything else shows UNKNOWN, nothing invented."""
    scores = pl.read_parquet(run_dir / "scores.parquet").select("site_id", "site_name", "latitude", "longitude")
    d = tmp_path / "minimal"
    d.mkdir()
    scores.write_parquet(d / "scores.parquet")
    html = render_report(d).read_text()
    assert html.count('data-site-id="') == scores.height
    assert "no p_top5 column" in html and "run.json lists no sources" in html
    assert "Boundaries: none (the run has no boundaries.parquet)" in html


def test_missing_run_dir_files_are_reported(tmp_path):
    with pytest.raises(ReportError, match="does not exist"):
        render_report(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ReportError, match="scores.parquet is missing"):
        render_report(tmp_path / "empty")


def test_comparison_shows_rank_and_profile_changes(run_dir, run_dir_b, tmp_path):
    html = render_report(run_dir, compare_to=run_dir_b, out=tmp_path / "c.html", allow_outside=True).read_text()
    sec = re.search(r'<section id="compare">.*?</section>', html, re.S).group(0)
    a = pl.read_parquet(run_dir / "scores.parquet").select("site_id", "rank")
    b = pl.read_parquet(run_dir_b / "scores.parquet").select("site_id", pl.col("rank").alias("rank_b"))
    moved = a.join(b, on="site_id").filter(pl.col("rank") != pl.col("rank_b")).height
    assert f"{moved} site(s) changed rank" in sec
    # the profiles differ in words, not JSON: balanced weighs carbon 25 of 100, low-carbon more
    diff = re.search(r"<h3>Profile differences</h3>.*?</table>", sec, re.S).group(0)
    assert "<td>carbon weight</td><td>25 (25 % of the score)</td>" in diff
    assert "<td>name</td>" in diff and "low-carbon" in diff


def test_surface_hexagons_drawn(copy_run):
    import h3

    sites = pl.read_parquet(copy_run / "scores.parquet").head(3)
    cells = sorted({c for lat, lon in sites.select("latitude", "longitude").iter_rows()
                    for c in h3.grid_disk(h3.latlng_to_cell(lat, lon, 5), 2)})
    pts = [h3.cell_to_latlng(c) for c in cells]
    pl.DataFrame({"h3": cells, "latitude": [p[0] for p in pts], "longitude": [p[1] for p in pts],
                  "score": [float(i % 100) for i in range(len(cells))]}).write_parquet(copy_run / "surface.parquet")
    html = render_report(copy_run).read_text()
    assert html.count('<path class="hex"') == len(cells)
