"""ISO 3166-1 country codes (alpha-2, alpha-3, numeric, names).

File: ``iso3166-1.json`` from pycountry 26.2.16 (data: Debian iso-codes,
https://salsa.debian.org/iso-codes-team/iso-codes; LGPL-2.1): ``{"3166-1": [{alpha_2, alpha_3,
numeric, name, official_name?, common_name?}, ...]}``. ``name`` is the common name when the
standard's short name is long or political (``common_name``), else the ISO short name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from gridscout.errors import SourceFormatError
from gridscout.sources.base import ParseResult, Publication, RawFile, SourceSpec

ISO_FILE = "iso3166-1.json"


def parse(files: Mapping[str, Path]) -> ParseResult:
    path = files[ISO_FILE]
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))["3166-1"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise SourceFormatError(f"{path}: not an iso-codes 3166-1 JSON file ({exc})") from exc
    rows = []
    for i, e in enumerate(entries):
        missing = [k for k in ("alpha_2", "alpha_3", "numeric", "name") if not e.get(k)]
        if missing:
            raise SourceFormatError(f"{path}: entry {i} ({e.get('name')!r}) has no {missing}")
        if len(e["alpha_2"]) != 2 or len(e["alpha_3"]) != 3 or not e["numeric"].isdigit():
            raise SourceFormatError(f"{path}: entry {i} has malformed codes {e['alpha_2']}/{e['alpha_3']}/{e['numeric']}")
        rows.append({"alpha_2": e["alpha_2"], "alpha_3": e["alpha_3"], "numeric": e["numeric"].zfill(3),
                     "name": e.get("common_name") or e["name"], "official_name": e.get("official_name")})
    df = pl.DataFrame(rows, schema={"alpha_2": pl.Utf8, "alpha_3": pl.Utf8, "numeric": pl.Utf8, "name": pl.Utf8,
                                    "official_name": pl.Utf8})
    for col in ("alpha_2", "alpha_3", "numeric"):
        if df[col].n_unique() != df.height:
            raise SourceFormatError(f"{path}: duplicate {col} codes")
    return ParseResult({"countries": df})


SPEC = SourceSpec(
    id="countries",
    title="ISO 3166-1 country codes",
    authority="ISO 3166 Maintenance Agency, via Debian iso-codes / pycountry 26.2.16",
    licence="LGPL-2.1 (iso-codes / pycountry)",
    homepage="https://salsa.debian.org/iso-codes-team/iso-codes",
    family="places",
    vintage="pycountry-26.2.16",
    files=(RawFile(ISO_FILE, url=None),),
    tables=("countries",),
    parse=parse,
    publication=Publication("static", "ISO 3166-1 country codes (pycountry): reference, no data-age limit"),
    reference_only="ISO 3166-1 code table loaded for reference; code conversions use pycountry "
                   "(sources/common.py), which ships the same iso-codes data.",
)
