"""Making the next item of a sequence on a background thread while the caller works on this one."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
_END = object()


def read_ahead(items: Iterable[T]) -> Iterator[T]:
    """The items of ``items``, each computed on a background thread while the caller works on the one
    before (at most one item ahead) — for work that releases the GIL on both sides (a streamed
    screening's cell fills beside the scoring; a GeoParquet's next hexagons beside the writing). An
    exception raised making an item reaches the caller when it asks for that item."""
    it = iter(items)
    with ThreadPoolExecutor(max_workers=1) as pool:
        nxt = pool.submit(next, it, _END)
        while True:
            item = nxt.result()
            if item is _END:
                return
            nxt = pool.submit(next, it, _END)
            yield item
