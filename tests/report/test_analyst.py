"""Issue 16: the report reads like a tool an analyst forwards, on the REAL engine's output.

Every test renders run folders written by ``gridscout.jobs.score.score_candidates`` (see
``conftest.py``); none writes a score itself.
"""

from __future__ import annotations

import html as html_lib
import json
import re

import polars as pl
import pytest

from gridscout.report import render_report
from gridscout.report.explain import deciding_facts, ties
from gridscout.report.profile_view import profile_settings

US_PLANT_SOURCE, WORLD_PLANT_SOURCE = "gppd_usa", "gppd"


@pytest.fixture(scope="module")
def page(run_dir, run_dir_b, tmp_path_factory):
    out = tmp_path_factory.mktemp("analyst") / "report.html"
    html = render_report(run_dir, compare_to=run_dir_b, out=out, allow_outside=True).read_text()
    return {"html": html, "scores": pl.read_parquet(run_dir / "scores.parquet"), "run_dir": run_dir}


def _visible(html: str) -> str:
    """The page minus its scripts and styles (the run JSON blob is data for machines, not text)."""
    return re.sub(r"<(script|style)\b[^>]*>.*?</\1>", "", html, flags=re.S)


def _row(html: str, site_id: str) -> str:
    return re.search(rf'<tr [^>]*data-site-id="{re.escape(site_id)}">.*?</tr>', html, re.S).group(0)


def _cells(row: str) -> list[str]:
    return re.findall(r"<td\b.*?</td>", row, re.S)


def _card(html: str, site_id: str) -> str:
    for m in re.finditer(r'<details class="card" id="site-\d+".*?</details>', html, re.S):
        if f"({site_id})" in m.group(0):
            return m.group(0)
    raise AssertionError(f"no card for {site_id}")


def _headers(html: str) -> list[str]:
    head = re.search(r'<table id="gs-table".*?</thead>', html, re.S).group(0)
    return [html_lib.unescape(h) for h in re.findall(r"<th [^>]*>(.*?)</th>", head)]


def test_no_raw_dict_json_or_repr_in_the_page(page):
    text = html_lib.unescape(_visible(page["html"]))
    for pat in (r"\{\s*['\"]\w", r"\[\s*\{", r"['\"]\s*:\s*['\"\[{\d]", r"\bNone\b", r"\bnan\b", r"\{\}|\[\]"):
        hits = re.findall(rf".{{0,60}}{pat}.{{0,60}}", text)
        assert not hits, f"raw dict/JSON/repr in the report: {hits[:3]}"
    assert "code gridscout " in text and "· git " in text  # the header's code version, in words
    assert re.search(r"started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", text)  # no microseconds, no +00:00
    assert not re.search(r"\bclimate_(model|stats)\b(?!\.py)", text)  # the PUE method in words
    sources = re.search(r'<table id="gs-sources">.*?</table>', page["html"], re.S).group(0)
    loaded = re.findall(r"<tr><td><code>[^<]+</code></td><td>[^<]*</td><td>([^<]*)</td>", sources)
    assert len(loaded) >= 8 and all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", t) for t in loaded), loaded


def test_profile_and_unknown_policy_in_words(page):
    html = page["html"]
    prof = re.search(r'<section id="profile">.*?</section>', html, re.S).group(0)
    assert "Unknown policy: UNKNOWN" not in html
    # balanced.toml: [unknown] policy = "penalty", penalty_score = 25, gate = "conditional";
    # [unknown.factors] price = "uncertain", water_stress_score = "uncertain"
    assert "an input with no data scores the penalty 25 of 100 (never better than the midpoint)" in prof
    assert "except price and water_stress_score: scores the median of the sites that know it" in prof
    assert "a gate that cannot be checked keeps the site, flagged" in prof
    assert "<th>power weight</th><td>25 (25 % of the score)</td>" in prof
    assert "<th>gate min_capacity_weighted_mw</th><td>capacity_weighted_mw ≥ 100</td>" in prof
    assert all("{" not in v and "[" not in v for v in profile_settings({"criteria": [{"name": "x", "subs": [
        {"column": "c", "direction": "lower", "weight": 1, "normalisation": "utility", "zero": 1, "full": 0}]}]}).values())


