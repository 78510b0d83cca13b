"""Ingest wording (issue 16): older records superseded by a newer one are not "rejected" rows."""

from __future__ import annotations

from tests.test_first_slice_sources import parse


def test_superseded_station_periods_are_not_counted_as_rejected(raw_dir):
    r = parse("weather_stations", raw_dir)
    kept = r.tables["weather_stations"].height
    assert kept == 17292  # one record per WMO station (the newest TMYx period)
    assert r.rows_rejected == 0
    sup = [x for x in r.rejections if x.superseded]
    assert len(sup) == 1 and sup[0].rows == r.rows_superseded > 0
    assert "newest kept" in sup[0].reason


def test_the_ingest_log_says_superseded(monkeypatch):
    """The flow's log line for superseded rows names them as such, never 'rejected'."""
    import flows.ingest as fi
    from gridscout.sources.base import Rejection

    class Report:
        status, vintage, rows, rows_rejected, message, tables, derived = "loaded", "v", 1, 0, "", {}, {}
        rejections = [Rejection("weather_stations", 52346, "older TMYx periods (newest kept)", superseded=True)]

    lines: list[str] = []

    class Logger:
        def info(self, msg, *args):
            lines.append(msg % args)

        error = info

    monkeypatch.setattr(fi, "get_run_logger", lambda: Logger())
    monkeypatch.setattr(fi, "ingest_source", lambda *a, **k: Report())
    fi.load_task.fn("weather_stations", None, None, False)
    assert any("52346 superseded older row(s)" in ln for ln in lines)
    assert not any("rejected 52346" in ln for ln in lines)
