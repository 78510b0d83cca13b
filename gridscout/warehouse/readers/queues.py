"""Read API for the interconnection-queue features: the normalised queue and the US county polygons.

:data:`QUERIES` are read by :func:`gridscout.warehouse.readers.reference.read_reference` into
``Reference.queue`` and ``Reference.us_counties`` (one short read-only connection for all reference
frames); :func:`read_interconnection_queue` reads the queue alone. The pure computation is
:func:`gridscout.features.queues.queue_features`.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from gridscout.warehouse.db import connect, ensure_migrated

QUERIES = {
    "queue": "select source_id, vintage, iso, project_id, project_name, state, county, fuel, capacity_mw, status, "
             "status_published, queue_date, withdrawn_date, in_service_date from stg_interconnection_queue",
    "us_counties": "select fips, state, county, geometry_wkb from stg_us_counties order by fips",
}


def read_interconnection_queue(db: str | Path | None = None) -> pl.DataFrame:
    """The normalised queue of every loaded ISO (current vintage of each source), connection closed."""
    ensure_migrated(db)
    con = connect(db, read_only=True)
    try:
        return con.sql(QUERIES["queue"]).pl()
    finally:
        con.close()
