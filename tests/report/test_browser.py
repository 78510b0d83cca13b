"""The real-data report in headless Chromium with no network: loads cleanly, draws, XSS inert."""

from __future__ import annotations

import json
import re

import numpy as np
import polars as pl
import pytest

from gridscout.report import render_report
from tests.report.browser import (overflow_px, page_log_problems, read_png, run_chromium, table_overflow_px,
                                 unshare_ok)
from tests.report.rundir_fixture import N_SITES, XSS_NAME, XSS_NAME_2

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(chromium, run_dir, run_dir_b):
    if not unshare_ok():
        pytest.skip("`unshare -n` is not permitted here: cannot prove the page loads with no network")
    report = render_report(run_dir, compare_to=run_dir_b)
    url = report.as_uri()
    dom = run_chromium(chromium, url, "--dump-dom")
    shot = report.parent / "screenshot.png"
    pic = run_chromium(chromium, url, f"--screenshot={shot}", "--window-size=1400,1000")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert pic.returncode == 0 and shot.exists(), pic.stderr[-2000:]
    return {"report": report, "dom": dom.stdout, "log": dom.stderr + pic.stderr, "png": read_png(shot),
            "scores": pl.read_parquet(run_dir / "scores.parquet"),
            "run_ids": [json.loads((d / "run.json").read_text())["run_id"] for d in (run_dir, run_dir_b)]}


def _body(dom: str) -> dict[str, str]:
    tag = re.search(r"<body([^>]*)>", dom).group(1)
    return dict(re.findall(r'([\w-]+)="([^"]*)"', tag))


def test_page_loads_offline_with_no_errors(page):
    body = _body(page["dom"])
    assert body["data-js-ready"] == "1", "the page's script did not finish"
    assert body["data-js-errors"] == "0"
    assert body["data-csp-violations"] == "0", "something tried to load or run outside the page's own scripts"
    assert page_log_problems(page["log"], page["report"].name) == []


def test_table_has_one_row_per_site(page):
    table = re.search(r'<table id="gs-table".*?</table>', page["dom"], re.S).group(0)
    ids = re.findall(r'<tr [^>]*data-site-id="([^"]*)"', table)
    assert len(ids) == page["scores"].height == N_SITES
    assert len(set(ids)) == len(ids)
    assert re.search(rf'data-visible-rows="{N_SITES}"', table), "filter script did not count the rows"


def test_map_is_drawn(page):
    svg = re.search(r'<svg[^>]*class="map".*?</svg>', page["dom"], re.S).group(0)
    scores = page["scores"]
    n_in = scores.filter(~pl.col("excluded")).height
    assert len(re.findall(r"<circle class=\"site\"", svg)) == n_in
    assert len(re.findall(r'class="site site-excluded"', svg)) == scores["excluded"].sum()
    assert len(re.findall(r'<path class="b-country"', svg)) > 100
    # pixels: the map band of the screenshot is not blank and holds many colours (land, sea, sites)
    png = page["png"]
    band = png[260:560, 40:1000].reshape(-1, png.shape[2])[:, :3]
    assert band.std() > 10
    assert len(np.unique(band, axis=0)) > 100
    # viridis site colours are present (green/teal: g channel well above r)
    greenish = (band[:, 1].astype(int) - band[:, 0].astype(int) > 60).sum()
    assert greenish > 500


def test_charts_are_drawn(page):
    dom = page["dom"]
    rob = re.search(r'<section id="robustness">.*?</section>', dom, re.S).group(0)
    charts = re.findall(r'<svg[^>]*class="chart".*?</svg>', rob, re.S)
    assert len(charts) == 3, "top-k, rank-interval and Pareto charts"
    for svg in charts:
        assert len(re.findall(r"<path", svg)) > 10
    sites = re.search(r'<section id="sites">.*?</section>', dom, re.S).group(0)
    assert "Hourly PUE over the year" in sites
    assert "Water consumed by month" in sites
    assert len(re.findall(r"Generation capacity within 50 km by fuel", sites)) > 50


def test_xss_names_are_inert_text(page):
    dom, body = page["dom"], _body(page["dom"])
    assert body["data-alerts"] == "0" and body["data-js-errors"] == "0"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom  # shown as text
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert "&lt;img src=x onerror=alert(2)&gt;" in dom
    assert "alert(3)" in dom and "<script>alert" not in dom
    assert XSS_NAME not in dom and XSS_NAME_2 not in dom
    assert len(re.findall(r"<script\b", dom)) == 3  # hook, run JSON, table script
    assert "<img" not in dom


def test_comparison_view(page):
    cmp_ = re.search(r'<section id="compare">.*?</section>', page["dom"], re.S).group(0)
    assert all(run_id in cmp_ for run_id in page["run_ids"])
    assert "carbon weight" in cmp_ and "profile.name" not in cmp_ and "<td>name</td>" in cmp_
    rows = re.findall(r'<tr data-site-id="', cmp_)
    assert len(rows) == N_SITES