def test_gates_column_and_excluded_sites(page):
    html, scores = page["html"], page["scores"]
    gates_i = _headers(html).index("Gates")
    rank_i = _headers(html).index("Rank")
    excluded = scores.filter(pl.col("excluded"))
    assert excluded.height >= 1 and "xss-atlantic" in excluded["site_id"].to_list()  # the open-sea point
    for r in scores.iter_rows(named=True):
        cells = _cells(_row(html, r["site_id"]))
        assert "flags:" not in cells[gates_i] and "status:" not in cells[gates_i]
        if r["excluded"]:
            assert ">excluded<" in cells[rank_i] and "UNKNOWN" not in cells[rank_i]
            assert html_lib.escape(r["exclusion_reason"], quote=True)[:40] in cells[rank_i]  # reason in the title
            card = _card(html, r["site_id"])
            assert "#UNKNOWN" not in card and "Excluded: " in card
        else:
            assert re.search(rf">{r['rank']}<", cells[rank_i])
    assert "in the open sea" in _card(html, "xss-atlantic")


def test_every_score_resting_on_unknown_is_marked(page):
    """The engine flags each score resting on an UNKNOWN (``score_rests_on_unknown``) and lists the
    criteria (``unknown_criteria``); each such score carries the mark, in the ranking table and on the
    card, and no other score does."""
    html, scores = page["html"], page["scores"]
    heads = _headers(html)
    score_i = heads.index("Score (0–100)")
    crit_i = {h.split(" ")[0]: i for i, h in enumerate(heads) if h.endswith("(0–100)") and i != score_i}
    assert set(crit_i) == {"power", "cooling", "water", "carbon", "price"}
    n_marked = 0
    for r in scores.iter_rows(named=True):
        cells = _cells(_row(html, r["site_id"]))
        unk = {c for c in r["unknown_criteria"].split(",") if c}
        if r["score"] is not None:
            assert ("on-unknown" in cells[score_i]) == r["score_rests_on_unknown"] == bool(unk), r["site_id"]
        for c, i in crit_i.items():
            if r[f"score_{c}"] is None:
                continue
            marked = "on-unknown" in cells[i] and " *</td>" in cells[i]
            assert marked == (c in unk), (r["site_id"], c, cells[i])
            n_marked += marked
        card = _card(html, r["site_id"])
        for c in unk:
            assert re.search(rf"<tr><td>{c}</td><td class=\"num on-unknown\"", card), (r["site_id"], c)
    # sites outside the US and Eurostat's countries have no retail price: their price score is marked
    no_price = scores.filter(pl.col("price_usd_per_mwh").is_null() & pl.col("score_price").is_not_null())
    assert no_price.height >= 10 and n_marked >= no_price.height


def test_unknown_banner_lists_each_missing_input(page):
    html, scores = page["html"], page["scores"]
    tokyo = scores.filter(pl.col("site_id") == "jp-tokyo").row(0, named=True)
    card = _card(html, "jp-tokyo")
    callout = re.search(r'<div class="callout">.*?</div>', card, re.S).group(0)
    items = [html_lib.unescape(i) for i in re.findall(r"<li>(.*?)</li>", callout)]
    assert "Electricity price: no data" in items  # Japan: neither EIA nor Eurostat
    assert all(i.endswith(": no data") for i in items), items  # one per line, no comma soup
    # how the engine scored it: balanced makes price 'uncertain' (UnknownPolicy): the median of the
    # sites that know it, and a known site's value in each robustness draw
    assert "price_usd_per_mwh (uncertain)" in tokyo["unknown_factors"] and tokyo["score_rests_on_unknown"]
    why = html_lib.unescape(re.search(r'<div class="why">.*?</div>', card, re.S).group(0))
    assert "This score rests on UNKNOWN: " in why
    assert ("price: price_usd_per_mwh (uncertain): scored at the median of the sites that know it; each "
            "robustness draw gives it a known site's value") in why
    # no GridKit map covers Japan: the power factors are named with the penalty that scored them
    assert "substation_230kv_distance_km (penalty): scored at the penalty 25 of 100" in why
    assert f"its rank could move within {tokyo['rank_p05']}–{tokyo['rank_p95']} (5–95 %" in why


