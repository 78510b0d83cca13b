"""Numba argument types of screening's compiled kernels, for the ``KERNEL_SIGNATURES`` each defining
module declares (:mod:`gridscout.kernels` loads them ahead)."""

from __future__ import annotations

from numba import types

#: argument types of the kernels' signatures (contiguous 1-D / 2-D arrays; ``_R``: read-only, as a
#: zero-copy ``polars.Series.to_numpy()`` gives)
F8 = types.float64
I8 = types.int64
F1 = types.Array(types.float64, 1, "C")
F1_R = types.Array(types.float64, 1, "C", readonly=True)
F2 = types.Array(types.float64, 2, "C")
I1 = types.Array(types.int64, 1, "C")
I2 = types.Array(types.int64, 2, "C")
B1 = types.Array(types.boolean, 1, "C")
