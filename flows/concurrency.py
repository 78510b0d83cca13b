"""One warehouse writer at a time, queued in Prefect: the global concurrency limit ``duckdb-writer``.

DuckDB lets one process write a file at a time; :func:`gridscout.warehouse.db.connect` waits on the
file lock (up to ``LOCK_WAIT_S``), but a writer waiting there is invisible to Prefect. Every flow
step that writes the warehouse runs inside :func:`writer_slot`, which takes one slot of the global
concurrency limit ``duckdb-writer`` (limit 1): a second writer waits in Prefect, where the run shows
as waiting for the slot. The limit is created with limit 1 when missing (``serve`` does it at start,
and the first writer of a worker's run); an operator can create it beforehand with
``prefect gcl create duckdb-writer --limit 1``, and a limit they set is never changed here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

WRITER_LIMIT = "duckdb-writer"
#: a slot is leased for this long and renewed while held; a crashed holder frees it after it
LEASE_S = 300.0

log = logging.getLogger(__name__)
_ensured: set[str] = set()


def ensure_writer_limit(limit: int = 1) -> bool:
    """Create the global concurrency limit ``duckdb-writer`` (``limit`` slots) if the Prefect API has
    none; returns True when it was created. An existing limit is left as it is."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(WRITER_LIMIT)
            created = False
        except ObjectNotFound:
            try:
                client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=WRITER_LIMIT, limit=limit))
                created = True
            except ObjectAlreadyExists:  # another process created it meanwhile
                created = False
    _ensured.add(WRITER_LIMIT)
    if created:
        log.info("created the global concurrency limit %s (limit %d)", WRITER_LIMIT, limit)
    return created


@contextmanager
def writer_slot() -> Iterator[None]:
    """Hold the one ``duckdb-writer`` slot while the block writes the warehouse (waits in Prefect
    while another flow run holds it). Outside a flow or task run it holds nothing."""
    from prefect.concurrency.sync import concurrency
    from prefect.context import FlowRunContext, TaskRunContext

    if FlowRunContext.get() is None and TaskRunContext.get() is None:  # a plain call (``.fn`` in a test)
        yield
        return
    if WRITER_LIMIT not in _ensured:
        ensure_writer_limit()
    with concurrency(WRITER_LIMIT, occupy=1, lease_duration=LEASE_S, strict=True):
        yield