def test_unknown_wording_follows_the_engine_when_no_site_knows_a_factor(page):
    """Under neutral/uncertain the engine falls back to the penalty when no scored site knows the
    factor (scoring.normalise.fill_unknown); the card then says so, not 'median'."""
    from gridscout.report.explain import unknown_inputs

    prof = json.loads((page["run_dir"] / "run.json").read_text())["profile"]
    tokyo = page["scores"].filter(pl.col("site_id") == "jp-tokyo").row(0, named=True)
    assert unknown_inputs(tokyo, prof, known_somewhere=set())["price"] == [
        "price_usd_per_mwh (uncertain): no site in this run knows it, so scored at the penalty 25 of 100"]
    assert unknown_inputs({**tokyo, "score_rests_on_unknown": False}, prof) == {}


def test_sub_score_columns_state_their_scale(page):
    heads = _headers(page["html"])
    assert "Score (0–100)" in heads and "power (0–100)" in heads and "price (0–100)" in heads


def test_provenance_per_site(page):
    html, scores = page["html"], page["scores"]
    for r in scores.filter(pl.col("capacity_weighted_mw").is_not_null()).iter_rows(named=True):
        src = re.search(r"<tr><td>generation nearby</td><td><code>(\w+)</code>", _card(html, r["site_id"])).group(1)
        assert src == r["capacity__source"]
        assert src == (US_PLANT_SOURCE if r["country"] == "USA" else WORLD_PLANT_SOURCE), r["site_id"]
    for r in scores.iter_rows(named=True):
        card = _card(html, r["site_id"])
        it = re.search(r"<tr><td>IT load</td>.*?</tr>", card, re.S).group(0)
        assert "profile default" in it and "observed" not in it  # markets.csv gives no IT load
        if r["pue_method"] == "climate_model":
            assert "Hourly weather file" not in card and "<td>hourly weather</td>" not in card
        not_drawn = re.search(r"Not drawn for this site: (.*?)</p>", card, re.S)
        if "Generation capacity within 50 km by fuel" in card and not_drawn:
            assert "fuel mix" not in not_drawn.group(1)  # never 'no fuel-mix rows' under a fuel-mix chart
        # each value names its source at this site, next to its evidence
        gen = re.search(r"<tr><td>Generation, distance-weighted.*?</tr>", card, re.S)
        if gen and r["capacity__source"]:
            assert f"<code>{r['capacity__source']}</code>" in gen.group(0)
        pue = re.search(r"<tr><td>PUE, annual</td>.*?</tr>", card, re.S).group(0)
        if r["pue_annual"] is not None:
            want = "weather_hourly" if r["pue_method"] == "hourly" else "weather_stations"
            assert f"<code>{want}</code>" in pue, (r["site_id"], pue)
    assert "No hourly, monthly or fuel-mix rows" not in html
    # the wholesale price names its source id and vintage like every other value (Europe, ember_prices)
    ember = {s["source_id"]: s["vintage"] for s in json.loads((page["run_dir"] / "run.json").read_text())["sources"]}
    wholesale = scores.filter(pl.col("wholesale_price_usd_per_mwh").is_not_null())
    assert wholesale.height >= 5
    for sid in wholesale["site_id"]:
        row = re.search(r"<tr><td>Wholesale day-ahead price.*?</tr>", _card(html, sid), re.S).group(0)
        assert f"<code>ember_prices</code> {ember['ember_prices']}</span>" in row, row
    hourly = scores.filter(pl.col("pue_method") == "hourly")
    assert hourly.height >= 1
    for sid in hourly["site_id"]:
        assert "Hourly weather file" in _card(html, sid)


def test_exact_ties_are_explained(page):
    html, scores = page["html"], page["scores"]
    ranked = scores.filter(~pl.col("excluded"))
    tied = ranked.filter(pl.col("score").is_duplicated())
    assert tied.height >= 2, "the markets have exact ties (Dallas, Red Oak and San Antonio share ERCOT/TX data)"
    names = dict(zip(scores["site_id"], scores["site_name"]))
    for r in tied.iter_rows(named=True):
        tie = re.search(r'<p class="tie">(.*?)</p>', _card(html, r["site_id"]), re.S)
        assert tie, r["site_id"]
        mates = tied.filter((pl.col("score") == r["score"]) & (pl.col("site_id") != r["site_id"]))["site_id"]
        for m in mates:
            assert html_lib.escape(names[m]) in tie.group(1)
        assert "every sub-score is identical" in tie.group(1)
    assert set(ties(ranked, None, names)) == set(tied["site_id"])


