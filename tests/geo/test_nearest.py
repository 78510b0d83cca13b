"""SphereIndex kernel sums against a brute-force haversine sum with the kernel written out."""

from __future__ import annotations

import numpy as np
import pytest

from gridscout.features.power import DECAY_CUTOFF_LENGTHS, decay_length_km, decay_weight
from gridscout.geo.nearest import PointGroups, SphereIndex, haversine_km


def _points(n, seed):
    rng = np.random.default_rng(seed)
    return rng.uniform(38.0, 40.0, n), rng.uniform(-79.0, -76.0, n)


def test_tabulated_decay_sum_equals_the_kernel_at_each_distance():
    plat, plon = _points(400, 1)
    w = np.random.default_rng(2).uniform(1, 500, (400, 2))
    qlat, qlon = _points(300, 3)
    L = decay_length_km()
    radius = DECAY_CUTOFF_LENGTHS * L
    got = SphereIndex(plat, plon).kernel_sum_grouped(PointGroups.singletons(qlat, qlon), radius, w, decay_weight,
                                                      (L, DECAY_CUTOFF_LENGTHS))
    d = haversine_km(qlat[:, None], qlon[:, None], plat[None, :], plon[None, :])
    k = np.where(d <= radius, (np.exp(-d / L) - np.exp(-3.0)) / (1 - np.exp(-3.0)), 0.0)
    want = k @ w
    assert (want > 0).all() and np.allclose(got, want, rtol=1e-10, atol=0)
    # a point on an indexed point takes its full weight (kernel 1 at 0 km)
    one = SphereIndex(plat[:1], plon[:1]).kernel_sum_grouped(PointGroups.singletons(plat[:1], plon[:1]), radius,
                                                              w[:1, :1], decay_weight, (L, DECAY_CUTOFF_LENGTHS))
    assert one[0, 0] == pytest.approx(w[0, 0], rel=1e-12)


def test_unit_kernel_counts_within_the_radius():
    plat, plon = _points(500, 4)
    qlat, qlon = _points(200, 5)
    got = SphereIndex(plat, plon).sum_within(qlat, qlon, 50.0, np.ones(500))
    d = haversine_km(qlat[:, None], qlon[:, None], plat[None, :], plon[None, :])
    assert np.array_equal(got, (d <= 50.0).sum(axis=1).astype(float))
