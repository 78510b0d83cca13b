"""Per-key features and compact text for frames of many locations.

:func:`per_key` computes what depends only on a few key columns (a place's country, state and grid zone;
a cell's ISO and county) once per distinct combination and gathers it to every row; :func:`compact_text`
holds the repeated labels of a cell surface as categoricals. Used by :mod:`.assemble` (what a place
brings) and :mod:`.queues` (what an ISO and county bring).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import polars as pl


def per_key(frame: pl.DataFrame, keys: list[str], fn) -> pl.DataFrame:
    """``frame`` with the columns ``fn`` adds to a frame of ``keys``, computed once per distinct
    combination of ``keys`` (nulls included) and gathered to every row — for features that depend
    on nothing else (what a location's country, state and grid zone bring: a few hundred
    combinations among millions of screening cells). ``fn(places)`` must return ``places`` (one row
    per combination, in order) with its new columns; their text comes back as categoricals
    (:func:`compact_text`), the values unchanged."""
    k = frame.select(keys)
    # rows come in runs of one place (cells sorted by H3 index are spatially coherent): the distinct
    # combinations are found among the runs' first rows, and each row takes its run's place
    starts_run = [pl.int_range(pl.len()) == 0] + [pl.col(c).ne_missing(pl.col(c).shift(1)) for c in keys]
    change = k.select(pl.any_horizontal(starts_run).alias("change"))["change"]  # the first row starts one
    runs = k[change.arg_true()]
    places = runs.unique(maintain_order=True)
    row = runs.join(places.with_row_index("_place"), on=keys, how="left", nulls_equal=True,
                    maintain_order="left")["_place"].gather(change.cast(pl.UInt32).cum_sum() - 1)
    added = fn(places)
    new = compact_text(added.drop([c for c in added.columns if c in places.columns]))
    return pl.concat([frame, new[row]], how="horizontal")


#: text columns of a cell surface that stay plain strings (one value per cell)
UNIQUE_TEXT = ("h3",)


def compact_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column of a cell surface but :data:`UNIQUE_TEXT` as ``pl.Categorical``: the labels
    (sources, bases, names, zone ids) repeat across millions of cells — at CONUS res 6, 1.45 kB per cell
    as plain strings, most of the surface's memory — and a categorical holds each distinct value once
    (written to Parquet as a dictionary column). Values are unchanged."""
    text = [c for c, t in frame.schema.items() if t == pl.String and c not in UNIQUE_TEXT]
    # cast as Series, not as expressions over the frame: a frame whose columns are chunked differently
    # (features joined from batches beside single-chunk scores) is realigned by every frame-level
    # expression (0.2–1.3 s against 0.16 s for the scored CONUS r7 surface). Each cast hashes every
    # row on one core and releases the GIL: two threads halve it (300 k cells, 22 columns: 0.09 → 0.05 s)
    if not text:
        return frame
    with ThreadPoolExecutor(max_workers=2) as pool:
        return frame.with_columns(list(pool.map(lambda c: frame.get_column(c).cast(pl.Categorical), text)))