def test_why_this_rank_block(page):
    html, scores = page["html"], page["scores"]
    top = scores.filter(~pl.col("excluded")).sort("rank").row(0, named=True)
    why = re.search(r'<div class="why">.*?</div>', _card(html, top["site_id"]), re.S).group(0)
    assert "<svg" in why and "strongest: " in why
    assert f"its rank could move within {top['rank_p05']:,.0f}–{top['rank_p95']:,.0f} (5–95 % of 200" in why
    best = max(("power", "cooling", "water", "carbon", "price"), key=lambda c: top[f"contrib_{c}"])
    assert f"strongest: {best} " in why
    for r in scores.filter(pl.col("excluded")).iter_rows(named=True):
        assert '<div class="why">' not in _card(html, r["site_id"])


def _long_inner_segments(d: str, width: float, height: float) -> list[tuple]:
    bad = []
    for sub in re.findall(r"M([^MZ]+)Z", d):
        pts = [tuple(map(float, p.split(","))) for p in sub.split()]
        for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
            inner = 2 < y0 < height - 2 and 2 < y1 < height - 2
            if inner and abs(x1 - x0) > width / 5:
                bad.append((x0, y0, x1, y1))
    return bad


def test_no_straight_line_across_the_map(page):
    """Country parts cut at the antimeridian are dissolved: no long straight edge inside the map
    (one crossed Siberia at 65°N before)."""
    svg = re.search(r'<svg[^>]*class="map".*?</svg>', page["html"], re.S).group(0)
    w, h = map(float, re.search(r'<clipPath id="gs-map-clip"><rect width="([\d.]+)" height="([\d.]+)"', svg).groups())
    russia = re.search(r'<path class="b-country" d="([^"]+)"><title>Russia</title>', svg).group(1)
    assert _long_inner_segments(russia, w, h) == []
    for d in re.findall(r'<path class="b-country" d="([^"]+)"', svg):
        assert _long_inner_segments(d, w, h) == []


def test_water_split_and_monthly_pue_charts(page):
    """Every site with on- and off-site water gets the split chart with the engine's values; sites with
    an hourly weather file get a monthly PUE chart (monthly.parquet ``pue_mean``)."""
    html, scores = page["html"], page["scores"]
    for r in scores.filter(pl.col("water_onsite_m3_per_year").is_not_null()
                           & pl.col("water_offsite_m3_per_year").is_not_null()).iter_rows(named=True):
        card = _card(html, r["site_id"])
        assert "Water: on-site vs off-site (power) [m³/yr]" in card
        assert f"<title>on-site: {r['water_onsite_m3_per_year']:,.0f} m³/yr</title>" in card
    monthly = pl.read_parquet(page["run_dir"] / "monthly.parquet")
    for sid in scores.filter(pl.col("pue_method") == "hourly")["site_id"]:
        card = _card(html, sid)
        assert "PUE, monthly mean by month" in card
        # the bars grow from PUE 1.0 (its physical floor), not 0: a summer month stands out
        svg = re.search(r'<svg[^>]*>(?:(?!</svg>).)*PUE, monthly mean by month.*?</svg>', card, re.S).group(0)
        assert '<text x="52" y="134" text-anchor="end">1.00</text>' in svg
        heights = [float(h) for h in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)"', svg)]
        pue = monthly.filter(pl.col("site_id") == sid).sort("month")["pue_mean"].to_list()
        assert len(heights) == len(pue) == 12
        assert max(heights) / min(heights) == pytest.approx((max(pue) - 1) / (min(pue) - 1), rel=0.02)
        assert max(heights) / min(heights) > 1.2, (sid, pue)  # on a 0-based axis it was < 1.05


def test_deciding_facts_say_where_the_pue_comes_from(page):
    scores = page["scores"]
    crit = ["power", "cooling", "water", "carbon", "price"]
    prof = json.loads((page["run_dir"] / "run.json").read_text())["profile"]
    for method, basis in (("hourly", "(hourly weather file, "), ("climate_model", "(climate model on the climate statistics, ")):
        row = scores.filter((pl.col("pue_method") == method) & ~pl.col("excluded")).row(0, named=True)
        facts = deciding_facts(row, ["cooling"], prof, n=1)
        assert facts and f"PUE, annual {row['pue_annual']:.3f}" in facts[0] and basis in facts[0], facts
        assert len(deciding_facts(row, crit, prof)) <= 3