def test_harness_catches_a_broken_page(chromium, tmp_path):
    """The log check is not vacuous: a page with a console error and an uncaught exception fails it."""
    if not unshare_ok():
        pytest.skip("`unshare -n` is not permitted here")
    bad = tmp_path / "broken.html"
    bad.write_text('<!doctype html><body><script>console.error("boom"); undefinedFn();</script></body>')
    res = run_chromium(chromium, bad.as_uri(), "--dump-dom")
    problems = page_log_problems(res.stderr, bad.name)
    assert any("Uncaught ReferenceError" in p for p in problems)


def test_no_horizontal_overflow_at_desktop_and_phone_widths(chromium, page):
    """Issue 16: at 1,400 px and 390 px (phone) the page never scrolls sideways; wide tables scroll
    inside their own box."""
    assert overflow_px(chromium, page["report"], (1400, 390)) == {1400: "0", 390: "0"}


def test_ranking_and_sources_tables_show_every_column_at_1400_px(chromium, page):
    """At 1,400 px the ranking (18 columns, gate names and exclusion reasons included) and the data
    sources table fit their box: no column hidden behind a sideways scroll. On a phone the ranking
    scrolls inside its own box (the page does not: see above)."""
    wide = table_overflow_px(chromium, page["report"], 1400)
    assert wide["gs-table"] == 0 and wide["gs-sources"] == 0, wide
    phone = table_overflow_px(chromium, page["report"], 390)
    assert phone["gs-table"] > 0  # the measurement is live
    # on a phone a card's physical estimates stack (label and value, then evidence) instead of hiding
    # the values to the right of a 390 px screen (they overflowed by about 300 px before)
    assert phone["open-card-estimates"] == 0 and wide["open-card-estimates"] == 0, (phone, wide)


def test_overflow_harness_catches_a_wide_page(chromium, page, tmp_path):
    """The overflow measurement is not vacuous: a page 600 px wide overflows a 390 px viewport."""
    wide = page["report"].parent / "wide.html"
    wide.write_text(page["report"].read_text().replace("<header>", '<header><div style="width:600px">x</div>', 1))
    try:
        got = overflow_px(chromium, wide, (390,))
    finally:
        wide.unlink()
    assert int(got[390]) > 100


def test_two_sites_side_by_side(chromium, page):
    """Ticking two rows shows both site cards next to each other without leaving the page (the
    report opened with ``#pair=<card>,<card>`` ticks them, as a click would)."""
    import html as html_lib

    scores = page["scores"]
    ranked = scores.filter(~pl.col("excluded")).sort("rank")
    cards = dict(re.findall(r'<details class="card" id="(site-\d+)"[^>]*>\s*<summary>.*?\((.*?)\)</span>', page["dom"],
                            re.S))
    by_site = {v: k for k, v in cards.items()}
    a, b = by_site[ranked["site_id"][0]], by_site[ranked["site_id"][3]]
    res = run_chromium(chromium, page["report"].as_uri() + f"#pair={a},{b}", "--dump-dom")
    pair = re.search(r'<div id="gs-pair" class="pair" data-pair="([^"]*)">(.*?)</section>', res.stdout, re.S)
    assert pair and pair.group(1) == f"{a},{b}"
    cols = re.findall(r'<div class="pair-col"><details class="card" open="">\s*<summary>.*?\((.*?)\)</span>',
                      pair.group(2), re.S)
    assert cols == [ranked["site_id"][0], ranked["site_id"][3]]
    assert html_lib.escape(ranked["site_name"][3]) in pair.group(2)
    # the controls above the 70-row table point to the pair (it is drawn below the table)
    assert '<a id="gs-pair-link" href="#gs-pair-h">' in res.stdout
    assert '<a id="gs-pair-link" href="#gs-pair-h" hidden="">' in page["dom"]  # nothing ticked: no link
    assert len(re.findall(r'\bid="site-', res.stdout)) == len(cards)  # the copies carry no duplicate ids
    body = dict(re.findall(r'([\w-]+)="([^"]*)"', re.search(r"<body([^>]*)>", res.stdout).group(1)))
    assert body["data-js-errors"] == "0" and body["data-csp-violations"] == "0"


def test_a_site_link_opens_its_closed_card(chromium, page):
    """The ranking links each site to its card (``#site-<n>``); cards below the first five start
    closed, and following the link opens the card instead of landing on a one-line summary."""
    from gridscout.report.render import OPEN_CARDS

    closed = re.findall(r'<details class="card" id="(site-\d+)">', page["dom"])  # not open by default
    assert len(closed) == N_SITES - OPEN_CARDS
    target = closed[3]
    assert f'href="#{target}"' in re.search(r'<table id="gs-table".*?</table>', page["dom"], re.S).group(0)
    res = run_chromium(chromium, page["report"].as_uri() + f"#{target}", "--dump-dom")
    assert re.search(rf'<details class="card" id="{target}" open="">', res.stdout)
    assert len(re.findall(r'<details class="card" id="site-\d+" open="">', res.stdout)) == OPEN_CARDS + 1