def test_comparison_says_excluded_not_unknown(page, run_dir_b):
    """A site excluded by a gate in either run reads 'excluded' (reason in the title) in the
    comparison, and its Δ rank is '—', never UNKNOWN; other sites keep their ranks."""
    html = page["html"]
    sec = re.search(r'<table id="gs-compare".*?</table>', html, re.S).group(0)
    a, b = page["scores"], pl.read_parquet(run_dir_b / "scores.parquet")
    excl_b = b.filter(pl.col("excluded"))
    assert excl_b.height >= 3  # low-carbon's carbon gate (≤ 450 gCO2eq/kWh) excludes coal-heavy grids
    for sid, reason in zip(excl_b["site_id"], excl_b["exclusion_reason"]):
        row = re.search(rf'<tr data-site-id="{re.escape(sid)}">.*?</tr>', sec, re.S).group(0)
        cells = re.findall(r"<td\b[^>]*>.*?</td>", row, re.S)
        assert f'title="{html_lib.escape(reason, quote=True)}">excluded</td>' in cells[2], cells[2]
        assert ">—</td>" in cells[3] and "UNKNOWN" not in cells[2] + cells[3]
    both = a.filter(~pl.col("excluded")).join(b.filter(~pl.col("excluded")), on="site_id", suffix="_b")
    for r in both.head(5).iter_rows(named=True):
        row = re.search(rf'<tr data-site-id="{re.escape(r["site_id"])}">.*?</tr>', sec, re.S).group(0)
        assert f">{r['rank_b'] - r['rank']:+d}</td>" in row


def test_carbon_by_year_chart_shows_the_zone_years_of_the_raw_file(page, raw_dir):
    """Each card draws its grid zone's carbon intensity for every year Electricity Maps publishes
    (2021–2025), the values of the raw file, and names the year that was scored."""
    raw = pl.read_csv(raw_dir / "carbon_yearly" / "electricitymaps_yearly_zone_2021_2025.csv")
    html, scores = page["html"], page["scores"]
    years = pl.read_parquet(page["run_dir"] / "carbon_years.parquet")
    zones = scores.filter(pl.col("grid_zone").is_not_null() & pl.col("carbon_g_per_kwh").is_not_null())
    assert zones.height >= 60 and set(zones["grid_zone"]) <= set(years["grid_zone"])
    for sid in ("us-il-chicago", "jp-tokyo", "de-frankfurt"):
        r = scores.filter(pl.col("site_id") == sid).row(0, named=True)
        card = _card(html, sid)
        title = f"Grid carbon intensity by year, {r['grid_zone']} [gCO2eq/kWh]; scored: {r['carbon_year']}"
        svg = re.search(rf"<svg[^>]*>(?:(?!</svg>).)*{re.escape(title)}.*?</svg>", card, re.S).group(0)
        want = raw.filter(pl.col("zone_key") == r["grid_zone"]).sort("year")
        assert want.height == 5
        for y, v in want.select("year", "carbon_intensity_gco2eq_per_kwh").iter_rows():
            assert f"<title>{y}: {v:,.1f} g/kWh</title>" in svg, (sid, y, v)
        # the scored figure is the scored year's bar
        scored = want.filter(pl.col("year") == r["carbon_year"])["carbon_intensity_gco2eq_per_kwh"][0]
        assert r["carbon_g_per_kwh"] == pytest.approx(scored)


def test_deciding_facts_name_two_inputs_with_units(page):
    """A criterion's fact names the first two inputs it read, with units (e.g. the substation
    distance of the power criterion), and says how many were UNKNOWN instead of repeating them."""
    scores = page["scores"]
    prof = json.loads((page["run_dir"] / "run.json").read_text())["profile"]
    us = scores.filter((pl.col("country") == "USA") & pl.col("substation_230kv_distance_km").is_not_null()
                       & ~pl.col("excluded")).sort("rank").row(0, named=True)
    fact = deciding_facts(us, ["power"], prof, n=1)[0]
    assert f"Nearest substation, 220/230 kV class or higher {us['substation_230kv_distance_km']:.1f} km; " in fact
    n_unknown = sum(1 for f in us["unknown_factors"].split(", ") if f and f.split(" (")[0] in
                    json.dumps([c for c in prof["criteria"] if c["name"] == "power"]))
    assert (f"{n_unknown} input(s) UNKNOWN" in fact) == (n_unknown > 0), (fact, us["unknown_factors"])
